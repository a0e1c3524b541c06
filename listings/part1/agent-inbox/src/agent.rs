//! The agent: reads messages from the server, stores them in batches, acknowledges them.

use std::fmt;
use std::fmt::Write as _;
use std::future::Future;
use std::io;
use std::net::SocketAddr;

use tokio::io::{AsyncWriteExt, BufReader};
use tokio::net::TcpStream;
use tokio::net::tcp::{OwnedReadHalf, OwnedWriteHalf};
use tokio::sync::mpsc;

use crate::protocol::{self, Line, MAX_LINE, Message};
use crate::store::{Store, StoreError};

/// How big the queue and the batches are.
#[derive(Debug, Clone, Copy)]
pub struct Settings {
    /// Messages the queue holds before the reader has to wait.
    pub queue_capacity: usize,
    /// The most messages stored in one transaction.
    pub batch_max: usize,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            queue_capacity: 1024,
            batch_max: 512,
        }
    }
}

/// Why the agent stopped reading.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stop {
    /// The server closed the connection between two lines.
    ServerClosed,
    /// The server closed the connection in the middle of a line.
    ServerVanishedMidLine,
    /// Reading from the connection failed (reset by the server, say).
    ReadFailed,
    /// The `stop` future fired (Ctrl-C in the binary).
    Interrupted,
    /// The background writer stopped, so there was nobody to hand messages to.
    WriterStopped,
}

impl fmt::Display for Stop {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Stop::ServerClosed => "the server closed the connection",
            Stop::ServerVanishedMidLine => {
                "the server went away in the middle of a line"
            }
            Stop::ReadFailed => "reading from the server failed",
            Stop::Interrupted => "interrupted",
            Stop::WriterStopped => "the database writer stopped",
        })
    }
}

/// What one run of the agent did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Report {
    pub stop: Stop,
    /// Valid messages read and queued.
    pub received: u64,
    /// Lines thrown away as invalid.
    pub skipped: u64,
    /// Messages committed that were not in the database yet.
    pub stored: u64,
    /// Messages committed whose id was already stored (sent again by the server).
    pub duplicates: u64,
}

impl fmt::Display for Report {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "received {}, stored {} new, {} already stored, {} lines skipped",
            self.received, self.stored, self.duplicates, self.skipped
        )
    }
}

/// Why the agent failed.
#[derive(Debug)]
pub enum AgentError {
    Connect(io::Error),
    Store(StoreError),
}

impl fmt::Display for AgentError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            AgentError::Connect(error) => {
                write!(f, "cannot connect to the server: {error}")
            }
            AgentError::Store(error) => write!(f, "{error}"),
        }
    }
}

impl std::error::Error for AgentError {}

// ANCHOR: run
/// Connects to the server and runs until it closes, `stop` fires, or the database fails.
/// Every message read before that is committed, then acknowledged, before this returns.
pub async fn run(
    server: SocketAddr,
    store: &Store,
    settings: Settings,
    stop: impl Future<Output = ()>,
) -> Result<Report, AgentError> {
    let connection = TcpStream::connect(server)
        .await
        .map_err(AgentError::Connect)?;
    let (from_server, to_server) = connection.into_split();

    // The bounded queue between the reader (here) and the writer (a task of its own).
    let (queue_tx, queue_rx) = mpsc::channel(settings.queue_capacity);
    let writer = tokio::spawn(store_and_acknowledge(
        store.clone(),
        queue_rx,
        to_server,
        settings.batch_max,
    ));

    // Returns when reading stops; dropping `queue_tx` then tells the writer to finish.
    let (stop, received, skipped) =
        read_messages(from_server, queue_tx, stop).await;

    // The writer drains the queue, commits and acknowledges everything, then ends.
    let written = writer.await.expect("the writer task panicked");
    let (stored, duplicates) = written.map_err(AgentError::Store)?;
    Ok(Report {
        stop,
        received,
        skipped,
        stored,
        duplicates,
    })
}
// ANCHOR_END: run

// ANCHOR: reader
async fn read_messages(
    from_server: OwnedReadHalf,
    queue_tx: mpsc::Sender<Message>,
    stop: impl Future<Output = ()>,
) -> (Stop, u64, u64) {
    let mut reader = BufReader::new(from_server);
    let mut line = Vec::new();
    let (mut received, mut skipped) = (0, 0);
    tokio::pin!(stop);
    let reason = loop {
        let read = tokio::select! {
            // Checked first, so that once asked to stop we read nothing more.
            biased;
            () = &mut stop => break Stop::Interrupted,
            // The writer gave up (the database failed): stop at once, even if the server is quiet.
            () = queue_tx.closed() => break Stop::WriterStopped,
            read = protocol::read_line(&mut reader, &mut line) => read,
        };
        match read {
            Ok(Line::Complete) => match protocol::parse_message(&line) {
                Ok(message) => {
                    // Waits while the queue is full: this is the backpressure.
                    if queue_tx.send(message).await.is_err() {
                        break Stop::WriterStopped;
                    }
                    received += 1;
                }
                Err(bad) => {
                    eprintln!("agent: skipped a line because {bad}");
                    skipped += 1;
                }
            },
            Ok(Line::TooLong) => {
                eprintln!("agent: skipped a line longer than {MAX_LINE} bytes");
                skipped += 1;
            }
            Ok(Line::Cut) => {
                eprintln!(
                    "agent: the connection closed in the middle of a line; \
                     its {} bytes are dropped (not acknowledged, so the server keeps it)",
                    line.len()
                );
                break Stop::ServerVanishedMidLine;
            }
            Ok(Line::End) => break Stop::ServerClosed,
            Err(error) => {
                eprintln!("agent: reading from the server failed: {error}");
                break Stop::ReadFailed;
            }
        }
    };
    (reason, received, skipped)
}
// ANCHOR_END: reader

// ANCHOR: writer
async fn store_and_acknowledge(
    store: Store,
    mut queue_rx: mpsc::Receiver<Message>,
    mut to_server: OwnedWriteHalf,
    batch_max: usize,
) -> Result<(u64, u64), StoreError> {
    let (mut stored, mut duplicates) = (0, 0);
    let mut server_listens = true;
    let mut batch = Vec::with_capacity(batch_max);
    // Waits for at least one message, then takes whatever else is queued, up to batch_max.
    // Returns 0 only once the queue is closed and empty.
    while queue_rx.recv_many(&mut batch, batch_max).await > 0 {
        let mut acks = String::new();
        for message in &batch {
            writeln!(acks, "ack {}", message.id).unwrap();
        }
        let count = batch.len() as u64;
        // On error the `?` returns before a single ack is written: nothing of the
        // batch was committed, so none of it may be acknowledged.
        let added = store.save(std::mem::take(&mut batch)).await? as u64;
        stored += added;
        duplicates += count - added;
        // Committed: only now is it safe to tell the server it can forget these.
        if server_listens
            && let Err(error) = to_server.write_all(acks.as_bytes()).await
        {
            eprintln!(
                "agent: cannot acknowledge (stored anyway, the server will resend): {error}"
            );
            server_listens = false;
        }
    }
    Ok((stored, duplicates))
}
// ANCHOR_END: writer
