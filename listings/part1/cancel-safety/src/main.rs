use std::time::Duration;

use tokio::io::{AsyncBufReadExt as _, AsyncWriteExt as _, BufReader};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::mpsc;
use tokio::time::{interval, sleep, timeout};

// ANCHOR: recv
/// Receives until the queue closes, while a 10 ms tick interrupts the
/// wait again and again (as a loop that also does housekeeping would).
async fn recv_between_ticks(mut queue_rx: mpsc::Receiver<u32>) -> Vec<u32> {
    let mut received = Vec::new();
    let mut tick = interval(Duration::from_millis(10));
    loop {
        tokio::select! {
            message = queue_rx.recv() => match message {
                Some(number) => received.push(number),
                None => return received,
            },
            // Each tick drops the `recv` above; no message goes with it.
            _ = tick.tick() => {}
        }
    }
}
// ANCHOR_END: recv

// ANCHOR: send
/// Waits at most `patience` for room in the queue. The message is moved
/// into `send`; when the timeout drops that future, the message goes too.
async fn send_lossy(
    queue_tx: &mpsc::Sender<String>,
    message: String,
    patience: Duration,
) -> Result<(), &'static str> {
    match timeout(patience, queue_tx.send(message)).await {
        Ok(Ok(())) => Ok(()),
        Ok(Err(_closed)) => Err("queue closed"),
        Err(_elapsed) => Err("queue full; the message is gone"),
    }
}

/// The same wait, done safely: first wait for a place in the queue
/// (`reserve`), and only then hand over the message, which cannot fail.
async fn send_keeping(
    queue_tx: &mpsc::Sender<String>,
    message: String,
    patience: Duration,
) -> Result<(), String> {
    match timeout(patience, queue_tx.reserve()).await {
        Ok(Ok(place)) => {
            place.send(message);
            Ok(())
        }
        // Still ours: the caller can retry, log it, or store it elsewhere.
        Ok(Err(_)) | Err(_) => Err(message),
    }
}
// ANCHOR_END: send

// ANCHOR: read_line
/// Reads one line, giving up on the first try after `patience`.
async fn read_line_with_retry(
    reader: &mut BufReader<TcpStream>,
    patience: Duration,
) -> std::io::Result<String> {
    let mut line = String::new();
    if timeout(patience, reader.read_line(&mut line))
        .await
        .is_err()
    {
        // The cancelled read_line took what it had read with it.
        println!("  (no whole line after {patience:?}; trying again)");
        reader.read_line(&mut line).await?;
    }
    Ok(line)
}

/// The same, with `Lines`, which keeps a half-read line inside itself.
async fn next_line_with_retry(
    lines: &mut tokio::io::Lines<BufReader<TcpStream>>,
    patience: Duration,
) -> std::io::Result<Option<String>> {
    match timeout(patience, lines.next_line()).await {
        Ok(line) => line,
        Err(_) => {
            println!("  (no whole line after {patience:?}; trying again)");
            lines.next_line().await
        }
    }
}
// ANCHOR_END: read_line

// ANCHOR: call
/// Inserts a row on the database thread, waiting at most `patience` for
/// the answer. Dropping the `call` future does not take the closure back.
async fn insert_with_timeout(
    db: &tokio_rusqlite::Connection,
    work: Duration,
    patience: Duration,
) -> anyhow::Result<&'static str> {
    let insert = db.call(move |conn| {
        std::thread::sleep(work); // a slow disk, a lock held elsewhere...
        conn.execute("INSERT INTO notes (text) VALUES ('hello')", [])
    });
    match timeout(patience, insert).await {
        Ok(result) => {
            result?;
            Ok("stored")
        }
        Err(_) => Ok("gave up waiting"),
    }
}
// ANCHOR_END: call

/// A loopback pair: the writing end, and the reading end in a BufReader.
async fn connected_pair() -> anyhow::Result<(TcpStream, BufReader<TcpStream>)> {
    let listener = TcpListener::bind("127.0.0.1:0").await?;
    let writer = TcpStream::connect(listener.local_addr()?).await?;
    let (reader, _) = listener.accept().await?;
    Ok((writer, BufReader::new(reader)))
}

/// Writes "hel", then "lo" and a newline 200 ms later: a slow peer.
fn write_hello_slowly(mut writer: TcpStream) {
    tokio::spawn(async move {
        writer.write_all(b"hel").await?;
        sleep(Duration::from_millis(200)).await;
        writer.write_all(b"lo\n").await?;
        anyhow::Ok(())
    });
}

async fn open_notes(
    dir: &std::path::Path,
) -> anyhow::Result<tokio_rusqlite::Connection> {
    let db = tokio_rusqlite::Connection::open(dir.join("notes.db")).await?;
    db.call(|conn| conn.execute("CREATE TABLE notes (text TEXT NOT NULL)", []))
        .await?;
    Ok(db)
}

