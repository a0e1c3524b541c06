//! Two real server processes on two ports, one real `redis-server`, and
//! real WebSocket clients on loopback.
#![cfg(unix)]

mod support;

use std::collections::BTreeMap;
use std::io::{BufRead as _, BufReader};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::mpsc;
use std::thread;
use std::time::Duration;

use chat_cluster::KEPT;
use futures_util::{SinkExt, StreamExt};
use redis::aio::MultiplexedConnection;
use serde_json::{Value, json};
use support::Redis;
use tokio_tungstenite::{connect_async, tungstenite::Message};

/// A guard against a hang, never a measurement.
const PATIENCE: Duration = Duration::from_secs(20);

struct Program {
    child: Child,
    lines: mpsc::Receiver<String>,
    printed: Vec<String>,
}

impl Program {
    fn start(args: &[&str]) -> Program {
        let mut child = Command::new(env!("CARGO_BIN_EXE_chat-cluster"))
            .args(args)
            .env_remove("RUST_BACKTRACE")
            .env_remove("RUST_LIB_BACKTRACE")
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let (lines_tx, lines) = mpsc::channel();
        for output in [
            Box::new(child.stdout.take().unwrap())
                as Box<dyn std::io::Read + Send>,
            Box::new(child.stderr.take().unwrap()),
        ] {
            let lines_tx = lines_tx.clone();
            thread::spawn(move || {
                for line in BufReader::new(output).lines() {
                    if lines_tx.send(line.unwrap()).is_err() {
                        break;
                    }
                }
            });
        }
        Program {
            child,
            lines,
            printed: Vec::new(),
        }
    }

    /// A server on a free port that shares its rooms through `redis`.
    fn serving(redis: &Redis) -> (Program, String) {
        let url = redis.url();
        let mut program = Program::start(&["127.0.0.1:0", "--redis", &url]);
        let line = program.wait_for("chat on http://");
        let address = line["chat on http://".len()..].trim_end_matches('/');
        (program, format!("ws://{address}/chat"))
    }

    fn wait_for(&mut self, wanted: &str) -> String {
        loop {
            if let Some(line) =
                self.printed.iter().find(|l| l.starts_with(wanted))
            {
                return line.clone();
            }
            match self.lines.recv_timeout(PATIENCE) {
                Ok(line) => self.printed.push(line),
                Err(_) => {
                    self.child.kill().unwrap();
                    panic!("no {wanted:?}; printed {:#?}", self.printed);
                }
            }
        }
    }

    /// What it printed but its first line: standard error, read by another
    /// thread than standard output, comes before or after that line.
    fn after_address(&self) -> Vec<String> {
        let address = |line: &&String| line.starts_with("chat on http://");
        self.printed
            .iter()
            .filter(|l| !address(l))
            .cloned()
            .collect()
    }

    fn terminate(&self) {
        let sent = Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status()
            .unwrap();
        assert!(sent.success());
    }

    /// Reads what is left until the program closes its output, then its
    /// exit status; a program still running after PATIENCE is a failure.
    fn finish(&mut self) -> ExitStatus {
        while let Ok(line) = self.lines.recv_timeout(PATIENCE) {
            self.printed.push(line);
        }
        let deadline = std::time::Instant::now() + PATIENCE;
        loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                return status;
            }
            let printed = &self.printed;
            assert!(
                std::time::Instant::now() < deadline,
                "runs on: {printed:#?}"
            );
            thread::sleep(Duration::from_millis(10));
        }
    }
}

