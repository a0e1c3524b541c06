use std::path::Path;

use anyhow::Context;
use tokio::net::TcpListener;

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let app = web_routes::app(Path::new("orders.journal"))
        .await
        .context("opening orders.journal")?;
    let listener = TcpListener::bind("127.0.0.1:3000")
        .await
        .context("binding 127.0.0.1:3000")?;
    println!("listening on http://{}", listener.local_addr()?);
    axum::serve(listener, app).await?;
    Ok(())
}
