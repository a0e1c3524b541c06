//! Step 1: fetch one page and list its title and links.

use axum::Router;
use axum::response::Html;
use axum::routing::get;
use reqwest::Client;
use scraper_links::{parse_page, same_site};
use url::Url;

const HOME: &str = r#"<!doctype html>
<html><head><title> A small
  site </title></head>
<body>
  <a href='/about'>About</a> <a href='docs/intro.html#start'>Intro</a>
  <a href='/about#team'>The team</a> <a href='mailto:hi@example.com'>Mail</a>
  <a href='https://www.rust-lang.org/'>Rust</a>
</body></html>"#;

/// A one-page site on loopback, for the program to fetch.
async fn start_site() -> anyhow::Result<Url> {
    let app = Router::new().route("/", get(|| async { Html(HOME) }));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let start = Url::parse(&format!("http://{}/", listener.local_addr()?))?;
    tokio::spawn(async move { axum::serve(listener, app).await });
    Ok(start)
}

// ANCHOR: main
#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let start = start_site().await?;
    let client = Client::new();
    let html = client
        .get(start.clone())
        .send()
        .await?
        .error_for_status()?
        .text()
        .await?;
    let page = parse_page(&start, &html);
    println!("title: {}", page.title.as_deref().unwrap_or("(none)"));
    for link in &page.links {
        if same_site(&start, link) {
            println!("  follow {}", link.path());
        } else {
            println!("  skip   {link} (another site)");
        }
    }
    Ok(())
}
// ANCHOR_END: main
