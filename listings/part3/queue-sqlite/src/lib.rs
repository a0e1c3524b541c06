//! A task queue: what a task is, the `Broker` trait every queue engine
//! implements, and the worker that runs tasks from any of them.

use std::future::Future;
use std::sync::Arc;
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::Duration;

use backon::{ExponentialBuilder, Retryable as _};
use tokio::task::JoinSet;
use tokio_util::sync::CancellationToken;

pub mod sqlite;

// ANCHOR: task
/// Lower ranks are taken first.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Priority {
    High = 0,
    Normal = 1,
    Low = 2,
}

/// A task as a producer hands it in.
#[derive(Clone, Debug)]
pub struct NewTask {
    pub kind: String,
    pub payload: String,
    pub priority: Priority,
}

/// A task a worker has taken: it holds it until its lease runs out.
#[derive(Clone, Debug)]
pub struct Leased {
    pub id: u64,
    pub kind: String,
    pub payload: String,
    pub priority: Priority,
    /// 1 the first time the task is handed out, 2 when its first worker
    /// lost it, and so on. It also proves which hand-out this one is.
    pub delivery: u32,
}
// ANCHOR_END: task

impl Priority {
    pub const ALL: [Priority; 3] =
        [Priority::High, Priority::Normal, Priority::Low];

    pub fn rank(self) -> u8 {
        self as u8
    }

    pub fn from_rank(rank: u8) -> anyhow::Result<Priority> {
        Priority::ALL
            .into_iter()
            .find(|p| p.rank() == rank)
            .ok_or_else(|| anyhow::anyhow!("no priority has rank {rank}"))
    }

    pub fn name(self) -> &'static str {
        match self {
            Priority::High => "high",
            Priority::Normal => "normal",
            Priority::Low => "low",
        }
    }
}

impl std::str::FromStr for Priority {
    type Err = anyhow::Error;

    fn from_str(text: &str) -> anyhow::Result<Priority> {
        Priority::ALL
            .into_iter()
            .find(|p| p.name() == text)
            .ok_or_else(|| {
                anyhow::anyhow!(
                    "unknown priority {text:?} (high, normal or low)"
                )
            })
    }
}

/// How many tasks of one priority are in each state. `failed` counts
/// failed attempts, also of tasks that passed on a later one.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Counts {
    pub queued: u64,
    pub running: u64,
    pub done: u64,
    pub failed: u64,
    pub dead: u64,
}

/// One line of counts per priority, highest first.
pub type Progress = [(Priority, Counts); 3];

pub fn format_progress(progress: &Progress) -> String {
    let mut table =
        String::from("priority  queued  running  done  failed  dead\n");
    for (priority, c) in progress {
        table.push_str(&format!(
            "{:<8}  {:>6}  {:>7}  {:>4}  {:>6}  {:>4}\n",
            priority.name(),
            c.queued,
            c.running,
            c.done,
            c.failed,
            c.dead
        ));
    }
    table
}

