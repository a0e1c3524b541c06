use std::time::Duration;

use futures_util::StreamExt as _;
use redis::AsyncTypedCommands as _;
use redis::aio::MultiplexedConnection;
use redis::streams::{StreamAutoClaimOptions, StreamId, StreamReadOptions};

// ANCHOR: subscribe
/// Subscribes to `channel` and hands back a task that collects the first
/// `count` messages published there.
pub async fn subscriber(
    client: &redis::Client,
    channel: &str,
    count: usize,
) -> anyhow::Result<tokio::task::JoinHandle<Vec<String>>> {
    let mut pubsub = client.get_async_pubsub().await?;
    // Returns once the server has confirmed the subscription.
    pubsub.subscribe(channel).await?;
    let messages = pubsub.into_on_message().take(count);
    Ok(tokio::spawn(
        messages
            .map(|msg| {
                msg.get_payload::<String>()
                    .unwrap_or_else(|e| format!("not text: {e}"))
            })
            .collect(),
    ))
}
// ANCHOR_END: subscribe

// ANCHOR: group
pub const STREAM: &str = "book:jobs";
pub const GROUP: &str = "workers";

/// A new stream with a consumer group that starts at its beginning.
pub async fn create_group(
    conn: &mut MultiplexedConnection,
) -> anyhow::Result<()> {
    conn.del(STREAM).await?;
    conn.xgroup_create_mkstream(STREAM, GROUP, "0").await?;
    Ok(())
}

pub async fn add_job(
    conn: &mut MultiplexedConnection,
    job: &str,
) -> anyhow::Result<()> {
    conn.xadd(STREAM, "*", &[("job", job)]).await?;
    Ok(())
}

// ANCHOR_END: group

// ANCHOR: take
/// Up to `count` entries no one in the group has been given yet. They stay
/// pending (owned by `consumer`) until it acknowledges them.
pub async fn take_new(
    conn: &mut MultiplexedConnection,
    consumer: &str,
    count: usize,
) -> anyhow::Result<Vec<StreamId>> {
    let options = StreamReadOptions::default()
        .group(GROUP, consumer)
        .count(count);
    let reply = conn.xread_options(&[STREAM], &[">"], &options).await?;
    let entries = reply.into_iter().flat_map(|reply| reply.keys);
    Ok(entries.flat_map(|key| key.ids).collect())
}

pub async fn acknowledge(
    conn: &mut MultiplexedConnection,
    entry: &StreamId,
) -> anyhow::Result<()> {
    conn.xack(STREAM, GROUP, &[&entry.id]).await?;
    Ok(())
}
// ANCHOR_END: take

// ANCHOR: claim
/// Takes over the entries that were delivered to some consumer at least
/// `min_idle` ago and never acknowledged.
pub async fn claim_stale(
    conn: &mut MultiplexedConnection,
    consumer: &str,
    min_idle: Duration,
) -> anyhow::Result<Vec<StreamId>> {
    let idle_ms = min_idle.as_millis() as u64;
    let options = StreamAutoClaimOptions::default().count(10);
    let reply = conn
        .xautoclaim_options(STREAM, GROUP, consumer, idle_ms, "0", options)
        .await?;
    Ok(reply.claimed)
}
// ANCHOR_END: claim

/// The `job` field of an entry.
pub fn job(entry: &StreamId) -> String {
    entry.get("job").unwrap_or_default()
}
