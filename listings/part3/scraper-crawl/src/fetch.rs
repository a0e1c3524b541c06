//! Fetching a page politely: the rate limit, a timeout, and retries.

use std::time::Duration;

use backon::{ExponentialBuilder, Retryable};
use reqwest::header::{CONTENT_TYPE, LOCATION};
use reqwest::{Client, StatusCode, redirect};
use url::Url;

use crate::limit::HostLimiter;
use crate::page::parse_page;

/// What one URL gave: what is saved to the database.
#[derive(Debug, Default, PartialEq)]
pub struct Fetched {
    /// The HTTP status; `None` if no answer came.
    pub status: Option<u16>,
    pub title: Option<String>,
    /// Every link found (a redirect's target counts as one).
    pub links: Vec<Url>,
    /// Why the page could not be read, if it could not.
    pub error: Option<String>,
}

/// The limits a crawl keeps to.
#[derive(Clone, Debug)]
pub struct Limits {
    pub concurrency: usize,
    pub per_second: u32,
    pub retries: usize,
    pub timeout: Duration,
}

pub struct Fetcher {
    client: Client,
    limiter: HostLimiter,
    backoff: ExponentialBuilder,
}

// ANCHOR: client
impl Fetcher {
    pub fn new(limits: &Limits) -> reqwest::Result<Fetcher> {
        let client = Client::builder()
            .timeout(limits.timeout)
            // A redirect is a link to follow, through the rate limit.
            .redirect(redirect::Policy::none())
            .build()?;
        let backoff = ExponentialBuilder::default()
            .with_min_delay(Duration::from_millis(500))
            .with_max_delay(Duration::from_secs(10))
            .with_max_times(limits.retries)
            .with_jitter();
        let limiter = HostLimiter::new(limits.per_second);
        Ok(Fetcher {
            client,
            limiter,
            backoff,
        })
    }

    // ANCHOR_END: client
    // ANCHOR: attempt
    /// One request: waits for the host's next slot, then asks.
    async fn attempt(&self, url: &Url) -> reqwest::Result<Fetched> {
        self.limiter.wait(url).await;
        let response = self.client.get(url.clone()).send().await?;
        let response = response.error_for_status()?;
        let status = Some(response.status().as_u16());
        let header = |name| response.headers().get(name)?.to_str().ok();
        if let Some(target) = header(LOCATION) {
            let links = url.join(target).into_iter().collect();
            return Ok(Fetched {
                status,
                links,
                ..Fetched::default()
            });
        }
        let html = header(CONTENT_TYPE).is_some_and(|t| t.contains("html"));
        if !html {
            return Ok(Fetched {
                status,
                ..Fetched::default()
            });
        }
        let page = parse_page(url, &response.text().await?);
        let links = page.links.into_iter().collect();
        Ok(Fetched {
            status,
            title: page.title,
            links,
            error: None,
        })
    }
}
// ANCHOR_END: attempt

// ANCHOR: fetch
impl Fetcher {
    /// Fetches `url`, retrying what may pass. Never fails: an error is
    /// part of what the page gave.
    pub async fn fetch(&self, url: &Url) -> Fetched {
        let fetched = (|| self.attempt(url))
            .retry(self.backoff)
            .when(worth_retrying)
            .await;
        fetched.unwrap_or_else(|error| Fetched {
            status: error.status().map(|status| status.as_u16()),
            error: Some(describe(error)),
            ..Fetched::default()
        })
    }
}

/// Is this failure likely to go away if we ask again?
fn worth_retrying(error: &reqwest::Error) -> bool {
    match error.status() {
        Some(status) => {
            status.is_server_error() || status == StatusCode::TOO_MANY_REQUESTS
        }
        None => error.is_connect() || error.is_timeout(),
    }
}

/// A short description, without the URL (the caller has it).
fn describe(error: reqwest::Error) -> String {
    match error.status() {
        Some(status) => format!("HTTP {status}"),
        None if error.is_timeout() => "timed out".to_string(),
        None if error.is_connect() => "could not connect".to_string(),
        None => error.without_url().to_string(),
    }
}
// ANCHOR_END: fetch
