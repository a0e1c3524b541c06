//! What the queue promises, checked against a real broker. Each check is
//! generic over `Broker`, so the same checks run against both brokers.

mod support;

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use backon::ExponentialBuilder;
use queue_redis::redis::RedisBroker;
use queue_redis::sqlite::SqliteBroker;
use queue_redis::{
    Broker, Leased, NewTask, Priority, Shutdown, TaskError, WorkerConfig,
    handle, run_worker,
};
use tokio::time::Instant;

const LONG: Duration = Duration::from_secs(60);

fn task(kind: &str, payload: &str, priority: Priority) -> NewTask {
    let (kind, payload) = (kind.to_string(), payload.to_string());
    NewTask {
        kind,
        payload,
        priority,
    }
}

fn until_empty(concurrency: usize) -> WorkerConfig {
    WorkerConfig {
        concurrency,
        until_empty: true,
        poll: Duration::from_millis(10),
        retry: ExponentialBuilder::default()
            // backon computes waits in f32 seconds: 0.1 s doubled is
            // 200.000003 ms, which tokio's timer rounds up to 201 ms.
            // Eighths of a second double exactly.
            .with_min_delay(Duration::from_millis(125))
            .with_max_times(3),
        ..WorkerConfig::default()
    }
}

async fn drain<B: Broker>(broker: &Arc<B>, config: WorkerConfig) {
    let shutdown = Shutdown::default();
    run_worker(broker.clone(), handle, config, shutdown)
        .await
        .unwrap();
}

async fn n_in_n_out<B: Broker>(broker: Arc<B>) {
    let mut ids = Vec::new();
    for n in 0..50u64 {
        let new = task("square", &n.to_string(), Priority::Normal);
        ids.push((n, broker.enqueue(new).await.unwrap()));
    }
    drain(&broker, until_empty(4)).await;
    for (n, id) in ids {
        let result = broker.result(id).await.unwrap();
        assert_eq!(result, Some((n * n).to_string()), "task {id}");
    }
    let normal = broker.progress().await.unwrap()[1].1;
    assert_eq!((normal.done, normal.queued, normal.running), (50, 0, 0));
}

async fn priorities_first<B: Broker>(broker: Arc<B>) {
    let order = [Priority::Low, Priority::Normal, Priority::High];
    for round in 0..3 {
        for priority in order {
            let payload = format!("{}-{round}", priority.name());
            broker
                .enqueue(task("note", &payload, priority))
                .await
                .unwrap();
        }
    }
    let seen = Arc::new(Mutex::new(Vec::new()));
    let record = {
        let seen = seen.clone();
        move |task: Leased, _attempt| {
            seen.lock().unwrap().push(task.payload);
            async { Ok::<_, TaskError>(String::new()) }
        }
    };
    let shutdown = Shutdown::default();
    run_worker(broker.clone(), record, until_empty(1), shutdown)
        .await
        .unwrap();
    let seen = seen.lock().unwrap().clone();
    let expected: Vec<String> = ["high", "normal", "low"]
        .iter()
        .flat_map(|p| (0..3).map(move |round| format!("{p}-{round}")))
        .collect();
    assert_eq!(seen, expected);
}

async fn at_most_concurrency<B: Broker>(broker: Arc<B>) {
    // Each task sleeps long enough for the worker to lease the next two
    // meanwhile: with 20 ms, on a busy machine a task could end before the
    // third was leased, and no more than two ever ran at once.
    for _ in 0..12 {
        let new = task("sleep", "200", Priority::Normal);
        broker.enqueue(new).await.unwrap();
    }
    let now = Arc::new(AtomicUsize::new(0));
    let most = Arc::new(AtomicUsize::new(0));
    let counted = {
        let (now, most) = (now.clone(), most.clone());
        move |task: Leased, attempt| {
            let (now, most) = (now.clone(), most.clone());
            async move {
                let running = now.fetch_add(1, Ordering::SeqCst) + 1;
                most.fetch_max(running, Ordering::SeqCst);
                let result = handle(task, attempt).await;
                now.fetch_sub(1, Ordering::SeqCst);
                result
            }
        }
    };
    let shutdown = Shutdown::default();
    run_worker(broker.clone(), counted, until_empty(3), shutdown)
        .await
        .unwrap();
    assert_eq!(most.load(Ordering::SeqCst), 3);
}

