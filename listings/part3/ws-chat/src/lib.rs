//! A chat room over WebSockets: every text a client sends goes to every
//! client. It answers bad input to the client that sent it, keeps slow
//! clients from holding up the others, and closes every socket on shutdown.

use std::time::Duration;

use axum::{
    Router,
    extract::{
        State,
        ws::{CloseFrame, Message, Utf8Bytes, WebSocket, WebSocketUpgrade},
    },
    response::Response,
    routing::get,
};
use tokio::net::TcpListener;
use tokio::sync::broadcast::{self, error::RecvError};
use tokio_util::{sync::CancellationToken, task::TaskTracker};

// ANCHOR: state
/// The largest message a client may send, in bytes.
pub const MAX_MESSAGE: usize = 64 * 1024;
/// How many messages the room keeps for a client that is behind.
pub const BACKLOG: usize = 16;

#[derive(Clone)]
pub struct Room {
    news: broadcast::Sender<Utf8Bytes>,
    shutdown: CancellationToken,
    sockets: TaskTracker,
}

pub fn app(room: Room) -> Router {
    Router::new().route("/chat", get(join)).with_state(room)
}

async fn join(State(room): State<Room>, ws: WebSocketUpgrade) -> Response {
    let sockets = room.sockets.clone();
    ws.max_message_size(MAX_MESSAGE)
        // The tracker counts this socket's task until it ends.
        .on_upgrade(move |socket| sockets.track_future(member(socket, room)))
}
// ANCHOR_END: state

// ANCHOR: member
async fn member(mut socket: WebSocket, room: Room) {
    let mut news = room.news.subscribe();
    loop {
        tokio::select! {
            () = room.shutdown.cancelled() => {
                close(&mut socket, 1001, "the server is shutting down").await;
                return;
            }
            incoming = socket.recv() => {
                if let Err(reason) = take(incoming, &mut socket, &room).await {
                    close(&mut socket, reason.0, reason.1).await;
                    return;
                }
            }
            heard = news.recv() => {
                let text = match heard {
                    Ok(text) => text,
                    // This client fell behind by more than BACKLOG messages:
                    // the oldest are gone. Say so, and carry on from there.
                    Err(RecvError::Lagged(missed)) => {
                        format!("server: you missed {missed} messages").into()
                    }
                    Err(RecvError::Closed) => return,
                };
                if socket.send(Message::Text(text)).await.is_err() {
                    return; // the client has gone
                }
            }
        }
    }
}
// ANCHOR_END: member