impl Drop for Program {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

type Client = tokio_tungstenite::WebSocketStream<
    tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>,
>;

/// The next frame that is not a ping or pong. One deadline for them all:
/// the server pings every 10 s, so a wait per frame could last for ever.
async fn next(client: &mut Client) -> Message {
    let deadline = tokio::time::Instant::now() + PATIENCE;
    loop {
        let frame = tokio::time::timeout_at(deadline, client.next())
            .await
            .expect("nothing in time")
            .expect("the socket ended")
            .expect("a WebSocket error");
        if !matches!(frame, Message::Ping(_) | Message::Pong(_)) {
            return frame;
        }
    }
}

async fn event(client: &mut Client) -> Value {
    match next(client).await {
        Message::Text(text) => serde_json::from_str(&text).unwrap(),
        other => panic!("expected text, got {other:?}"),
    }
}

async fn send(client: &mut Client, request: Value) {
    client
        .send(Message::text(request.to_string()))
        .await
        .unwrap();
}

async fn say(client: &mut Client, room: &str, text: &str) {
    send(client, json!({"type": "say", "room": room, "text": text})).await;
}

/// Connects and logs in; returns the welcome or the error.
async fn log_in(url: &str, name: &str, password: &str) -> (Client, Value) {
    let mut client = connect_async(url).await.unwrap().0;
    let login = json!({"type": "login", "name": name, "password": password});
    send(&mut client, login).await;
    let answer = event(&mut client).await;
    (client, answer)
}

/// Logs in and joins `room`; returns the history the client got. The
/// client's own `joined` comes back through Redis, after the history.
async fn member(url: &str, name: &str, room: &str) -> (Client, Value) {
    let (mut client, welcome) = log_in(url, name, "secret").await;
    assert_eq!(welcome["type"], "welcome", "{welcome}");
    send(&mut client, json!({"type": "join", "room": room})).await;
    let history = event(&mut client).await;
    assert_eq!(history["type"], "history", "{history}");
    let me = json!({"type": "joined", "room": room, "name": name});
    assert_eq!(event(&mut client).await, me);
    (client, history)
}

/// A message event as the server sends it, without its id.
fn message(room: &str, name: &str, text: &str) -> Value {
    json!({"type": "message", "room": room, "name": name, "text": text})
}

/// The next event with its message id taken out.
async fn without_id(client: &mut Client) -> Value {
    let mut event = event(client).await;
    event.as_object_mut().unwrap().remove("id");
    event
}

/// Reads messages until the one whose text is `last`; returns their
/// (id, text), skipping joined and left notices.
async fn messages_until(client: &mut Client, last: &str) -> Vec<(i64, String)> {
    let mut heard = Vec::new();
    loop {
        let event = event(client).await;
        if event["type"] == "message" {
            let text = event["text"].as_str().unwrap().to_string();
            heard.push((event["id"].as_i64().unwrap(), text.clone()));
            if text == last {
                return heard;
            }
        } else {
            assert!(
                ["joined", "left"].contains(&event["type"].as_str().unwrap())
            );
        }
    }
}

async fn redis_connection(redis: &Redis) -> MultiplexedConnection {
    let client = redis::Client::open(redis.url()).unwrap();
    client.get_multiplexed_async_connection().await.unwrap()
}

/// How many connections are subscribed to a room's channel.
async fn subscribers(db: &mut MultiplexedConnection, room: &str) -> i64 {
    let counts: BTreeMap<String, i64> = redis::cmd("PUBSUB")
        .arg("NUMSUB")
        .arg(format!("chat:room:{room}"))
        .query_async(db)
        .await
        .unwrap();
    counts[&format!("chat:room:{room}")]
}

/// Polls Redis until `done` says yes; a guard, not a measurement.
async fn until_redis<F>(db: &mut MultiplexedConnection, what: &str, done: F)
where
    F: AsyncFn(&mut MultiplexedConnection) -> bool,
{
    let deadline = tokio::time::Instant::now() + PATIENCE;
    while !done(db).await {
        assert!(tokio::time::Instant::now() < deadline, "never: {what}");
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
}

async fn counter(db: &mut MultiplexedConnection, room: &str) -> i64 {
    let counted: Option<i64> = redis::cmd("GET")
        .arg(format!("chat:room:{room}:next"))
        .query_async(db)
        .await
        .unwrap();
    counted.unwrap_or(0)
}

#[tokio::test]
#[ignore = "needs redis-server (apt install redis-server)"]
async fn users_on_two_servers_hear_each_other_through_redis() {
    let redis = Redis::start();
    let (_a, url_a) = Program::serving(&redis);
    let (_b, url_b) = Program::serving(&redis);

    let (mut ada, _) = member(&url_a, "ada", "rust").await;
    let (mut bo, _) = member(&url_b, "bo", "rust").await;
    let (mut cy, _) = member(&url_b, "cy", "python").await;
    let bo_joined = json!({"type": "joined", "room": "rust", "name": "bo"});
    assert_eq!(event(&mut ada).await, bo_joined);

    // Not ASCII, so Lua's JSON encoder has to keep UTF-8 as it is.
    say(&mut ada, "rust", "héllo from A ✓").await;
    let from_a = message("rust", "ada", "héllo from A ✓");
    assert_eq!(without_id(&mut ada).await, from_a);
    assert_eq!(without_id(&mut bo).await, from_a);
    say(&mut bo, "rust", "hi from B").await;
    let from_b = message("rust", "bo", "hi from B");
    assert_eq!(without_id(&mut bo).await, from_b);
    assert_eq!(without_id(&mut ada).await, from_b);

    // cy, in another room on B, heard none of it: the next thing cy hears
    // is cy's own message.
    say(&mut cy, "python", "yo").await;
    assert_eq!(without_id(&mut cy).await, message("python", "cy", "yo"));

    // bo goes away without a Close frame; ada, on the other server, is
    // told.
    drop(bo);
    let bo_left = json!({"type": "left", "room": "rust", "name": "bo"});
    assert_eq!(event(&mut ada).await, bo_left);

    // dee joins on B, and gets the history that both servers made.
    let (_dee, history) = member(&url_b, "dee", "rust").await;
    let said: Vec<_> = history["messages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| (m["id"].as_i64().unwrap(), m["text"].as_str().unwrap()))
        .collect();
    assert_eq!(said, [(1, "héllo from A ✓"), (2, "hi from B")]);
    let dee_joined = json!({"type": "joined", "room": "rust", "name": "dee"});
    assert_eq!(event(&mut ada).await, dee_joined);
}

#[tokio::test]
#[ignore = "needs redis-server (apt install redis-server)"]
async fn accounts_and_sessions_are_the_same_on_every_server() {
    let redis = Redis::start();
    let (_a, url_a) = Program::serving(&redis);
    let (_b, url_b) = Program::serving(&redis);

    let (_ada, welcome) = log_in(&url_a, "ada", "correct horse").await;
    assert_eq!(welcome["type"], "welcome", "{welcome}");
    let (_, refused) = log_in(&url_b, "ada", "battery staple").await;
    assert_eq!(
        refused,
        json!({"type": "error", "message": "wrong password"})
    );
    let (_, welcome_b) = log_in(&url_b, "ada", "correct horse").await;
    assert_eq!(welcome_b["name"], "ada", "{welcome_b}");

    // A token that server A gave out resumes on server B.
    let mut again = connect_async(&url_b).await.unwrap().0;
    let token = welcome["token"].clone();
    send(&mut again, json!({"type": "resume", "token": token})).await;
    let resumed = event(&mut again).await;
    assert_eq!(resumed["type"], "welcome", "{resumed}");
    assert_eq!(resumed["name"], "ada");
}

#[tokio::test]
#[ignore = "needs redis-server (apt install redis-server)"]
async fn two_servers_making_one_account_at_once_cannot_both_win() {
    let redis = Redis::start();
    let (_a, url_a) = Program::serving(&redis);
    let (_b, url_b) = Program::serving(&redis);
    // Both hash their password (slowly) before either adds the account,
    // so both find no account and both try to make it.
    for round in 0..5 {
        let name = format!("bo{round}");
        let (on_a, on_b) = tokio::join!(
            log_in(&url_a, &name, "on A"),
            log_in(&url_b, &name, "on B"),
        );
        let mut answers = [on_a.1["type"].clone(), on_b.1["type"].clone()];
        answers.sort_by_key(|a| a.to_string());
        assert_eq!(answers, ["error", "welcome"], "{round}");
    }
}

#[tokio::test]
#[ignore = "needs redis-server (apt install redis-server)"]
async fn messages_said_while_the_subscriptions_are_down_still_arrive() {
    let redis = Redis::start();
    let (mut a, url_a) = Program::serving(&redis);
    let (mut b, url_b) = Program::serving(&redis);
    let (mut ada, _) = member(&url_a, "ada", "lobby").await;
    let (mut bo, _) = member(&url_b, "bo", "lobby").await;
    event(&mut ada).await; // bo joined

    // Redis closes both servers' subscribing connections.
    let mut db = redis_connection(&redis).await;
    let killed: i64 = redis::cmd("CLIENT")
        .arg("KILL")
        .arg("TYPE")
        .arg("pubsub")
        .query_async(&mut db)
        .await
        .unwrap();
    assert_eq!(killed, 2);
    until_redis(&mut db, "nobody subscribed", async |db| {
        subscribers(db, "lobby").await == 0
    })
    .await;
    let down: Vec<String> = (0..10).map(|i| format!("down {i}")).collect();
    for text in &down {
        say(&mut ada, "lobby", text).await;
    }
    until_redis(&mut db, "all 10 saved", async |db| {
        counter(db, "lobby").await == 10
    })
    .await;
    // Published to nobody: Redis dropped them, and only the history has
    // them now. (Were a server back already, this test would prove less.)
    assert_eq!(subscribers(&mut db, "lobby").await, 0, "back too soon");

    say(&mut ada, "lobby", "back").await;
    let expected: Vec<(i64, String)> = (1..=11)
        .zip(down.iter().cloned().chain(["back".to_string()]))
        .collect();
    // Each client, on either server, hears all 11 in order, once.
    assert_eq!(messages_until(&mut bo, "back").await, expected);
    assert_eq!(messages_until(&mut ada, "back").await, expected);
    say(&mut bo, "lobby", "and more").await;
    assert_eq!(messages_until(&mut ada, "and more").await[0].0, 12);

    // Each server says on its standard error that it lost the subscription.
    for program in [&mut a, &mut b] {
        program.wait_for("lost the subscription");
    }
}

#[tokio::test]
#[ignore = "needs redis-server (apt install redis-server)"]
async fn a_message_whose_publication_was_lost_comes_before_the_next() {
    let redis = Redis::start();
    let (_a, url_a) = Program::serving(&redis);
    let (_b, url_b) = Program::serving(&redis);
    let (mut ada, _) = member(&url_a, "ada", "lobby").await;
    let (mut bo, _) = member(&url_b, "bo", "lobby").await;
    event(&mut ada).await; // bo joined
    say(&mut ada, "lobby", "one").await;
    messages_until(&mut ada, "one").await;
    messages_until(&mut bo, "one").await;

    // Message 2 is saved as the script saves it, but never published, as
    // if its publication had gone to a subscription that was down.
    let mut db = redis_connection(&redis).await;
    let () = redis::cmd("SET")
        .arg("chat:room:lobby:next")
        .arg(2)
        .query_async(&mut db)
        .await
        .unwrap();
    let lost = json!({"id": 2, "name": "ghost", "text": "two"});
    let _: i64 = redis::cmd("ZADD")
        .arg("chat:room:lobby:history")
        .arg(2)
        .arg(lost.to_string())
        .query_async(&mut db)
        .await
        .unwrap();

    // Message 3 shows both servers the gap, which they fill from the
    // history before they hand message 3 over.
    say(&mut bo, "lobby", "three").await;
    let expected = [(2, "two".to_string()), (3, "three".to_string())];
    assert_eq!(messages_until(&mut ada, "three").await, expected);
    assert_eq!(messages_until(&mut bo, "three").await, expected);
}

#[tokio::test]
#[ignore = "needs redis-server (apt install redis-server)"]
async fn joiners_get_history_then_every_later_message_once() {
    const SAID: usize = 400;
    let redis = Redis::start();
    let (_a, url_a) = Program::serving(&redis);
    let (_b, url_b) = Program::serving(&redis);
    let (ada, _) = member(&url_a, "ada", "lobby").await;

    // Three clients, logged in before the talking starts, that join the
    // lobby while ada talks as fast as she can.
    let mut joiners = Vec::new();
    for (name, url) in [("cy", &url_b), ("dee", &url_a), ("eve", &url_b)] {
        let (client, welcome) = log_in(url, name, "secret").await;
        assert_eq!(welcome["type"], "welcome");
        joiners.push(client);
    }

    // ada sends without waiting; her own messages are read alongside, so
    // her queue never fills. `heard` counts them as they come back.
    let (mut to_ada, mut from_ada) = ada.split();
    let (heard_tx, mut heard) = tokio::sync::watch::channel(0);
    let talker = tokio::spawn(async move {
        for i in 0..SAID {
            let text = i.to_string();
            let say = json!({"type": "say", "room": "lobby", "text": text});
            to_ada.send(Message::text(say.to_string())).await.unwrap();
        }
        to_ada
    });
    let reader = tokio::spawn(async move {
        let mut count = 0;
        while count < SAID {
            let frame = tokio::time::timeout(PATIENCE, from_ada.next()).await;
            let Message::Text(text) = frame.unwrap().unwrap().unwrap() else {
                continue;
            };
            if serde_json::from_str::<Value>(&text).unwrap()["type"]
                == "message"
            {
                count += 1;
                heard_tx.send_replace(count);
            }
        }
        from_ada
    });

    let mut listening = Vec::new();
    for (mut joiner, after) in joiners.into_iter().zip([40, 150, 260]) {
        // Joins once ada has heard back `after` of her messages.
        heard.wait_for(|count| *count >= after).await.unwrap();
        send(&mut joiner, json!({"type": "join", "room": "lobby"})).await;
        listening.push(tokio::spawn(async move {
            let history = event(&mut joiner).await;
            assert_eq!(history["type"], "history", "{history}");
            let mut ids: Vec<i64> = history["messages"]
                .as_array()
                .unwrap()
                .iter()
                .map(|said| said["id"].as_i64().unwrap())
                .collect();
            let in_history = ids.len();
            let last = (SAID - 1).to_string();
            ids.extend(
                messages_until(&mut joiner, &last).await.iter().map(|m| m.0),
            );
            (in_history, ids)
        }));
    }
    for (joiner, heard) in ["cy", "dee", "eve"].iter().zip(listening) {
        let (in_history, ids) = heard.await.unwrap();
        // A run of ids with no gap and no repeat, that ends with the last.
        let wrong = ids.windows(2).find(|pair| pair[1] != pair[0] + 1);
        assert_eq!(wrong, None, "{joiner}: a gap or a repeat");
        assert_eq!(ids.last(), Some(&(SAID as i64)), "{joiner}");
        // It joined mid-stream: some in its history, some live.
        assert!(in_history > 0 && in_history < ids.len(), "{joiner}");
    }
    let _ = talker.await.unwrap();
    let _ = reader.await.unwrap();
}

#[tokio::test]
#[ignore = "needs redis-server (apt install redis-server)"]
async fn a_room_keeps_its_newest_messages_only() {
    let redis = Redis::start();
    let store = chat_cluster::Redis::connect(&redis.url()).await.unwrap();
    for i in 1..=KEPT + 5 {
        store.say("lobby", "ada", &i.to_string()).await.unwrap();
    }
    let kept = store.history("lobby", 2 * KEPT).await.unwrap();
    // The newest KEPT, oldest first: ids 6 to KEPT + 5, in a row.
    let ids: Vec<i64> = kept.iter().map(|said| said.id).collect();
    assert_eq!(ids.len(), KEPT);
    assert_eq!((ids[0], ids[KEPT - 1]), (6, KEPT as i64 + 5));
    assert!(ids.windows(2).all(|pair| pair[1] == pair[0] + 1));
}

#[test]
fn a_redis_that_cannot_be_reached_is_a_clear_error() {
    // A free port, with nothing listening on it.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let url = format!("redis://127.0.0.1:{port}/");
    let mut program = Program::start(&["127.0.0.1:0", "--redis", &url]);
    let status = program.finish();
    assert_eq!(status.code(), Some(1));
    assert_eq!(
        program.after_address(),
        [
            format!("Error: connecting to Redis at {url}"),
            "".into(),
            "Caused by:".into(),
            // redis' error, then the io::Error inside it, which it quotes.
            "    0: Connection refused (os error 111)".into(),
            "    1: Connection refused (os error 111)".into(),
        ]
    );
}

#[test]
fn bad_arguments_are_refused() {
    for (args, error) in [
        (&["--redis"][..], "Error: --redis needs a URL"),
        (
            &["127.0.0.1:0", "--reddis", "redis://127.0.0.1/"],
            "Error: unknown option \"--reddis\": --redis URL only",
        ),
        (
            &["127.0.0.1:0", "chat.db", "--redis", "redis://127.0.0.1/"],
            "Error: a DATABASE or --redis URL, not both",
        ),
    ] {
        let mut program = Program::start(args);
        let status = program.finish();
        assert_eq!(status.code(), Some(1), "{args:?}");
        assert_eq!(program.printed, [error], "{args:?}");
    }
    let mut program = Program::start(&["127.0.0.1:0", "--redis", "nonsense"]);
    assert_eq!(program.finish().code(), Some(1));
    let error = &program.after_address()[0];
    assert_eq!(error, "Error: connecting to Redis at nonsense");
}

#[tokio::test]
#[ignore = "needs redis-server (apt install redis-server)"]
async fn sigterm_in_redis_mode_closes_every_socket_and_exits() {
    let redis = Redis::start();
    let (mut a, url_a) = Program::serving(&redis);
    let (_b, url_b) = Program::serving(&redis);
    let (mut ada, _) = member(&url_a, "ada", "lobby").await;
    let (mut bo, _) = member(&url_b, "bo", "lobby").await;
    event(&mut ada).await; // bo joined
    say(&mut ada, "lobby", "see you").await;
    messages_until(&mut ada, "see you").await;
    messages_until(&mut bo, "see you").await;

    a.terminate();
    match next(&mut ada).await {
        Message::Close(Some(frame)) => {
            assert_eq!(u16::from(frame.code), 1001);
            assert_eq!(frame.reason.as_str(), "the server is shutting down");
        }
        other => panic!("expected a Close frame, got {other:?}"),
    }
    // A's last notice still goes out: bo, on B, hears that ada left.
    let ada_left = json!({"type": "left", "room": "lobby", "name": "ada"});
    assert_eq!(event(&mut bo).await, ada_left);
    let status = a.finish();
    assert!(status.success(), "{status}; printed {:#?}", a.printed);
    assert_eq!(
        a.printed[1..],
        [
            "SIGTERM: closing every socket",
            "every socket is closed and every message saved; goodbye",
        ]
    );
    // B goes on, and a server started later has the history.
    let (_c, url_c) = Program::serving(&redis);
    let (_, history) = member(&url_c, "cy", "lobby").await;
    assert_eq!(history["messages"][0]["text"], "see you");
}
