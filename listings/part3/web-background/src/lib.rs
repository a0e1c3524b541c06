//! Orders answered at once, with their notification sent afterwards by a
//! tracked background task that shutdown waits for.
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use anyhow::{Context, bail};
use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::post;
use axum::{Json, Router};
use reqwest::Url;
use serde::{Deserialize, Serialize};
use tokio::net::TcpListener;
use tokio_util::task::TaskTracker;

#[derive(Deserialize)]
pub struct NewOrder {
    pub email: String,
    pub item: String,
}

#[derive(Serialize)]
pub struct Accepted {
    pub id: u64,
}

// ANCHOR: notifier
/// Sends a message through another service's HTTP API.
#[derive(Clone)]
struct Notifier {
    client: reqwest::Client,
    url: Url,
}

#[derive(Serialize)]
struct Message<'a> {
    to: &'a str,
    text: &'a str,
}

impl Notifier {
    async fn send(&self, to: &str, text: &str) -> reqwest::Result<()> {
        let message = Message { to, text };
        let request = self.client.post(self.url.clone()).json(&message);
        request.send().await?.error_for_status()?;
        Ok(())
    }
}
// ANCHOR_END: notifier

// ANCHOR: handler
#[derive(Clone)]
struct AppState {
    last_id: Arc<AtomicU64>,
    notifier: Notifier,
    /// Every background task is spawned on this, so shutdown can wait.
    tasks: TaskTracker,
}

async fn create_order(
    State(state): State<AppState>,
    Json(order): Json<NewOrder>,
) -> (StatusCode, Json<Accepted>) {
    let id = state.last_id.fetch_add(1, Ordering::Relaxed) + 1;
    // The task owns what it needs: it outlives this request.
    let notifier = state.notifier.clone();
    state.tasks.spawn(async move {
        let text = format!("order {id} received: {}", order.item);
        if let Err(err) = notifier.send(&order.email, &text).await {
            eprintln!("order {id}: notification failed: {err}");
        }
    });
    (StatusCode::ACCEPTED, Json(Accepted { id }))
}
// ANCHOR_END: handler

// ANCHOR: serve
/// Serves until `stop` completes, then waits up to `deadline` for the
/// background tasks that are still running.
pub async fn serve(
    listener: TcpListener,
    notify_url: Url,
    stop: impl Future<Output = ()> + Send + 'static,
    deadline: Duration,
) -> anyhow::Result<()> {
    let tasks = TaskTracker::new();
    let state = AppState {
        last_id: Arc::default(),
        notifier: Notifier {
            client: reqwest::Client::new(),
            url: notify_url,
        },
        tasks: tasks.clone(),
    };
    let app = Router::new()
        .route("/orders", post(create_order))
        .with_state(state);
    axum::serve(listener, app)
        .with_graceful_shutdown(stop)
        .await
        .context("serving")?;
    // Every request has finished, so no new task can start: wait for
    // those still running, but not for ever.
    tasks.close();
    if tokio::time::timeout(deadline, tasks.wait()).await.is_err() {
        bail!(
            "{} background task(s) unfinished at the deadline",
            tasks.len()
        );
    }
    Ok(())
}
// ANCHOR_END: serve
