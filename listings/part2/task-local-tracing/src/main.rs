use std::time::Duration;
use tokio::time::sleep;
use tracing::{Instrument, info, info_span};

// ANCHOR: handlers
async fn call_model(question: &str, model_time: Duration) -> String {
    info!("calling the model");
    sleep(model_time).await;
    info!(tokens = question.len() * 3, "model answered");
    format!("an answer to {question:?}")
}

async fn handle(question: &str, model_time: Duration) -> String {
    info!(question, "received");
    let answer = call_model(question, model_time).await;
    info!("answer sent");
    answer
}
// ANCHOR_END: handlers

// ANCHOR: main
async fn serve_two_requests() -> anyhow::Result<()> {
    // Each request runs inside a span; every event logged inside it carries the
    // span's fields.
    let slow = handle("plan a trip", Duration::from_millis(300))
        .instrument(info_span!("request", id = 1));
    let fast = handle("what time is it", Duration::from_millis(100))
        .instrument(info_span!("request", id = 2));
    let slow = tokio::spawn(slow);
    let fast = tokio::spawn(fast);
    slow.await?;
    fast.await?;
    Ok(())
}

#[tokio::main(flavor = "current_thread")]
async fn main() -> anyhow::Result<()> {
    tracing_subscriber::fmt()
        // No timestamps, so that the output is the same on every run.
        .without_time()
        .with_target(false)
        .with_ansi(false)
        .with_writer(std::io::stdout)
        .init();
    serve_two_requests().await
}
// ANCHOR_END: main

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;
    use std::sync::{Arc, Mutex};

    /// Collects what the subscriber writes, so that the test can read it.
    #[derive(Clone, Default)]
    struct Captured(Arc<Mutex<Vec<u8>>>);

    impl Write for Captured {
        fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
            self.0.lock().unwrap().extend_from_slice(bytes);
            Ok(bytes.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }

    #[tokio::test(start_paused = true)]
    async fn every_line_carries_the_id_of_the_request_it_was_logged_for() {
        let captured = Captured::default();
        let writer = captured.clone();
        let subscriber = tracing_subscriber::fmt()
            .without_time()
            .with_target(false)
            .with_ansi(false)
            .with_writer(move || writer.clone())
            .finish();
        let _default = tracing::subscriber::set_default(subscriber);

        serve_two_requests().await.unwrap();

        let text =
            String::from_utf8(captured.0.lock().unwrap().clone()).unwrap();
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines.len(), 8, "{text}");
        let for_request = |id: &str| -> Vec<&str> {
            lines
                .iter()
                .copied()
                .filter(|l| l.contains(&format!("request{{id={id}}}")))
                .collect()
        };
        let first = for_request("1");
        assert_eq!(first.len(), 4, "{text}");
        assert!(first[0].ends_with("received question=\"plan a trip\""));
        assert!(first[3].ends_with("answer sent"));
        assert_eq!(for_request("2").len(), 4, "{text}");
    }
}
