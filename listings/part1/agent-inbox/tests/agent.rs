//! The server and the agent run for real, on loopback, with databases in
//! temporary folders.

use std::net::SocketAddr;
use std::path::Path;
use std::process::{Output, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use agent_inbox::{Message, MessageServer};
use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpListener;
use tokio::process::{Child, Command};
use tokio::time::timeout;

/// Generous: only there so that a broken agent fails the test instead of
/// hanging it.
const PATIENCE: Duration = Duration::from_secs(120);

fn numbered(ids: std::ops::RangeInclusive<i64>) -> Vec<Message> {
    ids.map(|id| Message {
        id,
        text: format!("message {id}: héllo wörld"),
    })
    .collect()
}

fn start_agent(server: SocketAddr, db: &Path) -> Child {
    start_agent_with(server, db, &[])
}

fn start_agent_with(server: SocketAddr, db: &Path, more: &[&str]) -> Child {
    Command::new(env!("CARGO_BIN_EXE_agent"))
        .args(more)
        .arg("--server")
        .arg(server.to_string())
        .arg("--db")
        .arg(db)
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .unwrap()
}

async fn finish(agent: Child) -> (Output, String) {
    let output = timeout(PATIENCE, agent.wait_with_output())
        .await
        .expect("the agent did not stop")
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
    (output, stderr)
}

/// Every row of the agent's database, read directly with rusqlite.
fn stored(db: &Path) -> Vec<Message> {
    let conn = rusqlite::Connection::open(db).unwrap();
    let mut select = conn
        .prepare("SELECT id, text FROM messages ORDER BY id")
        .unwrap();
    select
        .query_map([], |row| {
            Ok(Message {
                id: row.get(0)?,
                text: row.get(1)?,
            })
        })
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap()
}

fn stored_ids(db: &Path) -> Vec<i64> {
    stored(db).into_iter().map(|m| m.id).collect()
}

fn send_signal(agent: &Child, signal: &str) {
    let pid = agent.id().expect("the agent already exited").to_string();
    let status = std::process::Command::new("kill")
        .args([signal, &pid])
        .status()
        .unwrap();
    assert!(status.success());
}

/// The ids acknowledged so far: every id the server had that it no longer has.
fn acked_ids(server: &MessageServer, all: &[Message]) -> Vec<i64> {
    let unacked = server.unacked_ids();
    all.iter()
        .map(|m| m.id)
        .filter(|id| unacked.binary_search(id).is_err())
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn n_messages_in_n_rows_out() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("inbox.db");
    let messages = numbered(1..=2_000);
    let server = MessageServer::start("127.0.0.1:0", messages.clone())
        .await
        .unwrap();

    let (output, stderr) = finish(start_agent(server.address(), &db)).await;

    assert!(output.status.success(), "{stderr}");
    assert!(
        stderr.contains("the server closed the connection"),
        "{stderr}"
    );
    assert_eq!(stored(&db), messages);
    assert!(server.unacked_ids().is_empty());
    assert_eq!(server.acked(), 2_000);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_server_and_agent_binaries_work_together_until_ctrl_c() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("inbox.db");
    let mut server = Command::new(env!("CARGO_BIN_EXE_server"))
        .args(["--port", "0", "--messages", "300"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .unwrap();
    let mut first_line = String::new();
    let mut server_stdout = BufReader::new(server.stdout.take().unwrap());
    server_stdout.read_line(&mut first_line).await.unwrap();
    let address: SocketAddr = first_line
        .trim()
        .strip_prefix("listening on ")
        .expect("the server says where it listens")
        .parse()
        .unwrap();

    let (agent_output, agent_stderr) = finish(start_agent(address, &db)).await;
    assert!(agent_output.status.success(), "{agent_stderr}");
    let ids = stored_ids(&db);
    assert_eq!(ids, (1..=300).collect::<Vec<_>>());

    // The server runs until Ctrl-C, then says what it still holds.
    send_signal(&server, "-INT");
    let server_output = timeout(PATIENCE, server.wait_with_output())
        .await
        .unwrap()
        .unwrap();
    let server_stderr = String::from_utf8_lossy(&server_output.stderr);
    assert!(server_output.status.success(), "{server_stderr}");
    assert!(
        server_stderr.contains("300 acknowledged, 0 unacknowledged"),
        "{server_stderr}"
    );
}

// ANCHOR: ctrl_c_test
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ctrl_c_in_the_middle_of_a_stream_loses_nothing_received() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("inbox.db");
    let messages = numbered(1..=200_000);
    let server = MessageServer::start("127.0.0.1:0", messages.clone())
        .await
        .unwrap();
    let agent = start_agent(server.address(), &db);

    server.wait_for_acks(1_000).await;
    send_signal(&agent, "-INT");
    let (output, stderr) = finish(agent).await;

    assert!(output.status.success(), "{stderr}");
    assert!(stderr.contains("stopped (interrupted)"), "{stderr}");
    let ids = stored_ids(&db);
    assert!(ids.len() < messages.len(), "the stream was not cut");
    // Every message the agent says it received is stored...
    let received = format!("received {}, stored {} new", ids.len(), ids.len());
    assert!(stderr.contains(&received), "{received:?} not in {stderr}");
    // ...and acknowledged, and nothing that is not stored was acknowledged. The
    // server reads acks in a task of its own: give it time to read those still
    // in the socket.
    timeout(PATIENCE, server.wait_for_acks(ids.len() as u64))
        .await
        .expect("stored messages were never acknowledged");
    assert_eq!(acked_ids(&server, &messages), ids);
}
// ANCHOR_END: ctrl_c_test

// ANCHOR: kill_test
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn killed_then_restarted_the_agent_stores_every_message_exactly_once() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("inbox.db");
    let messages = numbered(1..=10_000);
    let server = MessageServer::start("127.0.0.1:0", messages.clone())
        .await
        .unwrap();

    // Ten messages to a transaction, so that the stream lasts long enough to
    // be cut: in batches of thousands it can be over before the kill lands.
    let mut agent = start_agent_with(server.address(), &db, &["--batch", "10"]);
    server.wait_for_acks(2_000).await;
    // SIGKILL, sent at once (no `kill` process to start): no handler runs,
    // nothing is drained, whatever was in memory is gone.
    agent.start_kill().unwrap();
    let (output, _) = finish(agent).await;
    assert!(!output.status.success());

    // Whatever the server was told is stored, is stored.
    let acked = acked_ids(&server, &messages);
    let after_kill = stored_ids(&db);
    assert!(acked.len() < messages.len(), "the stream was not cut");
    assert!(acked.iter().all(|id| after_kill.binary_search(id).is_ok()));

    // The server sends the rest again, including any stored but not
    // acknowledged.
    let (output, stderr) = finish(start_agent(server.address(), &db)).await;
    assert!(output.status.success(), "{stderr}");
    assert_eq!(stored(&db), messages);
    assert!(server.unacked_ids().is_empty());
}
// ANCHOR_END: kill_test

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_same_id_sent_twice_is_stored_once() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("inbox.db");
    let first = MessageServer::start("127.0.0.1:0", numbered(1..=10))
        .await
        .unwrap();
    let (output, stderr) = finish(start_agent(first.address(), &db)).await;
    assert!(output.status.success(), "{stderr}");

    // A second server overlapping the first: ids 6 to 10 arrive again.
    let second = MessageServer::start("127.0.0.1:0", numbered(6..=15))
        .await
        .unwrap();
    let (output, stderr) = finish(start_agent(second.address(), &db)).await;
    assert!(output.status.success(), "{stderr}");
    assert!(
        stderr.contains("received 10, stored 5 new, 5 already stored"),
        "{stderr}"
    );
    assert_eq!(stored(&db), numbered(1..=15));
    // Duplicates are acknowledged too, or the server would send them forever.
    assert!(second.unacked_ids().is_empty());
}

