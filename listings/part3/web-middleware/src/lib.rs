//! Middleware: a request id, a log line per request, a time limit, and a
//! rate limit that holds across connections.
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::extract::{Request, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::{Next, from_fn_with_state};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{BoxError, Router};
use tokio::time::Instant;
use tower::ServiceBuilder;
use tower_http::request_id::{
    MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer,
};
use tower_http::timeout::TimeoutLayer;
use tower_http::trace::{DefaultOnResponse, TraceLayer};
use tracing::Level;

async fn hello() -> &'static str {
    "hello\n"
}

/// Takes longer than the time limit allows.
async fn slow() -> &'static str {
    tokio::time::sleep(Duration::from_secs(10)).await;
    "finally\n"
}

// ANCHOR: bucket
/// A token bucket: `capacity` requests at once, then one more each
/// `interval`. It only stores when it will be full again.
pub struct TokenBucket {
    capacity: u32,
    interval: Duration,
    full_at: Instant,
}

impl TokenBucket {
    pub fn new(capacity: u32, interval: Duration) -> Self {
        let full_at = Instant::now();
        TokenBucket {
            capacity,
            interval,
            full_at,
        }
    }

    /// Takes a token, or says how long until there is one.
    pub fn try_take(&mut self, now: Instant) -> Result<(), Duration> {
        let full_at = self.full_at.max(now) + self.interval;
        let most = self.interval * self.capacity;
        let wait = (full_at - now).saturating_sub(most);
        if !wait.is_zero() {
            return Err(wait);
        }
        self.full_at = full_at;
        Ok(())
    }
}
// ANCHOR_END: bucket

// ANCHOR: limit
/// Middleware: one bucket, shared by every connection through the `Arc`.
async fn rate_limit(
    State(bucket): State<Arc<Mutex<TokenBucket>>>,
    request: Request,
    next: Next,
) -> Response {
    // A short critical section with no .await in it: a std Mutex.
    let taken = bucket.lock().unwrap().try_take(Instant::now());
    match taken {
        Ok(()) => next.run(request).await,
        Err(wait) => {
            let seconds = wait.as_secs_f64().ceil().to_string();
            let retry_after = HeaderValue::from_str(&seconds).unwrap();
            let headers = [(header::RETRY_AFTER, retry_after)];
            (StatusCode::TOO_MANY_REQUESTS, headers, "slow down\n")
                .into_response()
        }
    }
}
// ANCHOR_END: limit

// ANCHOR: app
/// The service, with `capacity` requests at once and one more each
/// `interval`, and at most `time_limit` per request.
pub fn app(capacity: u32, interval: Duration, time_limit: Duration) -> Router {
    let bucket = Arc::new(Mutex::new(TokenBucket::new(capacity, interval)));
    // The first layer is the outermost: it sees the request first.
    let middleware = ServiceBuilder::new()
        .layer(SetRequestIdLayer::x_request_id(MakeRequestUuid))
        .layer(
            TraceLayer::new_for_http()
                .make_span_with(|request: &Request| {
                    let id = request.headers().get("x-request-id");
                    let id = id.and_then(|id| id.to_str().ok()).unwrap_or("");
                    let uri = request.uri();
                    tracing::info_span!("request", %id, %uri)
                })
                .on_response(DefaultOnResponse::new().level(Level::INFO)),
        )
        .layer(PropagateRequestIdLayer::x_request_id())
        .layer(TimeoutLayer::with_status_code(
            StatusCode::SERVICE_UNAVAILABLE,
            time_limit,
        ))
        .layer(from_fn_with_state(bucket, rate_limit));
    Router::new()
        .route("/", get(hello))
        .route("/slow", get(slow))
        .layer(middleware)
}
// ANCHOR_END: app

// ANCHOR: tower_limit
/// The mistake: tower's `RateLimitLayer`, made `Clone` by a `Buffer`
/// as axum requires, on a router without state.
pub fn app_with_tower_limit(requests: u64, per: Duration) -> Router {
    use axum::error_handling::HandleErrorLayer;
    use tower::buffer::BufferLayer;
    use tower::limit::RateLimitLayer;

    let overloaded = |error: BoxError| async move {
        (StatusCode::SERVICE_UNAVAILABLE, error.to_string())
    };
    Router::new().route("/", get(hello)).layer(
        ServiceBuilder::new()
            .layer(HandleErrorLayer::new(overloaded))
            .layer(BufferLayer::new(1024))
            .layer(RateLimitLayer::new(requests, per)),
    )
}
// ANCHOR_END: tower_limit
