//! `scraper-crawl START_URL`: crawls a site into a SQLite file.

use std::num::NonZeroUsize;
use std::path::PathBuf;
use std::time::Duration;

use anyhow::Context as _;
use clap::Parser;
use indicatif::{ProgressBar, ProgressStyle};
use scraper_crawl::{Limits, Store, Summary, crawl};
use tokio::signal::unix::{Signal, SignalKind, signal};
use tokio_util::sync::CancellationToken;
use url::Url;

// ANCHOR: args
/// Crawls a web site from START_URL, following links within the site,
/// and saves every page to a SQLite file. Stopped, it resumes when run
/// again with the same file.
#[derive(Parser)]
#[command(version)]
struct Args {
    /// The page to start from (an http:// or https:// URL)
    #[arg(value_parser = http_url)]
    start_url: Url,
    /// The SQLite file the crawl is saved in
    #[arg(long, default_value = "crawl.db")]
    db: PathBuf,
    /// At most this many requests at once
    #[arg(long, default_value = "4")]
    concurrency: NonZeroUsize,
    /// At most this many requests a second to one host
    #[arg(long, default_value_t = 5)]
    #[arg(value_parser = clap::value_parser!(u32).range(1..))]
    rate: u32,
    /// Retries of a page that failed in a way that may pass
    #[arg(long, default_value_t = 3)]
    retries: usize,
    /// Seconds to wait for a page
    #[arg(long, default_value_t = 10)]
    timeout: u64,
}

fn http_url(text: &str) -> Result<Url, String> {
    let url = Url::parse(text).map_err(|error| error.to_string())?;
    match url.scheme() {
        "http" | "https" => Ok(url),
        other => {
            Err(format!("only http and https can be crawled, not {other}"))
        }
    }
}
// ANCHOR_END: args

// ANCHOR: main
#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    let limits = Limits {
        concurrency: args.concurrency.get(),
        per_second: args.rate,
        retries: args.retries,
        timeout: Duration::from_secs(args.timeout),
    };
    let store = Store::open(&args.db, &args.start_url)
        .await
        .with_context(|| format!("cannot open {}", args.db.display()))?;
    // Drawn on stderr, and only if stderr is a terminal.
    let progress =
        ProgressBar::new(0).with_style(ProgressStyle::with_template(
            "{spinner} {pos}/{len} pages, {msg} [{elapsed}, {per_sec}]",
        )?);
    progress.enable_steady_tick(Duration::from_millis(100));
    // Listening from here on: a signal before this would kill us outright.
    let signals = (
        signal(SignalKind::interrupt())?,
        signal(SignalKind::terminate())?,
    );
    let stop = CancellationToken::new();
    tokio::spawn(stop_on_signal(signals, stop.clone(), progress.clone()));
    let summary = crawl(&args.start_url, &store, &limits, &progress, stop);
    let summary = summary.await?;
    progress.finish_and_clear();
    store.close().await?;
    print_summary(&summary);
    Ok(())
}
// ANCHOR_END: main

// ANCHOR: signals
/// The first Ctrl-C (or SIGTERM) stops the crawl after the pages in
/// flight; a second one ends the program at once.
async fn stop_on_signal(
    (mut interrupt, mut terminate): (Signal, Signal),
    stop: CancellationToken,
    progress: ProgressBar,
) {
    tokio::select! {
        _ = interrupt.recv() => {}
        _ = terminate.recv() => {}
    }
    // Printed "through" the bar, so that it does not draw over the line.
    progress.suspend(|| {
        eprintln!("stopping after the pages in flight (again to quit now)");
    });
    stop.cancel();
    tokio::select! {
        _ = interrupt.recv() => {}
        _ = terminate.recv() => {}
    }
    std::process::exit(130);
}
// ANCHOR_END: signals

// ANCHOR: summary
fn print_summary(summary: &Summary) {
    let Summary {
        fetched,
        failed,
        seen,
        left,
    } = summary;
    println!("fetched {fetched} pages, {} failed", failed.len());
    for (url, error) in failed {
        println!("  {}: {error}", url.path());
    }
    if *left > 0 {
        println!(
            "stopped with {left} of {seen} pages to go: run again to resume"
        );
    } else {
        println!("the site is done: {seen} pages");
    }
}
// ANCHOR_END: summary
