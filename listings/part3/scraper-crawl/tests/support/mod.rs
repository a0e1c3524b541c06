//! The servers the tests crawl: a generated site on loopback, with a
//! corner of pages that fail in every way a crawler meets.

#![allow(dead_code)] // each test file uses a part

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::Router;
use axum::extract::{Path, State};
use axum::http::{StatusCode, header};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::get;
use tokio::time::Instant;

/// What the server saw.
#[derive(Default)]
pub struct Seen {
    /// Every request: its path and when it came (tokio's clock).
    pub requests: Mutex<Vec<(String, Instant)>>,
    in_flight: AtomicUsize,
    pub most_in_flight: AtomicUsize,
}

impl Seen {
    /// How many times each path was asked for.
    pub fn hits(&self) -> BTreeMap<String, usize> {
        let mut hits = BTreeMap::new();
        for (path, _) in self.requests.lock().unwrap().iter() {
            *hits.entry(path.clone()).or_default() += 1;
        }
        hits
    }

    pub fn times(&self) -> Vec<Instant> {
        let requests = self.requests.lock().unwrap();
        requests.iter().map(|(_, at)| *at).collect()
    }
}

#[derive(Clone)]
struct Site {
    pages: usize,
    delay: Duration,
    failures: bool,
    /// Whether "/" links to every page.
    wide: bool,
    seen: Arc<Seen>,
    /// 503s still to give on /flaky.
    flaky: Arc<AtomicUsize>,
}

/// Counts a request as in flight while it is alive.
struct InFlight(Arc<Seen>);

impl InFlight {
    fn start(site: &Site, path: String) -> InFlight {
        let seen = site.seen.clone();
        seen.requests.lock().unwrap().push((path, Instant::now()));
        let now = seen.in_flight.fetch_add(1, Ordering::SeqCst) + 1;
        seen.most_in_flight.fetch_max(now, Ordering::SeqCst);
        InFlight(seen)
    }
}

impl Drop for InFlight {
    fn drop(&mut self) {
        self.0.in_flight.fetch_sub(1, Ordering::SeqCst);
    }
}

/// The paths of a site with `pages` generated pages and, with
/// `failures`, the failing corner: every path a crawl should reach.
pub fn paths(pages: usize, failures: bool) -> Vec<String> {
    let mut paths = vec!["/".to_string()];
    paths.extend((0..pages).map(|i| format!("/page/{i}")));
    if failures {
        for path in FAILING {
            paths.push(path.to_string());
        }
    }
    paths.sort();
    paths
}

const FAILING: [&str; 8] = [
    "/flaky",
    "/missing",
    "/stuck",
    "/slow",
    "/loop/a",
    "/loop/b",
    "/data.json",
    "/broken",
];

/// Starts the site; returns its start URL and what it saw.
pub async fn start(
    pages: usize,
    delay: Duration,
    failures: bool,
) -> (String, Arc<Seen>) {
    serve(Site {
        pages,
        delay,
        failures,
        wide: false,
        seen: Arc::default(),
        flaky: Arc::new(AtomicUsize::new(2)),
    })
    .await
}

/// The same site, but "/" links to every page.
pub async fn start_wide(pages: usize, delay: Duration) -> (String, Arc<Seen>) {
    serve(Site {
        pages,
        delay,
        failures: false,
        wide: true,
        seen: Arc::default(),
        flaky: Arc::new(AtomicUsize::new(2)),
    })
    .await
}

async fn serve(site: Site) -> (String, Arc<Seen>) {
    let seen = site.seen.clone();
    let app = Router::new()
        .route("/", get(home))
        .route("/page/{i}", get(page))
        .route("/flaky", get(flaky))
        .route("/missing", get(missing))
        .route("/stuck", get(stuck))
        .route("/slow", get(slow))
        .route("/loop/{name}", get(redirect_loop))
        .route("/data.json", get(data))
        .route("/broken", get(broken))
        .with_state(site);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let start = format!("http://{}/", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await });
    (start, seen)
}

async fn home(State(site): State<Site>) -> Html<String> {
    let _in_flight = InFlight::start(&site, "/".into());
    tokio::time::sleep(site.delay).await;
    let mut body = r#"<title>Home</title><a href="page/0">start</a>
        <a href="https://example.com/">elsewhere</a>"#
        .to_string();
    if site.wide {
        for i in 0..site.pages {
            body += &format!(r#"<a href="page/{i}">{i}</a>"#);
        }
    }
    if site.failures {
        for path in FAILING {
            body += &format!(r#"<a href="{path}">{path}</a>"#);
        }
    }
    Html(body)
}

async fn page(Path(i): Path<usize>, State(site): State<Site>) -> Response {
    let _in_flight = InFlight::start(&site, format!("/page/{i}"));
    tokio::time::sleep(site.delay).await;
    if i >= site.pages {
        return StatusCode::NOT_FOUND.into_response();
    }
    let mut body = format!("<title>Page {i}</title>");
    for child in [2 * i + 1, 2 * i + 2] {
        if child < site.pages {
            body += &format!(r#"<a href="/page/{child}">{child}</a>"#);
        }
    }
    body += &format!(
        r#"<a href="/page/{}#top">up</a><a href="/">home</a>"#,
        i / 2
    );
    body += r#"<a href="http://example.com/page/1">away</a>"#;
    Html(body).into_response()
}

async fn flaky(State(site): State<Site>) -> Response {
    let _in_flight = InFlight::start(&site, "/flaky".into());
    let left =
        site.flaky
            .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |n| {
                n.checked_sub(1)
            });
    match left {
        Ok(_) => StatusCode::SERVICE_UNAVAILABLE.into_response(),
        Err(_) => Html("<title>Flaky, at last</title>").into_response(),
    }
}

async fn missing(State(site): State<Site>) -> StatusCode {
    let _in_flight = InFlight::start(&site, "/missing".into());
    StatusCode::NOT_FOUND
}

async fn broken(State(site): State<Site>) -> StatusCode {
    let _in_flight = InFlight::start(&site, "/broken".into());
    StatusCode::INTERNAL_SERVER_ERROR
}

/// Answers after a minute: longer than any timeout the tests set.
async fn stuck(State(site): State<Site>) -> Html<&'static str> {
    let _in_flight = InFlight::start(&site, "/stuck".into());
    tokio::time::sleep(Duration::from_secs(60)).await;
    Html("<title>Too late</title>")
}

/// Answers after half a second: slow, but within the timeouts.
async fn slow(State(site): State<Site>) -> Html<&'static str> {
    let _in_flight = InFlight::start(&site, "/slow".into());
    tokio::time::sleep(Duration::from_millis(500)).await;
    Html("<title>Slow</title>")
}

/// /loop/a redirects to /loop/b, and /loop/b back to /loop/a.
async fn redirect_loop(
    Path(name): Path<String>,
    State(site): State<Site>,
) -> Redirect {
    let _in_flight = InFlight::start(&site, format!("/loop/{name}"));
    Redirect::temporary(if name == "a" { "/loop/b" } else { "/loop/a" })
}

async fn data(State(site): State<Site>) -> impl IntoResponse {
    let _in_flight = InFlight::start(&site, "/data.json".into());
    (
        [(header::CONTENT_TYPE, "application/json")],
        r#"{"a": "<a href=\"/x\">"}"#,
    )
}
