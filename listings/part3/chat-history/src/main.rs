use tokio_util::sync::CancellationToken;

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:3000").await?;
    println!("chat on ws://{}/chat", listener.local_addr()?);
    let shutdown = CancellationToken::new();
    let on_ctrl_c = shutdown.clone();
    tokio::spawn(async move {
        if tokio::signal::ctrl_c().await.is_ok() {
            println!("shutting down: closing every socket");
        }
        on_ctrl_c.cancel();
    });
    chat_history::run(listener, "chat.db".into(), shutdown).await?;
    println!("every socket is closed");
    Ok(())
}
