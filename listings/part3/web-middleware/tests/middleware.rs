//! The middleware on a real loopback port, and on tokio's paused clock
//! where time matters.
use std::time::Duration;

use axum::Router;
use axum::body::Body;
use axum::extract::State;
use axum::http::{Request, StatusCode};
use tokio::time::Instant;
use tower::ServiceExt as _;
use web_middleware::{TokenBucket, app, app_with_tower_limit};

async fn serve(app: Router) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await });
    base
}

/// Sends `count` requests, each from a new client on its own connection,
/// and returns the statuses.
async fn from_many_clients(base: &str, count: usize) -> Vec<u16> {
    let mut statuses = Vec::new();
    for _ in 0..count {
        let response = reqwest::Client::new().get(base).send().await.unwrap();
        statuses.push(response.status().as_u16());
    }
    statuses
}

#[tokio::test(start_paused = true)]
async fn the_bucket_gives_its_capacity_then_one_per_interval() {
    let second = Duration::from_secs(1);
    let mut bucket = TokenBucket::new(3, second);
    let start = Instant::now();
    for _ in 0..3 {
        assert_eq!(bucket.try_take(start), Ok(()));
    }
    assert_eq!(bucket.try_take(start), Err(second));
    let later = start + Duration::from_millis(400);
    assert_eq!(bucket.try_take(later), Err(Duration::from_millis(600)));
    assert_eq!(bucket.try_take(start + second), Ok(()));
    assert_eq!(bucket.try_take(start + second), Err(second));
    // After a long pause it holds its capacity again, not more.
    let much_later = start + Duration::from_secs(60);
    for _ in 0..3 {
        assert_eq!(bucket.try_take(much_later), Ok(()));
    }
    assert_eq!(bucket.try_take(much_later), Err(second));
}

#[tokio::test]
async fn the_shared_bucket_limits_across_connections() {
    let base =
        serve(app(5, Duration::from_secs(60), Duration::from_secs(5))).await;
    let statuses = from_many_clients(&base, 10).await;
    assert_eq!(statuses, [200, 200, 200, 200, 200, 429, 429, 429, 429, 429]);

    let refused = reqwest::get(&base).await.unwrap();
    assert_eq!(refused.status(), StatusCode::TOO_MANY_REQUESTS);
    let retry_after = refused.headers()["retry-after"].to_str().unwrap();
    let retry_after: u64 = retry_after.parse().unwrap();
    assert!((1..=60).contains(&retry_after), "{retry_after}");
    assert_eq!(refused.text().await.unwrap(), "slow down\n");
}

#[tokio::test]
async fn towers_rate_limit_does_not_limit_across_connections() {
    let base = serve(app_with_tower_limit(5, Duration::from_secs(60))).await;
    // Ten requests at a limit of five a minute: all ten get through.
    let statuses = from_many_clients(&base, 10).await;
    assert_eq!(statuses, [200; 10]);
}

#[tokio::test]
async fn towers_rate_limit_delays_the_sixth_request_on_one_connection() {
    let base = serve(app_with_tower_limit(5, Duration::from_secs(60))).await;
    let client = reqwest::Client::new();
    for _ in 0..5 {
        let response = client.get(&base).send().await.unwrap();
        assert_eq!(response.status(), StatusCode::OK);
    }
    // No 429: the sixth waits in the buffer for the minute to pass.
    let sixth = client.get(&base).send();
    let waited = tokio::time::timeout(Duration::from_millis(500), sixth);
    assert!(waited.await.is_err(), "the sixth request was answered");
    // Meanwhile a new connection gets its own, fresh limit.
    assert_eq!(from_many_clients(&base, 1).await, [200]);
}

#[tokio::test(start_paused = true)]
async fn a_slow_handler_is_cut_off_at_the_time_limit() {
    let app = app(5, Duration::from_secs(1), Duration::from_secs(2));
    let start = Instant::now();
    let request = Request::get("/slow").body(Body::empty()).unwrap();
    let response = app.oneshot(request).await.unwrap();
    assert_eq!(response.status(), StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(start.elapsed(), Duration::from_secs(2));
}

#[tokio::test]
async fn each_response_carries_a_request_id_and_keeps_the_clients() {
    let base =
        serve(app(5, Duration::from_secs(1), Duration::from_secs(5))).await;
    let client = reqwest::Client::new();
    let first = client.get(&base).send().await.unwrap();
    let first_id = first.headers()["x-request-id"].to_str().unwrap().to_owned();
    let second = client.get(&base).send().await.unwrap();
    let second_id = second.headers()["x-request-id"].to_str().unwrap();
    // A UUID, such as 67e55044-10b1-426f-9247-bb680e5fe0c8, new each time.
    assert_eq!(first_id.len(), 36);
    assert_eq!(first_id.matches('-').count(), 4);
    assert_ne!(first_id, second_id);

    let sent = "order-42";
    let response = client
        .get(&base)
        .header("x-request-id", sent)
        .send()
        .await
        .unwrap();
    assert_eq!(response.headers()["x-request-id"], sent);
}

#[tokio::test]
async fn on_a_router_with_state_the_buffer_is_shared_and_requests_wait() {
    use axum::error_handling::HandleErrorLayer;
    use axum::routing::get;
    use tower::ServiceBuilder;
    use tower::buffer::BufferLayer;
    use tower::limit::RateLimitLayer;

    let overloaded = |error: axum::BoxError| async move {
        (StatusCode::SERVICE_UNAVAILABLE, error.to_string())
    };
    // `with_state` turns the handlers, layer included, into services once.
    let app: Router = Router::new()
        .route(
            "/",
            get(|State(name): State<&'static str>| async move { name }),
        )
        .layer(
            ServiceBuilder::new()
                .layer(HandleErrorLayer::new(overloaded))
                .layer(BufferLayer::new(1024))
                .layer(RateLimitLayer::new(5, Duration::from_secs(60))),
        )
        .with_state("hello");
    let base = serve(app).await;
    let mut answered = 0;
    for _ in 0..10 {
        let request = reqwest::Client::new().get(&base).send();
        let waited = tokio::time::timeout(Duration::from_millis(200), request);
        if let Ok(response) = waited.await {
            assert_eq!(response.unwrap().status(), StatusCode::OK);
            answered += 1;
        }
    }
    // Five answered; the others waited, and none was refused.
    assert_eq!(answered, 5);
}
