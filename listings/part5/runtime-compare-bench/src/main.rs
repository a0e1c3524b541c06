//! The same two workloads on three runtimes, in one run: tokio's
//! current-thread and multi-thread schedulers, and smol.
use std::time::{Duration, Instant};

use anyhow::{Context, bail};

// ANCHOR: tokio
/// Spawns `tasks` tasks that each sleep `sleep`, and waits for all of them.
async fn tokio_sleepers(tasks: usize, sleep: Duration) {
    let handles: Vec<_> = (0..tasks)
        .map(|_| tokio::spawn(tokio::time::sleep(sleep)))
        .collect();
    for handle in handles {
        handle.await.unwrap();
    }
}

/// Two tasks pass one number back and forth `round_trips` times.
async fn tokio_ping_pong(round_trips: u32) {
    let (ping_tx, mut ping_rx) = tokio::sync::mpsc::channel(1);
    let (pong_tx, mut pong_rx) = tokio::sync::mpsc::channel(1);
    let echo = tokio::spawn(async move {
        while let Some(n) = ping_rx.recv().await {
            pong_tx.send(n).await.unwrap();
        }
    });
    for n in 0..round_trips {
        ping_tx.send(n).await.unwrap();
        assert_eq!(pong_rx.recv().await, Some(n));
    }
    drop(ping_tx); // ends the echo task's loop
    echo.await.unwrap();
}
// ANCHOR_END: tokio

// ANCHOR: smol
/// The same two workloads on smol: an executor we run ourselves, smol's
/// timer, and smol's channel.
async fn smol_sleepers(ex: &smol::Executor<'_>, tasks: usize, sleep: Duration) {
    let handles: Vec<_> = (0..tasks)
        .map(|_| ex.spawn(smol::Timer::after(sleep)))
        .collect();
    for handle in handles {
        handle.await;
    }
}

async fn smol_ping_pong(ex: &smol::Executor<'_>, round_trips: u32) {
    let (ping_tx, ping_rx) = smol::channel::bounded(1);
    let (pong_tx, pong_rx) = smol::channel::bounded(1);
    let echo = ex.spawn(async move {
        while let Ok(n) = ping_rx.recv().await {
            pong_tx.send(n).await.unwrap();
        }
    });
    for n in 0..round_trips {
        ping_tx.send(n).await.unwrap();
        assert_eq!(pong_rx.recv().await, Ok(n));
    }
    drop(ping_tx);
    echo.await;
}
// ANCHOR_END: smol

#[derive(Clone, Copy)]
enum Runtime {
    TokioCurrentThread,
    TokioMultiThread,
    Smol,
}

impl Runtime {
    fn name(self) -> &'static str {
        match self {
            Runtime::TokioCurrentThread => "tokio current-thread",
            Runtime::TokioMultiThread => "tokio multi-thread",
            Runtime::Smol => "smol (one thread)",
        }
    }

    /// Builds the runtime, runs the workload on it and returns how long the
    /// workload took (building the runtime is not counted).
    fn time(self, workload: Workload) -> anyhow::Result<Duration> {
        let tokio_rt = match self {
            Runtime::TokioCurrentThread => {
                tokio::runtime::Builder::new_current_thread()
            }
            Runtime::TokioMultiThread => {
                tokio::runtime::Builder::new_multi_thread()
            }
            Runtime::Smol => {
                let ex = smol::Executor::new();
                return Ok(smol::block_on(ex.run(async {
                    let start = Instant::now();
                    match workload {
                        Workload::Sleepers { tasks, sleep } => {
                            smol_sleepers(&ex, tasks, sleep).await
                        }
                        Workload::PingPong { round_trips } => {
                            smol_ping_pong(&ex, round_trips).await
                        }
                    }
                    start.elapsed()
                })));
            }
        }
        .enable_all()
        .build()?;
        Ok(tokio_rt.block_on(async {
            let start = Instant::now();
            match workload {
                Workload::Sleepers { tasks, sleep } => {
                    tokio_sleepers(tasks, sleep).await
                }
                Workload::PingPong { round_trips } => {
                    tokio_ping_pong(round_trips).await
                }
            }
            start.elapsed()
        }))
    }
}

#[derive(Clone, Copy)]
enum Workload {
    Sleepers { tasks: usize, sleep: Duration },
    PingPong { round_trips: u32 },
}

struct Options {
    tasks: usize,
    sleep_ms: u64,
    round_trips: u32,
}

fn parse_options() -> anyhow::Result<Options> {
    let mut options = Options {
        tasks: 100_000,
        sleep_ms: 100,
        round_trips: 100_000,
    };
    let mut args = std::env::args().skip(1);
    while let Some(flag) = args.next() {
        let value = args
            .next()
            .with_context(|| format!("{flag} needs a value"))?;
        let number = || {
            value
                .parse::<u64>()
                .with_context(|| format!("{flag}: `{value}` is not a number"))
        };
        match flag.as_str() {
            "--tasks" => options.tasks = number()? as usize,
            "--sleep-ms" => options.sleep_ms = number()?,
            "--round-trips" => options.round_trips = number()?.try_into()?,
            _ => bail!(
                "unknown option {flag}; expected --tasks, --sleep-ms or \
                 --round-trips"
            ),
        }
    }
    if options.tasks == 0 || options.round_trips == 0 {
        bail!("--tasks and --round-trips must be at least 1");
    }
    Ok(options)
}

fn thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, digit) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(digit);
    }
    out
}

fn main() -> anyhow::Result<()> {
    let options = parse_options()?;
    let sleep = Duration::from_millis(options.sleep_ms);
    let cores = std::thread::available_parallelism()?;
    println!("{cores} CPU cores; times are the best of 3 runs\n");
    let workloads = [
        (
            format!(
                "{} sleeps of {} ms",
                thousands(options.tasks as u64),
                options.sleep_ms
            ),
            Workload::Sleepers {
                tasks: options.tasks,
                sleep,
            },
            options.tasks as u32,
            "task",
        ),
        (
            format!(
                "ping-pong, {} trips",
                thousands(options.round_trips.into())
            ),
            Workload::PingPong {
                round_trips: options.round_trips,
            },
            options.round_trips,
            "trip",
        ),
    ];
    let runtimes = [
        Runtime::TokioCurrentThread,
        Runtime::TokioMultiThread,
        Runtime::Smol,
    ];
    println!(
        "{:<25} {:<20} {:>9}  {:>15}",
        "workload", "runtime", "wall time", "cost"
    );
    for (label, workload, count, per) in &workloads {
        for runtime in runtimes {
            let mut best = Duration::MAX;
            for _ in 0..3 {
                best = best.min(runtime.time(*workload)?);
            }
            let beyond = match workload {
                Workload::Sleepers { .. } => best.saturating_sub(sleep),
                Workload::PingPong { .. } => best,
            };
            println!(
                "{label:<25} {:<20} {:>7.3} s  {:>7.2} µs/{per}",
                runtime.name(),
                best.as_secs_f64(),
                beyond.as_secs_f64() * 1e6 / f64::from(*count),
            );
        }
    }
    Ok(())
}
