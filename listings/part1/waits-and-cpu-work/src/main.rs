use std::time::{Duration, Instant};

use anyhow::{Context as _, bail};
use tokio::runtime::{Builder, Runtime};

const JOBS: usize = 4;

// ANCHOR: jobs
/// Waits without using the CPU: while it sleeps, its thread is free for other
/// tasks.
async fn wait_all(jobs: usize, wait: Duration) -> anyhow::Result<()> {
    let tasks: Vec<_> = (0..jobs)
        .map(|_| tokio::spawn(tokio::time::sleep(wait)))
        .collect();
    for task in tasks {
        task.await?;
    }
    Ok(())
}

/// Keeps a CPU core busy: each task counts the primes below `limit`, the slow
/// way.
async fn count_all(jobs: usize, limit: u64) -> anyhow::Result<Vec<u64>> {
    let tasks: Vec<_> = (0..jobs)
        .map(|_| tokio::spawn(async move { count_primes(limit) }))
        .collect();
    let mut counts = Vec::new();
    for task in tasks {
        counts.push(task.await?);
    }
    Ok(counts)
}

fn count_primes(limit: u64) -> u64 {
    let is_prime = |n: u64| {
        (2..)
            .take_while(|d| d * d <= n)
            .all(|d| !n.is_multiple_of(d))
    };
    (2..limit).filter(|&n| is_prime(n)).count() as u64
}
// ANCHOR_END: jobs

// ANCHOR: main
fn main() -> anyhow::Result<()> {
    let (limit, wait) = parse_args()?;
    let cores = std::thread::available_parallelism()?.get();
    // Two runtimes built by hand (the next chapter shows how): one thread, or
    // one per core.
    let one_thread = Builder::new_current_thread().enable_all().build()?;
    let every_core = Builder::new_multi_thread().enable_all().build()?;

    println!(
        "{JOBS} jobs, each waiting {} ms or counting the primes below {limit}",
        wait.as_millis()
    );
    let one_count = time(&one_thread, count_all(1, limit))?;
    println!("one count alone: {:.2}s", one_count.as_secs_f64());
    println!("{:<28}{:>8}{:>10}", "runtime", "waiting", "counting");
    let runtimes = [
        ("current_thread, 1 thread".to_string(), &one_thread),
        (format!("multi_thread, {cores} threads"), &every_core),
    ];
    for (name, runtime) in runtimes {
        let waiting = time(runtime, wait_all(JOBS, wait))?;
        let counting = time(runtime, count_all(JOBS, limit))?;
        println!(
            "{name:<28}{:>7.2}s{:>9.2}s",
            waiting.as_secs_f64(),
            counting.as_secs_f64()
        );
    }
    Ok(())
}

/// Runs `work` to the end on `runtime` and says how long it took.
fn time<T>(
    runtime: &Runtime,
    work: impl Future<Output = anyhow::Result<T>>,
) -> anyhow::Result<Duration> {
    let start = Instant::now();
    runtime.block_on(work)?;
    Ok(start.elapsed())
}
// ANCHOR_END: main

/// `--limit N` (primes below N) and `--wait-ms N`, both optional.
fn parse_args() -> anyhow::Result<(u64, Duration)> {
    let mut limit = 1_500_000;
    let mut wait_ms = 500;
    let mut args = std::env::args().skip(1);
    while let Some(flag) = args.next() {
        let value = args
            .next()
            .with_context(|| format!("{flag} needs a value"))?;
        let number: u64 = value.parse().with_context(|| {
            format!("{flag} takes a whole number, not {value:?}")
        })?;
        match flag.as_str() {
            "--limit" => limit = number,
            "--wait-ms" => wait_ms = number,
            _ => bail!(
                "unknown option {flag}; the options are --limit and --wait-ms"
            ),
        }
    }
    Ok((limit, Duration::from_millis(wait_ms)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Arc;
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::thread;

    #[tokio::test(start_paused = true)]
    async fn four_waits_on_one_thread_take_as_long_as_one() {
        let start = tokio::time::Instant::now();
        wait_all(4, Duration::from_millis(500)).await.unwrap();
        assert_eq!(start.elapsed(), Duration::from_millis(500));
    }

    #[test]
    fn the_counting_is_right() {
        assert_eq!(count_primes(100), 25);
        let runtime = Builder::new_current_thread().build().unwrap();
        assert_eq!(runtime.block_on(count_all(3, 30)).unwrap(), [10, 10, 10]);
    }

    #[test]
    fn on_the_current_thread_runtime_every_task_runs_on_the_calling_thread() {
        let runtime = Builder::new_current_thread().build().unwrap();
        let threads = runtime.block_on(async {
            let tasks: Vec<_> = (0..4)
                .map(|_| tokio::spawn(async { thread::current().id() }))
                .collect();
            let mut threads = Vec::new();
            for task in tasks {
                threads.push(task.await.unwrap());
            }
            threads
        });
        assert!(threads.iter().all(|&id| id == thread::current().id()));
    }

    // ANCHOR: parallel-test
    #[test]
    fn on_the_multi_thread_runtime_two_tasks_compute_at_the_same_moment() {
        let runtime = Builder::new_multi_thread()
            .worker_threads(2)
            .build()
            .unwrap();
        let started = Arc::new(AtomicUsize::new(0));
        let results = runtime.block_on(async {
            let tasks: Vec<_> = (0..2)
                .map(|_| {
                    let started = Arc::clone(&started);
                    tokio::spawn(async move {
                        started.fetch_add(1, Ordering::SeqCst);
                        // Busy until the other task has started too: that can
                        // only happen if it runs on another thread while this
                        // one still holds its own.
                        let give_up = Instant::now() + Duration::from_secs(10);
                        while started.load(Ordering::SeqCst) < 2
                            && Instant::now() < give_up
                        {
                            std::hint::spin_loop();
                        }
                        let both_running = started.load(Ordering::SeqCst) == 2;
                        let count = count_primes(1_000);
                        (both_running, thread::current().id(), count)
                    })
                })
                .collect();
            let mut results = Vec::new();
            for task in tasks {
                results.push(task.await.unwrap());
            }
            results
        });
        for &(both_running, _, count) in &results {
            assert!(both_running && count == 168);
        }
        assert_ne!(results[0].1, results[1].1, "the tasks ran on two threads");
    }
    // ANCHOR_END: parallel-test
}
