//! What one crossing of each bridge costs, with no work on the other side:
//! the time for a round trip, in microseconds per call.
//! Run it with `cargo run -p bridges --bin bridges-bench --release`;
//! `-- --calls N` changes how many calls each bridge gets.

use std::hint::black_box;
use std::thread;
use std::time::{Duration, Instant};
use tokio::runtime::{Builder, Handle, Runtime};
use tokio::sync::{mpsc, oneshot};

/// Each bridge is timed this many times and the best run counts: the
/// machine is shared, and the best run is the one least disturbed.
const RUNS: usize = 3;

async fn nothing() -> u64 {
    black_box(1)
}

// ANCHOR: timing
fn per_call(calls: usize, mut run: impl FnMut(usize) -> Duration) -> f64 {
    let best = (0..RUNS).map(|_| run(calls)).min().unwrap();
    best.as_secs_f64() * 1e6 / calls as f64
}

/// Times `calls` crossings made from inside a task of `runtime`.
fn from_a_task<F>(runtime: &Runtime, calls: usize, cross: fn() -> F) -> Duration
where
    F: Future<Output = u64> + Send + 'static,
{
    runtime.block_on(async move {
        tokio::spawn(async move {
            let start = Instant::now();
            for _ in 0..calls {
                black_box(cross().await);
            }
            start.elapsed()
        })
        .await
        .unwrap()
    })
}

// ANCHOR_END: timing

/// Times `calls` crossings made from a thread the runtime does not own.
fn from_a_plain_thread(
    handle: &Handle,
    calls: usize,
    cross: fn(&Handle) -> u64,
) -> Duration {
    let handle = handle.clone();
    thread::spawn(move || {
        let start = Instant::now();
        for _ in 0..calls {
            black_box(cross(&handle));
        }
        start.elapsed()
    })
    .join()
    .unwrap()
}

fn main() -> anyhow::Result<()> {
    let calls = parse_calls()?;
    let current = Builder::new_current_thread().enable_all().build()?;
    let multi = Builder::new_multi_thread().enable_all().build()?;
    let handle = multi.handle().clone();

    println!("calls per bridge: {calls}, best of {RUNS} runs");
    println!();
    println!(
        "{:<44} {:>10}",
        "bridge (nothing done on the other side)", "µs/call"
    );
    let report = |name: &str, micros: f64| {
        println!("{name:<44} {micros:>10.2}");
    };

    report(
        "yield_now in a task (no bridge)",
        per_call(calls, |n| {
            from_a_task(&multi, n, || async {
                tokio::task::yield_now().await;
                nothing().await
            })
        }),
    );
    report(
        "Runtime::block_on, current-thread runtime",
        per_call(calls, |n| {
            let start = Instant::now();
            for _ in 0..n {
                black_box(current.block_on(nothing()));
            }
            start.elapsed()
        }),
    );
    report(
        "Handle::block_on from a plain thread",
        per_call(calls, |n| {
            from_a_plain_thread(&handle, n, |handle| handle.block_on(nothing()))
        }),
    );
    report(
        "spawn + blocking_recv from a plain thread",
        per_call(calls, |n| {
            from_a_plain_thread(&handle, n, |handle| {
                let (result_tx, result_rx) = oneshot::channel();
                handle.spawn(async move {
                    let _ = result_tx.send(nothing().await);
                });
                result_rx.blocking_recv().unwrap()
            })
        }),
    );
    report(
        "spawn_blocking, awaited",
        per_call(calls, |n| {
            from_a_task(&multi, n, || async {
                tokio::task::spawn_blocking(|| black_box(1)).await.unwrap()
            })
        }),
    );
    // A worker hands its other tasks away once per poll, so each call yields
    // afterwards: without that, only the first call of the loop would pay.
    report(
        "block_in_place, then yield_now",
        per_call(calls, |n| {
            from_a_task(&multi, n, || async {
                let one = tokio::task::block_in_place(|| black_box(1));
                tokio::task::yield_now().await;
                one
            })
        }),
    );
    report(
        "dedicated thread: mpsc job + oneshot reply",
        per_call(calls, |n| {
            let (jobs_tx, mut jobs_rx) =
                mpsc::channel::<oneshot::Sender<u64>>(16);
            let worker = thread::spawn(move || {
                while let Some(reply) = jobs_rx.blocking_recv() {
                    let _ = reply.send(black_box(1));
                }
            });
            let took = multi.block_on(async {
                let start = Instant::now();
                for _ in 0..n {
                    let (reply, answer) = oneshot::channel();
                    jobs_tx.send(reply).await.unwrap();
                    black_box(answer.await.unwrap());
                }
                start.elapsed()
            });
            drop(jobs_tx);
            worker.join().unwrap();
            took
        }),
    );
    report(
        "rayon::spawn + oneshot, awaited",
        per_call(calls, |n| {
            from_a_task(&multi, n, || async {
                let (result_tx, result_rx) = oneshot::channel();
                rayon::spawn(move || {
                    let _ = result_tx.send(black_box(1));
                });
                result_rx.await.unwrap()
            })
        }),
    );
    Ok(())
}

fn parse_calls() -> anyhow::Result<usize> {
    let mut args = std::env::args().skip(1);
    match (args.next().as_deref(), args.next()) {
        (None, _) => Ok(20_000),
        (Some("--calls"), Some(n)) => match n.parse() {
            Ok(n) if n > 0 => Ok(n),
            _ => {
                anyhow::bail!("--calls needs a whole number above 0, not {n:?}")
            }
        },
        _ => anyhow::bail!("usage: bridges-bench [--calls N]"),
    }
}
