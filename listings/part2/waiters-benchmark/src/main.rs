//! Holds N concurrent waits as OS threads, as tokio tasks, and as asyncio tasks
//! (in a `python3` child process), and reports the wall time and the resident
//! memory each waiter costs.
//!
//! `cargo run -p waiters-benchmark --release -- --threads 10000 --tasks 1000000
//! --sleep-ms 1000`

use std::process::Command;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::thread;
use std::time::{Duration, Instant};

use anyhow::{Context as _, bail};

// ANCHOR: memory
/// The process's resident memory in bytes: the `VmRSS` line of
/// /proc/self/status, which the kernel keeps in kB. It counts the pages really
/// in RAM, not address space merely reserved (a thread's 2 MiB stack counts
/// only for the pages it has touched).
fn resident_bytes() -> anyhow::Result<u64> {
    let status = std::fs::read_to_string("/proc/self/status")?;
    let line = status
        .lines()
        .find(|l| l.starts_with("VmRSS:"))
        .context("no VmRSS line in /proc/self/status")?;
    let kb: u64 = line
        .split_whitespace()
        .nth(1)
        .context("VmRSS has no value")?
        .parse()?;
    Ok(kb * 1024)
}
// ANCHOR_END: memory

/// One row of the report.
struct Measured {
    how: String,
    waiters: usize,
    wall: Duration,
    bytes_per_waiter: f64,
}

/// Waiters that have started waiting, so memory is read once all of them are
/// waiting.
static STARTED: AtomicUsize = AtomicUsize::new(0);

// ANCHOR: threads
fn with_threads(count: usize, nap: Duration) -> anyhow::Result<Measured> {
    STARTED.store(0, Ordering::SeqCst);
    let before = resident_bytes()?;
    let start = Instant::now();
    let (mut threads, mut refused) = (Vec::with_capacity(count), None);
    for _ in 0..count {
        let spawned = thread::Builder::new().spawn(move || {
            STARTED.fetch_add(1, Ordering::SeqCst);
            thread::sleep(nap);
        });
        match spawned {
            Ok(handle) => threads.push(handle),
            Err(error) => {
                refused = Some(error); // the OS said no: report how far we got
                break;
            }
        }
    }
    let spawned = threads.len();
    while STARTED.load(Ordering::SeqCst) < spawned {
        thread::sleep(Duration::from_millis(1));
    }
    let during = resident_bytes()?;
    for handle in threads {
        handle.join().expect("a waiter thread panicked");
    }
    let how = match refused {
        None => "OS threads".to_string(),
        Some(error) => {
            format!("OS threads (spawn failed after {spawned}: {error})")
        }
    };
    Ok(Measured {
        how,
        waiters: spawned,
        wall: start.elapsed(),
        bytes_per_waiter: during.saturating_sub(before) as f64
            / spawned.max(1) as f64,
    })
}
// ANCHOR_END: threads

// ANCHOR: tasks
fn with_tokio_tasks(
    runtime: &tokio::runtime::Runtime,
    count: usize,
    nap: Duration,
) -> anyhow::Result<Measured> {
    runtime.block_on(async {
        STARTED.store(0, Ordering::SeqCst);
        let before = resident_bytes()?;
        let start = Instant::now();
        let tasks: Vec<_> = (0..count)
            .map(|_| {
                tokio::spawn(async move {
                    STARTED.fetch_add(1, Ordering::SeqCst);
                    tokio::time::sleep(nap).await;
                })
            })
            .collect();
        while STARTED.load(Ordering::SeqCst) < count {
            tokio::time::sleep(Duration::from_millis(1)).await;
        }
        let during = resident_bytes()?;
        for task in tasks {
            task.await?;
        }
        Ok(Measured {
            how: "tokio tasks".to_string(),
            waiters: count,
            wall: start.elapsed(),
            bytes_per_waiter: during.saturating_sub(before) as f64
                / count.max(1) as f64,
        })
    })
}
// ANCHOR_END: tasks

// ANCHOR: asyncio_program
/// The same waits in asyncio; it prints its wall time (s) and bytes per waiter.
const ASYNCIO_PROGRAM: &str = r#"
import asyncio, sys, time

def resident_bytes():
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024

