//! A mistake on purpose: an agent that acknowledges each message as soon as it
//! reads it, before the message is committed, loses messages when it is killed.

use std::collections::BTreeSet;
use std::time::Duration;

use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::mpsc;

const MESSAGES: i64 = 12;
/// The writer commits every five messages, so the crash below lands at the same
/// point on every run. Any batching writer has such a window; this one is just
/// easy to hit.
const BATCH: usize = 5;

// ANCHOR: writer
async fn run_agent(
    server: std::net::SocketAddr,
    db: tokio_rusqlite::Connection,
) -> anyhow::Result<()> {
    let connection = TcpStream::connect(server).await?;
    let (from_server, mut to_server) = connection.into_split();
    let (queue_tx, mut queue_rx) = mpsc::channel::<(i64, String)>(100);
    // Reader and writer are joined in this one task, so killing the task kills
    // both.
    let write = async move {
        let mut batch = Vec::new();
        while let Some(message) = queue_rx.recv().await {
            batch.push(message);
            if batch.len() == BATCH {
                let full = std::mem::take(&mut batch);
                db.call(move |conn| {
                    let transaction = conn.transaction()?;
                    for (id, text) in &full {
                        transaction.execute(
                            "INSERT OR IGNORE INTO messages (id, text)
                             VALUES (?1, ?2)",
                            (id, text),
                        )?;
                    }
                    transaction.commit()
                })
                .await?;
            }
        }
        anyhow::Ok(())
    };
    // ANCHOR_END: writer
    // ANCHOR: agent
    let read = async move {
        let mut lines = BufReader::new(from_server).lines();
        while let Some(line) = lines.next_line().await? {
            let Some((id, text)) = line.split_once(' ') else {
                anyhow::bail!("not `<id> <text>`: {line:?}");
            };
            let id: i64 = id.parse()?;
            // THE MISTAKE: the server now forgets this message, which is only
            // in our memory.
            to_server
                .write_all(format!("ack {id}\n").as_bytes())
                .await?;
            queue_tx.send((id, text.to_string())).await?;
        }
        anyhow::Ok(())
    };
    tokio::try_join!(read, write)?;
    Ok(())
}
// ANCHOR_END: agent

#[tokio::main(flavor = "current_thread")]
async fn main() -> anyhow::Result<()> {
    // A fresh folder, removed when `dir` is dropped.
    let dir = tempfile::tempdir()?;
    let db =
        tokio_rusqlite::Connection::open(dir.path().join("inbox.db")).await?;
    db.call(|conn| {
        conn.execute(
            "CREATE TABLE messages
             (id INTEGER PRIMARY KEY, text TEXT NOT NULL)",
            [],
        )
    })
    .await?;

    // The server sends twelve messages and forgets each one the agent
    // acknowledges.
    let listener = TcpListener::bind("127.0.0.1:0").await?;
    let address = listener.local_addr()?;
    let server = tokio::spawn(async move {
        let (connection, _) = listener.accept().await?;
        let (from_agent, mut to_agent) = connection.into_split();
        for id in 1..=MESSAGES {
            to_agent
                .write_all(format!("{id} message {id}\n").as_bytes())
                .await?;
        }
        let mut acked = BTreeSet::new();
        let mut lines = BufReader::new(from_agent).lines();
        while acked.len() < MESSAGES as usize {
            let Some(line) = lines.next_line().await? else {
                break;
            };
            acked.insert(line["ack ".len()..].parse::<i64>()?);
        }
        // Keep the connection open, as a server with more to come would.
        anyhow::Ok((acked, to_agent, lines))
    });

    let agent = tokio::spawn(run_agent(address, db.clone()));
    let (acked, _still_open, _) = server.await??;
    println!(
        "server: sent {MESSAGES} messages, {} acknowledged",
        acked.len()
    );

    // Let the writer finish what it is doing, then kill the agent: whatever was
    // only in its memory is gone, as after `kill -9` or a power cut.
    let count = || {
        db.call(|conn| {
            conn.query_row("SELECT COUNT(*) FROM messages", [], |row| {
                row.get::<_, i64>(0)
            })
        })
    };
    while count().await? < 10 {
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    agent.abort();
    println!("agent: killed");

    let stored: Vec<i64> = db
        .call(|conn| {
            let mut select =
                conn.prepare("SELECT id FROM messages ORDER BY id")?;
            let ids = select.query_map([], |row| row.get(0))?;
            ids.collect::<Result<_, _>>()
        })
        .await?;
    let lost: Vec<i64> = acked
        .iter()
        .filter(|id| !stored.contains(id))
        .copied()
        .collect();
    println!("database: {} of {MESSAGES} messages stored", stored.len());
    println!("acknowledged but never stored: {lost:?}");
    println!("the server will not send them again: they are lost");
    db.close().await?;
    Ok(())
}
