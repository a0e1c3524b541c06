use std::time::Duration;

use anyhow::Context as _;
use redis::AsyncTypedCommands as _;
use redis_messaging::{
    GROUP, STREAM, acknowledge, add_job, claim_stale, create_group, job,
    subscriber, take_new,
};

// ANCHOR: connect
#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let url = std::env::var("REDIS_URL")
        .unwrap_or_else(|_| "redis://127.0.0.1/".to_string());
    let client = redis::Client::open(url.as_str())?;
    let mut conn = client
        .get_multiplexed_async_connection()
        .await
        .with_context(|| format!("cannot connect to Redis at {url}"))?;
    // ANCHOR_END: connect

    // ANCHOR: pubsub
    let heard = conn.publish("book:news", "lost").await?;
    println!("published before anyone listened: {heard} heard it");
    let inbox = subscriber(&client, "book:news", 2).await?;
    for news in ["kettle on", "tea ready"] {
        let heard = conn.publish("book:news", news).await?;
        println!("published {news:?}: {heard} heard it");
    }
    println!("the subscriber got {:?}", inbox.await?);
    // ANCHOR_END: pubsub

    // ANCHOR: streams
    create_group(&mut conn).await?;
    for name in ["resize photo", "send invoice", "index page"] {
        add_job(&mut conn, name).await?;
    }
    let alice = take_new(&mut conn, "alice", 2).await?;
    println!("alice took {:?}", alice.iter().map(job).collect::<Vec<_>>());
    acknowledge(&mut conn, &alice[0]).await?;
    println!("alice finished {:?}, then crashed", job(&alice[0]));

    let bob = take_new(&mut conn, "bob", 10).await?;
    println!("bob took {:?}", bob.iter().map(job).collect::<Vec<_>>());
    acknowledge(&mut conn, &bob[0]).await?;

    // Only entries idle for 100 ms are taken over (in a real service:
    // longer than any job takes).
    let pending = conn.xpending(STREAM, GROUP).await?;
    println!("pending, never acknowledged: {}", pending.count());
    tokio::time::sleep(Duration::from_millis(200)).await;
    let stale = Duration::from_millis(100);
    for entry in claim_stale(&mut conn, "bob", stale).await? {
        println!("bob claimed {:?}", job(&entry));
        acknowledge(&mut conn, &entry).await?;
    }
    let pending = conn.xpending(STREAM, GROUP).await?;
    println!("pending: {}", pending.count());
    // ANCHOR_END: streams
    Ok(())
}
