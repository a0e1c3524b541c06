//! Fetching three slow pages with a blocking client, one after another.

use std::time::{Duration, Instant};

use fetch_all::SlowServer;

// ANCHOR: fetch
fn fetch(
    client: &reqwest::blocking::Client,
    url: &str,
) -> anyhow::Result<String> {
    // Blocks this thread until the whole answer has arrived.
    let body = client.get(url).send()?.error_for_status()?.text()?;
    Ok(body)
}

fn fetch_one_by_one(server: &SlowServer) -> anyhow::Result<Vec<String>> {
    let client = reqwest::blocking::Client::new();
    let mut pages = Vec::new();
    for id in 1..=3 {
        println!("Fetching page {id}...");
        pages.push(fetch(&client, &server.url(id))?);
    }
    Ok(pages)
}
// ANCHOR_END: fetch

// ANCHOR: main
fn main() -> anyhow::Result<()> {
    // The server is async, so it needs a runtime. Its tasks run on the
    // runtime's own threads, while this thread waits for each answer.
    let runtime = tokio::runtime::Runtime::new()?;
    let server =
        runtime.block_on(fetch_all::start(Duration::from_secs(1), 20))?;

    let start = Instant::now();
    let pages = fetch_one_by_one(&server)?;
    println!("Got {pages:?}");
    println!("One by one took {:.1?}", start.elapsed());
    println!("The server had at most {} at once", server.most_at_once());
    Ok(())
}
// ANCHOR_END: main

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_blocking_client_sends_one_request_at_a_time() {
        let runtime = tokio::runtime::Runtime::new().unwrap();
        let server = runtime
            .block_on(fetch_all::start(Duration::from_millis(50), 20))
            .unwrap();
        let pages = fetch_one_by_one(&server).unwrap();
        assert_eq!(pages, ["page 1", "page 2", "page 3"]);
        assert_eq!(server.most_at_once(), 1);
    }

    // The blocking client refuses to be made inside async code, where it
    // would stop the runtime's thread while it waits.
    #[tokio::test]
    #[should_panic(expected = "Cannot drop a runtime")]
    async fn a_blocking_client_panics_inside_async_code() {
        let _client = reqwest::blocking::Client::new();
    }
}
