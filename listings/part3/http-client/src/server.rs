//! The server the examples talk to: a small axum app on a free loopback
//! port, inside the same program. It counts what a test wants to know.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering::SeqCst};
use std::time::Duration;

use axum::body::{Body, Bytes};
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::serve::ListenerExt;
use axum::{Json, Router};
use serde::{Deserialize, Serialize};

/// What the server has seen.
#[derive(Default)]
pub struct Stats {
    /// TCP connections accepted.
    pub connections: AtomicUsize,
    /// Requests being answered right now, and the most there ever were.
    pub in_flight: AtomicUsize,
    pub most_at_once: AtomicUsize,
}

pub struct TestServer {
    /// `http://127.0.0.1:<port>`
    pub base: String,
    pub stats: Arc<Stats>,
}

#[derive(Serialize)]
struct UserJson {
    id: u32,
    name: String,
}

#[derive(Deserialize)]
struct Delay {
    delay_ms: Option<u64>,
}

/// Counts a request as in flight until it is dropped.
struct InFlight(Arc<Stats>);

impl InFlight {
    fn new(stats: &Arc<Stats>) -> Self {
        let now = stats.in_flight.fetch_add(1, SeqCst) + 1;
        stats.most_at_once.fetch_max(now, SeqCst);
        InFlight(stats.clone())
    }
}

impl Drop for InFlight {
    fn drop(&mut self) {
        self.0.in_flight.fetch_sub(1, SeqCst);
    }
}

/// `/users/{id}`: users 1 to 100 exist; `?delay_ms=` makes it slow.
async fn user(
    State(stats): State<Arc<Stats>>,
    Path(id): Path<u32>,
    Query(delay): Query<Delay>,
) -> Response {
    let _counted = InFlight::new(&stats);
    let ms = delay.delay_ms.unwrap_or(0);
    tokio::time::sleep(Duration::from_millis(ms)).await;
    if !(1..=100).contains(&id) {
        return (StatusCode::NOT_FOUND, "no such user").into_response();
    }
    let name = format!("user{id}");
    Json(UserJson { id, name }).into_response()
}

/// `/big/{mib}`: that many MiB, sent 64 KiB at a time.
async fn big(Path(mib): Path<usize>) -> Body {
    let chunk = Bytes::from(vec![b'x'; 64 * 1024]);
    let chunks =
        (0..mib * 16).map(move |_| Ok::<_, std::io::Error>(chunk.clone()));
    Body::from_stream(futures::stream::iter(chunks))
}

fn app(stats: Arc<Stats>) -> Router {
    Router::new()
        .route("/users/{id}", get(user))
        .route("/big/{mib}", get(big))
        .route(
            "/fail",
            get(|| async {
                (StatusCode::INTERNAL_SERVER_ERROR, "database is down")
            }),
        )
        // Half a JSON object, as a crashed or buggy server might send.
        .route(
            "/broken",
            get(|| async {
                ([("content-type", "application/json")], r#"{"id": 1, "na"#)
            }),
        )
        .with_state(stats)
}

/// Binds a free port on 127.0.0.1, serves there on a task, and returns.
pub async fn start() -> std::io::Result<TestServer> {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let base = format!("http://{}", listener.local_addr()?);
    let stats = Arc::new(Stats::default());
    let counter = stats.clone();
    // `tap_io` runs for every connection the listener accepts.
    let listener = listener.tap_io(move |_tcp| {
        counter.connections.fetch_add(1, SeqCst);
    });
    let server = axum::serve(listener, app(stats.clone()));
    tokio::spawn(async move { server.await.expect("the server failed") });
    Ok(TestServer { base, stats })
}
