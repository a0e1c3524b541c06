use std::time::Duration;

use anyhow::Context;
use tokio::net::TcpListener;

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    // Log lines at INFO and above to standard output.
    tracing_subscriber::fmt()
        .with_max_level(tracing::Level::INFO)
        .init();
    // 5 requests at once, then one each 2 s; 3 s at most per request.
    let app =
        web_middleware::app(5, Duration::from_secs(2), Duration::from_secs(3));
    let listener = TcpListener::bind("127.0.0.1:3000")
        .await
        .context("binding 127.0.0.1:3000")?;
    println!("listening on http://{}", listener.local_addr()?);
    axum::serve(listener, app).await?;
    Ok(())
}