async def main(count, nap):
    started = 0
    async def waiter():
        nonlocal started
        started += 1
        await asyncio.sleep(nap)
    before = resident_bytes()
    start = time.perf_counter()
    tasks = [asyncio.create_task(waiter()) for _ in range(count)]
    while started < count:
        await asyncio.sleep(0.001)
    during = resident_bytes()
    await asyncio.gather(*tasks)
    print(time.perf_counter() - start, (during - before) / count)

asyncio.run(main(int(sys.argv[1]), float(sys.argv[2])))
"#;
// ANCHOR_END: asyncio_program

// ANCHOR: asyncio
fn with_asyncio(count: usize, nap: Duration) -> anyhow::Result<Measured> {
    let output = Command::new("python3")
        .args(["-c", ASYNCIO_PROGRAM])
        .arg(count.to_string())
        .arg(nap.as_secs_f64().to_string())
        .output()?;
    if !output.status.success() {
        bail!(
            "python3 failed: {}",
            String::from_utf8_lossy(&output.stderr)
        );
    }
    let printed = String::from_utf8(output.stdout)?;
    let mut figures = printed.split_whitespace().map(str::parse::<f64>);
    let (Some(Ok(wall)), Some(Ok(bytes_per_waiter))) =
        (figures.next(), figures.next())
    else {
        bail!("unexpected output from python3: {printed:?}");
    };
    Ok(Measured {
        how: "asyncio tasks".to_string(),
        waiters: count,
        wall: Duration::from_secs_f64(wall),
        bytes_per_waiter,
    })
}
// ANCHOR_END: asyncio

// ANCHOR: fresh
/// Measures one row in a fresh copy of this program. In one process, a row
/// would start with the memory an earlier row freed still resident, and the
/// allocator can hand it back to the kernel in the middle of the row: its
/// resident memory then grows by less than it used, or even shrinks (which
/// once showed as 0 bytes per OS thread).
fn in_fresh_process(
    kind: &str,
    count: usize,
    nap: Duration,
) -> anyhow::Result<Measured> {
    let output = Command::new(std::env::current_exe()?)
        .args(["--measure", kind, &count.to_string()])
        .args(["--sleep-ms", &nap.as_millis().to_string()])
        .output()?;
    if !output.status.success() {
        bail!("measuring {kind} failed: {}", output.status);
    }
    let printed = String::from_utf8(output.stdout)?;
    let mut lines = printed.lines();
    let (Some(how), Some(figures)) = (lines.next(), lines.next()) else {
        bail!("unexpected output from the {kind} run: {printed:?}");
    };
    let figures: Vec<f64> = figures
        .split_whitespace()
        .map(str::parse)
        .collect::<Result<_, _>>()?;
    let [waiters, wall, bytes_per_waiter] = figures[..] else {
        bail!("unexpected figures from the {kind} run: {printed:?}");
    };
    Ok(Measured {
        how: how.to_string(),
        waiters: waiters as usize,
        wall: Duration::from_secs_f64(wall),
        bytes_per_waiter,
    })
}
// ANCHOR_END: fresh

// ANCHOR: measure_one
/// The other side: `--measure threads|tasks N` measures one row and prints it.
fn measure_one(kind: &str, count: usize, nap: Duration) -> anyhow::Result<()> {
    let row = match kind {
        "threads" => with_threads(count, nap)?,
        "tasks" => {
            let runtime = tokio::runtime::Runtime::new()?; // a worker per core
            with_tokio_tasks(&runtime, count, nap)?
        }
        other => bail!("cannot measure {other}"),
    };
    println!("{}", row.how);
    let wall = row.wall.as_secs_f64();
    println!("{} {wall} {}", row.waiters, row.bytes_per_waiter);
    Ok(())
}
// ANCHOR_END: measure_one

fn python_version() -> Option<String> {
    let output = Command::new("python3").arg("--version").output().ok()?;
    output
        .status
        .success()
        .then(|| String::from_utf8_lossy(&output.stdout).trim().to_string())
}