// ANCHOR: lease
async fn lease_is_exclusive<B: Broker>(broker: Arc<B>) {
    let id = broker.enqueue(task("square", "3", Priority::High)).await;
    let id = id.unwrap();
    let first = broker.take(LONG).await.unwrap().unwrap();
    assert_eq!((first.id, first.delivery), (id, 1));
    // While the lease holds, no one else gets the task.
    assert!(broker.take(LONG).await.unwrap().is_none());
    assert!(broker.renew(&first, Duration::ZERO).await.unwrap());
    // Now the lease has run out: the task is handed out again, and the
    // first worker can no longer finish it.
    let second = broker.take(LONG).await.unwrap().unwrap();
    assert_eq!((second.id, second.delivery), (id, 2));
    assert!(!broker.complete(&first, "late", 0, LONG).await.unwrap());
    assert!(!broker.renew(&first, LONG).await.unwrap());
    assert!(broker.complete(&second, "9", 0, LONG).await.unwrap());
    assert_eq!(broker.result(id).await.unwrap().as_deref(), Some("9"));
}
// ANCHOR_END: lease

// ANCHOR: backoff
async fn retries_with_backoff<B: Broker>(broker: Arc<B>) {
    broker
        .enqueue(task("flaky", "2", Priority::Normal))
        .await
        .unwrap();
    let times = Arc::new(Mutex::new(Vec::new()));
    let timed = {
        let times = times.clone();
        move |task: Leased, attempt| {
            times.lock().unwrap().push(Instant::now());
            handle(task, attempt)
        }
    };
    let shutdown = Shutdown::default();
    run_worker(broker.clone(), timed, until_empty(1), shutdown)
        .await
        .unwrap();
    let times = times.lock().unwrap().clone();
    let waits: Vec<_> = times.windows(2).map(|w| w[1] - w[0]).collect();
    let ms = Duration::from_millis;
    assert_eq!(waits, [ms(125), ms(250)]);
    let normal = broker.progress().await.unwrap()[1].1;
    assert_eq!((normal.done, normal.failed), (1, 2));
}
// ANCHOR_END: backoff

async fn dead_after_retries<B: Broker>(broker: Arc<B>) {
    let id = broker.enqueue(task("flaky", "10", Priority::Low)).await;
    let id = id.unwrap();
    drain(&broker, until_empty(1)).await;
    let dead = broker.dead_letters().await.unwrap();
    assert_eq!(dead, [(id, "attempt 4 failed".to_string())]);
    let low = broker.progress().await.unwrap()[2].1;
    assert_eq!((low.dead, low.failed, low.done), (1, 4, 0));
}

async fn bad_input_is_dead_at_once<B: Broker>(broker: Arc<B>) {
    let malformed = task("square", "seven", Priority::High);
    let malformed = broker.enqueue(malformed).await.unwrap();
    let unknown = task("resize", "cat.png", Priority::High);
    let unknown = broker.enqueue(unknown).await.unwrap();
    drain(&broker, until_empty(2)).await;
    let dead = broker.dead_letters().await.unwrap();
    let why = "malformed payload \"seven\": invalid digit found in string";
    assert_eq!(
        dead,
        [
            (malformed, why.to_string()),
            (unknown, "unknown task kind \"resize\"".to_string())
        ]
    );
    // Permanent errors are not retried: one failed attempt each.
    let high = broker.progress().await.unwrap()[0].1;
    assert_eq!((high.dead, high.failed), (2, 2));
}

async fn results_expire<B: Broker>(broker: Arc<B>) {
    let id = broker.enqueue(task("square", "4", Priority::Normal)).await;
    let id = id.unwrap();
    let config = WorkerConfig {
        keep_results: Duration::from_millis(200),
        ..until_empty(1)
    };
    drain(&broker, config).await;
    assert_eq!(broker.result(id).await.unwrap().as_deref(), Some("16"));
    // The expiry is on the broker's wall clock, so this waits for real.
    std::thread::sleep(Duration::from_millis(300));
    assert_eq!(broker.result(id).await.unwrap(), None);
}