// ANCHOR: take
/// Why a socket is closed: a close code and a reason for the client.
struct Closing(u16, &'static str);

async fn take(
    incoming: Option<Result<Message, axum::Error>>,
    socket: &mut WebSocket,
    room: &Room,
) -> Result<(), Closing> {
    match incoming {
        Some(Ok(Message::Text(text))) => {
            // An error here only means that nobody is listening.
            let _ = room.news.send(text);
        }
        Some(Ok(Message::Binary(_))) => {
            let error = "error: this chat takes text messages only";
            if socket.send(Message::Text(error.into())).await.is_err() {
                return Err(Closing(1001, "gone"));
            }
        }
        // Pings are answered by axum; the client's Close ends `recv`.
        Some(Ok(_)) => {}
        Some(Err(error)) if too_long(&error) => {
            return Err(Closing(1009, "message too big: 64 KiB at most"));
        }
        Some(Err(_)) | None => return Err(Closing(1001, "gone")),
    }
    Ok(())
}

fn too_long(error: &axum::Error) -> bool {
    // axum's error wraps tungstenite's, which it gives as its source.
    let inner = std::error::Error::source(error);
    matches!(
        inner.and_then(|e| e.downcast_ref::<tungstenite::Error>()),
        Some(tungstenite::Error::Capacity(_))
    )
}
// ANCHOR_END: take

// ANCHOR: close
/// Sends a Close frame, then waits a little for the client's answering
/// Close, which ends the socket cleanly.
async fn close(socket: &mut WebSocket, code: u16, reason: &'static str) {
    let frame = CloseFrame {
        code,
        reason: reason.into(),
    };
    if socket.send(Message::Close(Some(frame))).await.is_err() {
        return; // already closed
    }
    let answered = async { while let Some(Ok(_)) = socket.recv().await {} };
    let _ = tokio::time::timeout(Duration::from_secs(1), answered).await;
}
// ANCHOR_END: close

// ANCHOR: run
/// Serves the chat until `shutdown` is cancelled, then closes every socket
/// and returns once their tasks have ended.
pub async fn run(
    listener: TcpListener,
    shutdown: CancellationToken,
) -> anyhow::Result<()> {
    let (news, _) = broadcast::channel(BACKLOG);
    let sockets = TaskTracker::new();
    let room = Room {
        news,
        shutdown: shutdown.clone(),
        sockets: sockets.clone(),
    };
    axum::serve(listener, app(room))
        .with_graceful_shutdown(shutdown.cancelled_owned())
        .await?;
    // Here axum is done with HTTP, yet WebSockets may still be open: their
    // tasks saw the same token and are sending their Close frames.
    sockets.close();
    sockets.wait().await;
    Ok(())
}
// ANCHOR_END: run

#[cfg(test)]
mod tests {
    use super::*;
    use futures_util::{SinkExt, StreamExt};
    use tokio::net::TcpStream;
    use tokio_tungstenite::{
        MaybeTlsStream, WebSocketStream, connect_async,
        tungstenite::Message as Ws,
    };

    type Client = WebSocketStream<MaybeTlsStream<TcpStream>>;

    /// A guard against a hang, not a measurement.
    const PATIENCE: Duration = Duration::from_secs(20);

    async fn start() -> (
        String,
        CancellationToken,
        tokio::task::JoinHandle<anyhow::Result<()>>,
    ) {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("ws://{}/chat", listener.local_addr().unwrap());
        let shutdown = CancellationToken::new();
        let server = tokio::spawn(run(listener, shutdown.clone()));
        (url, shutdown, server)
    }

    async fn connect(url: &str) -> Client {
        connect_async(url).await.unwrap().0
    }

    /// The next message that is not a ping or pong.
    async fn next(client: &mut Client) -> Ws {
        loop {
            let message = tokio::time::timeout(PATIENCE, client.next())
                .await
                .expect("no message in time")
                .expect("the socket ended")
                .expect("a WebSocket error");
            if !matches!(message, Ws::Ping(_) | Ws::Pong(_)) {
                return message;
            }
        }
    }

    async fn next_text(client: &mut Client) -> String {
        match next(client).await {
            Ws::Text(text) => text.to_string(),
            other => panic!("expected text, got {other:?}"),
        }
    }

    async fn next_close(client: &mut Client) -> (u16, String) {
        match next(client).await {
            Ws::Close(Some(frame)) => {
                (u16::from(frame.code), frame.reason.to_string())
            }
            other => panic!("expected a Close frame, got {other:?}"),
        }
    }

    /// Reads, and answers a Close, until the server ends the connection.
    async fn to_the_end(client: &mut Client) {
        let reading = async { while let Some(Ok(_)) = client.next().await {} };
        tokio::time::timeout(PATIENCE, reading)
            .await
            .expect("the server did not end the connection");
    }

    /// Waits until the server has subscribed this client to the room, by a
    /// message that comes back.
    async fn joined(client: &mut Client, name: &str) {
        client
            .send(Ws::text(format!("{name} joined")))
            .await
            .unwrap();
        while next_text(client).await != format!("{name} joined") {}
    }

    #[tokio::test]
    async fn every_client_hears_every_message() {
        let (url, _shutdown, _server) = start().await;
        let mut ada = connect(&url).await;
        joined(&mut ada, "ada").await;
        let mut bo = connect(&url).await;
        joined(&mut bo, "bo").await;
        assert_eq!(next_text(&mut ada).await, "bo joined");

        ada.send(Ws::text("hello, all")).await.unwrap();
        assert_eq!(next_text(&mut ada).await, "hello, all");
        assert_eq!(next_text(&mut bo).await, "hello, all");
    }

    #[tokio::test]
    async fn a_slow_client_is_told_what_it_missed_and_others_carry_on() {
        let (url, _shutdown, _server) = start().await;
        let mut slow = connect(&url).await;
        joined(&mut slow, "slow").await;
        let mut fast = connect(&url).await;
        joined(&mut fast, "fast").await;

        // `slow` reads nothing while `fast` sends 10 MB, more than the
        // socket buffers between the server and `slow` hold: the server's
        // task for `slow` waits on its send, and falls behind the room.
        const SENT: usize = 640;
        let padding = "x".repeat(16 * 1024);
        for i in 0..SENT {
            fast.send(Ws::text(format!("{i} {padding}"))).await.unwrap();
            // The fast client hears each message, in order, none missed.
            let heard = next_text(&mut fast).await;
            assert_eq!(heard.split(' ').next(), Some(i.to_string().as_str()));
        }

        let mut missed = 0;
        let mut last = String::new();
        while !last.starts_with(&format!("{} ", SENT - 1)) {
            last = next_text(&mut slow).await;
            if let Some(notice) = last.strip_prefix("server: you missed ") {
                missed +=
                    notice.split(' ').next().unwrap().parse::<usize>().unwrap();
            }
        }
        assert!(missed > 0, "the slow client never lagged");
        assert!(missed < SENT, "it still got the newest messages");
    }

    #[tokio::test]
    async fn a_binary_frame_gets_an_error_and_the_chat_goes_on() {
        let (url, _shutdown, _server) = start().await;
        let mut ada = connect(&url).await;
        joined(&mut ada, "ada").await;
        let mut bo = connect(&url).await;
        joined(&mut bo, "bo").await;
        assert_eq!(next_text(&mut ada).await, "bo joined");

        ada.send(Ws::binary(vec![0xde, 0xad])).await.unwrap();
        assert_eq!(
            next_text(&mut ada).await,
            "error: this chat takes text messages only"
        );
        ada.send(Ws::text("sorry, text now")).await.unwrap();
        assert_eq!(next_text(&mut ada).await, "sorry, text now");
        assert_eq!(next_text(&mut bo).await, "sorry, text now");
    }

    #[tokio::test]
    async fn an_oversized_message_closes_that_socket_only() {
        let (url, _shutdown, _server) = start().await;
        let mut big = connect(&url).await;
        joined(&mut big, "big").await;
        let mut bo = connect(&url).await;
        joined(&mut bo, "bo").await;
        assert_eq!(next_text(&mut big).await, "bo joined");

        big.send(Ws::text("x".repeat(MAX_MESSAGE + 1)))
            .await
            .unwrap();
        assert_eq!(
            next_close(&mut big).await,
            (1009, "message too big: 64 KiB at most".to_string())
        );
        // A message of exactly the limit is fine, and the room goes on.
        bo.send(Ws::text("y".repeat(MAX_MESSAGE))).await.unwrap();
        assert_eq!(next_text(&mut bo).await.len(), MAX_MESSAGE);
    }

    #[tokio::test]
    async fn shutdown_closes_every_socket_with_a_close_frame() {
        let (url, shutdown, server) = start().await;
        let mut ada = connect(&url).await;
        joined(&mut ada, "ada").await;
        let mut bo = connect(&url).await;
        joined(&mut bo, "bo").await;
        assert_eq!(next_text(&mut ada).await, "bo joined");

        shutdown.cancel();
        let going_away = (1001, "the server is shutting down".to_string());
        assert_eq!(next_close(&mut ada).await, going_away);
        assert_eq!(next_close(&mut bo).await, going_away);
        // Reading on sends each client's answer to the Close (unanswered, the
        // server would wait its second); then the server ends both sockets.
        tokio::join!(to_the_end(&mut ada), to_the_end(&mut bo));
        // The server returns once both sockets' tasks have ended.
        tokio::time::timeout(PATIENCE, server)
            .await
            .expect("run did not return")
            .unwrap()
            .unwrap();
        assert!(ada.next().await.is_none(), "the socket has ended");
    }
}
