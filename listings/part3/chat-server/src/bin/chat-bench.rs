//! `cargo run -p chat-server --release --bin chat-bench`: the chat server, in
//! this process, with real WebSocket clients on loopback.
//!
//! 1. Fan-out: CLIENTS clients in one room; one message at a time is sent
//!    to all of them, and each notes how long it took to arrive.
//! 2. Throughput: MESSAGES messages sent back to back into a room of ten.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use futures_util::stream::{SplitSink, SplitStream};
use futures_util::{SinkExt, StreamExt};
use serde_json::{Value, json};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::Notify;
use tokio_tungstenite::{
    MaybeTlsStream, WebSocketStream, connect_async, tungstenite::Message,
};
use tokio_util::sync::CancellationToken;

type Socket = WebSocketStream<MaybeTlsStream<TcpStream>>;

struct Options {
    clients: usize,
    rounds: usize,
    messages: usize,
}

fn options() -> anyhow::Result<Options> {
    let mut options = Options {
        clients: 1000,
        rounds: 200,
        messages: 2000,
    };
    let mut args = std::env::args().skip(1);
    while let Some(flag) = args.next() {
        let value = args
            .next()
            .with_context(|| format!("{flag} needs a value"))?;
        let number: usize = value.parse().with_context(|| {
            format!("{flag} takes a whole number, not {value:?}")
        })?;
        match flag.as_str() {
            "--clients" => options.clients = number,
            "--rounds" => options.rounds = number,
            "--messages" => options.messages = number,
            _ => {
                bail!("unknown option {flag}: --clients, --rounds, --messages")
            }
        }
    }
    Ok(options)
}

/// The soft limit on open files, from Linux's /proc (None elsewhere).
fn open_files_limit() -> Option<usize> {
    let limits = std::fs::read_to_string("/proc/self/limits").ok()?;
    let line = limits.lines().find(|l| l.starts_with("Max open files"))?;
    line.split_whitespace().nth(3)?.parse().ok()
}

type Sink = SplitSink<Socket, Message>;

async fn request(sink: &mut Sink, body: Value) -> anyhow::Result<()> {
    sink.send(Message::text(body.to_string())).await?;
    Ok(())
}

/// The next event of `kind`, skipping others.
async fn until(
    stream: &mut SplitStream<Socket>,
    kind: &str,
) -> anyhow::Result<Value> {
    loop {
        match stream.next().await.context("the socket ended")?? {
            Message::Text(text) => {
                let event: Value = serde_json::from_str(&text)?;
                if event["type"] == kind {
                    return Ok(event);
                }
                if event["type"] == "error" {
                    bail!("the server said: {}", event["message"]);
                }
            }
            Message::Close(frame) => bail!("closed by the server: {frame:?}"),
            _ => {}
        }
    }
}