/// A server made by hand, that sends `bytes`, closes its sending side, and
/// returns every line the agent sent back.
async fn raw_server(
    bytes: Vec<u8>,
) -> (SocketAddr, tokio::task::JoinHandle<Vec<String>>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    let answers = tokio::spawn(async move {
        let (connection, _) = listener.accept().await.unwrap();
        let (from_agent, mut to_agent) = connection.into_split();
        to_agent.write_all(&bytes).await.unwrap();
        to_agent.shutdown().await.unwrap();
        let mut lines = BufReader::new(from_agent).lines();
        let mut answers = Vec::new();
        while let Some(line) = lines.next_line().await.unwrap() {
            answers.push(line);
        }
        answers
    });
    (address, answers)
}

// ANCHOR: bad_input_test
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_lines_are_logged_and_skipped_and_a_cut_line_is_not_acknowledged() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("inbox.db");
    let mut bytes = Vec::new();
    bytes.extend_from_slice(b"1 first\n");
    bytes.extend_from_slice(b"2 caf\xe9 in Latin-1\n");
    bytes.extend_from_slice(b"3 ");
    bytes.extend(std::iter::repeat_n(b'x', 100_000));
    bytes.extend_from_slice(b"\n");
    bytes.extend_from_slice(b"x4 a letter in the id\n");
    bytes.extend_from_slice(b"5\n");
    bytes.extend_from_slice(b"6 sixth\n");
    bytes.extend_from_slice(b"7 the server vanishes in the mid");
    let (address, answers) = raw_server(bytes).await;

    let (output, stderr) = finish(start_agent(address, &db)).await;

    assert!(output.status.success(), "{stderr}");
    for expected in [
        "skipped a line because it is not valid UTF-8",
        "skipped a line longer than 1024 bytes",
        "skipped a line because \"x4\" is not a valid id",
        "skipped a line because it has no space between the id and the text",
        "the connection closed in the middle of a line",
        "received 2, stored 2 new, 0 already stored, 4 lines skipped",
    ] {
        assert!(stderr.contains(expected), "{expected:?} not in:\n{stderr}");
    }
    assert_eq!(stored_ids(&db), [1, 6]);
    assert_eq!(answers.await.unwrap(), ["ack 1", "ack 6"]);
}
// ANCHOR_END: bad_input_test

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_server_that_resets_the_connection_leaves_what_was_read_stored() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("inbox.db");
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    let server = tokio::spawn(async move {
        let (mut connection, _) = listener.accept().await.unwrap();
        connection.write_all(b"1 one\n2 two\n3 thr").await.unwrap();
        // Wait for the agent's first ack, so the lines are read, then vanish.
        // Closing a socket with unread bytes in it (the rest of the acks) makes
        // the system send a reset.
        let mut byte = [0u8; 1];
        connection.read_exact(&mut byte).await.unwrap();
        drop(connection);
    });

    let (output, stderr) = finish(start_agent(address, &db)).await;
    server.await.unwrap();

    assert!(output.status.success(), "{stderr}");
    assert_eq!(stored_ids(&db), [1, 2]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_database_that_cannot_be_written_stops_the_agent_before_it_acknowledges()
 {
    let dir = tempfile::tempdir().unwrap();
    let not_a_database = dir.path().join("notes.txt");
    std::fs::write(
        &not_a_database,
        "shopping list: tea, milk, biscuits\n".repeat(100),
    )
    .unwrap();
    // A folder where the file should be, and a file that is not a database.
    for db in [dir.path().to_path_buf(), not_a_database] {
        let server = MessageServer::start("127.0.0.1:0", numbered(1..=10))
            .await
            .unwrap();
        let (output, stderr) = finish(start_agent(server.address(), &db)).await;
        assert_eq!(output.status.code(), Some(1), "{stderr}");
        assert!(stderr.contains("cannot use"), "{stderr}");
        assert!(stderr.contains("as the database"), "{stderr}");
        assert_eq!(server.unacked_ids().len(), 10);
    }
}

// ANCHOR: failing_write_test
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_write_that_fails_midway_loses_nothing_acknowledged() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("inbox.db");
    // A database that refuses message 700, as a full disk would refuse a write.
    let conn = rusqlite::Connection::open(&db).unwrap();
    conn.execute_batch(
        "CREATE TABLE messages (id INTEGER PRIMARY KEY, text TEXT NOT NULL);
         CREATE TRIGGER refuse BEFORE INSERT ON messages WHEN NEW.id = 700
         BEGIN SELECT RAISE(ABORT, 'disk full (pretend)'); END;",
    )
    .unwrap();
    let messages = numbered(1..=1_000);
    let server = MessageServer::start("127.0.0.1:0", messages.clone())
        .await
        .unwrap();

    let (output, stderr) = finish(start_agent(server.address(), &db)).await;

    assert_eq!(output.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("disk full (pretend)"), "{stderr}");
    let acked = acked_ids(&server, &messages);
    let ids = stored_ids(&db);
    assert!(!acked.contains(&700) && !ids.contains(&700));
    assert!(acked.iter().all(|id| ids.binary_search(id).is_ok()));

    // Once the disk is fixed, a restart stores everything the server still
    // holds.
    conn.execute_batch("DROP TRIGGER refuse").unwrap();
    let (output, stderr) = finish(start_agent(server.address(), &db)).await;
    assert!(output.status.success(), "{stderr}");
    assert_eq!(stored(&db), messages);
}
// ANCHOR_END: failing_write_test

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_server_ignores_bad_acks_and_resends_what_was_not_acknowledged() {
    let server = MessageServer::start("127.0.0.1:0", numbered(1..=3))
        .await
        .unwrap();
    let connection = tokio::net::TcpStream::connect(server.address())
        .await
        .unwrap();
    let (from_server, mut to_server) = connection.into_split();
    let mut lines = BufReader::new(from_server).lines();
    for id in 1..=3 {
        let line = lines.next_line().await.unwrap().unwrap();
        assert!(line.starts_with(&format!("{id} ")), "{line}");
    }
    to_server
        .write_all(b"hello\nack x\nack 99\nack 2\n")
        .await
        .unwrap();
    server.wait_for_acks(1).await;
    drop((lines, to_server));

    // A new connection gets what is still unacknowledged, and only that.
    let connection = tokio::net::TcpStream::connect(server.address())
        .await
        .unwrap();
    let (from_server, mut to_server) = connection.into_split();
    let mut lines = BufReader::new(from_server).lines();
    assert_eq!(lines.next_line().await.unwrap().unwrap(), numbered_line(1));
    assert_eq!(lines.next_line().await.unwrap().unwrap(), numbered_line(3));
    to_server.write_all(b"ack 1\nack 3\n").await.unwrap();
    // Everything acknowledged: the server closes the connection.
    assert_eq!(lines.next_line().await.unwrap(), None);
    assert!(server.unacked_ids().is_empty());
}

