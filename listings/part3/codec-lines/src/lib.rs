//! A small line protocol over TCP: one command per line, one answer per
//! line. Bad input gets a clear error and closes that connection only.

use futures::{SinkExt, StreamExt};
use tokio::net::{TcpListener, TcpStream};
use tokio_util::codec::{Framed, LinesCodec, LinesCodecError};
use tokio_util::sync::CancellationToken;
use tokio_util::task::TaskTracker;

/// The longest line the server reads, in bytes (without the newline).
pub const MAX_LINE: usize = 64;

// ANCHOR: answer
/// The protocol itself: `UPPER text` and `SUM 1 2 3`.
pub fn answer(line: &str) -> String {
    match line.split_once(' ') {
        Some(("UPPER", text)) => text.to_uppercase(),
        Some(("SUM", numbers)) => {
            let mut sum: i64 = 0;
            for word in numbers.split_whitespace() {
                match word.parse::<i64>() {
                    Ok(n) => sum = sum.saturating_add(n),
                    Err(_) => {
                        return format!("error: {word:?} is not a number");
                    }
                }
            }
            sum.to_string()
        }
        _ => "error: unknown command (try UPPER text, or SUM 1 2 3)".into(),
    }
}
// ANCHOR_END: answer

// ANCHOR: connection
/// Serves one client until it leaves, sends bad input, or `shutdown`.
async fn connection(socket: TcpStream, shutdown: CancellationToken) {
    let codec = LinesCodec::new_with_max_length(MAX_LINE);
    let mut lines = Framed::new(socket, codec);
    loop {
        let line = tokio::select! {
            () = shutdown.cancelled() => {
                let _ = lines.send("bye: the server is shutting down").await;
                return;
            }
            line = lines.next() => line,
        };
        let reply = match line {
            Some(Ok(line)) => answer(&line),
            Some(Err(LinesCodecError::MaxLineLengthExceeded)) => {
                let error = format!("error: line longer than {MAX_LINE} bytes");
                let _ = lines.send(error).await;
                return;
            }
            Some(Err(LinesCodecError::Io(error))) => {
                // Invalid UTF-8 is `InvalidData`; anything else is a
                // broken connection, where no answer would arrive.
                let _ = lines.send(format!("error: {error}")).await;
                return;
            }
            None => return, // the client closed the connection
        };
        if lines.send(reply).await.is_err() {
            return;
        }
    }
}
// ANCHOR_END: connection

// ANCHOR: serve
/// Accepts clients until `shutdown` is cancelled, then waits for every
/// connection to say goodbye.
pub async fn serve(listener: TcpListener, shutdown: CancellationToken) {
    let connections = TaskTracker::new();
    loop {
        tokio::select! {
            () = shutdown.cancelled() => break,
            accepted = listener.accept() => match accepted {
                Ok((socket, _)) => {
                    connections.spawn(connection(socket, shutdown.clone()));
                }
                // Out of file descriptors, say: this client is lost, the
                // server goes on.
                Err(error) => eprintln!("accept failed: {error}"),
            },
        }
    }
    connections.close();
    connections.wait().await;
}
// ANCHOR_END: serve

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
    use tokio::net::tcp::{OwnedReadHalf, OwnedWriteHalf};

    use super::*;

    struct Client {
        reader: BufReader<OwnedReadHalf>,
        writer: OwnedWriteHalf,
    }

    impl Client {
        async fn connect(addr: std::net::SocketAddr) -> Client {
            let (read, writer) =
                TcpStream::connect(addr).await.unwrap().into_split();
            Client {
                reader: BufReader::new(read),
                writer,
            }
        }

        /// Sends raw bytes, then reads one answer line ("" at the end).
        async fn ask(&mut self, bytes: &[u8]) -> String {
            self.writer.write_all(bytes).await.unwrap();
            self.read_line().await
        }

        async fn read_line(&mut self) -> String {
            let mut line = String::new();
            self.reader.read_line(&mut line).await.unwrap();
            line
        }
    }

    async fn start() -> (std::net::SocketAddr, CancellationToken) {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let shutdown = CancellationToken::new();
        tokio::spawn(serve(listener, shutdown.clone()));
        (addr, shutdown)
    }

    #[test]
    fn the_protocol_answers_commands() {
        assert_eq!(answer("UPPER hello"), "HELLO");
        assert_eq!(answer("SUM 1 2 39"), "42");
        assert_eq!(answer("SUM 1 x"), r#"error: "x" is not a number"#);
        assert!(answer("HELLO").starts_with("error: unknown command"));
    }

    // ANCHOR: bad_input_tests
    #[tokio::test]
    async fn a_long_line_is_refused_and_others_are_still_served() {
        let (addr, _shutdown) = start().await;
        let mut good = Client::connect(addr).await;
        let mut bad = Client::connect(addr).await;
        assert_eq!(good.ask(b"UPPER first\n").await, "FIRST\n");

        let long = format!("UPPER {}\n", "x".repeat(100));
        let refused = bad.ask(long.as_bytes()).await;
        assert_eq!(refused, "error: line longer than 64 bytes\n");
        assert_eq!(bad.read_line().await, ""); // closed

        assert_eq!(good.ask(b"SUM 2 3\n").await, "5\n");
    }

    #[tokio::test]
    async fn invalid_utf8_is_refused_and_others_are_still_served() {
        let (addr, _shutdown) = start().await;
        let mut good = Client::connect(addr).await;
        let mut bad = Client::connect(addr).await;
        let refused = bad.ask(b"UPPER caf\xe9\n").await; // Latin-1, not UTF-8
        assert_eq!(refused, "error: Unable to decode input as UTF8\n");
        assert_eq!(bad.read_line().await, "");
        assert_eq!(good.ask(b"UPPER still here\n").await, "STILL HERE\n");
    }
    // ANCHOR_END: bad_input_tests

    #[tokio::test]
    async fn an_unknown_command_is_answered_and_the_connection_stays() {
        let (addr, _shutdown) = start().await;
        let mut client = Client::connect(addr).await;
        let answer = client.ask(b"HELLO\n").await;
        assert!(answer.starts_with("error: unknown command"), "{answer}");
        assert_eq!(client.ask(b"SUM 40 2\n").await, "42\n");
    }

    // ANCHOR: shutdown_test
    #[tokio::test(start_paused = true)]
    async fn shutdown_says_goodbye_to_idle_clients_at_once() {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let shutdown = CancellationToken::new();
        let server = tokio::spawn(serve(listener, shutdown.clone()));
        let mut client = Client::connect(addr).await;
        assert_eq!(client.ask(b"UPPER hi\n").await, "HI\n");

        tokio::time::sleep(Duration::from_secs(60)).await; // idle a while
        let start = tokio::time::Instant::now();
        shutdown.cancel();
        server.await.unwrap();
        assert_eq!(start.elapsed(), Duration::ZERO);
        let goodbye = client.read_line().await;
        assert_eq!(goodbye, "bye: the server is shutting down\n");
        assert_eq!(client.read_line().await, "");
    }
    // ANCHOR_END: shutdown_test
}
