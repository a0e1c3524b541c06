// A blocking command holds up every other command on its connection.

mod support;

use redis_blocking::worker_and_request;

#[tokio::test]
#[ignore = "needs redis-server (apt install redis-server)"]
async fn on_a_shared_connection_the_get_waits_for_the_blpop() {
    let server = support::Redis::start();
    let client = redis::Client::open(server.url()).unwrap();
    let shared = client.get_multiplexed_async_connection().await.unwrap();
    let order = worker_and_request(shared.clone(), shared).await.unwrap();
    assert_eq!(order, ["BLPOP", "GET"]);
}

#[tokio::test]
#[ignore = "needs redis-server (apt install redis-server)"]
async fn on_its_own_connection_the_blpop_holds_up_no_one() {
    let server = support::Redis::start();
    let client = redis::Client::open(server.url()).unwrap();
    let shared = client.get_multiplexed_async_connection().await.unwrap();
    let worker = client.get_multiplexed_async_connection().await.unwrap();
    let order = worker_and_request(worker, shared).await.unwrap();
    assert_eq!(order, ["GET", "BLPOP"]);
}

// ANCHOR: timeout
// The connection gives up on any reply after half a second by default
// (redis's DEFAULT_RESPONSE_TIMEOUT): a longer BLPOP fails on the client,
// though the server still holds the connection for the whole wait.
#[tokio::test]
#[ignore = "needs redis-server (apt install redis-server)"]
async fn a_blpop_longer_than_the_response_timeout_fails() {
    use redis::AsyncTypedCommands as _;
    let server = support::Redis::start();
    let client = redis::Client::open(server.url()).unwrap();
    let mut shared = client.get_multiplexed_async_connection().await.unwrap();
    let error = shared.blpop("book:queue", 2.0).await.unwrap_err();
    assert!(error.is_timeout(), "{error:?}");
    // The GET queues behind the BLPOP the server is still holding.
    let error = shared.get("book:greeting").await.unwrap_err();
    assert!(error.is_timeout(), "{error:?}");
}
// ANCHOR_END: timeout
