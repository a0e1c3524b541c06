//! The request log, in a test binary of its own. Whether a place that logs is
//! wanted by any subscriber is cached for the whole process, by the first
//! thread to get there; a test beside this one, on a thread with no
//! subscriber, could get there first and cache "no". This test's log was
//! empty that way, four runs in six, with eight test threads.
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::http::StatusCode;
use web_middleware::app;

/// Collects what the tracing subscriber writes.
#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl std::io::Write for Captured {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(bytes);
        Ok(bytes.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[tokio::test]
async fn the_log_line_of_a_request_carries_its_id_and_status() {
    let captured = Captured::default();
    let writer = captured.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::INFO)
        .with_ansi(false)
        .with_writer(move || writer.clone())
        .finish();
    // This test's runtime has one thread, so the server's tasks log here.
    let _guard = tracing::subscriber::set_default(subscriber);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let app = app(5, Duration::from_secs(1), Duration::from_secs(5));
    tokio::spawn(async move { axum::serve(listener, app).await });
    let response = reqwest::Client::new()
        .get(format!("{base}/nowhere"))
        .header("x-request-id", "order-42")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::NOT_FOUND);
    let log = String::from_utf8(captured.0.lock().unwrap().clone()).unwrap();
    let line = log.lines().find(|l| l.contains("finished processing"));
    let line = line.unwrap_or_else(|| panic!("no response line in {log:?}"));
    assert!(line.contains("request{id=order-42 uri=/nowhere}"), "{line}");
    assert!(line.contains("status=404"), "{line}");
}
