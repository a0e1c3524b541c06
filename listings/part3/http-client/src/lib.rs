//! An HTTP client with reqwest: one shared `Client`, JSON into structs,
//! timeouts, a concurrency limit, streaming, and the errors to handle.

pub mod server;

use std::path::Path;
use std::time::Duration;

use futures::StreamExt;
use reqwest::Client;
use serde::Deserialize;
use tokio::io::{AsyncWriteExt, BufWriter};

// ANCHOR: client
/// The JSON the server sends, as a struct: serde checks every field.
#[derive(Debug, Deserialize, PartialEq)]
pub struct User {
    pub id: u32,
    pub name: String,
}

/// One client for the whole program: it keeps a pool of open
/// connections, and a clone is a cheap handle to the same pool.
pub fn make_client() -> reqwest::Result<Client> {
    Client::builder()
        .timeout(Duration::from_secs(2)) // for each request, body included
        .connect_timeout(Duration::from_secs(1))
        .build()
}

pub async fn get_user(client: &Client, url: &str) -> reqwest::Result<User> {
    client
        .get(url)
        .send()
        .await? // Err: no connection, or a timeout
        .error_for_status()? // Err: the server said 4xx or 5xx
        .json()
        .await // Err: a body that is not a `User`
}
// ANCHOR_END: client

// ANCHOR: many
/// Fetches every URL, at most `limit` at a time, answers in order; the
/// whole batch gives up after `total`, however far it got.
pub async fn get_users(
    client: &Client,
    urls: &[String],
    limit: usize,
    total: Duration,
) -> Result<Vec<reqwest::Result<User>>, tokio::time::error::Elapsed> {
    let all = futures::stream::iter(urls)
        .map(|url| get_user(client, url))
        .buffered(limit) // at most `limit` futures polled at once
        .collect::<Vec<_>>();
    tokio::time::timeout(total, all).await
}
// ANCHOR_END: many

// ANCHOR: errors
/// What went wrong, in words a log reader can act on.
pub fn describe(error: &reqwest::Error) -> String {
    if error.is_connect() {
        "could not connect".to_string()
    } else if error.is_timeout() {
        "timed out".to_string()
    } else if let Some(status) = error.status() {
        format!("the server answered {status}")
    } else if error.is_decode() {
        "the body is not what we expected".to_string()
    } else {
        format!("other error: {error}")
    }
}
// ANCHOR_END: errors

// ANCHOR: download
/// Saves the body to `to` piece by piece, as it arrives: memory holds one
/// piece at a time, never the whole body. Returns the bytes written.
pub async fn download(
    client: &Client,
    url: &str,
    to: &Path,
) -> anyhow::Result<u64> {
    let mut response = client
        .get(url)
        .timeout(Duration::from_secs(60)) // this request may take longer
        .send()
        .await?
        .error_for_status()?;
    let mut file = BufWriter::new(tokio::fs::File::create(to).await?);
    let mut written = 0;
    while let Some(piece) = response.chunk().await? {
        file.write_all(&piece).await?;
        written += piece.len() as u64;
    }
    file.flush().await?;
    Ok(written)
}
// ANCHOR_END: download

#[cfg(test)]
mod tests {
    use std::sync::atomic::Ordering::SeqCst;

    use tokio::time::Instant;

    use super::*;
    use crate::server::{TestServer, start};

    fn user_url(server: &TestServer, id: u32, delay_ms: u64) -> String {
        format!("{}/users/{id}?delay_ms={delay_ms}", server.base)
    }

    // ANCHOR: pool_tests
    #[tokio::test]
    async fn one_client_reuses_its_connection() {
        let server = start().await.unwrap();
        let client = make_client().unwrap();
        for id in 1..=20 {
            get_user(&client, &user_url(&server, id, 0)).await.unwrap();
        }
        assert_eq!(server.stats.connections.load(SeqCst), 1);
    }

    #[tokio::test]
    async fn a_client_per_request_opens_a_connection_each_time() {
        let server = start().await.unwrap();
        for id in 1..=20 {
            let client = make_client().unwrap();
            get_user(&client, &user_url(&server, id, 0)).await.unwrap();
        }
        assert_eq!(server.stats.connections.load(SeqCst), 20);
    }
    // ANCHOR_END: pool_tests