// ANCHOR: broker
/// A place that keeps tasks: an embedded database, or a server that
/// workers on several machines share. Each method promises a `Send`
/// future, so that generic code can spawn it.
pub trait Broker: Send + Sync + 'static {
    /// Stores a task and returns its id.
    fn enqueue(
        &self,
        task: NewTask,
    ) -> impl Future<Output = anyhow::Result<u64>> + Send;

    /// Leases the first queued task (by priority, then age), or a task
    /// whose lease has run out, for `lease`.
    fn take(
        &self,
        lease: Duration,
    ) -> impl Future<Output = anyhow::Result<Option<Leased>>> + Send;

    /// Keeps the task for another `lease`. False: the lease was lost.
    fn renew(
        &self,
        task: &Leased,
        lease: Duration,
    ) -> impl Future<Output = anyhow::Result<bool>> + Send;

    /// Marks the task done, keeping its result for `keep`. False: the
    /// lease was lost, and the result is dropped.
    fn complete(
        &self,
        task: &Leased,
        result: &str,
        failures: u32,
        keep: Duration,
    ) -> impl Future<Output = anyhow::Result<bool>> + Send;
    // ANCHOR_END: broker

    /// Moves the task to the dead letters, with the reason.
    fn bury(
        &self,
        task: &Leased,
        reason: &str,
        failures: u32,
    ) -> impl Future<Output = anyhow::Result<bool>> + Send;

    /// Hands the task back to the queue, as if it was never taken.
    fn release(
        &self,
        task: &Leased,
    ) -> impl Future<Output = anyhow::Result<bool>> + Send;

    /// The result of a done task, until it expires.
    fn result(
        &self,
        id: u64,
    ) -> impl Future<Output = anyhow::Result<Option<String>>> + Send;

    /// The dead letters: each task's id and why it died, oldest first.
    fn dead_letters(
        &self,
    ) -> impl Future<Output = anyhow::Result<Vec<(u64, String)>>> + Send;

    fn progress(&self)
    -> impl Future<Output = anyhow::Result<Progress>> + Send;
}

// ANCHOR: errors
/// Why a task failed: a transient failure may pass if it is tried again,
/// a permanent one never will.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TaskError {
    Transient(String),
    Permanent(String),
}

impl TaskError {
    pub fn is_transient(&self) -> bool {
        matches!(self, TaskError::Transient(_))
    }
}

impl std::fmt::Display for TaskError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            TaskError::Transient(why) => write!(f, "{why}"),
            TaskError::Permanent(why) => write!(f, "{why}"),
        }
    }
}

// ANCHOR_END: errors

// ANCHOR: handler
/// The tasks this queue knows. Each is idempotent: running it twice
/// gives the same result and changes nothing else.
pub async fn handle(task: Leased, attempt: u32) -> Result<String, TaskError> {
    let number = || {
        task.payload.parse::<u64>().map_err(|e| {
            let why = format!("malformed payload {:?}: {e}", task.payload);
            TaskError::Permanent(why)
        })
    };
    match task.kind.as_str() {
        "square" => Ok((number()? * number()?).to_string()),
        "sleep" => {
            tokio::time::sleep(Duration::from_millis(number()?)).await;
            Ok(format!("slept {} ms", number()?))
        }
        // Fails its first `payload` attempts.
        "flaky" if u64::from(attempt) <= number()? => {
            Err(TaskError::Transient(format!("attempt {attempt} failed")))
        }
        "flaky" => Ok(format!("passed on attempt {attempt}")),
        kind => {
            Err(TaskError::Permanent(format!("unknown task kind {kind:?}")))
        }
    }
}
// ANCHOR_END: handler

// ANCHOR: config
#[derive(Clone, Debug)]
pub struct WorkerConfig {
    /// Tasks run at once, at most.
    pub concurrency: usize,
    /// How long a taken task stays this worker's without a renewal.
    pub lease: Duration,
    /// How long to wait before asking again when the queue was empty.
    pub poll: Duration,
    /// Waits between the attempts of a failing task.
    pub retry: ExponentialBuilder,
    /// A task handed out more often than this (its workers kept dying
    /// on it) goes to the dead letters.
    pub max_deliveries: u32,
    /// How long results are kept.
    pub keep_results: Duration,
    /// Stop when no task can be taken and none of ours is running (tasks
    /// other workers hold do not count).
    pub until_empty: bool,
}

impl Default for WorkerConfig {
    fn default() -> Self {
        WorkerConfig {
            concurrency: 4,
            lease: Duration::from_secs(30),
            poll: Duration::from_millis(100),
            retry: ExponentialBuilder::default()
                .with_min_delay(Duration::from_millis(100))
                .with_max_times(3),
            max_deliveries: 5,
            keep_results: Duration::from_secs(3600),
            until_empty: false,
        }
    }
}
// ANCHOR_END: config