fn numbered_line(id: i64) -> String {
    let message = &numbered(id..=id)[0];
    format!("{} {}", message.id, message.text)
}

/// A server that sends `id text` lines as fast as the agent takes them and
/// never reads an ack (its receive buffer is made small, so it fills soon).
/// Returns once the agent has stopped taking lines, with the last id sent;
/// the connection stays open, unread, until `hold` is dropped.
async fn deaf_server() -> (
    SocketAddr,
    tokio::task::JoinHandle<(i64, tokio::net::TcpStream)>,
) {
    let socket = tokio::net::TcpSocket::new_v4().unwrap();
    socket.set_recv_buffer_size(4096).unwrap();
    socket.bind("127.0.0.1:0".parse().unwrap()).unwrap();
    let address = socket.local_addr().unwrap();
    let listener = socket.listen(1).unwrap();
    let stalled = tokio::spawn(async move {
        let (mut connection, _) = listener.accept().await.unwrap();
        let mut next_id = 1;
        loop {
            let mut chunk = String::new();
            for id in next_id..next_id + 1000 {
                chunk.push_str(&numbered_line(id));
                chunk.push('\n');
            }
            // Stalled: the agent has not taken a chunk for a whole second.
            let write = connection.write_all(chunk.as_bytes());
            if timeout(Duration::from_secs(1), write).await.is_err() {
                return (next_id - 1, connection);
            }
            next_id += 1000;
        }
    });
    (address, stalled)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ctrl_c_stops_the_agent_when_the_server_stops_reading_acks() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("inbox.db");
    let (address, stalled) = deaf_server().await;
    let agent = start_agent_with(address, &db, &["--finish-within", "1"]);
    // The agent is stuck writing acks nobody reads, its queue is full, and
    // it has stopped reading: backpressure, as it should be.
    let (sent, _connection) = stalled.await.unwrap();
    eprintln!("the agent stalled after {sent} messages");

    send_signal(&agent, "-INT");
    let (output, stderr) = finish(agent).await;

    assert!(output.status.success(), "{stderr}");
    assert!(stderr.contains("stopped (interrupted)"), "{stderr}");
    assert!(stderr.contains("gave up on the last acks"), "{stderr}");
    // What it read before the stall was stored, none of it twice.
    let ids = stored_ids(&db);
    assert!(!ids.is_empty() && ids.len() as i64 <= sent, "{stderr}");
    assert!(ids.windows(2).all(|pair| pair[0] < pair[1]));
}

