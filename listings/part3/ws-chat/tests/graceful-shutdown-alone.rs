//! What `with_graceful_shutdown` alone does to an open WebSocket: `serve`
//! returns, and the socket goes on working, no longer watched by anyone.

use std::time::Duration;

use axum::{Router, extract::ws::WebSocketUpgrade, routing::get};
use futures_util::{SinkExt, StreamExt};
use tokio_tungstenite::{connect_async, tungstenite::Message};
use tokio_util::sync::CancellationToken;

// ANCHOR: mistake
#[tokio::test]
async fn serve_returns_while_the_websocket_is_still_open() {
    let app = Router::new().route(
        "/echo",
        get(|ws: WebSocketUpgrade| async {
            ws.on_upgrade(|mut socket| async move {
                while let Some(Ok(message)) = socket.recv().await {
                    let _ = socket.send(message).await;
                }
            })
        }),
    );
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
