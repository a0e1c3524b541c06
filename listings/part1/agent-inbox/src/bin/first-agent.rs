//! The agent at its simplest, in the shape of the Python guide's: setup,
//! one step per message, teardown. The rest of the chapter hardens it.

use std::net::SocketAddr;
use std::path::Path;

use agent_inbox::protocol::parse_message;
use agent_inbox::{Message, MessageServer};
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpStream;
use tokio::sync::mpsc;

// ANCHOR: setup
async fn run_agent(server: SocketAddr, db_path: &Path) -> anyhow::Result<u64> {
    // Setup: the database, the connection, the queue, the background task.
    let db = tokio_rusqlite::Connection::open(db_path).await?;
    db.call(|conn| {
        conn.execute(
            "CREATE TABLE IF NOT EXISTS messages
             (id INTEGER PRIMARY KEY, text TEXT NOT NULL)",
            [],
        )
    })
    .await?;
    let (from_server, mut to_server) =
        TcpStream::connect(server).await?.into_split();
    let (queue_tx, mut queue_rx) = mpsc::channel::<Message>(100);
    let writer_db = db.clone();
    let writer = tokio::spawn(async move {
        let mut stored = 0;
        while let Some(Message { id, text }) = queue_rx.recv().await {
            writer_db
                .call(move |conn| {
                    conn.execute(
                        "INSERT OR IGNORE INTO messages (id, text)
                         VALUES (?1, ?2)",
                        (id, text),
                    )
                })
                .await?;
            // Stored: only now may the server forget the message.
            to_server
                .write_all(format!("ack {id}\n").as_bytes())
                .await?;
            stored += 1;
        }
        anyhow::Ok(stored)
    });

    // ANCHOR_END: setup
    // ANCHOR: messages
    // Per message: read a line, check it, queue it.
    let mut lines = BufReader::new(from_server).lines();
    while let Some(line) = lines.next_line().await? {
        match parse_message(line.as_bytes()) {
            Ok(message) => queue_tx.send(message).await?,
            Err(bad) => eprintln!("agent: skipped a line: {bad}"),
        }
    }

    // Teardown: close the queue, let the writer finish it, close the db.
    drop(queue_tx);
    let stored = writer.await??;
    db.close().await?;
    Ok(stored)
}
// ANCHOR_END: messages

// ANCHOR: main
#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let texts = ["hello", "the kettle is on", "tea is ready"];
    let messages = (1..).zip(texts).map(|(id, text)| Message {
        id,
        text: text.to_string(),
    });
    // The server closes the connection once every message is acknowledged.
    let server = MessageServer::start("127.0.0.1:0", messages).await?;
    let dir = tempfile::tempdir()?;
    let stored = run_agent(server.address(), &dir.path().join("a.db")).await?;
    println!("{stored} messages stored and acknowledged");
    println!(
        "the server holds {} unacknowledged",
        server.unacked_ids().len()
    );
    Ok(())
}
// ANCHOR_END: main