/// A server that sends messages 1 to `count` while it reads acks slowly (50 at
/// a time, a millisecond apart), through a small receive buffer. When the agent
/// closes its side, the server stops sending and closes too. Returns the ids
/// acknowledged, or the error that ended the reading (a reset, say), and a
/// count of the acks read so far.
async fn slow_reading_server(
    count: i64,
) -> (
    SocketAddr,
    tokio::task::JoinHandle<Result<Vec<i64>, String>>,
    Arc<AtomicUsize>,
) {
    let read_so_far = Arc::new(AtomicUsize::new(0));
    let counter = read_so_far.clone();
    // A small receive buffer: acks the server has not read yet wait in the
    // agent's socket instead of ours.
    let socket = tokio::net::TcpSocket::new_v4().unwrap();
    socket.set_recv_buffer_size(4096).unwrap();
    socket.bind("127.0.0.1:0".parse().unwrap()).unwrap();
    let address = socket.local_addr().unwrap();
    let listener = socket.listen(1).unwrap();
    let acked = tokio::spawn(async move {
        let (connection, _) = listener.accept().await.unwrap();
        let (from_agent, mut to_agent) = connection.into_split();
        let sending = tokio::spawn(async move {
            for id in 1..=count {
                let line = format!("{}\n", numbered_line(id));
                if to_agent.write_all(line.as_bytes()).await.is_err() {
                    break;
                }
            }
            // Keep our side open until dropped: more could always come.
            std::future::pending::<()>().await;
        });
        let mut lines = BufReader::new(from_agent).lines();
        let mut acked = Vec::new();
        let outcome = loop {
            match lines.next_line().await {
                Ok(Some(line)) => {
                    match agent_inbox::protocol::parse_ack(&line) {
                        Some(id) => acked.push(id),
                        None => break Err(format!("cut ack {line:?}")),
                    }
                    counter.store(acked.len(), Ordering::Relaxed);
                    if acked.len() % 50 == 0 {
                        tokio::time::sleep(Duration::from_millis(1)).await;
                    }
                }
                Ok(None) => break Ok(acked),
                Err(error) => {
                    break Err(format!("{error} after {} acks", acked.len()));
                }
            }
        };
        sending.abort(); // closes our side: the agent sees the end
        outcome
    });
    (address, acked, read_so_far)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn after_ctrl_c_every_stored_message_is_acknowledged_to_a_slow_server() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("inbox.db");
    let (address, acked, read_so_far) = slow_reading_server(1_000_000).await;
    let agent = start_agent(address, &db);
    // Let it store a while, with acks piling up behind the slow reader: until
    // the server has read a thousand. (A fixed time was too short on a busy
    // machine, where the agent had stored fewer by then.)
    timeout(PATIENCE, async {
        while read_so_far.load(Ordering::Relaxed) <= 1000 {
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
    })
    .await
    .expect("the server never read a thousand acks");

    send_signal(&agent, "-INT");
    let (output, stderr) = finish(agent).await;

    assert!(output.status.success(), "{stderr}");
    assert!(stderr.contains("stopped (interrupted)"), "{stderr}");
    assert!(!stderr.contains("gave up"), "{stderr}");
    let mut acked = acked.await.unwrap().expect("the acks were cut off");
    acked.sort();
    let stored = stored_ids(&db);
    assert!(stored.len() > 1000, "stored only {}", stored.len());
    assert_eq!(acked.len(), stored.len(), "{stderr}");
    assert_eq!(acked, stored);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_line_ending_in_crlf_is_stored_without_the_cr() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("inbox.db");
    let bytes = b"1 one\r\n2 two\n3 a \r inside stays\r\n".to_vec();
    let (address, answers) = raw_server(bytes).await;

    let (output, stderr) = finish(start_agent(address, &db)).await;

    assert!(output.status.success(), "{stderr}");
    let texts: Vec<String> = stored(&db).into_iter().map(|m| m.text).collect();
    assert_eq!(texts, ["one", "two", "a \r inside stays"]);
    assert_eq!(answers.await.unwrap(), ["ack 1", "ack 2", "ack 3"]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_known_id_with_another_text_keeps_the_first_and_sets_the_second_aside()
 {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("inbox.db");
    let bytes = b"1 first\n2 second\n1 first\n2 SECOND, changed\n".to_vec();
    let (address, answers) = raw_server(bytes).await;

    let (output, stderr) = finish(start_agent(address, &db)).await;

    assert!(output.status.success(), "{stderr}");
    assert!(
        stderr.contains(
            "received 4, stored 2 new, 2 already stored, 0 lines skipped, \
             1 conflicting"
        ),
        "{stderr}"
    );
    let texts: Vec<String> = stored(&db).into_iter().map(|m| m.text).collect();
    assert_eq!(texts, ["first", "second"], "the first text stays");
    let conn = rusqlite::Connection::open(&db).unwrap();
    let aside: (i64, String) = conn
        .query_row("SELECT id, text FROM conflicts", [], |row| {
            Ok((row.get(0)?, row.get(1)?))
        })
        .unwrap();
    assert_eq!(aside, (2, "SECOND, changed".to_string()));
    // All four acknowledged: each is stored somewhere, and a server that
    // got no ack would send it for ever.
    assert_eq!(answers.await.unwrap(), ["ack 1", "ack 2", "ack 1", "ack 2"]);
}
