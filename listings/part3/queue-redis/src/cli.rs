//! The command line: the same commands for either broker.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use anyhow::{Context as _, bail};
use clap::{Parser, Subcommand};
use tokio::signal::unix::{Signal, SignalKind, signal};

use crate::redis::RedisBroker;
use crate::sqlite::SqliteBroker;
use crate::{
    Broker, Leased, NewTask, Priority, Shutdown, WorkerConfig, format_progress,
    handle, run_worker,
};

// ANCHOR: args
/// A task queue on SQLite (one machine) or Redis (several).
#[derive(Parser, Debug)]
pub struct Args {
    /// sqlite:PATH, or redis://HOST:PORT/
    #[arg(long, default_value = "sqlite:queue.db")]
    pub broker: String,
    /// The first part of every Redis key the queue uses.
    #[arg(long, default_value = "queue")]
    pub prefix: String,
    #[command(subcommand)]
    pub command: Option<Command>,
}
// ANCHOR_END: args

// ANCHOR: commands
#[derive(Subcommand, Debug)]
pub enum Command {
    /// Adds a task and prints its id.
    Enqueue {
        kind: String,
        payload: String,
        #[arg(long, default_value = "normal")]
        priority: Priority,
    },
    /// Runs tasks until Ctrl-C or SIGTERM.
    Worker {
        #[arg(long, default_value_t = 4)]
        concurrency: usize,
        /// Seconds a task stays a worker's without a renewal.
        #[arg(long, default_value_t = 30.0)]
        lease: f64,
        /// Seconds to finish running tasks after a stop signal.
        #[arg(long, default_value_t = 10.0)]
        deadline: f64,
        /// Stop when the queue is empty.
        #[arg(long)]
        until_empty: bool,
    },
    /// Shows how many tasks are in each state, per priority.
    Progress,
    /// Prints a task's result, if it is done and not expired.
    Result { id: u64 },
    /// Lists the dead letters and why each died.
    Dead,
}
// ANCHOR_END: commands

// ANCHOR: dispatch
/// Opens the broker the URL names and runs the command on it. `run` is
/// generic, so each broker gets its own copy, with no `dyn` in sight.
pub async fn main(args: Args) -> anyhow::Result<()> {
    let Some(command) = args.command else {
        return demo().await;
    };
    if args.broker.starts_with("redis://") {
        let broker = RedisBroker::connect(&args.broker, &args.prefix)
            .await
            .with_context(|| format!("cannot connect to {}", args.broker))?;
        run(broker, command).await
    } else if let Some(path) = args.broker.strip_prefix("sqlite:") {
        let broker = SqliteBroker::open(PathBuf::from(path))
            .await
            .with_context(|| format!("cannot open {path}"))?;
        run(broker, command).await
    } else {
        bail!("unknown broker {:?}: sqlite:PATH or redis://…", args.broker)
    }
}
// ANCHOR_END: dispatch

async fn run<B: Broker>(broker: B, command: Command) -> anyhow::Result<()> {
    let broker = Arc::new(broker);
    match command {
        Command::Enqueue {
            kind,
            payload,
            priority,
        } => {
            let new = NewTask {
                kind,
                payload,
                priority,
            };
            println!("enqueued task {}", broker.enqueue(new).await?);
        }
        Command::Worker {
            concurrency,
            lease,
            deadline,
            until_empty,
        } => {
            if concurrency == 0 {
                bail!("--concurrency must be at least 1");
            }
            let seconds = |s: f64, what: &str| {
                Duration::try_from_secs_f64(s)
                    .ok()
                    .filter(|d| !d.is_zero())
                    .with_context(|| format!("--{what} {s} is not a time"))
            };
            let config = WorkerConfig {
                concurrency,
                lease: seconds(lease, "lease")?,
                until_empty,
                ..WorkerConfig::default()
            };
            work(broker, config, seconds(deadline, "deadline")?).await?;
        }
        Command::Progress => {
            print!("{}", format_progress(&broker.progress().await?));
        }
        Command::Result { id } => match broker.result(id).await? {
            Some(result) => println!("{result}"),
            None => bail!("task {id} has no result (not done, or expired)"),
        },
        Command::Dead => {
            for (id, why) in broker.dead_letters().await? {
                println!("task {id}: {why}");
            }
        }
    }
    Ok(())
}

// ANCHOR: signals
/// Ctrl-C and SIGTERM, listened to from the start (as in "Web servers").
struct StopSignals {
    interrupt: Signal,
    terminate: Signal,
}

impl StopSignals {
    fn listen() -> std::io::Result<Self> {
        Ok(StopSignals {
            interrupt: signal(SignalKind::interrupt())?,
            terminate: signal(SignalKind::terminate())?,
        })
    }

    async fn next(&mut self) -> &'static str {
        tokio::select! {
            _ = self.interrupt.recv() => "Ctrl-C",
            _ = self.terminate.recv() => "SIGTERM",
        }
    }
}
// ANCHOR_END: signals

/// The demo's and the worker's handler: `handle`, saying what it does.
async fn announced(
    task: Leased,
    attempt: u32,
) -> Result<String, crate::TaskError> {
    println!(
        "task {} ({} {}): delivery {}, attempt {attempt}",
        task.id, task.kind, task.payload, task.delivery
    );
    handle(task, attempt).await
}

// ANCHOR: work
/// Runs a worker until the queue's work is done (with `until_empty`) or
/// a signal says stop; then finishes what is running, within `deadline`.
/// A second signal, or the deadline, hands back what is still running.
pub async fn work<B: Broker>(
    broker: Arc<B>,
    config: WorkerConfig,
    deadline: Duration,
) -> anyhow::Result<()> {
    let mut signals = StopSignals::listen()?;
    let shutdown = Shutdown::default();
    let concurrency = config.concurrency;
    let worker = run_worker(broker, announced, config, shutdown.clone());
    let mut worker = tokio::spawn(worker);
    println!(
        "worker {} ready, {concurrency} at a time",
        std::process::id()
    );
    let which = tokio::select! {
        finished = &mut worker => return finished?,
        which = signals.next() => which,
    };
    println!("{which}: finishing running tasks (at most {deadline:?})");
    shutdown.stop.cancel();
    tokio::select! {
        finished = &mut worker => return finished?,
        () = tokio::time::sleep(deadline) => {
            println!("deadline passed: handing back running tasks");
        }
        which = signals.next() => {
            println!("{which} again: handing back running tasks");
        }
    }
    shutdown.abort.cancel();
    worker.await?
}
// ANCHOR_END: work

/// `cargo run` with no command: a few tasks through a temporary SQLite
/// queue, by one worker that stops when they are done.
async fn demo() -> anyhow::Result<()> {
    let folder = tempfile::tempdir()?;
    let broker = SqliteBroker::open(folder.path().join("q.db")).await?;
    let broker = Arc::new(broker);
    let tasks = [
        ("square", "7", Priority::Low),
        ("square", "12", Priority::High),
        ("flaky", "1", Priority::Normal),
        ("square", "seven", Priority::Normal),
    ];
    for (kind, payload, priority) in tasks {
        let (kind, payload) = (kind.to_string(), payload.to_string());
        broker
            .enqueue(NewTask {
                kind,
                payload,
                priority,
            })
            .await?;
    }
    let config = WorkerConfig {
        concurrency: 1,
        until_empty: true,
        ..WorkerConfig::default()
    };
    run_worker(broker.clone(), announced, config, Shutdown::default()).await?;
    for (id, why) in broker.dead_letters().await? {
        println!("task {id} is dead: {why}");
    }
    print!("{}", format_progress(&broker.progress().await?));
    Ok(())
}
