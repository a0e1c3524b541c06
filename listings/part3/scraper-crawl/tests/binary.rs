//! The real program: its command line, its output, and Ctrl-C then a
//! second run that resumes. These wait for real (a few seconds).
#![cfg(unix)]

mod support;

use std::path::Path;
use std::process::{Output, Stdio};
use std::time::Duration;

use tokio::process::Command;
use tokio::time::{sleep, timeout};

fn program(args: &[&str]) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_scraper-crawl"));
    command
        .args(args)
        .env_remove("RUST_BACKTRACE")
        .env_remove("RUST_LIB_BACKTRACE")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .kill_on_drop(true);
    command
}

async fn run(args: &[&str]) -> Output {
    let output = program(args).output();
    timeout(Duration::from_secs(60), output)
        .await
        .unwrap()
        .unwrap()
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

#[tokio::test]
async fn bad_input_is_a_clear_error() {
    for (arg, error) in [
        (
            "example.com",
            "error: invalid value 'example.com' for '<START_URL>': \
             relative URL without a base",
        ),
        (
            "ftp://example.com/",
            "error: invalid value 'ftp://example.com/' for '<START_URL>': \
             only http and https can be crawled, not ftp",
        ),
    ] {
        let output = run(&[arg]).await;
        assert_eq!(output.status.code(), Some(2));
        let stderr = text(&output.stderr);
        let help = "For more information, try '--help'.";
        assert_eq!(stderr, format!("{error}\n\n{help}\n"));
    }
    for (option, shown) in [
        ("--rate", "--rate <RATE>"),
        ("--concurrency", "--concurrency <CONCURRENCY>"),
    ] {
        let output = run(&["http://127.0.0.1:1/", option, "0"]).await;
        assert_eq!(output.status.code(), Some(2));
        let stderr = text(&output.stderr);
        let error = format!("error: invalid value '0' for '{shown}'");
        assert!(stderr.starts_with(&error), "{stderr}");
    }
}

#[tokio::test]
async fn a_database_that_cannot_be_opened_is_a_clear_error() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("no/such/folder/crawl.db");
    let args = ["http://127.0.0.1:1/", "--db", db.to_str().unwrap()];
    let output = run(&args).await;
    assert_eq!(output.status.code(), Some(1));
    let stderr = text(&output.stderr);
    let first = stderr.lines().next().unwrap();
    assert_eq!(first, format!("Error: cannot open {}", db.display()));
}

/// What the program prints is its output.txt (the port aside).
#[tokio::test]
async fn the_output_shown_in_the_book() {
    let (start, _) = support::start(6, Duration::ZERO, true).await;
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("crawl.db");
    let db = db.to_str().unwrap();
    let args = [
        start.as_str(),
        "--db",
        db,
        "--retries",
        "2",
        "--timeout",
        "1",
    ];
    let output = run(&args).await;
    assert!(output.status.success(), "{output:?}");
    let shown = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("output.txt"),
    )
    .unwrap();
    let (command, shown) = shown.split_once('\n').unwrap();
    assert!(command.starts_with("$ cargo run -p scraper-crawl -- "));
    assert_eq!(text(&output.stdout), shown);
    // Not a terminal: no progress bar drawn, nothing else on stderr.
    assert_eq!(text(&output.stderr), "");
}

#[tokio::test]
async fn ctrl_c_stops_cleanly_and_a_second_run_resumes() {
    // 31 pages, a tenth of a second each, two at a time: about 1.6 s in all.
    let (start, seen) =
        support::start(30, Duration::from_millis(100), false).await;
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("crawl.db");
    let db = db.to_str().unwrap();
    let args = [start.as_str(), "--db", db, "--concurrency", "2"];
    let args = [&args[..], &["--rate", "100"]].concat();

    let child = program(&args).spawn().unwrap();
    while seen.times().len() < 8 {
        sleep(Duration::from_millis(10)).await;
    }
    let pid = child.id().unwrap().to_string();
    let mut kill = std::process::Command::new("kill");
    assert!(kill.args(["-INT", &pid]).status().unwrap().success());
    // The pages in flight take a tenth of a second; no more than that.
    let first = timeout(Duration::from_secs(2), child.wait_with_output());
    let first = first.await.expect("still running after Ctrl-C").unwrap();
    assert!(first.status.success(), "{first:?}");
    assert_eq!(
        text(&first.stderr),
        "stopping after the pages in flight (again to quit now)\n"
    );
    let stdout = text(&first.stdout);
    let last = stdout.lines().last().unwrap();
    assert!(last.starts_with("stopped with "), "{stdout}");
    assert!(
        last.ends_with(" pages to go: run again to resume"),
        "{stdout}"
    );
    let fetched_first = seen.times().len();
    assert!(fetched_first < 31, "{fetched_first}");

    let second = run(&args).await;
    assert!(second.status.success(), "{second:?}");
    let stdout = text(&second.stdout);
    assert_eq!(
        stdout,
        format!(
            "fetched {} pages, 0 failed\nthe site is done: 31 pages\n",
            31 - fetched_first
        )
    );
    // Every page asked for exactly once, over the two runs.
    let hits = seen.hits();
    assert_eq!(
        hits.keys().collect::<Vec<_>>(),
        support::paths(30, false).iter().collect::<Vec<_>>()
    );
    assert!(hits.values().all(|&n| n == 1), "{hits:?}");
    let db = rusqlite::Connection::open(db).unwrap();
    let (rows, fetched): (i64, i64) = db
        .query_row("SELECT COUNT(*), SUM(fetched) FROM pages", [], |row| {
            Ok((row.get(0)?, row.get(1)?))
        })
        .unwrap();
    assert_eq!((rows, fetched), (31, 31));
}
