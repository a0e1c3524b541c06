//! The agent: reads messages from the server, stores them in batches,
//! acknowledges them.

use std::fmt;
use std::fmt::Write as _;
use std::future::Future;
use std::io;
use std::net::SocketAddr;

use std::time::Duration;

use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpStream;
use tokio::net::tcp::{OwnedReadHalf, OwnedWriteHalf};
use tokio::sync::mpsc;
use tokio::time::{Instant, sleep_until, timeout_at};
use tokio_util::sync::CancellationToken;

use crate::protocol::{self, Line, MAX_LINE, Message};
use crate::store::{Saved, Store, StoreError};

/// How big the queue and the batches are.
#[derive(Debug, Clone, Copy)]
pub struct Settings {
    /// Messages the queue holds before the reader has to wait.
    pub queue_capacity: usize,
    /// The most messages stored in one transaction.
    pub batch_max: usize,
    /// Once reading has stopped, how long the agent may take to write its
    /// last acks and see the server close; then it gives up on the acks
    /// (what it stored stays stored, and the server sends it again).
    pub finish_within: Duration,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            queue_capacity: 16384,
            batch_max: 8192,
            finish_within: Duration::from_secs(10),
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
    /// Messages committed whose id was already stored (sent again by the
    /// server).
    pub duplicates: u64,
    /// Of those, messages whose text differed from the stored one: kept in
    /// the `conflicts` table, never in place of the first.
    pub conflicts: u64,
    /// Whether every ack was written and the server then closed its end.
    pub acks_delivered: bool,
}

impl fmt::Display for Report {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "received {}, stored {} new, {} already stored, {} lines skipped, \
             {} conflicting",
            self.received,
            self.stored,
            self.duplicates,
            self.skipped,
            self.conflicts
        )?;
        if !self.acks_delivered {
            write!(f, "; gave up on the last acks (the server will resend)")?;
        }
        Ok(())
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
/// Connects to the server and runs until it closes, `stop` fires, or the
/// database fails. Every message read before that is committed, then
/// acknowledged, before this returns.
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

    // The bounded queue between the reader (here) and the writer (a task of its
    // own).
    let (queue_tx, queue_rx) = mpsc::channel(settings.queue_capacity);
    let give_up_acks = CancellationToken::new();
    let mut writer = tokio::spawn(store_and_acknowledge(
        store.clone(),
        queue_rx,
        to_server,
        settings.batch_max,
        give_up_acks.clone(),
    ));

    // Returns when reading stops; dropping `queue_tx` then tells the writer to
    // finish.
    let (stop, received, skipped, from_server) =
        read_messages(from_server, queue_tx, stop).await;

    // ANCHOR_END: run
    // ANCHOR: finish
    // The writer commits what is queued and acknowledges it, then closes its
    // side of the connection. Its acks get until `deadline`: a server that
    // stopped reading them must not keep us here for ever.
    let deadline = Instant::now() + settings.finish_within;
    let written = tokio::select! {
        written = &mut writer => written,
        () = sleep_until(deadline) => {
            give_up_acks.cancel(); // commits still finish; acks stop
            writer.await
        }
    };
    let written = written.expect("the writer task panicked");
    let (counts, acks_written) = written.map_err(AgentError::Store)?;
    // Read until the server closes, so that nothing unread is left in our
    // socket: closing it with unread data would make the kernel reset the
    // connection and throw away the acks it still had to deliver.
    let server_closed = acks_written
        && timeout_at(deadline, read_to_end(from_server)).await.is_ok();
    Ok(Report {
        stop,
        received,
        skipped,
        stored: counts.added,
        duplicates: counts.duplicates,
        conflicts: counts.conflicts,
        acks_delivered: server_closed,
    })
}

// ANCHOR_END: finish

