//! What `fetch_greeting` logs, in a test file of its own: cargo builds each
//! file in tests/ into a binary of its own, so no other test runs beside it.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use testing_async::fetch_greeting;
use tokio::io::AsyncWriteExt;
use tokio::net::TcpListener;

// ANCHOR: tracing
#[tokio::test]
async fn the_spawned_reader_logs_inside_the_greeting_span() {
    use tracing_subscriber::layer::SubscriberExt;
    let recorder = Recorder::default();
    let subscriber = tracing_subscriber::registry().with(recorder.clone());
    // For this thread only, which runs this test's whole runtime; and alone
    // in this binary, so that no test on another thread gets to the log line
    // first (tracing would then remember, for every thread, that no one
    // wants it).
    let _default = tracing::subscriber::set_default(subscriber);

    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        let (mut peer, _) = listener.accept().await.unwrap();
        peer.write_all(b"hi\n").await.unwrap();
    });
    fetch_greeting(addr, Duration::from_secs(5)).await.unwrap();
    let events = recorder.0.lock().unwrap().clone();
    assert_eq!(events, ["greeting: greeting read"]);
}
// ANCHOR_END: tracing

/// Records every event as "span name: message" (or "(no span): …").
#[derive(Clone, Default)]
struct Recorder(Arc<Mutex<Vec<String>>>);

struct Message(String);

impl tracing::field::Visit for Message {
    fn record_debug(
        &mut self,
        field: &tracing::field::Field,
        value: &dyn std::fmt::Debug,
    ) {
        if field.name() == "message" {
            self.0 = format!("{value:?}");
        }
    }
}

impl<S> tracing_subscriber::Layer<S> for Recorder
where
    S: tracing::Subscriber
        + for<'a> tracing_subscriber::registry::LookupSpan<'a>,
{
    fn on_event(
        &self,
        event: &tracing::Event<'_>,
        context: tracing_subscriber::layer::Context<'_, S>,
    ) {
        let mut message = Message(String::new());
        event.record(&mut message);
        let span = context.event_span(event);
        let name = span.map_or("(no span)", |span| span.name());
        let line = format!("{name}: {}", message.0);
        self.0.lock().unwrap().push(line);
    }
}