    #[tokio::test]
    async fn json_becomes_a_struct() {
        let server = start().await.unwrap();
        let client = make_client().unwrap();
        let user = get_user(&client, &user_url(&server, 7, 0)).await.unwrap();
        let name = "user7".to_string();
        assert_eq!(user, User { id: 7, name });
    }

    // ANCHOR: limit_test
    #[tokio::test]
    async fn the_limit_bounds_requests_in_flight() {
        let server = start().await.unwrap();
        let client = make_client().unwrap();
        let urls: Vec<_> =
            (1..=20).map(|id| user_url(&server, id, 50)).collect();
        let total = Duration::from_secs(30);
        let users = get_users(&client, &urls, 4, total).await.unwrap();
        let ids: Vec<u32> = users.into_iter().map(|u| u.unwrap().id).collect();
        assert_eq!(ids, (1..=20).collect::<Vec<_>>()); // in order
        assert_eq!(server.stats.most_at_once.load(SeqCst), 4);
    }
    // ANCHOR_END: limit_test

    // ANCHOR: timeout_tests
    #[tokio::test(start_paused = true)]
    async fn a_slow_answer_times_out_after_the_clients_timeout() {
        let server = start().await.unwrap();
        let client = make_client().unwrap();
        let start = Instant::now();
        let error = get_user(&client, &user_url(&server, 1, 5000))
            .await
            .unwrap_err();
        assert!(error.is_timeout(), "{error:?}");
        assert_eq!(describe(&error), "timed out");
        assert_eq!(start.elapsed(), Duration::from_secs(2));
    }

    #[tokio::test(start_paused = true)]
    async fn the_total_timeout_ends_a_batch_of_quick_enough_requests() {
        let server = start().await.unwrap();
        let client = make_client().unwrap();
        // Each takes 1 s, well within 2 s; five one after another take 5 s.
        let urls: Vec<_> =
            (1..=5).map(|id| user_url(&server, id, 1000)).collect();
        let start = Instant::now();
        let total = Duration::from_millis(3500);
        let result = get_users(&client, &urls, 1, total).await;
        assert!(result.is_err());
        assert_eq!(start.elapsed(), Duration::from_millis(3500));
    }
    // ANCHOR_END: timeout_tests

    // ANCHOR: error_tests
    #[tokio::test]
    async fn a_refused_connection_is_a_connect_error() {
        // A port that was free a moment ago: nothing listens there now.
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let url = format!("http://{}/users/1", listener.local_addr().unwrap());
        drop(listener);
        let client = make_client().unwrap();
        let error = get_user(&client, &url).await.unwrap_err();
        assert_eq!(describe(&error), "could not connect");
    }

    #[tokio::test]
    async fn a_404_is_a_successful_response_until_error_for_status() {
        let server = start().await.unwrap();
        let client = make_client().unwrap();
        let url = user_url(&server, 404, 0);
        let response = client.get(&url).send().await.unwrap();
        assert_eq!(response.status(), reqwest::StatusCode::NOT_FOUND);
        let error = get_user(&client, &url).await.unwrap_err();
        assert_eq!(describe(&error), "the server answered 404 Not Found");
    }
    // ANCHOR_END: error_tests

    #[tokio::test]
    async fn a_500_is_a_status_error() {
        let server = start().await.unwrap();
        let client = make_client().unwrap();
        let url = format!("{}/fail", server.base);
        let error = get_user(&client, &url).await.unwrap_err();
        assert_eq!(
            describe(&error),
            "the server answered 500 Internal Server Error"
        );
    }

    #[tokio::test]
    async fn half_a_json_object_is_a_decode_error() {
        let server = start().await.unwrap();
        let client = make_client().unwrap();
        let url = format!("{}/broken", server.base);
        let error = get_user(&client, &url).await.unwrap_err();
        assert_eq!(describe(&error), "the body is not what we expected");
    }

    #[tokio::test]
    async fn a_download_writes_every_byte() {
        let server = start().await.unwrap();
        let client = make_client().unwrap();
        let dir = tempfile::tempdir().unwrap();
        let to = dir.path().join("big.bin");
        let url = format!("{}/big/8", server.base);
        let written = download(&client, &url, &to).await.unwrap();
        assert_eq!(written, 8 * 1024 * 1024);
        let on_disk = tokio::fs::metadata(&to).await.unwrap().len();
        assert_eq!(on_disk, written);
    }
}