/// Reads and throws away whatever the server still sends, until it closes.
async fn read_to_end(mut from_server: BufReader<OwnedReadHalf>) {
    loop {
        match from_server.fill_buf().await {
            Ok([]) | Err(_) => return,
            Ok(unread) => {
                let length = unread.len();
                from_server.consume(length);
            }
        }
    }
}

// ANCHOR: reader
async fn read_messages(
    from_server: OwnedReadHalf,
    queue_tx: mpsc::Sender<Message>,
    stop: impl Future<Output = ()>,
) -> (Stop, u64, u64, BufReader<OwnedReadHalf>) {
    let mut reader = BufReader::new(from_server);
    let mut line = Vec::new();
    let (mut received, mut skipped) = (0, 0);
    tokio::pin!(stop);
    let reason = loop {
        let read = tokio::select! {
            // Checked first, so that once asked to stop we read nothing more.
            biased;
            () = &mut stop => break Stop::Interrupted,
            // The writer gave up (the database failed): stop at once, even if
            // the server is quiet.
            () = queue_tx.closed() => break Stop::WriterStopped,
            read = protocol::read_line(&mut reader, &mut line) => read,
        };
        match read {
            Ok(Line::Complete) => match protocol::parse_message(&line) {
                Ok(message) => {
                    // Waits while the queue is full: this is the backpressure.
                    // A stop still gets through; the message it drops was not
                    // acknowledged, so the server keeps it.
                    let sent = tokio::select! {
                        biased;
                        () = &mut stop => break Stop::Interrupted,
                        sent = queue_tx.send(message) => sent,
                    };
                    if sent.is_err() {
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
                     its {} bytes are dropped (not acknowledged, so the \
                     server keeps it)",
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
    (reason, received, skipped, reader)
}
// ANCHOR_END: reader

// ANCHOR: writer
async fn store_and_acknowledge(
    store: Store,
    mut queue_rx: mpsc::Receiver<Message>,
    mut to_server: OwnedWriteHalf,
    batch_max: usize,
    give_up_acks: CancellationToken,
) -> Result<(Saved, bool), StoreError> {
    let mut counts = Saved::default();
    let mut server_listens = true;
    let mut batch = Vec::with_capacity(batch_max);
    // Waits for at least one message, then takes whatever else is queued, up to
    // batch_max. Returns 0 only once the queue is closed and empty.
    while queue_rx.recv_many(&mut batch, batch_max).await > 0 {
        let mut acks = String::new();
        for message in &batch {
            writeln!(acks, "ack {}", message.id).unwrap();
        }
        // On error the `?` returns before a single ack is written: nothing of
        // the batch was committed, so none of it may be acknowledged.
        counts += store.save(std::mem::take(&mut batch)).await?;
        // Committed: only now is it safe to tell the server it can forget
        // these.
        if server_listens {
            server_listens =
                write_acks(&mut to_server, &acks, &give_up_acks).await;
        }
    }
    // Nothing more to say: send our end of the stream (FIN), so the server
    // knows every ack has come, and can close its side.
    if server_listens {
        server_listens = tokio::select! {
            shut = to_server.shutdown() => shut.is_ok(),
            () = give_up_acks.cancelled() => false,
        };
    }
    Ok((counts, server_listens))
}

// ANCHOR_END: writer

// ANCHOR: write_acks
/// Writes acks unless told to give up; returns whether the server still
/// listens. Waiting here is backpressure from a server that reads slowly.
async fn write_acks(
    to_server: &mut OwnedWriteHalf,
    acks: &str,
    give_up: &CancellationToken,
) -> bool {
    let written = tokio::select! {
        written = to_server.write_all(acks.as_bytes()) => written,
        () = give_up.cancelled() => {
            eprintln!("agent: the server is not reading its acks; giving up");
            return false;
        }
    };
    if let Err(error) = written {
        eprintln!(
            "agent: cannot acknowledge (stored anyway, the server will \
             resend): {error}"
        );
        return false;
    }
    true
}
// ANCHOR_END: write_acks
