//! tokio::fs against std::fs inside one spawn_blocking, on real files in a
//! temporary folder. `--files N` small files, `--megabytes M` big file.

use std::io::Read;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use tokio::io::{AsyncReadExt, BufReader};

const SMALL: usize = 1024;
const CHUNK: usize = 1024;

// ANCHOR: small
/// Each read is its own `spawn_blocking` underneath: open, read, close.
async fn small_files_tokio(paths: &[PathBuf]) -> anyhow::Result<usize> {
    let mut total = 0;
    for path in paths {
        total += tokio::fs::read(path).await?.len();
    }
    Ok(total)
}

/// One trip to the blocking pool for the whole batch.
async fn small_files_std(paths: Vec<PathBuf>) -> anyhow::Result<usize> {
    let total = tokio::task::spawn_blocking(move || {
        let mut total = 0;
        for path in &paths {
            total += std::fs::read(path)?.len();
        }
        anyhow::Ok(total)
    });
    total.await?
}
// ANCHOR_END: small

// ANCHOR: chunks
/// 1 KiB at a time from a `tokio::fs::File`: one blocking trip per read.
async fn chunks_tokio(path: &Path) -> anyhow::Result<usize> {
    let mut file = tokio::fs::File::open(path).await?;
    let (mut buf, mut total) = ([0; CHUNK], 0);
    loop {
        match file.read(&mut buf).await? {
            0 => return Ok(total),
            n => total += n,
        }
    }
}

/// The same reads, through tokio's `BufReader` (8 KiB per blocking trip).
async fn chunks_tokio_buffered(path: &Path) -> anyhow::Result<usize> {
    let mut file = BufReader::new(tokio::fs::File::open(path).await?);
    let (mut buf, mut total) = ([0; CHUNK], 0);
    loop {
        match file.read(&mut buf).await? {
            0 => return Ok(total),
            n => total += n,
        }
    }
}

/// The same reads with `std::fs::File`, all inside one `spawn_blocking`.
async fn chunks_std(path: PathBuf) -> anyhow::Result<usize> {
    tokio::task::spawn_blocking(move || {
        let mut file = std::fs::File::open(path)?;
        let (mut buf, mut total) = ([0; CHUNK], 0);
        loop {
            match file.read(&mut buf)? {
                0 => return Ok(total),
                n => total += n,
            }
        }
    })
    .await?
}
// ANCHOR_END: chunks

fn arg(name: &str, default: usize) -> anyhow::Result<usize> {
    let args: Vec<String> = std::env::args().collect();
    match args.iter().position(|a| a == name) {
        None => Ok(default),
        Some(i) => match args.get(i + 1).map(|v| v.parse()) {
            Some(Ok(n)) if n > 0 => Ok(n),
            _ => anyhow::bail!("{name} needs a positive number"),
        },
    }
}

/// The best of three runs: the least disturbed by other work.
async fn best_of_three<F, Fut>(mut run: F) -> anyhow::Result<Duration>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = anyhow::Result<usize>>,
{
    let mut best = Duration::MAX;
    for _ in 0..3 {
        let start = Instant::now();
        run().await?;
        best = best.min(start.elapsed());
    }
    Ok(best)
}

fn row(what: &str, took: Duration, baseline: Duration) {
    let ms = took.as_secs_f64() * 1000.0;
    let ratio = took.as_secs_f64() / baseline.as_secs_f64();
    println!("{what:<44} {ms:>9.1} ms {ratio:>7.1}x");
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let files = arg("--files", 5000)?;
    let megabytes = arg("--megabytes", 64)?;
    let dir = tempfile::tempdir()?;
    let paths: Vec<PathBuf> = (0..files)
        .map(|i| dir.path().join(format!("{i}.txt")))
        .collect();
    for path in &paths {
        std::fs::write(path, [b'x'; SMALL])?;
    }
    let big = dir.path().join("big.bin");
    std::fs::write(&big, vec![b'y'; megabytes * 1024 * 1024])?;
    let cores = std::thread::available_parallelism()?;
    println!("{files} files of 1 KiB; one file of {megabytes} MiB read 1 KiB");
    println!("at a time; best of three runs; {cores} CPU cores");
    println!();
    println!("{:<44} {:>12} {:>8}", "how", "time", "vs std");

    let std_small = best_of_three(|| small_files_std(paths.clone())).await?;
    let tokio_small = best_of_three(|| small_files_tokio(&paths)).await?;
    row(
        "small files: std::fs in one spawn_blocking",
        std_small,
        std_small,
    );
    row("small files: tokio::fs::read each", tokio_small, std_small);

    let std_chunks = best_of_three(|| chunks_std(big.clone())).await?;
    let tokio_chunks = best_of_three(|| chunks_tokio(&big)).await?;
    let buffered = best_of_three(|| chunks_tokio_buffered(&big)).await?;
    row(
        "1 KiB reads: std::fs in one spawn_blocking",
        std_chunks,
        std_chunks,
    );
    row("1 KiB reads: tokio::fs::File", tokio_chunks, std_chunks);
    row(
        "1 KiB reads: tokio::fs::File in a BufReader",
        buffered,
        std_chunks,
    );
    Ok(())
}
