//! A mistake on purpose: a task for every one of a hundred pages, all at once.

use std::time::Duration;

use fetch_all::SlowServer;

async fn fetch(
    client: &reqwest::Client,
    url: String,
) -> anyhow::Result<String> {
    let response = client.get(url).send().await?.error_for_status()?;
    Ok(response.text().await?)
}

// ANCHOR: spawn
async fn fetch_everything_at_once(
    server: &SlowServer,
) -> Vec<anyhow::Result<String>> {
    // A Client is a handle to a shared pool; clones are cheap.
    let client = reqwest::Client::new();
    let mut handles = Vec::new();
    for id in 1..=100 {
        let (client, url) = (client.clone(), server.url(id));
        handles.push(tokio::spawn(async move { fetch(&client, url).await }));
    }
    let mut results = Vec::new();
    for handle in handles {
        results.push(handle.await.expect("a fetch task panicked"));
    }
    results
}
// ANCHOR_END: spawn

// ANCHOR: main
#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let server = fetch_all::start(Duration::from_secs(1), 20).await?;

    let results = fetch_everything_at_once(&server).await;
    let fetched = results.iter().filter(|result| result.is_ok()).count();
    println!("Fetched {fetched} of {} pages", results.len());
    if let Some(Err(error)) = results.iter().find(|result| result.is_err()) {
        // Every failure is the server saying it is full.
        let error = error.downcast_ref::<reqwest::Error>().unwrap();
        println!("The others failed with {}", error.status().unwrap());
    }
    println!("The server turned away {}", server.turned_away());
    Ok(())
}
// ANCHOR_END: main

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test(start_paused = true)]
    async fn spawning_everything_overwhelms_the_server() {
        let server =
            fetch_all::start(Duration::from_secs(1), 20).await.unwrap();
        let results = fetch_everything_at_once(&server).await;
        assert_eq!(server.turned_away(), 80);
        assert_eq!(results.iter().filter(|result| result.is_ok()).count(), 20);
    }
}