async fn abort_hands_back<B: Broker>(broker: Arc<B>) {
    let id = broker
        .enqueue(task("sleep", "60000", Priority::Normal))
        .await;
    let id = id.unwrap();
    let shutdown = Shutdown::default();
    let worker = tokio::spawn(run_worker(
        broker.clone(),
        handle,
        WorkerConfig::default(),
        shutdown.clone(),
    ));
    while broker.progress().await.unwrap()[1].1.running == 0 {
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    shutdown.stop.cancel();
    shutdown.abort.cancel();
    worker.await.unwrap().unwrap();
    let normal = broker.progress().await.unwrap()[1].1;
    assert_eq!((normal.queued, normal.running), (1, 0));
    // Handing back does not count as a delivery.
    let again = broker.take(LONG).await.unwrap().unwrap();
    assert_eq!((again.id, again.delivery), (id, 1));
}

async fn lease_renewed_while_running<B: Broker>(broker: Arc<B>) {
    broker
        .enqueue(task("sleep", "1000", Priority::High))
        .await
        .unwrap();
    let config = WorkerConfig {
        lease: Duration::from_millis(300),
        ..until_empty(1)
    };
    let worker = tokio::spawn(run_worker(
        broker.clone(),
        handle,
        config,
        Shutdown::default(),
    ));
    while broker.progress().await.unwrap()[0].1.running == 0 {
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    // The task runs for longer than three leases; it stays its worker's.
    while !worker.is_finished() {
        assert!(broker.take(LONG).await.unwrap().is_none());
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    worker.await.unwrap().unwrap();
    let high = broker.progress().await.unwrap()[0].1;
    assert_eq!(high.done, 1);
}

async fn poison_task_is_buried<B: Broker>(broker: Arc<B>) {
    let id = broker.enqueue(task("square", "5", Priority::Normal)).await;
    let id = id.unwrap();
    // Five workers take the task and die before finishing it.
    for _ in 0..5 {
        broker.take(Duration::ZERO).await.unwrap().unwrap();
    }
    drain(&broker, until_empty(1)).await;
    let why = "handed out 5 times; no worker finished it".to_string();
    assert_eq!(broker.dead_letters().await.unwrap(), [(id, why)]);
}

async fn sqlite() -> (tempfile::TempDir, Arc<SqliteBroker>) {
    let folder = tempfile::tempdir().unwrap();
    let broker = SqliteBroker::open(folder.path().join("q.db")).await;
    (folder, Arc::new(broker.unwrap()))
}

async fn redis(server: &support::Redis) -> Arc<RedisBroker> {
    let broker = RedisBroker::connect(&server.url(), "test").await;
    Arc::new(broker.unwrap())
}

// The Redis checks run on the real clock: the redis crate times out a
// command after 500 ms by default, a tokio timer that the paused clock
// would fire as soon as the test waits for the server.
macro_rules! on_both {
    ($($(#[$attr:meta])* $check:ident),* $(,)?) => {
        mod on_sqlite {
            $(
                $(#[$attr])*
                async fn $check() {
                    let (_folder, broker) = super::sqlite().await;
                    super::$check(broker).await;
                }
            )*
        }
        mod on_redis {
            $(
                #[tokio::test(flavor = "multi_thread")]
                #[ignore = "needs redis-server (apt install redis-server)"]
                async fn $check() {
                    let server = super::support::Redis::start();
                    super::$check(super::redis(&server).await).await;
                }
            )*
        }
    };
}

on_both! {
    #[tokio::test] n_in_n_out,
    #[tokio::test] priorities_first,
    #[tokio::test(flavor = "multi_thread")] at_most_concurrency,
    #[tokio::test] lease_is_exclusive,
    #[tokio::test(start_paused = true)] dead_after_retries,
    #[tokio::test] bad_input_is_dead_at_once,
    #[tokio::test] results_expire,
    #[tokio::test] abort_hands_back,
    #[tokio::test] lease_renewed_while_running,
    #[tokio::test] poison_task_is_buried,
}

// The exact waits need the paused clock, so this one is SQLite's only; the
// waits are the worker's, the same whichever broker it takes tasks from.
#[tokio::test(start_paused = true)]
async fn retries_with_backoff_on_sqlite() {
    let (_folder, broker) = sqlite().await;
    retries_with_backoff(broker).await;
}

// ANCHOR: paused
/// On the paused clock, tokio jumps to the redis crate's own timeouts as
/// soon as the program waits for a reply that has not arrived.
#[tokio::test(start_paused = true)]
async fn the_paused_clock_times_redis_out() {
    // A server that never answers (the system accepts the connection for
    // it), so the reply is never there when tokio looks.
    let silent = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("redis://{}", silent.local_addr().unwrap());
    let started = Instant::now();
    let connected = RedisBroker::connect(&url, "test").await;
    let error = connected.err().expect("a timeout");
    assert_eq!(error.to_string(), "timed out");
    // The crate's 1 s limit on connecting (its set-up waits for replies),
    // passed at once on the paused clock.
    assert_eq!(started.elapsed(), Duration::from_secs(1));
}
// ANCHOR_END: paused
