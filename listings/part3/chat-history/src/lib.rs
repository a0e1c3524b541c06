//! Step 3 of the chat server: step 2, with a database. Accounts and every
//! message are kept in SQLite, and a client that joins a room hears what
//! was said there before it came.

mod accounts;
mod store;

use std::collections::{BTreeMap, HashMap};
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::{
    Router,
    extract::{
        State,
        ws::{CloseFrame, Message, Utf8Bytes, WebSocket, WebSocketUpgrade},
    },
    response::Response,
    routing::get,
};
use serde::{Deserialize, Serialize};
use tokio::net::TcpListener;
use tokio::sync::mpsc::{self, error::TrySendError};
use tokio_util::{sync::CancellationToken, task::TaskTracker};

pub use accounts::Accounts;
pub use store::{Said, Store};

// ANCHOR: protocol
/// What a client sends, one JSON object per text frame, for example
/// `{"type":"say","room":"rust","text":"hello"}`.
#[derive(Debug, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Request {
    Login { name: String, password: String },
    Resume { token: String },
    Join { room: String },
    Leave { room: String },
    Say { room: String, text: String },
}

/// What the server sends.
#[derive(Debug, Clone, Serialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Event {
    Welcome {
        name: String,
        token: String,
        rooms: Vec<String>,
    },
    Joined {
        room: String,
        name: String,
    },
    Left {
        room: String,
        name: String,
    },
    Message {
        id: i64,
        room: String,
        name: String,
        text: String,
    },
    History {
        room: String,
        messages: Vec<Said>,
    },
    Error {
        message: String,
    },
}
// ANCHOR_END: protocol

// ANCHOR: limits
/// The rooms this server has.
pub const ROOMS: [&str; 3] = ["lobby", "rust", "python"];
/// The largest frame a client may send, in bytes.
pub const MAX_FRAME: usize = 64 * 1024;
/// How many events may wait for one client before it counts as too slow.
pub const QUEUE: usize = 64;
/// How many past messages a client gets when it joins a room.
pub const HISTORY: usize = 50;
/// The close code and reason a client gets when its queue is full.
pub const TOO_SLOW: (u16, &str) = (1008, "too slow: your queue was full");
// ANCHOR_END: limits

// ANCHOR: hub
/// One client as the rooms see it: its name, and the sending end of its
/// queue. `kick` tells the client's task to close its socket.
#[derive(Clone)]
struct Member {
    name: String,
    queue: mpsc::Sender<Utf8Bytes>,
    kick: CancellationToken,
}

/// Every room and who is in it, by client id.
#[derive(Clone, Default)]
pub struct Hub {
    rooms: Arc<Mutex<BTreeMap<String, HashMap<u64, Member>>>>,
}

impl Hub {
    pub fn new() -> Hub {
        let rooms = ROOMS.iter().map(|r| (r.to_string(), HashMap::new()));
        Hub {
            rooms: Arc::new(Mutex::new(rooms.collect())),
        }
    }

    /// Sends `event` to every member of `room` without waiting for any of
    /// them. A member whose queue is full is kicked out of every room.
    fn broadcast(&self, room: &str, event: &Event) {
        // Serialised once: every queue gets a cheap clone of the same bytes.
        let text = Utf8Bytes::from(serde_json::to_string(event).unwrap());
        let mut too_slow = Vec::new();
        {
            let rooms = self.rooms.lock().unwrap();
            for (id, member) in rooms.get(room).into_iter().flatten() {
                match member.queue.try_send(text.clone()) {
                    Ok(()) => {}
                    Err(TrySendError::Full(_)) => too_slow.push(*id),
                    // Its task has ended; `leave_all` is removing it.
                    Err(TrySendError::Closed(_)) => {}
                }
            }
        } // the lock is released here, before the kicked are told
        for id in too_slow {
            self.leave_all(id);
        }
    }
    // ANCHOR_END: hub

    // ANCHOR: join
    /// Adds a member to a room, and tells the room (the member too).
    fn join(&self, room: &str, id: u64, member: Member) -> Result<(), String> {
        let name = member.name.clone();
        match self.rooms.lock().unwrap().get_mut(room) {
            None => return Err(format!("no room called {room:?}")),
            Some(members) => members.insert(id, member),
        };
        let room = room.to_string();
        self.broadcast(&room.clone(), &Event::Joined { room, name });
        Ok(())
    }

