//! A generated site on loopback, with cycles and links to other sites.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::Router;
use axum::extract::{Path, State};
use axum::response::Html;
use axum::routing::get;
use url::Url;

/// How many times the server was asked for each path.
pub type Hits = Arc<Mutex<BTreeMap<String, usize>>>;

/// Starts a site of `pages` pages, `/page/0` to `/page/{pages - 1}`, each
/// taking `delay` to answer. Page i links to pages 2i+1 and 2i+2 (so each
/// page is reachable from `/`), back to page i/2 and to `/` (cycles),
/// and to a page on another site.
pub async fn start(
    pages: usize,
    delay: Duration,
) -> anyhow::Result<(Url, Hits)> {
    let hits = Hits::default();
    let page = move |Path(i): Path<usize>, hits: State<Hits>| async move {
        *hits
            .lock()
            .unwrap()
            .entry(format!("/page/{i}"))
            .or_default() += 1;
        tokio::time::sleep(delay).await;
        let mut body = format!("<title>Page {i}</title>");
        for child in [2 * i + 1, 2 * i + 2] {
            if child < pages {
                body += &format!(r#"<a href="/page/{child}">{child}</a>"#);
            }
        }
        body += &format!(r#"<a href="/page/{}#top">up</a>"#, i / 2);
        body += r#"<a href="/">home</a>"#;
        body += r#"<a href="https://example.com/elsewhere">away</a>"#;
        Html(body)
    };
    let home = |State(hits): State<Hits>| async move {
        *hits.lock().unwrap().entry("/".to_string()).or_default() += 1;
        Html(r#"<title>Home</title><a href="page/0">start</a>"#)
    };
    let app = Router::new()
        .route("/", get(home))
        .route("/page/{i}", get(page))
        .with_state(hits.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let start = Url::parse(&format!("http://{}/", listener.local_addr()?))?;
    tokio::spawn(async move { axum::serve(listener, app).await });
    Ok((start, hits))
}
