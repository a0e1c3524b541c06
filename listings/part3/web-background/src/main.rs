use std::time::Duration;

use anyhow::Context;
use reqwest::Url;
use tokio::net::TcpListener;

/// `web-background [NOTIFY_URL]`: serves on 127.0.0.1:3000 and sends each
/// order's notification to NOTIFY_URL.
#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let notify_url = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "http://127.0.0.1:4000/notify".into());
    let notify_url = Url::parse(&notify_url)
        .with_context(|| format!("{notify_url:?} is not a URL"))?;
    let listener = TcpListener::bind("127.0.0.1:3000")
        .await
        .context("binding 127.0.0.1:3000")?;
    println!("listening on http://{}", listener.local_addr()?);
    let ctrl_c = async {
        // If Ctrl-C cannot be listened to, stop at once rather than never.
        let _ = tokio::signal::ctrl_c().await;
        println!("Ctrl-C: finishing requests and background tasks");
    };
    web_background::serve(
        listener,
        notify_url,
        ctrl_c,
        Duration::from_secs(10),
    )
    .await?;
    println!("goodbye");
    Ok(())
}
