//! A deliberately slow web server on loopback, which the fetching programs
//! start for themselves so that they have something real to fetch from.

use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use axum::Router;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::routing::get;

// ANCHOR: server
/// What the server counts as requests come and go.
#[derive(Default)]
struct Load {
    in_flight: AtomicUsize,
    most_at_once: AtomicUsize,
    turned_away: AtomicUsize,
}

struct Settings {
    delay: Duration,
    capacity: usize,
    load: Load,
}

async fn page(
    State(server): State<Arc<Settings>>,
    Path(id): Path<u32>,
) -> Result<String, StatusCode> {
    let load = &server.load;
    let now = load.in_flight.fetch_add(1, Ordering::SeqCst) + 1;
    // Counted out again when this handler ends, however it ends.
    let _leaving = Leaving(&load.in_flight);
    load.most_at_once.fetch_max(now, Ordering::SeqCst);
    if now > server.capacity {
        load.turned_away.fetch_add(1, Ordering::SeqCst);
        return Err(StatusCode::SERVICE_UNAVAILABLE);
    }
    // The deliberate delay: tokio's sleep, so it follows tokio's clock.
    tokio::time::sleep(server.delay).await;
    Ok(format!("page {id}"))
}
// ANCHOR_END: server

struct Leaving<'a>(&'a AtomicUsize);

impl Drop for Leaving<'_> {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::SeqCst);
    }
}

/// A running server; it stops when the runtime that started it stops.
pub struct SlowServer {
    addr: SocketAddr,
    settings: Arc<Settings>,
}

// ANCHOR: start
/// Starts a server on a free loopback port that answers `/page/{id}` after
/// `delay`, and answers 503 Service Unavailable to any request that arrives
/// while `capacity` requests are already being served.
pub async fn start(
    delay: Duration,
    capacity: usize,
) -> anyhow::Result<SlowServer> {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let addr = listener.local_addr()?;
    let settings = Arc::new(Settings {
        delay,
        capacity,
        load: Load::default(),
    });
    let app = Router::new()
        .route("/page/{id}", get(page))
        .with_state(settings.clone());
    tokio::spawn(async move { axum::serve(listener, app).await });
    Ok(SlowServer { addr, settings })
}
// ANCHOR_END: start

impl SlowServer {
    /// The address of page `id` on this server.
    pub fn url(&self, id: usize) -> String {
        format!("http://{}/page/{id}", self.addr)
    }

    /// The most requests the server has had in hand at one moment.
    pub fn most_at_once(&self) -> usize {
        self.settings.load.most_at_once.load(Ordering::SeqCst)
    }

    /// How many requests it answered with 503 because it was full.
    pub fn turned_away(&self) -> usize {
        self.settings.load.turned_away.load(Ordering::SeqCst)
    }
}
