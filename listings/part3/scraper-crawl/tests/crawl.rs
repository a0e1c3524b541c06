//! The crawl against real servers on loopback, on tokio's paused clock:
//! every wait the program makes (rate limit, backoff, timeouts, the
//! server's delays) passes in an instant and is exact.

mod support;

use std::time::Duration;

use indicatif::ProgressBar;
use scraper_crawl::{Limits, Store, Summary, crawl};
use tokio_util::sync::CancellationToken;
use url::Url;

fn limits(concurrency: usize, per_second: u32) -> Limits {
    Limits {
        concurrency,
        per_second,
        retries: 2,
        timeout: Duration::from_secs(5),
    }
}

struct Ran {
    summary: Summary,
    db: rusqlite::Connection,
    _dir: tempfile::TempDir,
}

async fn run(start: &str, limits: &Limits) -> Ran {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("crawl.db");
    let start = Url::parse(start).unwrap();
    let store = Store::open(&path, &start).await.unwrap();
    let stop = CancellationToken::new();
    let hidden = ProgressBar::hidden();
    let summary = crawl(&start, &store, limits, &hidden, stop);
    let summary = summary.await.unwrap();
    store.close().await.unwrap();
    let db = rusqlite::Connection::open(&path).unwrap();
    Ran {
        summary,
        db,
        _dir: dir,
    }
}

type Row = (
    String,
    bool,
    Option<u16>,
    Option<String>,
    String,
    Option<String>,
);

fn row(db: &rusqlite::Connection, start: &str, path: &str) -> Row {
    let url = format!("{}{}", start.trim_end_matches('/'), path);
    db.query_row(
        "SELECT url, fetched, status, title, links, error
         FROM pages WHERE url = ?1",
        [&url],
        |r| {
            Ok((
                r.get(0)?,
                r.get(1)?,
                r.get(2)?,
                r.get(3)?,
                r.get(4)?,
                r.get(5)?,
            ))
        },
    )
    .unwrap_or_else(|e| panic!("{url}: {e}"))
}

#[tokio::test(start_paused = true)]
async fn every_page_once_failures_recorded_not_fatal() {
    let (start, seen) = support::start(30, Duration::ZERO, true).await;
    let Ran { summary, db, _dir } = run(&start, &limits(4, 100)).await;

    // ANCHOR: attempts
    let hits = seen.hits();
    let paths: Vec<&String> = hits.keys().collect();
    assert_eq!(paths, support::paths(30, true).iter().collect::<Vec<_>>());
    for (path, &count) in &hits {
        let expected = match path.as_str() {
            // Two 503s, then the page: three requests.
            "/flaky" => 3,
            // Worth retrying, and retried twice, in vain.
            "/stuck" | "/broken" => 3,
            // Everything else (the 404 too): asked once.
            _ => 1,
        };
        assert_eq!(count, expected, "{path}");
    }
    // ANCHOR_END: attempts
    assert_eq!(summary.fetched, hits.len());
    assert_eq!(summary.left, 0);
    let failed: Vec<(&str, &str)> = summary
        .failed
        .iter()
        .map(|(url, error)| (url.path(), error.as_str()))
        .collect();
    assert_eq!(
        failed,
        [
            ("/broken", "HTTP 500 Internal Server Error"),
            ("/missing", "HTTP 404 Not Found"),
            ("/stuck", "timed out"),
        ]
    );

    let (_, fetched, status, title, links, error) = row(&db, &start, "/flaky");
    assert!(fetched);
    assert_eq!(
        (status, title.as_deref(), error),
        (Some(200), Some("Flaky, at last"), None)
    );
    assert_eq!(links, "");
    let loop_a = row(&db, &start, "/loop/a");
    assert_eq!(loop_a.2, Some(307));
    assert_eq!(loop_a.4, format!("{start}loop/b"));
    let data = row(&db, &start, "/data.json");
    assert_eq!((data.2, data.3, data.4.as_str()), (Some(200), None, ""));
    let page = row(&db, &start, "/page/3");
    assert_eq!(page.3.as_deref(), Some("Page 3"));
    assert_eq!(
        page.4.lines().collect::<Vec<_>>(),
        [
            start.clone(),
            format!("{start}page/1"),
            format!("{start}page/7"),
            format!("{start}page/8"),
            "http://example.com/page/1".to_string(),
        ]
    );
    // Off-site links are saved as links, never as pages to fetch.
    let rows: i64 = db
        .query_row("SELECT COUNT(*) FROM pages", [], |r| r.get(0))
        .unwrap();
    assert_eq!(rows as usize, hits.len());
}

// ANCHOR: rate
#[tokio::test(start_paused = true)]
async fn at_most_n_requests_a_second_to_one_host() {
    // "/" and 19 pages: 20 requests, at 5 a second.
    let (start, seen) = support::start(19, Duration::ZERO, false).await;
    run(&start, &limits(4, 5)).await;
    let times = seen.times();
    assert_eq!(times.len(), 20);
    // A fifth of a second apart at least: never more than 5 in a second.
    // (At least, not exactly: while the test waits for SQLite's thread,
    // tokio sees nothing to do and moves its paused clock on.)
    for pair in times.windows(2) {
        let gap = pair[1] - pair[0];
        assert!(gap >= Duration::from_millis(200), "{gap:?} in {times:?}");
    }
}
// ANCHOR_END: rate

#[tokio::test(start_paused = true)]
async fn never_more_requests_in_flight_than_the_limit() {
    // "/" links to all 30 pages: the frontier fills at once.
    let (start, seen) = support::start_wide(30, Duration::from_secs(1)).await;
    let summary = run(&start, &limits(3, 1000)).await.summary;
    assert_eq!(summary.fetched, 31);
    let most = seen
        .most_in_flight
        .load(std::sync::atomic::Ordering::SeqCst);
    assert_eq!(most, 3);
}