    /// Takes a member out of a room, and tells those who stay.
    fn leave(&self, room: &str, id: u64) -> Option<Member> {
        let member = self.rooms.lock().unwrap().get_mut(room)?.remove(&id)?;
        let (room, name) = (room.to_string(), member.name.clone());
        self.broadcast(&room.clone(), &Event::Left { room, name });
        Some(member)
    }

    /// Takes a member out of every room: it left, or it was too slow.
    fn leave_all(&self, id: u64) {
        let rooms: Vec<String> =
            self.rooms.lock().unwrap().keys().cloned().collect();
        for room in rooms {
            if let Some(member) = self.leave(&room, id) {
                member.kick.cancel();
            }
        }
    }

    fn is_member(&self, room: &str, id: u64) -> bool {
        let rooms = self.rooms.lock().unwrap();
        rooms
            .get(room)
            .is_some_and(|members| members.contains_key(&id))
    }
}
// ANCHOR_END: join

// ANCHOR: server
#[derive(Clone)]
struct Server {
    hub: Hub,
    store: Store,
    accounts: Accounts,
    /// Held while a message is saved and sent, and while a client joins:
    /// so no message falls between a joiner's history and the live ones.
    order: Arc<tokio::sync::Mutex<()>>,
    next_id: Arc<std::sync::atomic::AtomicU64>,
    shutdown: CancellationToken,
    sockets: TaskTracker,
}
// ANCHOR_END: server

fn app(server: Server) -> Router {
    Router::new()
        .route("/chat", get(upgrade))
        .with_state(server)
}

async fn upgrade(
    State(server): State<Server>,
    ws: WebSocketUpgrade,
) -> Response {
    let sockets = server.sockets.clone();
    ws.max_message_size(MAX_FRAME)
        .on_upgrade(move |socket| sockets.track_future(client(socket, server)))
}

// ANCHOR: client
/// One client's task: it owns the socket and the receiving end of the
/// client's queue, and is the only one that writes to the socket.
async fn client(mut socket: WebSocket, server: Server) {
    let id = server
        .next_id
        .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let (queue, mut queued) = mpsc::channel(QUEUE);
    let kick = CancellationToken::new();
    let mut name = None; // set by `login` or `resume`
    let closing = loop {
        tokio::select! {
            // Checked first: a kicked client gets no more of its queue.
            biased;
            () = server.shutdown.cancelled() => {
                break (1001, "the server is shutting down");
            }
            () = kick.cancelled() => break TOO_SLOW,
            Some(text) = queued.recv() => {
                if socket.send(Message::Text(text)).await.is_err() {
                    break (1001, "gone");
                }
            }
            incoming = socket.recv() => {
                let me = Me { id, name: &mut name, queue: &queue, kick: &kick };
                if let Err(closing) = take(incoming, me, &server).await {
                    break closing;
                }
            }
        }
    };
    server.hub.leave_all(id);
    close(&mut socket, closing).await;
}
// ANCHOR_END: client

/// What `take` needs to know about the client that sent a frame.
struct Me<'a> {
    id: u64,
    name: &'a mut Option<String>,
    queue: &'a mpsc::Sender<Utf8Bytes>,
    kick: &'a CancellationToken,
}

impl Me<'_> {
    fn member(&self, name: &str) -> Member {
        Member {
            name: name.to_string(),
            queue: self.queue.clone(),
            kick: self.kick.clone(),
        }
    }

    /// An event for this client alone, through its own queue.
    fn tell(&self, event: &Event) {
        let text = serde_json::to_string(event).unwrap();
        if self.queue.try_send(text.into()).is_err() {
            self.kick.cancel(); // full: the same rule as for broadcasts
        }
    }

    fn error(&self, message: impl Into<String>) {
        self.tell(&Event::Error {
            message: message.into(),
        });
    }
}

// ANCHOR: take
/// Handles one frame from the client. `Err` means: close the socket.
async fn take(
    incoming: Option<Result<Message, axum::Error>>,
    me: Me<'_>,
    server: &Server,
) -> Result<(), (u16, &'static str)> {
    let text = match incoming {
        Some(Ok(Message::Text(text))) => text,
        Some(Ok(Message::Binary(_))) => {
            me.error("this chat takes JSON in text frames only");
            return Ok(());
        }
        // Pings are answered by axum; the client's Close ends `recv`.
        Some(Ok(_)) => return Ok(()),
        Some(Err(error)) if too_long(&error) => {
            return Err((1009, "frame too big: 64 KiB at most"));
        }
        Some(Err(_)) | None => return Err((1001, "gone")),
    };
    match serde_json::from_str::<Request>(&text) {
        Err(error) => me.error(format!("malformed request: {error}")),
        Ok(request) => act(request, me, server).await,
    }
    Ok(())
}
// ANCHOR_END: take

