// ANCHOR: all
use axum::{
    Router,
    extract::ws::{Message, WebSocket, WebSocketUpgrade},
    response::Response,
    routing::get,
};

fn app() -> Router {
    Router::new().route("/ws", get(upgrade))
}

// An ordinary handler: it answers the HTTP request that asks for the
// upgrade, and hands the socket to `echo`, which axum runs as a task.
async fn upgrade(ws: WebSocketUpgrade) -> Response {
    ws.on_upgrade(echo)
}

async fn echo(mut socket: WebSocket) {
    // `recv` gives None once the client has gone.
    while let Some(Ok(message)) = socket.recv().await {
        let reply = match message {
            Message::Text(text) => {
                Message::Text(format!("echo: {text}").into())
            }
            // Pings are answered by the library; a close ends the loop.
            _ => continue,
        };
        if socket.send(reply).await.is_err() {
            break;
        }
    }
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:3000").await?;
    println!("listening on ws://{}/ws", listener.local_addr()?);
    axum::serve(listener, app()).await?;
    Ok(())
}
// ANCHOR_END: all

#[cfg(test)]
mod tests {
    use super::*;
    use futures_util::{SinkExt, StreamExt};
    use tokio_tungstenite::{connect_async, tungstenite};

    #[tokio::test]
    async fn a_real_client_gets_its_text_back() {
        let listener =
            tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("ws://{}/ws", listener.local_addr().unwrap());
        tokio::spawn(async move { axum::serve(listener, app()).await });

        let (mut client, _) = connect_async(&url).await.unwrap();
        for word in ["hello", "again"] {
            client.send(tungstenite::Message::text(word)).await.unwrap();
            let reply = client.next().await.unwrap().unwrap();
            assert_eq!(reply.into_text().unwrap(), format!("echo: {word}"));
        }
        client.close(None).await.unwrap();
    }
}
