//! What `with_graceful_shutdown` alone does to an open WebSocket: `serve`
//! returns, and the socket goes on working, no longer watched by anyone.

use std::time::Duration;

use axum::{Router, extract::ws::WebSocketUpgrade, routing::get};
use futures_util::{SinkExt, StreamExt};
use tokio_tungstenite::tungstenite::{self, error::ProtocolError};
use tokio_tungstenite::{connect_async, tungstenite::Message};
use tokio_util::sync::CancellationToken;

fn echo_app() -> Router {
    Router::new().route(
        "/echo",
        get(|ws: WebSocketUpgrade| async {
            ws.on_upgrade(|mut socket| async move {
                while let Some(Ok(message)) = socket.recv().await {
                    let _ = socket.send(message).await;
                }
            })
        }),
    )
}

// ANCHOR: mistake
#[tokio::test]
async fn serve_returns_while_the_websocket_is_still_open() {
    let app = echo_app(); // answers every message with the same message
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("ws://{}/echo", listener.local_addr().unwrap());
    let shutdown = CancellationToken::new();
    let server = tokio::spawn(
        axum::serve(listener, app)
            .with_graceful_shutdown(shutdown.clone().cancelled_owned())
            .into_future(),
    );
    let (mut client, _) = connect_async(&url).await.unwrap();

    shutdown.cancel();
    // serve returns at once: it waits for HTTP connections, and an
    // upgraded one is no longer one of them.
    let served = tokio::time::timeout(Duration::from_secs(20), server).await;
    assert!(served.is_ok(), "serve waited for the WebSocket");

    // Yet the socket's task still runs, and answers.
    client.send(Message::text("still here?")).await.unwrap();
    let reply = client.next().await.unwrap().unwrap();
    assert_eq!(reply.into_text().unwrap(), "still here?");
}
// ANCHOR_END: mistake

// ANCHOR: exit
/// When `main` returns after `serve`, the runtime drops the socket's task
/// mid-way: the client sees the connection end with no Close frame.
#[test]
fn the_client_sees_a_reset_when_the_server_exits() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    listener.set_nonblocking(true).unwrap();
    let url = format!("ws://{}/echo", listener.local_addr().unwrap());
    let shutdown = CancellationToken::new();
    let signal = shutdown.clone().cancelled_owned();
    // The server, with a runtime of its own, as a program's `main` has.
    let server = std::thread::spawn(move || {
        let runtime = tokio::runtime::Runtime::new().unwrap();
        runtime.block_on(async {
            let listener = tokio::net::TcpListener::from_std(listener)?;
            axum::serve(listener, echo_app())
                .with_graceful_shutdown(signal)
                .await
        })
        // `runtime` is dropped here, and every task still in it.
    });
    let client = tokio::runtime::Runtime::new().unwrap();
    let (mut socket, _) = client.block_on(connect_async(&url)).unwrap();

    shutdown.cancel();
    server.join().unwrap().unwrap();
    let last = client.block_on(socket.next()).unwrap();
    assert!(matches!(
        last,
        Err(tungstenite::Error::Protocol(
            ProtocolError::ResetWithoutClosingHandshake
        ))
    ));
}
// ANCHOR_END: exit
