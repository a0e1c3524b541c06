//! Retrying with exponential backoff and jitter, with the backon crate.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use axum::Router;
use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::get;
use backon::{ExponentialBuilder, Retryable};
use reqwest::Client;

/// A server on loopback: `/flaky` fails with 503 `failures` times, then
/// answers; `/missing` is always 404. It counts the requests it gets.
async fn start_server(
    failures: usize,
) -> anyhow::Result<(String, Arc<AtomicUsize>)> {
    let requests = Arc::new(AtomicUsize::new(0));
    let flaky = move |State(requests): State<Arc<AtomicUsize>>| async move {
        let seen = requests.fetch_add(1, Ordering::SeqCst);
        if seen < failures {
            Err(StatusCode::SERVICE_UNAVAILABLE)
        } else {
            Ok("the page")
        }
    };
    let missing = |State(requests): State<Arc<AtomicUsize>>| async move {
        requests.fetch_add(1, Ordering::SeqCst);
        StatusCode::NOT_FOUND
    };
    let app = Router::new()
        .route("/flaky", get(flaky))
        .route("/missing", get(missing))
        .with_state(requests.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let base = format!("http://{}", listener.local_addr()?);
    tokio::spawn(async move { axum::serve(listener, app).await });
    Ok((base, requests))
}

// ANCHOR: when
async fn fetch(client: &Client, url: &str) -> Result<String, reqwest::Error> {
    client
        .get(url)
        .send()
        .await?
        .error_for_status()?
        .text()
        .await
}

/// Is this failure likely to go away if we ask again?
fn worth_retrying(error: &reqwest::Error) -> bool {
    match error.status() {
        // The server is struggling, or asks us to slow down: maybe later.
        Some(status) => {
            status.is_server_error() || status == StatusCode::TOO_MANY_REQUESTS
        }
        // No answer at all: the connection failed or timed out.
        None => error.is_connect() || error.is_timeout(),
    }
}

// ANCHOR_END: when

// ANCHOR: retry
async fn fetch_with_retries(
    client: &Client,
    url: &str,
) -> Result<String, reqwest::Error> {
    // Waits of about 0.1 s, 0.2 s, 0.4 s, 0.8 s (each plus up to as much
    // again at random), then gives up: five tries in all.
    let backoff = ExponentialBuilder::default()
        .with_min_delay(Duration::from_millis(100))
        .with_max_times(4)
        .with_jitter();
    (|| fetch(client, url))
        .retry(backoff)
        .when(worth_retrying)
        .notify(|error, _delay| {
            let why =
                error.status().map_or("no answer".into(), |s| s.to_string());
            println!("  failed ({why}), retrying");
        })
        .await
}
// ANCHOR_END: retry

// ANCHOR: main
#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let (base, requests) = start_server(2).await?;
    let client = Client::new();
    for path in ["/flaky", "/missing"] {
        println!("GET {path}");
        requests.store(0, Ordering::SeqCst);
        let url = format!("{base}{path}");
        match fetch_with_retries(&client, &url).await {
            Ok(body) => println!("  got {body:?}"),
            Err(error) => println!("  gave up: {}", error.without_url()),
        }
        let seen = requests.load(Ordering::SeqCst);
        println!("  requests the server saw: {seen}");
    }
    Ok(())
}
// ANCHOR_END: main

#[cfg(test)]
mod tests {
    use super::*;
    use tokio::time::Instant;

    // ANCHOR: test
    #[tokio::test(start_paused = true)]
    async fn a_passing_failure_is_retried_with_growing_waits() {
        let (base, requests) = start_server(2).await.unwrap();
        let start = Instant::now();
        let url = format!("{base}/flaky");
        let body = fetch_with_retries(&Client::new(), &url).await.unwrap();
        assert_eq!(body, "the page");
        assert_eq!(requests.load(Ordering::SeqCst), 3);
        // Two waits: 100 ms and 200 ms, each with up to as much again.
        let waited = start.elapsed();
        assert!(waited >= Duration::from_millis(300), "{waited:?}");
        assert!(waited < Duration::from_millis(600), "{waited:?}");
    }

    #[tokio::test(start_paused = true)]
    async fn a_lasting_failure_is_not_retried() {
        let (base, requests) = start_server(0).await.unwrap();
        let start = Instant::now();
        let url = format!("{base}/missing");
        let error = fetch_with_retries(&Client::new(), &url).await.unwrap_err();
        assert_eq!(error.status(), Some(StatusCode::NOT_FOUND));
        assert_eq!(requests.load(Ordering::SeqCst), 1);
        assert_eq!(start.elapsed(), Duration::ZERO);
    }

    #[tokio::test(start_paused = true)]
    async fn retries_stop_after_five_tries() {
        let (base, requests) = start_server(usize::MAX).await.unwrap();
        let start = Instant::now();
        let url = format!("{base}/flaky");
        let error = fetch_with_retries(&Client::new(), &url).await.unwrap_err();
        assert_eq!(error.status(), Some(StatusCode::SERVICE_UNAVAILABLE));
        assert_eq!(requests.load(Ordering::SeqCst), 5);
        // 100 + 200 + 400 + 800 ms, each with up to as much again.
        let waited = start.elapsed();
        assert!(waited >= Duration::from_millis(1500), "{waited:?}");
        assert!(waited < Duration::from_millis(3000), "{waited:?}");
    }
    // ANCHOR_END: test
}