/// A client logged in with `token` and in `room`.
async fn member(
    url: &str,
    token: &str,
    room: &str,
) -> anyhow::Result<(Sink, SplitStream<Socket>)> {
    let (mut sink, mut stream) = connect_async(url).await?.0.split();
    request(&mut sink, json!({"type": "resume", "token": token})).await?;
    request(&mut sink, json!({"type": "join", "room": room})).await?;
    until(&mut stream, "joined").await?;
    Ok((sink, stream))
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    let index = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[index]
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let options = options()?;
    let needed = 2 * options.clients + 100; // both ends of every socket
    if let Some(limit) = open_files_limit()
        && limit < needed
    {
        bail!(
            "{needed} open files needed, the limit is {limit}: \
             raise it with `ulimit -n {needed}`"
        );
    }
    let dir = tempfile::tempdir()?;
    let listener = TcpListener::bind("127.0.0.1:0").await?;
    let url = format!("ws://{}/chat", listener.local_addr()?);
    let shutdown = CancellationToken::new();
    let server = tokio::spawn(chat_server::run(
        listener,
        dir.path().join("bench.db"),
        shutdown.clone(),
    ));

    // One log-in (one Argon2 hash); every other client resumes its session.
    let (mut speaker, mut heard) = connect_async(&url).await?.0.split();
    let login = json!({"type": "login", "name": "bench", "password": "pw"});
    request(&mut speaker, login).await?;
    let welcome = until(&mut heard, "welcome").await?;
    let token = welcome["token"].as_str().context("no token")?.to_string();
    request(&mut speaker, json!({"type": "join", "room": "lobby"})).await?;
    until(&mut heard, "joined").await?;
    // The speaker hears its own messages too: read them, or its queue
    // fills and the server closes it as too slow.
    // The first error it hears is the answer to leaving the lobby twice.
    let (left_tx, has_left) = tokio::sync::oneshot::channel();
    tokio::spawn(async move {
        let mut left_tx = Some(left_tx);
        while let Some(Ok(frame)) = heard.next().await {
            if frame.to_text().is_ok_and(|t| t.contains(r#""error""#)) {
                left_tx.take().map(|tx| tx.send(()));
            }
        }
    });

    println!(
        "{} clients in one room, {} messages one at a time; then {} messages",
        options.clients, options.rounds, options.messages
    );
    println!(
        "back to back into a room of 10; server and clients share 2 CPU cores"
    );
    println!();

    // ANCHOR: fanout
    // Fan-out. Every listener notes each message's delay in its own list.
    let sent_at = Arc::new(std::sync::Mutex::new(Instant::now()));
    let arrived = Arc::new(AtomicUsize::new(0));
    let all_arrived = Arc::new(Notify::new());
    let mut listeners = Vec::new();
    let mut sinks = Vec::new();
    for _ in 0..options.clients {
        let (sink, mut stream) = member(&url, &token, "lobby").await?;
        sinks.push(sink);
        let (sent_at, arrived, all_arrived) =
            (sent_at.clone(), arrived.clone(), all_arrived.clone());
        let clients = options.clients;
        listeners.push(tokio::spawn(async move {
            let mut delays = Vec::new();
            loop {
                let event = match until(&mut stream, "message").await {
                    Ok(event) => event,
                    Err(_) => return delays, // the bench is over
                };
                delays.push(sent_at.lock().unwrap().elapsed());
                if event["text"] == "last" {
                    return delays;
                }
                if arrived.fetch_add(1, Ordering::SeqCst) + 1 == clients {
                    all_arrived.notify_one();
                }
            }
        }));
    }
    for round in 0..options.rounds {
        arrived.store(0, Ordering::SeqCst);
        *sent_at.lock().unwrap() = Instant::now();
        let say =
            json!({"type": "say", "room": "lobby", "text": round.to_string()});
        request(&mut speaker, say).await?;
        all_arrived.notified().await;
    }
    // ANCHOR_END: fanout
    request(
        &mut speaker,
        json!({"type": "say", "room": "lobby", "text": "last"}),
    )
    .await?;
    let mut delays = Vec::new();
    for listener in listeners {
        let mut mine = listener.await?;
        mine.pop(); // the "last" message is not a round
        delays.extend(mine);
    }
    if delays.len() != options.clients * options.rounds {
        bail!(
            "{} deliveries, expected {}",
            delays.len(),
            options.clients * options.rounds
        );
    }
    delays.sort();
    println!(
        "fan-out to {} clients, from send to arrival:",
        options.clients
    );
    println!(
        "  p50 {:.2} ms",
        percentile(&delays, 0.50).as_secs_f64() * 1e3
    );
    println!(
        "  p99 {:.2} ms",
        percentile(&delays, 0.99).as_secs_f64() * 1e3
    );
    // A thousand clients leaving at once send the room a thousand `left`
    // notices, more than the speaker's queue holds: it leaves first.
    let leave = json!({"type": "leave", "room": "lobby"});
    request(&mut speaker, leave.clone()).await?;
    request(&mut speaker, leave).await?;
    has_left.await?;
    drop(sinks);

    // Throughput: a room of ten, the speaker sending as fast as it can.
    let mut room = Vec::new();
    for _ in 0..10 {
        room.push(member(&url, &token, "rust").await?);
    }
    request(&mut speaker, json!({"type": "join", "room": "rust"})).await?;
    let start = Instant::now();
    let readers: Vec<_> = room
        .into_iter()
        .map(|(sink, mut stream)| {
            let messages = options.messages;
            tokio::spawn(async move {
                for _ in 0..messages {
                    until(&mut stream, "message").await?;
                }
                drop(sink);
                anyhow::Ok(())
            })
        })
        .collect();
    for i in 0..options.messages {
        let say = json!({"type": "say", "room": "rust", "text": i.to_string()});
        request(&mut speaker, say).await?;
    }
    for reader in readers {
        reader.await??;
    }
    let rate = options.messages as f64 / start.elapsed().as_secs_f64();
    println!(
        "one room of 10, every message saved to SQLite before it is sent:"
    );
    println!(
        "  {rate:.0} messages/s in, {:.0} deliveries/s out",
        rate * 10.0
    );

    shutdown.cancel();
    server.await??;
    Ok(())
}
