//! Streams messages from the server to the agent on loopback and measures
//! messages per second, stored in batches (the agent's way) and one insert and
//! commit at a time (the source guide's).
//!
//! `cargo run -p agent-inbox --bin agent-bench --release -- --messages 200000`

use std::future;
use std::time::{Duration, Instant};

use agent_inbox::{Message, MessageServer, Settings, Store, agent};

struct Run {
    messages: u64,
    stored: u64,
    elapsed: Duration,
}

// ANCHOR: measure
/// One stream, end to end: a fresh server and database, the agent until the
/// server closes.
async fn stream(messages: u64, settings: Settings) -> anyhow::Result<Run> {
    let dir = tempfile::tempdir()?;
    let store = Store::open(&dir.path().join("inbox.db")).await?;
    let server = MessageServer::start(
        "127.0.0.1:0",
        (1..=messages as i64).map(|id| Message {
            id,
            text: sensor_reading(id),
        }),
    )
    .await?;

    let start = Instant::now();
    agent::run(server.address(), &store, settings, future::pending()).await?;
    let elapsed = start.elapsed();

    // The check: every message is in the database once, and the server holds
    // none back.
    let stored = store.count().await? as u64;
    anyhow::ensure!(stored == messages, "stored {stored} of {messages}");
    anyhow::ensure!(
        server.unacked_ids().is_empty(),
        "some were not acknowledged"
    );
    store.close().await?;
    Ok(Run {
        messages,
        stored,
        elapsed,
    })
}
// ANCHOR_END: measure

/// The yardstick: the same rows written by plain rusqlite, in one
/// transaction, with the agent's settings (WAL, synchronous = FULL).
fn plain_rusqlite(messages: u64) -> anyhow::Result<Run> {
    let dir = tempfile::tempdir()?;
    let mut conn = rusqlite::Connection::open(dir.path().join("plain.db"))?;
    conn.execute_batch(
        "PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL;
         CREATE TABLE messages (id INTEGER PRIMARY KEY, text TEXT NOT NULL);",
    )?;
    let start = Instant::now();
    let transaction = conn.transaction()?;
    {
        let mut insert = transaction.prepare_cached(
            "INSERT INTO messages (id, text) VALUES (?1, ?2)",
        )?;
        for id in 1..=messages as i64 {
            insert.execute((id, sensor_reading(id)))?;
        }
    }
    transaction.commit()?;
    let elapsed = start.elapsed();
    let stored: i64 =
        conn.query_row("SELECT COUNT(*) FROM messages", [], |row| row.get(0))?;
    Ok(Run {
        messages,
        stored: stored as u64,
        elapsed,
    })
}

fn sensor_reading(id: i64) -> String {
    format!("reading {id} from sensor 7: 21.5 C")
}

fn grouped(number: u64) -> String {
    let digits = number.to_string();
    let mut out = String::new();
    for (i, digit) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(digit);
    }
    out
}

fn rate(run: &Run) -> f64 {
    run.messages as f64 / run.elapsed.as_secs_f64()
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let mut messages = 200_000u64;
    let mut args = std::env::args().skip(1);
    while let Some(flag) = args.next() {
        match (flag.as_str(), args.next()) {
            ("--messages", Some(value)) => messages = value.parse()?,
            _ => anyhow::bail!("usage: agent-bench [--messages N]"),
        }
    }
    // One commit per message is slow: it gets a tenth of the stream.
    let one_by_one = stream(
        (messages / 10).max(1),
        Settings {
            batch_max: 1,
            ..Settings::default()
        },
    )
    .await?;
    let batched = stream(messages, Settings::default()).await?;
    let plain =
        tokio::task::spawn_blocking(move || plain_rusqlite(messages)).await??;

    println!(
        "Messages streamed over loopback into SQLite (WAL, synchronous = FULL)"
    );
    println!();
    println!(
        "{:<38} {:>9} {:>9} {:>11}",
        "way of storing", "messages", "stored", "messages/s"
    );
    let batches = format!(
        "batches of up to {}, one commit each",
        Settings::default().batch_max
    );
    let rows = [
        ("one insert and commit per message", &one_by_one),
        (batches.as_str(), &batched),
        ("plain rusqlite, one transaction", &plain),
    ];
    for (way, run) in rows {
        println!(
            "{:<38} {:>9} {:>9} {:>11}",
            way,
            grouped(run.messages),
            grouped(run.stored),
            grouped(rate(run) as u64)
        );
    }
    println!();
    println!(
        "batches: {:.0}x the messages per second; \
         every message stored once and acknowledged",
        rate(&batched) / rate(&one_by_one)
    );
    println!(
        "batched agent end to end: {:.2}x plain rusqlite's rate",
        rate(&batched) / rate(&plain)
    );
    Ok(())
}
