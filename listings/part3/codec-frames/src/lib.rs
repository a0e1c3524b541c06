//! Length-delimited frames: each message is a 4-byte big-endian length,
//! then that many bytes. Binary data is fine; the length is capped.

use bytes::Bytes;
use futures::{SinkExt, StreamExt};
use tokio::net::{TcpListener, TcpStream};
use tokio_util::codec::{Framed, LengthDelimitedCodec};

/// The largest frame either side accepts, in bytes.
pub const MAX_FRAME: usize = 1024;

// ANCHOR: codec
/// The same framing on both sides, so it lives in one function.
pub fn framed(socket: TcpStream) -> Framed<TcpStream, LengthDelimitedCodec> {
    LengthDelimitedCodec::builder()
        .max_frame_length(MAX_FRAME)
        .new_framed(socket)
}

/// Answers each frame with its bytes reversed. A frame over the limit
/// gets an error frame, and the connection is closed: after a bad length
/// there is no way to find where the next frame starts.
async fn connection(socket: TcpStream) {
    let mut frames = framed(socket);
    while let Some(frame) = frames.next().await {
        let reply = match frame {
            Ok(frame) => frame.iter().rev().copied().collect::<Vec<u8>>(),
            Err(error) => {
                let message = format!("error: {error}");
                let _ = frames.send(Bytes::from(message)).await;
                return;
            }
        };
        if frames.send(Bytes::from(reply)).await.is_err() {
            return;
        }
    }
}
// ANCHOR_END: codec

/// Accepts connections forever, each on a task of its own.
pub async fn serve(listener: TcpListener) {
    loop {
        match listener.accept().await {
            Ok((socket, _)) => drop(tokio::spawn(connection(socket))),
            Err(error) => eprintln!("accept failed: {error}"),
        }
    }
}

#[cfg(test)]
mod tests {
    use tokio::io::AsyncWriteExt;

    use super::*;

    async fn start() -> std::net::SocketAddr {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        tokio::spawn(serve(listener));
        addr
    }

    async fn client(
        addr: std::net::SocketAddr,
    ) -> Framed<TcpStream, LengthDelimitedCodec> {
        framed(TcpStream::connect(addr).await.unwrap())
    }

    // ANCHOR: tests
    #[tokio::test]
    async fn frames_keep_their_bounds_even_with_newlines_and_zeros() {
        let mut frames = client(start().await).await;
        frames.send(Bytes::from_static(b"a\nb\0c")).await.unwrap();
        frames.send(Bytes::from_static(b"xyz")).await.unwrap();
        assert_eq!(&frames.next().await.unwrap().unwrap()[..], b"c\0b\na");
        assert_eq!(&frames.next().await.unwrap().unwrap()[..], b"zyx");
    }

    #[tokio::test]
    async fn a_frame_over_the_limit_is_refused_and_others_are_served() {
        let addr = start().await;
        let mut good = client(addr).await;
        let mut bad = TcpStream::connect(addr).await.unwrap();
        // A header that announces a 1 MiB frame, written by hand.
        bad.write_all(&(1024 * 1024u32).to_be_bytes())
            .await
            .unwrap();
        let mut bad = framed(bad);
        let error = bad.next().await.unwrap().unwrap();
        assert_eq!(&error[..], b"error: frame size too big");
        assert!(bad.next().await.is_none()); // closed

        good.send(Bytes::from_static(b"ok")).await.unwrap();
        assert_eq!(&good.next().await.unwrap().unwrap()[..], b"ko");
    }
    // ANCHOR_END: tests

    #[tokio::test]
    async fn the_sender_refuses_a_frame_over_the_limit_too() {
        let mut frames = client(start().await).await;
        let too_big = Bytes::from(vec![0; MAX_FRAME + 1]);
        let error = frames.send(too_big).await.unwrap_err();
        assert_eq!(error.kind(), std::io::ErrorKind::InvalidInput);
    }
}
