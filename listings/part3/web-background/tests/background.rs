//! The order service and a notification service, both real HTTP servers on
//! loopback. The notification service holds each message until the test
//! lets it through, so the test decides when a background task can finish.
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::extract::State;
use axum::routing::post;
use axum::{Json, Router};
use reqwest::{StatusCode, Url};
use serde_json::{Value, json};
use tokio::net::TcpListener;
use tokio::sync::{Semaphore, mpsc, oneshot};
use tokio::task::JoinHandle;
use tokio::time::timeout;

#[derive(Clone)]
struct Notifications {
    arrived: mpsc::UnboundedSender<Value>,
    /// One permit lets one message through.
    release: Arc<Semaphore>,
    delivered: Arc<Mutex<Vec<Value>>>,
}

async fn notify(State(n): State<Notifications>, Json(message): Json<Value>) {
    n.arrived.send(message.clone()).unwrap();
    n.release.acquire().await.unwrap().forget();
    n.delivered.lock().unwrap().push(message);
}

struct Setup {
    orders_url: String,
    arrived: mpsc::UnboundedReceiver<Value>,
    release: Arc<Semaphore>,
    delivered: Arc<Mutex<Vec<Value>>>,
    stop: oneshot::Sender<()>,
    serving: JoinHandle<anyhow::Result<()>>,
}

async fn start(deadline: Duration) -> Setup {
    let (arrived_tx, arrived) = mpsc::unbounded_channel();
    let notifications = Notifications {
        arrived: arrived_tx,
        release: Arc::new(Semaphore::new(0)),
        delivered: Arc::default(),
    };
    let (release, delivered) = (
        notifications.release.clone(),
        notifications.delivered.clone(),
    );
    let receiver = Router::new()
        .route("/notify", post(notify))
        .with_state(notifications);
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let notify_url =
        format!("http://{}/notify", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, receiver).await });

    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let orders_url =
        format!("http://{}/orders", listener.local_addr().unwrap());
    let (stop, stop_rx) = oneshot::channel::<()>();
    let serving = tokio::spawn(web_background::serve(
        listener,
        Url::parse(&notify_url).unwrap(),
        async move {
            let _ = stop_rx.await;
        },
        deadline,
    ));
    Setup {
        orders_url,
        arrived,
        release,
        delivered,
        stop,
        serving,
    }
}

async fn order(url: &str) -> (StatusCode, Value) {
    let order = json!({ "email": "ada@example.com", "item": "tea" });
    let response = reqwest::Client::new().post(url).json(&order).send();
    // A handler that waited for the notification would never answer.
    let response = timeout(Duration::from_secs(10), response)
        .await
        .expect("no answer while the notification is held")
        .unwrap();
    (response.status(), response.json().await.unwrap())
}

// ANCHOR: test
#[tokio::test]
async fn the_answer_comes_first_and_shutdown_waits_for_the_task() {
    let mut setup = start(Duration::from_secs(30)).await;
    let (status, body) = order(&setup.orders_url).await;
    assert_eq!((status, body), (StatusCode::ACCEPTED, json!({ "id": 1 })));
    // The notification is on its way and held: the task is running.
    let message = setup.arrived.recv().await.unwrap();
    assert_eq!(
        message,
        json!({ "to": "ada@example.com", "text": "order 1 received: tea" })
    );

    setup.stop.send(()).unwrap();
    // Shutdown has begun; it must not end while the task still runs.
    let early = timeout(Duration::from_millis(300), &mut setup.serving).await;
    assert!(early.is_err(), "shutdown ended before the background task");
    assert!(setup.delivered.lock().unwrap().is_empty());

    setup.release.add_permits(1);
    setup.serving.await.unwrap().unwrap();
    // By the time shutdown is done, the task's effect is there.
    assert_eq!(*setup.delivered.lock().unwrap(), [message]);
}
// ANCHOR_END: test

#[tokio::test]
async fn shutdown_gives_up_on_a_task_at_the_deadline() {
    let mut setup = start(Duration::from_millis(500)).await;
    let (status, _) = order(&setup.orders_url).await;
    assert_eq!(status, StatusCode::ACCEPTED);
    setup.arrived.recv().await.unwrap();
    setup.stop.send(()).unwrap();
    // The message is never let through.
    let error = setup.serving.await.unwrap().unwrap_err();
    assert_eq!(
        error.to_string(),
        "1 background task(s) unfinished at the deadline"
    );
    assert!(setup.delivered.lock().unwrap().is_empty());
}

#[tokio::test]
async fn bad_json_is_refused_and_starts_no_task() {
    let mut setup = start(Duration::from_secs(30)).await;
    let response = reqwest::Client::new()
        .post(&setup.orders_url)
        .header("content-type", "application/json")
        .body(r#"{"item": "tea"}"#)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    // The service still takes orders, and the first one is order 1.
    let (status, body) = order(&setup.orders_url).await;
    assert_eq!((status, body), (StatusCode::ACCEPTED, json!({ "id": 1 })));
    setup.arrived.recv().await.unwrap();
    setup.release.add_permits(1);
    setup.stop.send(()).unwrap();
    setup.serving.await.unwrap().unwrap();
    assert_eq!(setup.delivered.lock().unwrap().len(), 1);
}
