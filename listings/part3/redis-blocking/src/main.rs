use anyhow::Context as _;
use redis::AsyncTypedCommands as _;
use redis_blocking::worker_and_request;

// ANCHOR: main
#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let url = std::env::var("REDIS_URL")
        .unwrap_or_else(|_| "redis://127.0.0.1/".to_string());
    let client = redis::Client::open(url.as_str())?;
    let mut shared = client
        .get_multiplexed_async_connection()
        .await
        .with_context(|| format!("cannot connect to Redis at {url}"))?;
    shared.set("book:greeting", "hello").await?;

    println!("worker and request share one connection:");
    worker_and_request(shared.clone(), shared.clone()).await?;

    println!("the worker has a connection of its own:");
    let worker = client.get_multiplexed_async_connection().await?;
    worker_and_request(worker, shared.clone()).await?;
    Ok(())
}
// ANCHOR_END: main