/// How a worker is told to stop: `stop` says take no more tasks and
/// finish those running; `abort` says hand back what is still running.
#[derive(Clone, Debug, Default)]
pub struct Shutdown {
    pub stop: CancellationToken,
    pub abort: CancellationToken,
}

// ANCHOR: worker_fn
/// Takes tasks from `broker` and runs them, at most
/// `config.concurrency` at a time, until told to stop.
pub async fn run_worker<B, H, F>(
    broker: Arc<B>,
    handler: H,
    config: WorkerConfig,
    shutdown: Shutdown,
) -> anyhow::Result<()>
where
    B: Broker,
    H: Fn(Leased, u32) -> F + Clone + Send + Sync + 'static,
    F: Future<Output = Result<String, TaskError>> + Send + 'static,
{
    // ANCHOR_END: worker_fn
    // ANCHOR: worker
    let mut running = JoinSet::new();
    loop {
        while let Some(finished) = running.try_join_next() {
            finished??;
        }
        if running.len() == config.concurrency {
            tokio::select! {
                _ = shutdown.stop.cancelled() => break,
                Some(finished) = running.join_next() => finished??,
            }
            continue;
        }
        if shutdown.stop.is_cancelled() {
            break;
        }
        let Some(task) = broker.take(config.lease).await? else {
            if config.until_empty && running.is_empty() {
                break;
            }
            tokio::select! {
                _ = shutdown.stop.cancelled() => break,
                _ = tokio::time::sleep(config.poll) => continue,
            }
        };
        let (broker, handler) = (broker.clone(), handler.clone());
        let (settings, abort) = (config.clone(), shutdown.abort.clone());
        running.spawn(async move {
            run_task(&*broker, &handler, task, &settings, &abort).await
        });
    }
    while let Some(finished) = running.join_next().await {
        finished??;
    }
    Ok(())
}
// ANCHOR_END: worker

// ANCHOR: run_task
/// Runs one task to its end: done, dead, handed back, or lost to a
/// worker that took it over when this one's lease ran out.
async fn run_task<B, H, F>(
    broker: &B,
    handler: &H,
    task: Leased,
    config: &WorkerConfig,
    abort: &CancellationToken,
) -> anyhow::Result<()>
where
    B: Broker,
    H: Fn(Leased, u32) -> F + Send + Sync + 'static,
    F: Future<Output = Result<String, TaskError>> + Send + 'static,
{
    if task.delivery > config.max_deliveries {
        let times = task.delivery - 1;
        let why = format!("handed out {times} times; no worker finished it");
        broker.bury(&task, &why, 0).await?;
        return Ok(());
    }
    // ANCHOR_END: run_task
    // ANCHOR: attempts
    let attempts = AtomicU32::new(0);
    let attempt = || {
        let number = attempts.fetch_add(1, Ordering::Relaxed) + 1;
        handler(task.clone(), number)
    };
    let work = attempt.retry(config.retry).when(TaskError::is_transient);
    tokio::pin!(work);
    let mut renewals = tokio::time::interval(config.lease / 3);
    renewals.tick().await; // the first tick is at once
    let outcome = loop {
        tokio::select! {
            outcome = &mut work => break Some(outcome),
            _ = abort.cancelled() => break None,
            _ = renewals.tick() => {
                if !broker.renew(&task, config.lease).await? {
                    return Ok(()); // another worker has it now
                }
            }
        }
    };
    let tried = attempts.load(Ordering::Relaxed);
    match outcome {
        None => broker.release(&task).await?,
        Some(Ok(result)) => {
            let keep = config.keep_results;
            broker.complete(&task, &result, tried - 1, keep).await?
        }
        Some(Err(error)) => {
            let why = error.to_string();
            broker.bury(&task, &why, tried).await?
        }
    };
    Ok(())
}
// ANCHOR_END: attempts