// ANCHOR: act
async fn act(request: Request, me: Me<'_>, server: &Server) {
    let Some(name) = me.name.clone() else {
        return log_in(request, me, &server.accounts).await;
    };
    let hub = &server.hub;
    match request {
        Request::Login { .. } | Request::Resume { .. } => {
            me.error(format!("you are logged in as {name:?} already"));
        }
        Request::Join { room } if hub.is_member(&room, me.id) => {
            me.error(format!("you are in {room:?} already"));
        }
        // ANCHOR: join_say
        Request::Join { room } if !ROOMS.contains(&room.as_str()) => {
            me.error(format!("no room called {room:?}"));
        }
        Request::Join { room } => {
            let _order = server.order.lock().await;
            let Ok(messages) = server.store.history(&room, HISTORY).await
            else {
                return me.error(DB_DOWN);
            };
            me.tell(&Event::History {
                room: room.clone(),
                messages,
            });
            if let Err(message) = hub.join(&room, me.id, me.member(&name)) {
                me.error(message);
            }
        }
        Request::Leave { room } => {
            if hub.leave(&room, me.id).is_none() {
                me.error(format!("you are not in {room:?}"));
            }
        }
        Request::Say { room, .. } if !hub.is_member(&room, me.id) => {
            me.error(format!("join {room:?} before you speak there"));
        }
        Request::Say { room, text } => {
            let _order = server.order.lock().await;
            let Ok(id) = server.store.save(&room, &name, &text).await else {
                return me.error(DB_DOWN);
            };
            let event = Event::Message {
                id,
                room: room.clone(),
                name,
                text,
            };
            hub.broadcast(&room, &event);
        } // ANCHOR_END: join_say
    }
}

const DB_DOWN: &str = "the server cannot reach its database: try again";
// ANCHOR_END: act

// ANCHOR: login
/// The only requests a client may make before it has logged in.
async fn log_in(request: Request, me: Me<'_>, accounts: &Accounts) {
    let logged_in = match request {
        Request::Login { name, password } => match check_name(&name) {
            Err(message) => Err(message),
            Ok(()) => match accounts.log_in(&name, &password).await {
                Ok(Ok(token)) => Ok((name, token)),
                Ok(Err(message)) => Err(message),
                Err(_) => Err(DB_DOWN),
            },
        },
        Request::Resume { token } => match accounts.resume(&token) {
            Some(name) => Ok((name, token)),
            None => Err("unknown session token: log in again"),
        },
        _ => Err("log in first: {\"type\":\"login\",\"name\":...}"),
    };
    match logged_in {
        Err(message) => me.error(message),
        Ok((name, token)) => {
            let rooms = ROOMS.map(String::from).to_vec();
            me.tell(&Event::Welcome {
                name: name.clone(),
                token,
                rooms,
            });
            *me.name = Some(name);
        }
    }
}

/// Names are what people type to mention each other: short and plain.
fn check_name(name: &str) -> Result<(), &'static str> {
    let plain = |c: char| c.is_ascii_alphanumeric() || c == '-' || c == '_';
    if (1..=20).contains(&name.len()) && name.chars().all(plain) {
        Ok(())
    } else {
        Err("a name is 1 to 20 letters, digits, - or _")
    }
}
// ANCHOR_END: login

fn too_long(error: &axum::Error) -> bool {
    // axum's error wraps tungstenite's, which it gives as its source.
    let inner = std::error::Error::source(error);
    matches!(
        inner.and_then(|e| e.downcast_ref::<tungstenite::Error>()),
        Some(tungstenite::Error::Capacity(_))
    )
}