async fn count_notes(db: &tokio_rusqlite::Connection) -> anyhow::Result<i64> {
    let count = db
        .call(|conn| {
            conn.query_row("SELECT count(*) FROM notes", [], |row| row.get(0))
        })
        .await?;
    Ok(count)
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let patience = Duration::from_millis(100);

    println!("Receiver::recv, cancelled by every tick:");
    let (queue_tx, queue_rx) = mpsc::channel(4);
    tokio::spawn(async move {
        for number in 1..=5 {
            sleep(Duration::from_millis(25)).await;
            queue_tx.send(number).await?;
        }
        anyhow::Ok(())
    });
    println!("  received {:?}", recv_between_ticks(queue_rx).await);

    println!("Sender::send under a timeout, queue full:");
    let (queue_tx, mut queue_rx) = mpsc::channel(1);
    queue_tx.send("first".to_string()).await?;
    let lost = send_lossy(&queue_tx, "second".to_string(), patience).await;
    println!("  send: {lost:?}");
    let kept = send_keeping(&queue_tx, "third".to_string(), patience).await;
    println!("  reserve, then send: {kept:?}");
    queue_rx.close();
    while let Some(message) = queue_rx.recv().await {
        println!("  in the queue: {message:?}");
    }

    println!("read_line under a timeout, peer sends \"hel\", then \"lo\\n\":");
    let (writer, mut reader) = connected_pair().await?;
    write_hello_slowly(writer);
    let line = read_line_with_retry(&mut reader, patience).await?;
    println!("  read_line got {line:?}");
    let (writer, reader) = connected_pair().await?;
    write_hello_slowly(writer);
    let line = next_line_with_retry(&mut reader.lines(), patience).await?;
    println!("  next_line got {line:?}");

    println!("tokio-rusqlite call under a timeout, insert takes 200 ms:");
    let dir = tempfile::tempdir()?;
    let db = open_notes(dir.path()).await?;
    let work = Duration::from_millis(200);
    let outcome = insert_with_timeout(&db, work, patience).await?;
    println!("  call: {outcome}");
    // Calls run in order on the database thread: this count waits for
    // the insert that nobody is waiting for any more.
    println!(
        "  rows in the table afterwards: {}",
        count_notes(&db).await?
    );
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use tokio::time::Instant;

    const PATIENCE: Duration = Duration::from_millis(100);

    #[tokio::test(start_paused = true)]
    async fn recv_loses_nothing_when_a_tick_cancels_it() {
        let (queue_tx, queue_rx) = mpsc::channel(4);
        tokio::spawn(async move {
            for number in 1..=5 {
                sleep(Duration::from_millis(25)).await;
                queue_tx.send(number).await.unwrap();
            }
        });
        let start = Instant::now();
        assert_eq!(recv_between_ticks(queue_rx).await, [1, 2, 3, 4, 5]);
        // 125 ms of 10 ms ticks: the recv was dropped a dozen times.
        assert_eq!(start.elapsed(), Duration::from_millis(125));
    }

    #[tokio::test(start_paused = true)]
    async fn send_under_a_timeout_drops_the_message() {
        let (queue_tx, mut queue_rx) = mpsc::channel(1);
        queue_tx.send("first".to_string()).await.unwrap();
        let start = Instant::now();
        let sent = send_lossy(&queue_tx, "second".into(), PATIENCE).await;
        assert_eq!(sent, Err("queue full; the message is gone"));
        assert_eq!(start.elapsed(), PATIENCE);
        drop(queue_tx);
        assert_eq!(queue_rx.recv().await.as_deref(), Some("first"));
        assert_eq!(queue_rx.recv().await, None, "\"second\" never got in");
    }

    #[tokio::test(start_paused = true)]
    async fn send_in_select_drops_the_message_too() {
        let (queue_tx, mut queue_rx) = mpsc::channel(1);
        queue_tx.send("first".to_string()).await.unwrap();
        let message = "second".to_string();
        tokio::select! {
            _ = queue_tx.send(message) => panic!("the queue is full"),
            () = sleep(PATIENCE) => {}
        }
        // `message` was moved into the dropped send: it cannot be used
        // here any more, and it is not in the queue.
        drop(queue_tx);
        assert_eq!(queue_rx.recv().await.as_deref(), Some("first"));
        assert_eq!(queue_rx.recv().await, None);
    }

    #[tokio::test(start_paused = true)]
    async fn reserve_under_a_timeout_gives_the_message_back() {
        let (queue_tx, mut queue_rx) = mpsc::channel(1);
        queue_tx.send("first".to_string()).await.unwrap();
        let kept = send_keeping(&queue_tx, "second".into(), PATIENCE).await;
        assert_eq!(kept, Err("second".to_string()));
        // Once there is room, the same function delivers it.
        assert_eq!(queue_rx.recv().await.as_deref(), Some("first"));
        let message = kept.unwrap_err();
        assert_eq!(send_keeping(&queue_tx, message, PATIENCE).await, Ok(()));
        assert_eq!(queue_rx.recv().await.as_deref(), Some("second"));
    }

    #[tokio::test(start_paused = true)]
    async fn read_line_cancelled_mid_line_loses_the_part_it_read() {
        let (writer, mut reader) = connected_pair().await.unwrap();
        write_hello_slowly(writer);
        let line = read_line_with_retry(&mut reader, PATIENCE).await.unwrap();
        assert_eq!(line, "lo\n", "\"hel\" went down with the first read_line");
    }

    #[tokio::test(start_paused = true)]
    async fn next_line_cancelled_mid_line_keeps_the_part_it_read() {
        let (writer, reader) = connected_pair().await.unwrap();
        write_hello_slowly(writer);
        let mut lines = reader.lines();
        let line = next_line_with_retry(&mut lines, PATIENCE).await.unwrap();
        assert_eq!(line.as_deref(), Some("hello"));
    }

    #[tokio::test(start_paused = true)]
    async fn a_dropped_call_still_runs_its_closure_and_commits() {
        let dir = tempfile::tempdir().unwrap();
        let db = open_notes(dir.path()).await.unwrap();
        // The closure sleeps 50 ms of real time on the database thread;
        // the paused clock lets the 100 ms timeout expire long before.
        let work = Duration::from_millis(50);
        let outcome = insert_with_timeout(&db, work, PATIENCE).await.unwrap();
        assert_eq!(outcome, "gave up waiting");
        assert_eq!(count_notes(&db).await.unwrap(), 1, "the row was stored");
    }
}
