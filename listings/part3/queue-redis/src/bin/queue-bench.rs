//! Tasks per second through each broker: the tasks are enqueued first,
//! then worker processes are started, and the clock runs until the last
//! one has found the queue empty and stopped.
//!
//! `bench [--tasks N]`. The Redis part starts its own `redis-server` (on a
//! free loopback port, in a temporary folder), so it needs the package.

use std::net::{TcpListener, TcpStream};
use std::process::Stdio;
use std::time::{Duration, Instant};

use anyhow::{Context as _, bail};
use clap::Parser as _;
use queue_redis::redis::RedisBroker;
use queue_redis::sqlite::SqliteBroker;
use queue_redis::{Broker, NewTask, Priority};
use tokio::task::JoinSet;

const CONCURRENCY: &str = "8";

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let mut args = std::env::args().skip(1);
    let tasks = match (args.next().as_deref(), args.next()) {
        (None, _) => 5000,
        (Some("--tasks"), Some(n)) => n
            .parse::<u32>()
            .ok()
            .filter(|&n| n > 0)
            .with_context(|| format!("--tasks wants a count, not {n:?}"))?,
        // The worker processes are this same program, run as the queue.
        (Some("worker"), _) => {
            let args = std::env::args().skip(2);
            let queue = ["queue".to_string()].into_iter().chain(args);
            let cli = queue_redis::cli::Args::parse_from(queue);
            return queue_redis::cli::main(cli).await;
        }
        _ => bail!("usage: queue-bench [--tasks N]"),
    };
    let cores = std::thread::available_parallelism()?;
    println!("{tasks} tasks; each worker is a process that runs {CONCURRENCY}");
    println!("at a time; {cores} CPU cores, shared by workers and broker");

    let folder = tempfile::tempdir()?;
    for workers in [1, 2] {
        let path = folder.path().join(format!("bench-{workers}.db"));
        let broker = SqliteBroker::open(&path).await?;
        enqueue(&broker, tasks).await?;
        let url = format!("sqlite:{}", path.display());
        let rate = run_workers(&url, workers, tasks).await?;
        println!("sqlite, {workers} worker(s): {rate:>7.0} tasks/s");
    }

    let Some(server) = RedisServer::start(folder.path())? else {
        println!("redis skipped: redis-server is not installed");
        return Ok(());
    };
    for workers in [1, 2, 4] {
        let url = format!("redis://127.0.0.1:{}/", server.port);
        // One prefix per run: each starts with an empty queue.
        let prefix = format!("bench-{workers}");
        enqueue(&RedisBroker::connect(&url, &prefix).await?, tasks).await?;
        let url = format!("{url} --prefix {prefix}");
        let rate = run_workers(&url, workers, tasks).await?;
        println!("redis, {workers} worker(s):  {rate:>7.0} tasks/s");
    }
    Ok(())
}

async fn enqueue<B: Broker>(broker: &B, tasks: u32) -> anyhow::Result<()> {
    for n in 0..tasks {
        let payload = n.to_string();
        let kind = "square".to_string();
        let priority = Priority::Normal;
        broker
            .enqueue(NewTask {
                kind,
                payload,
                priority,
            })
            .await?;
    }
    Ok(())
}

// ANCHOR: run
/// Starts `workers` worker processes on the broker (`URL [--prefix P]`)
/// and returns the tasks per second, from their start to the last exit.
async fn run_workers(
    broker: &str,
    workers: u32,
    tasks: u32,
) -> anyhow::Result<f64> {
    let program = std::env::current_exe()?;
    let mut broker_args = broker.split(' ');
    let url = broker_args.next().unwrap_or_default().to_string();
    let prefix: Vec<String> = broker_args.map(String::from).collect();
    let started = Instant::now();
    let mut running = JoinSet::new();
    for _ in 0..workers {
        let mut worker = tokio::process::Command::new(&program);
        worker
            .args(["worker", "--broker", &url])
            .args(&prefix)
            .args(["worker", "--until-empty", "--concurrency", CONCURRENCY])
            .stdout(Stdio::null());
        running.spawn(async move { worker.status().await });
    }
    while let Some(status) = running.join_next().await {
        let status = status??;
        if !status.success() {
            bail!("a worker failed: {status}");
        }
    }
    Ok(f64::from(tasks) / started.elapsed().as_secs_f64())
}
// ANCHOR_END: run

/// A `redis-server` of the benchmark's own, stopped when dropped.
struct RedisServer {
    process: std::process::Child,
    port: u16,
}

impl RedisServer {
    fn start(dir: &std::path::Path) -> anyhow::Result<Option<RedisServer>> {
        let port = TcpListener::bind("127.0.0.1:0")?.local_addr()?.port();
        let spawned = std::process::Command::new("redis-server")
            .args(["--port", &port.to_string(), "--bind", "127.0.0.1"])
            .args(["--save", "", "--appendonly", "no"])
            .arg("--dir")
            .arg(dir)
            .stdout(Stdio::null())
            .spawn();
        let process = match spawned {
            Ok(process) => process,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                return Ok(None);
            }
            Err(e) => return Err(e).context("cannot start redis-server"),
        };
        let server = RedisServer { process, port };
        let deadline = Instant::now() + Duration::from_secs(10);
        while TcpStream::connect(("127.0.0.1", port)).is_err() {
            if Instant::now() > deadline {
                bail!("redis-server did not start");
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        Ok(Some(server))
    }
}

impl Drop for RedisServer {
    fn drop(&mut self) {
        let _ = self.process.kill();
        let _ = self.process.wait();
    }
}
