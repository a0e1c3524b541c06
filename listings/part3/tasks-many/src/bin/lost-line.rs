//! A mistake on purpose: a future that is not cancel safe, in a select! loop.

use std::time::Duration;

use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::{TcpListener, TcpStream};
use tokio::time::{interval, sleep};

/// Sends two lines, pausing in the middle of the first.
async fn send_lines(mut peer: TcpStream) -> anyhow::Result<()> {
    peer.write_all(b"hello, ").await?;
    // Halfway between two heartbeats, so that a real run on a busy machine
    // prints the same as the paused clock.
    sleep(Duration::from_millis(600)).await;
    peer.write_all(b"world\nsecond line\n").await?;
    Ok(())
}

// ANCHOR: lost
/// Reads lines until the peer closes, printing a heartbeat meanwhile.
async fn read_lines(stream: TcpStream) -> anyhow::Result<Vec<String>> {
    let mut reader = BufReader::new(stream);
    let mut heartbeat = interval(Duration::from_millis(400));
    let mut lines = Vec::new();
    loop {
        let mut line = String::new();
        tokio::select! {
            // read_line is not cancel safe: when the heartbeat wins, the
            // bytes it has already taken from the socket are dropped with it.
            read = reader.read_line(&mut line) => {
                if read? == 0 {
                    return Ok(lines);
                }
                lines.push(line.trim_end().to_string());
            }
            _ = heartbeat.tick() => println!("(still listening)"),
        }
    }
}
// ANCHOR_END: lost

// ANCHOR: fixed
/// The same loop with `Lines::next_line`, which is cancel safe: a partial
/// line stays in the `Lines` value, outside the future that select! drops.
async fn read_lines_safely(stream: TcpStream) -> anyhow::Result<Vec<String>> {
    let mut incoming = BufReader::new(stream).lines();
    let mut heartbeat = interval(Duration::from_millis(400));
    let mut lines = Vec::new();
    loop {
        tokio::select! {
            line = incoming.next_line() => match line? {
                Some(line) => lines.push(line),
                None => return Ok(lines),
            },
            _ = heartbeat.tick() => println!("(still listening)"),
        }
    }
}
// ANCHOR_END: fixed

/// Sends the lines over a loopback connection to `read`, and returns what
/// it read.
async fn lines_over_loopback<F>(
    read: impl FnOnce(TcpStream) -> F,
) -> anyhow::Result<Vec<String>>
where
    F: Future<Output = anyhow::Result<Vec<String>>>,
{
    let listener = TcpListener::bind("127.0.0.1:0").await?;
    let sender = TcpStream::connect(listener.local_addr()?).await?;
    let (receiver, _) = listener.accept().await?;
    let (sent, lines) = tokio::join!(send_lines(sender), read(receiver));
    sent?;
    lines
}

// ANCHOR: main
#[tokio::main(flavor = "current_thread")]
async fn main() -> anyhow::Result<()> {
    let lines = lines_over_loopback(read_lines).await?;
    println!("read_line received {lines:?}");
    let lines = lines_over_loopback(read_lines_safely).await?;
    println!("next_line received {lines:?}");
    Ok(())
}
// ANCHOR_END: main

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test(start_paused = true)]
    async fn the_start_of_a_line_is_lost_when_the_heartbeat_wins() {
        let lines = lines_over_loopback(read_lines).await.unwrap();
        assert_eq!(lines, ["world", "second line"]);
    }

    #[tokio::test(start_paused = true)]
    async fn next_line_keeps_the_whole_line() {
        let lines = lines_over_loopback(read_lines_safely).await.unwrap();
        assert_eq!(lines, ["hello, world", "second line"]);
    }
}
