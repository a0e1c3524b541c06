//! A small client to test: ask a server on TCP for a greeting line.

use std::net::SocketAddr;
use std::time::Duration;

use anyhow::Context;
use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::net::TcpStream;
use tokio::time::timeout;
use tracing::Instrument;

// ANCHOR: greeting
/// Connects to `addr` and reads the line the server sends first, giving
/// up after `limit`. The reading happens in a task of its own.
pub async fn fetch_greeting(
    addr: SocketAddr,
    limit: Duration,
) -> anyhow::Result<String> {
    let span = tracing::info_span!("greeting", %addr);
    let reader = async move {
        let stream = TcpStream::connect(addr).await?;
        let mut line = String::new();
        BufReader::new(stream).read_line(&mut line).await?;
        tracing::info!(bytes = line.len(), "greeting read");
        anyhow::Ok(line.trim_end().to_string())
    };
    // A spawned task does not inherit the current span: give it the span.
    let task = tokio::spawn(reader.instrument(span));
    let line = timeout(limit, task).await.context("no greeting in time")?;
    line.context("the reading task died")?
}
// ANCHOR_END: greeting

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;
    use tokio::io::AsyncWriteExt;
    use tokio::net::TcpListener;
    use tokio::time::{Instant, sleep};

    // ANCHOR: basic
    // A fresh current-thread runtime for this test alone, on the real clock.
    #[tokio::test]
    async fn a_greeting_is_read_from_a_server_on_loopback() {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        tokio::spawn(async move {
            let (mut peer, _) = listener.accept().await.unwrap();
            peer.write_all(b"hello\n").await.unwrap();
        });
        let line = fetch_greeting(addr, Duration::from_secs(5)).await;
        assert_eq!(line.unwrap(), "hello");
    }
    // ANCHOR_END: basic

    // ANCHOR: surprise
    /// A server on a plain thread, outside the runtime, that answers after
    /// 50 ms of real time.
    fn slow_server_on_a_thread() -> SocketAddr {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = listener.local_addr().unwrap();
        std::thread::spawn(move || {
            let (mut peer, _) = listener.accept().unwrap();
            std::thread::sleep(Duration::from_millis(50));
            let _ = peer.write_all(b"hello\n");
        });
        addr
    }

    #[tokio::test(start_paused = true)]
    async fn the_paused_clock_jumps_while_a_real_server_is_still_answering() {
        let addr = slow_server_on_a_thread();
        let start = Instant::now();
        let outcome = fetch_greeting(addr, Duration::from_secs(5)).await;
        // Every task was waiting, and only a timer could end the wait, so
        // tokio moved the clock on by 5 s: the timeout fired at once.
        assert!(outcome.is_err());
        assert_eq!(start.elapsed(), Duration::from_secs(5));
    }
    // ANCHOR_END: surprise

    // ANCHOR: same_runtime
    #[tokio::test(start_paused = true)]
    async fn a_server_in_the_same_runtime_keeps_the_paused_clock_exact() {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        tokio::spawn(async move {
            let (mut peer, _) = listener.accept().await.unwrap();
            sleep(Duration::from_secs(2)).await; // a tokio timer, not a thread
            peer.write_all(b"hello\n").await.unwrap();
        });
        let start = Instant::now();
        let line = fetch_greeting(addr, Duration::from_secs(5)).await;
        assert_eq!(line.unwrap(), "hello");
        assert_eq!(start.elapsed(), Duration::from_secs(2));
    }
    // ANCHOR_END: same_runtime
}