/// `1234567` as `1,234,567`.
fn grouped(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

struct Options {
    threads: usize,
    tasks: usize,
    nap: Duration,
    /// Set in a child run: measure only this row (`threads` or `tasks`, N).
    measure: Option<(String, usize)>,
}

fn parse_options() -> anyhow::Result<Options> {
    let mut options = Options {
        threads: 10_000,
        tasks: 1_000_000,
        nap: Duration::from_secs(1),
        measure: None,
    };
    let mut args = std::env::args().skip(1);
    while let Some(flag) = args.next() {
        if flag == "--measure" {
            let kind = args.next().context("--measure needs a kind")?;
            let count = args.next().context("--measure needs a count")?;
            options.measure = Some((kind, count.parse()?));
            continue;
        }
        let value: u64 = args
            .next()
            .with_context(|| format!("{flag} needs a number"))?
            .parse()
            .with_context(|| format!("{flag} needs a whole number"))?;
        match flag.as_str() {
            "--threads" => options.threads = value as usize,
            "--tasks" => options.tasks = value as usize,
            "--sleep-ms" => options.nap = Duration::from_millis(value),
            other => bail!(
                "unknown option {other} (use --threads, --tasks, --sleep-ms)"
            ),
        }
    }
    Ok(options)
}

// ANCHOR: main
fn main() -> anyhow::Result<()> {
    let options = parse_options()?;
    if let Some((kind, count)) = &options.measure {
        return measure_one(kind, *count, options.nap);
    }
    let cores = thread::available_parallelism().map_or(1, |n| n.get());
    let python = python_version();

    println!(
        "Each waiter sleeps {} ms; {cores} CPU cores; asyncio from {}",
        options.nap.as_millis(),
        python.as_deref().unwrap_or("(python3 not found)")
    );
    // Every row in a process of its own, as the asyncio rows are.
    let (few, many, nap) = (options.threads, options.tasks, options.nap);
    let mut rows = vec![
        in_fresh_process("threads", few, nap)?,
        in_fresh_process("tasks", few, nap)?,
        in_fresh_process("tasks", many, nap)?,
    ];
    if python.is_some() {
        rows.push(with_asyncio(options.threads, options.nap)?);
        rows.push(with_asyncio(options.tasks, options.nap)?);
    }

    println!();
    println!(
        "{:<14} {:>10} {:>10} {:>17} {:>14}",
        "waiters as",
        "count",
        "wall time",
        "beyond the sleep",
        "RAM per waiter"
    );
    // ANCHOR_END: main
    // ANCHOR: table
    for row in &rows {
        let beyond = row.wall.saturating_sub(options.nap);
        println!(
            "{:<14} {:>10} {:>8.2} s {:>15.2} s {:>8} bytes",
            row.how,
            grouped(row.waiters as u64),
            row.wall.as_secs_f64(),
            beyond.as_secs_f64(),
            grouped(row.bytes_per_waiter.round() as u64),
        );
    }

    let most = |how: &str| {
        rows.iter()
            .find(|r| r.how == how && r.waiters == options.tasks)
    };
    if let (Some(tokio), Some(asyncio)) =
        (most("tokio tasks"), most("asyncio tasks"))
    {
        println!();
        println!(
            concat!(
                "{} waiters: tokio took {:.1}x less wall time ",
                "and {:.1}x less RAM per waiter than asyncio",
            ),
            grouped(options.tasks as u64),
            asyncio.wall.as_secs_f64() / tokio.wall.as_secs_f64(),
            asyncio.bytes_per_waiter / tokio.bytes_per_waiter.max(1.0),
        );
    }
    Ok(())
}
// ANCHOR_END: table

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_are_grouped_by_thousands() {
        assert_eq!(grouped(7), "7");
        assert_eq!(grouped(1000), "1,000");
        assert_eq!(grouped(1_000_000), "1,000,000");
    }

    #[test]
    fn resident_memory_grows_when_memory_is_touched() {
        let before = resident_bytes().unwrap();
        let block = vec![1u8; 64 << 20];
        let during = resident_bytes().unwrap();
        assert!(during >= before + (60 << 20), "{before} -> {during}");
        drop(block);
    }

    #[test]
    fn every_waiter_is_counted_and_waited_for() {
        let runtime = tokio::runtime::Runtime::new().unwrap();
        let row =
            with_tokio_tasks(&runtime, 500, Duration::from_millis(5)).unwrap();
        assert_eq!(row.waiters, 500);
        assert_eq!(STARTED.load(Ordering::SeqCst), 500);
        assert!(row.wall >= Duration::from_millis(5));
    }
}
