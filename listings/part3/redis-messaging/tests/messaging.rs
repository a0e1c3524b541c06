// Publish/subscribe and a stream read by a consumer group, on a real server.

mod support;

use std::time::Duration;

use redis::AsyncTypedCommands as _;
use redis_messaging::{
    GROUP, STREAM, acknowledge, add_job, claim_stale, create_group, job,
    subscriber, take_new,
};

async fn connect(
    server: &support::Redis,
) -> (redis::Client, redis::aio::MultiplexedConnection) {
    let client = redis::Client::open(server.url()).unwrap();
    let conn = client.get_multiplexed_async_connection().await.unwrap();
    (client, conn)
}

#[tokio::test]
#[ignore = "needs redis-server (apt install redis-server)"]
async fn a_subscriber_gets_only_what_is_published_after_it_subscribed() {
    let server = support::Redis::start();
    let (client, mut conn) = connect(&server).await;
    assert_eq!(conn.publish("news", "early").await.unwrap(), 0);
    let inbox = subscriber(&client, "news", 2).await.unwrap();
    let second = subscriber(&client, "news", 1).await.unwrap();
    assert_eq!(conn.publish("news", "one").await.unwrap(), 2);
    // `second` stops listening after one message, but its connection
    // closes in the background: the server may still count it for "two".
    let heard = conn.publish("news", "two").await.unwrap();
    assert!((1..=2).contains(&heard), "{heard} heard \"two\"");
    assert_eq!(inbox.await.unwrap(), ["one", "two"]);
    assert_eq!(second.await.unwrap(), ["one"]);
}

#[tokio::test]
#[ignore = "needs redis-server (apt install redis-server)"]
async fn each_entry_goes_to_one_consumer_and_stays_pending_until_acked() {
    let server = support::Redis::start();
    let (_client, mut conn) = connect(&server).await;
    create_group(&mut conn).await.unwrap();
    for name in ["a", "b", "c"] {
        add_job(&mut conn, name).await.unwrap();
    }
    let alice = take_new(&mut conn, "alice", 2).await.unwrap();
    let bob = take_new(&mut conn, "bob", 10).await.unwrap();
    let names = |entries: &[redis::streams::StreamId]| -> Vec<String> {
        entries.iter().map(job).collect()
    };
    assert_eq!(names(&alice), ["a", "b"]);
    assert_eq!(names(&bob), ["c"]);
    // `>` never hands out an entry twice, acknowledged or not.
    assert!(take_new(&mut conn, "carol", 10).await.unwrap().is_empty());
    acknowledge(&mut conn, &alice[0]).await.unwrap();
    acknowledge(&mut conn, &bob[0]).await.unwrap();
    let pending = conn.xpending(STREAM, GROUP).await.unwrap();
    assert_eq!(pending.count(), 1);
}

#[tokio::test]
#[ignore = "needs redis-server (apt install redis-server)"]
async fn only_an_entry_idle_long_enough_is_claimed() {
    let server = support::Redis::start();
    let (_client, mut conn) = connect(&server).await;
    create_group(&mut conn).await.unwrap();
    add_job(&mut conn, "slow").await.unwrap();
    let taken = take_new(&mut conn, "alice", 1).await.unwrap();
    assert_eq!(taken.len(), 1);
    // Alice took it just now: a minute's idle time is not reached.
    let minute = Duration::from_secs(60);
    assert!(
        claim_stale(&mut conn, "bob", minute)
            .await
            .unwrap()
            .is_empty()
    );
    // Redis's own clock decides; wait for real.
    tokio::time::sleep(Duration::from_millis(150)).await;
    let claimed = claim_stale(&mut conn, "bob", Duration::from_millis(100))
        .await
        .unwrap();
    assert_eq!(claimed.iter().map(job).collect::<Vec<_>>(), ["slow"]);
    // Bob owns it now: Alice's late acknowledgement would still count, so
    // the entry is acknowledged once, by whoever finishes it.
    acknowledge(&mut conn, &claimed[0]).await.unwrap();
    assert_eq!(conn.xpending(STREAM, GROUP).await.unwrap().count(), 0);
}