/// Sends a Close frame, then waits a little for the client's answering
/// Close, as in the WebSockets chapter.
async fn close(socket: &mut WebSocket, (code, reason): (u16, &'static str)) {
    let frame = CloseFrame {
        code,
        reason: reason.into(),
    };
    let said = async {
        socket.send(Message::Close(Some(frame))).await?;
        while let Some(Ok(_)) = socket.recv().await {}
        Ok::<(), axum::Error>(())
    };
    let _ = tokio::time::timeout(Duration::from_secs(1), said).await;
}

// ANCHOR: run
/// Serves the chat until `shutdown` is cancelled, then closes every socket
/// and returns once their tasks have ended.
pub async fn run(
    listener: TcpListener,
    database: PathBuf,
    shutdown: CancellationToken,
) -> anyhow::Result<()> {
    let store = Store::open(&database).await?;
    let sockets = TaskTracker::new();
    let server = Server {
        hub: Hub::new(),
        store: store.clone(),
        accounts: Accounts::new(store.clone()),
        order: Arc::default(),
        next_id: Arc::default(),
        shutdown: shutdown.clone(),
        sockets: sockets.clone(),
    };
    axum::serve(listener, app(server))
        .with_graceful_shutdown(shutdown.cancelled_owned())
        .await?;
    sockets.close();
    sockets.wait().await;
    // Every message was saved before anyone heard it: closing the database
    // only waits for the queries still on the connection's thread.
    store.close().await?;
    Ok(())
}
// ANCHOR_END: run

#[cfg(test)]
mod tests {
    use super::*;
    use futures_util::{SinkExt, StreamExt};
    use serde_json::{Value, json};
    use tokio::net::TcpStream;
    use tokio_tungstenite::{
        MaybeTlsStream, WebSocketStream, connect_async,
        tungstenite::Message as Ws,
    };

    type Client = WebSocketStream<MaybeTlsStream<TcpStream>>;

    /// A guard against a hang, not a measurement.
    const PATIENCE: Duration = Duration::from_secs(20);

    /// A server on a free port, with a database in a new folder. The
    /// folder is removed when the returned `TempDir` is dropped.
    async fn start() -> (String, tempfile::TempDir) {
        let dir = tempfile::tempdir().unwrap();
        let (url, _, _) = start_on(dir.path().join("chat.db")).await;
        (url, dir)
    }

    async fn start_on(
        database: PathBuf,
    ) -> (
        String,
        CancellationToken,
        tokio::task::JoinHandle<anyhow::Result<()>>,
    ) {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("ws://{}/chat", listener.local_addr().unwrap());
        let shutdown = CancellationToken::new();
        let server = tokio::spawn(run(listener, database, shutdown.clone()));
        (url, shutdown, server)
    }

    async fn send(client: &mut Client, request: Value) {
        client.send(Ws::text(request.to_string())).await.unwrap();
    }

    /// The next frame that is not a ping or pong.
    async fn next(client: &mut Client) -> Ws {
        loop {
            let message = tokio::time::timeout(PATIENCE, client.next())
                .await
                .expect("no message in time")
                .expect("the socket ended")
                .expect("a WebSocket error");
            if !matches!(message, Ws::Ping(_) | Ws::Pong(_)) {
                return message;
            }
        }
    }

    /// The next event; a message's `id` is left out, to compare it with
    /// `message(...)`.
    async fn event(client: &mut Client) -> Value {
        let mut event = event_with_ids(client).await;
        if event["type"] == "message" {
            event.as_object_mut().unwrap().remove("id");
        }
        event
    }

    async fn event_with_ids(client: &mut Client) -> Value {
        match next(client).await {
            Ws::Text(text) => serde_json::from_str(&text).unwrap(),
            other => panic!("expected text, got {other:?}"),
        }
    }

    async fn error(client: &mut Client) -> String {
        let event = event(client).await;
        assert_eq!(event["type"], "error", "{event}");
        event["message"].as_str().unwrap().to_string()
    }

    /// The server's Close frame, answered: the client sends its answer on
    /// its next read, so it reads on until the server ends the connection.
    /// (Unanswered, the server would wait its second for the answer.)
    async fn closed(client: &mut Client) -> (u16, String) {
        let frame = match next(client).await {
            Ws::Close(Some(frame)) => {
                (u16::from(frame.code), frame.reason.to_string())
            }
            other => panic!("expected a Close frame, got {other:?}"),
        };
        to_the_end(client).await;
        frame
    }

    /// Reads, and answers a Close, until the server ends the connection.
    async fn to_the_end(client: &mut Client) {
        let reading = async { while let Some(Ok(_)) = client.next().await {} };
        tokio::time::timeout(PATIENCE, reading)
            .await
            .expect("the server did not end the connection");
    }

    /// Connects and logs in; returns the session token too.
    async fn logged_in(
        url: &str,
        name: &str,
        password: &str,
    ) -> (Client, String) {
        let mut client = connect_async(url).await.unwrap().0;
        let login =
            json!({"type": "login", "name": name, "password": password});
        send(&mut client, login).await;
        let welcome = event(&mut client).await;
        assert_eq!(welcome["type"], "welcome", "{welcome}");
        assert_eq!(welcome["name"], name);
        (client, welcome["token"].as_str().unwrap().to_string())
    }

    /// Connects, logs in, and joins `room`.
    async fn member(url: &str, name: &str, room: &str) -> Client {
        let (mut client, _) =
            logged_in(url, name, &format!("{name}'s secret")).await;
        send(&mut client, json!({"type": "join", "room": room})).await;
        assert_eq!(event(&mut client).await["type"], "history");
        let joined = json!({"type": "joined", "room": room, "name": name});
        assert_eq!(event(&mut client).await, joined);
        client
    }

    fn message(room: &str, name: &str, text: &str) -> Value {
        json!({"type": "message", "room": room, "name": name, "text": text})
    }

    #[tokio::test]
    async fn a_message_reaches_its_room_only() {
        let (url, _dir) = start().await;
        let mut ada = member(&url, "ada", "rust").await;
        let mut bo = member(&url, "bo", "rust").await;
        let mut cy = member(&url, "cy", "python").await;
        let bo_joined = json!({"type": "joined", "room": "rust", "name": "bo"});
        assert_eq!(event(&mut ada).await, bo_joined);

        let say = json!({"type": "say", "room": "rust", "text": "hi"});
        send(&mut ada, say).await;
        assert_eq!(event(&mut ada).await, message("rust", "ada", "hi"));
        assert_eq!(event(&mut bo).await, message("rust", "ada", "hi"));
        // cy, in another room, hears nothing of it: the next thing cy hears
        // is cy's own message.
        let say = json!({"type": "say", "room": "python", "text": "yo"});
        send(&mut cy, say).await;
        assert_eq!(event(&mut cy).await, message("python", "cy", "yo"));
    }

    #[tokio::test]
    async fn those_who_stay_hear_who_left() {
        let (url, _dir) = start().await;
        let mut ada = member(&url, "ada", "lobby").await;
        let bo = member(&url, "bo", "lobby").await;
        event(&mut ada).await; // bo joined
        drop(bo); // the connection ends without a Close frame
        let left = json!({"type": "left", "room": "lobby", "name": "bo"});
        assert_eq!(event(&mut ada).await, left);

        send(&mut ada, json!({"type": "leave", "room": "lobby"})).await;
        // ada is out of the room, so ada is not told of ada leaving: the
        // next event ada hears is the error for leaving twice.
        send(&mut ada, json!({"type": "leave", "room": "lobby"})).await;
        assert_eq!(error(&mut ada).await, "you are not in \"lobby\"");
    }

    #[tokio::test]
    async fn a_slow_client_is_closed_and_the_others_hear_everything() {
        let (url, _dir) = start().await;
        let mut slow = member(&url, "slow", "lobby").await;
        let mut fast = member(&url, "fast", "lobby").await;
        event(&mut slow).await; // fast joined

        // `slow` reads nothing while `fast` sends up to 10 MB, more than the
        // socket buffers between the server and `slow` hold, so slow's
        // queue fills up.
        const SENT: usize = 640;
        let padding = "x".repeat(16 * 1024);
        let mut kicked_at = None;
        let mut sent = 0;
        // `fast` goes on for a few messages after `slow` is closed, to show
        // that the room carries on without it.
        while sent < SENT && kicked_at.is_none_or(|at| sent < at + 8) {
            let text = format!("{sent} {padding}");
            let say = json!({"type": "say", "room": "lobby", "text": text});
            send(&mut fast, say).await;
            let mut heard = event(&mut fast).await;
            if heard["type"] == "left" {
                assert_eq!(heard["name"], "slow");
                kicked_at = Some(sent);
                heard = event(&mut fast).await;
            }
            // The fast client hears each message, in order, none missed.
            assert_eq!(heard, message("lobby", "fast", &text));
            sent += 1;
        }
        assert!(kicked_at.is_some(), "the slow client was never closed");

        // slow gets what was on its way, then the Close frame.
        let mut heard = 0;
        let closing = loop {
            match next(&mut slow).await {
                Ws::Text(_) => heard += 1,
                Ws::Close(Some(frame)) => break frame,
                other => panic!("unexpected {other:?}"),
            }
        };
        assert_eq!(u16::from(closing.code), TOO_SLOW.0);
        assert_eq!(closing.reason.as_str(), TOO_SLOW.1);
        assert!(heard < sent, "slow heard all {heard} of {sent}");
    }

    #[tokio::test]
    async fn bad_requests_get_an_error_and_the_room_goes_on() {
        let (url, _dir) = start().await;
        let mut ada = connect_async(&url).await.unwrap().0;
        send(&mut ada, json!({"type": "join", "room": "rust"})).await;
        assert!(error(&mut ada).await.starts_with("log in first"));
        let login = json!({"type": "login", "name": "ada", "password": "pw"});
        send(&mut ada, login).await;
        event(&mut ada).await; // welcome
        send(&mut ada, json!({"type": "join", "room": "cobol"})).await;
        assert_eq!(error(&mut ada).await, "no room called \"cobol\"");
        let say = json!({"type": "say", "room": "rust", "text": "hi"});
        send(&mut ada, say).await;
        assert_eq!(
            error(&mut ada).await,
            "join \"rust\" before you speak there"
        );

        ada.send(Ws::text("{\"type\": \"say\", ")).await.unwrap();
        assert_eq!(
            error(&mut ada).await,
            "malformed request: EOF while parsing a value at line 1 column 16"
        );
        ada.send(Ws::text("{\"type\": \"shout\"}")).await.unwrap();
        assert!(error(&mut ada).await.starts_with(
            "malformed request: unknown variant `shout`, expected one of"
        ));
        ada.send(Ws::binary(vec![0xde, 0xad])).await.unwrap();
        assert_eq!(
            error(&mut ada).await,
            "this chat takes JSON in text frames only"
        );

        // After all that, ada is still connected and can chat.
        let mut bo = member(&url, "bo", "rust").await;
        send(&mut ada, json!({"type": "join", "room": "rust"})).await;
        event(&mut ada).await; // history
        event(&mut ada).await; // ada joined
        event(&mut bo).await; // ada joined
        let say = json!({"type": "say", "room": "rust", "text": "sorry"});
        send(&mut ada, say).await;
        assert_eq!(event(&mut bo).await, message("rust", "ada", "sorry"));
    }

    #[tokio::test]
    async fn an_oversized_frame_closes_that_socket_only() {
        let (url, _dir) = start().await;
        let mut big = member(&url, "big", "lobby").await;
        let mut bo = member(&url, "bo", "lobby").await;
        event(&mut big).await; // bo joined

        big.send(Ws::text("x".repeat(MAX_FRAME + 1))).await.unwrap();
        let too_big = (1009, "frame too big: 64 KiB at most".to_string());
        assert_eq!(closed(&mut big).await, too_big);
        let left = json!({"type": "left", "room": "lobby", "name": "big"});
        assert_eq!(event(&mut bo).await, left);
        let say = json!({"type": "say", "room": "lobby", "text": "still here"});
        send(&mut bo, say).await;
        assert_eq!(event(&mut bo).await, message("lobby", "bo", "still here"));
    }

    #[tokio::test]
    async fn shutdown_closes_every_socket_with_1001() {
        let dir = tempfile::tempdir().unwrap();
        let (url, shutdown, server) = start_on(dir.path().join("c.db")).await;
        let mut ada = member(&url, "ada", "lobby").await;

        shutdown.cancel();
        let going = (1001, "the server is shutting down".to_string());
        assert_eq!(closed(&mut ada).await, going);
        tokio::time::timeout(PATIENCE, server)
            .await
            .expect("run did not return")
            .unwrap()
            .unwrap();
    }

    #[tokio::test]
    async fn a_wrong_password_is_refused_and_the_right_one_works() {
        let (url, _dir) = start().await;
        let (_ada, _) = logged_in(&url, "ada", "correct horse").await;
        let mut mallory = connect_async(&url).await.unwrap().0;
        let login =
            json!({"type": "login", "name": "ada", "password": "battery"});
        send(&mut mallory, login).await;
        assert_eq!(error(&mut mallory).await, "wrong password");
        // Still not logged in: the server will not let mallory join.
        send(&mut mallory, json!({"type": "join", "room": "rust"})).await;
        assert!(error(&mut mallory).await.starts_with("log in first"));
        // The right password, on a second connection, works.
        logged_in(&url, "ada", "correct horse").await;
    }

    #[tokio::test]
    async fn a_session_token_logs_in_without_the_password() {
        let (url, _dir) = start().await;
        let (ada, token) = logged_in(&url, "ada", "correct horse").await;
        assert_eq!(token.len(), 64);
        drop(ada);
        let mut again = connect_async(&url).await.unwrap().0;
        let made_up = "0".repeat(64);
        send(&mut again, json!({"type": "resume", "token": made_up})).await;
        assert_eq!(
            error(&mut again).await,
            "unknown session token: log in again"
        );
        send(&mut again, json!({"type": "resume", "token": token})).await;
        let welcome = event(&mut again).await;
        assert_eq!(welcome["type"], "welcome");
        assert_eq!(welcome["name"], "ada");
    }

    #[tokio::test]
    async fn a_name_must_be_plain() {
        let (url, _dir) = start().await;
        let mut client = connect_async(&url).await.unwrap().0;
        for name in ["", "ada lovelace", "<script>", &"a".repeat(21)] {
            let login = json!({"type": "login", "name": name, "password": "p"});
            send(&mut client, login).await;
            assert_eq!(
                error(&mut client).await,
                "a name is 1 to 20 letters, digits, - or _"
            );
        }
    }

    #[tokio::test]
    async fn history_survives_a_restart_on_the_same_file() {
        let dir = tempfile::tempdir().unwrap();
        let database = dir.path().join("chat.db");
        let (url, shutdown, server) = start_on(database.clone()).await;
        let mut ada = member(&url, "ada", "rust").await;
        for text in ["one", "two", "three"] {
            let say = json!({"type": "say", "room": "rust", "text": text});
            send(&mut ada, say).await;
            assert_eq!(event(&mut ada).await, message("rust", "ada", text));
        }
        let mut cy = member(&url, "cy", "python").await;
        let say = json!({"type": "say", "room": "python", "text": "elsewhere"});
        send(&mut cy, say).await;
        shutdown.cancel();
        // Both read on, so they answer the server's Close at once.
        tokio::join!(to_the_end(&mut ada), to_the_end(&mut cy));
        server.await.unwrap().unwrap();

        // A new server on the same file: accounts and messages are there.
        let (url, _shutdown, _server) = start_on(database).await;
        let mut bo = connect_async(&url).await.unwrap().0;
        let login = json!({"type": "login", "name": "ada", "password": "no"});
        send(&mut bo, login).await;
        assert_eq!(error(&mut bo).await, "wrong password");
        let (mut ada, _) = logged_in(&url, "ada", "ada's secret").await;
        send(&mut ada, json!({"type": "join", "room": "rust"})).await;
        let history = event(&mut ada).await;
        assert_eq!(history["type"], "history");
        assert_eq!(history["room"], "rust");
        let messages = history["messages"].as_array().unwrap();
        let texts: Vec<_> = messages.iter().map(|m| &m["text"]).collect();
        assert_eq!(texts, ["one", "two", "three"]);
        assert_eq!(messages[0]["name"], "ada");
        // The ids tell the order, and live messages carry on from them.
        assert_eq!(event(&mut ada).await["type"], "joined");
        let say = json!({"type": "say", "room": "rust", "text": "four"});
        send(&mut ada, say).await;
        let four = event_with_ids(&mut ada).await;
        let three_id = messages[2]["id"].as_i64().unwrap();
        assert!(four["id"].as_i64().unwrap() > three_id);
    }

    #[tokio::test]
    async fn a_joiner_gets_the_last_messages_of_the_room() {
        let (url, _dir) = start().await;
        let mut ada = member(&url, "ada", "lobby").await;
        for i in 0..HISTORY + 5 {
            let text = format!("{i}");
            let say = json!({"type": "say", "room": "lobby", "text": text});
            send(&mut ada, say).await;
            event(&mut ada).await;
        }
        let (mut bo, _) = logged_in(&url, "bo", "bo's secret").await;
        send(&mut bo, json!({"type": "join", "room": "lobby"})).await;
        let history = event(&mut bo).await;
        let messages = history["messages"].as_array().unwrap();
        assert_eq!(messages.len(), HISTORY);
        assert_eq!(messages[0]["text"], "5"); // the oldest five are left out
        assert_eq!(messages[HISTORY - 1]["text"], (HISTORY + 4).to_string());
    }
}
