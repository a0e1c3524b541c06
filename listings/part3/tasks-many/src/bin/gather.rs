//! asyncio.gather, with and without return_exceptions, in tokio.

use futures::future::join_all;
use tasks_many::process_item;
use tokio::time::Instant;

// ANCHOR: join_all
/// Every outcome, in the order the jobs were given, failures included.
async fn every_outcome() -> Vec<anyhow::Result<String>> {
    join_all([
        process_item(1, 1.0),
        process_item(2, 2.0),
        process_item(3, 1.0),
    ])
    .await
}
// ANCHOR_END: join_all

// ANCHOR: try_join
/// All the results, or the first error; the other jobs are then dropped.
async fn all_or_first_error() -> anyhow::Result<[String; 3]> {
    let (one, two, three) = tokio::try_join!(
        process_item(1, 1.0),
        process_item(2, 2.0),
        process_item(3, 1.0),
    )?;
    Ok([one, two, three])
}
// ANCHOR_END: try_join

// ANCHOR: main
#[tokio::main]
async fn main() {
    let start = Instant::now();
    for (index, outcome) in every_outcome().await.iter().enumerate() {
        match outcome {
            Ok(result) => println!("Job {index}: {result}"),
            Err(error) => println!("Job {index} failed: {error}"),
        }
    }
    println!("join_all took {:.1?}", start.elapsed());

    let start = Instant::now();
    match all_or_first_error().await {
        Ok(results) => println!("All done: {results:?}"),
        Err(error) => println!("try_join! stopped at: {error}"),
    }
    println!("try_join! took {:.1?}", start.elapsed());
}
// ANCHOR_END: main

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[tokio::test(start_paused = true)]
    async fn join_all_waits_for_every_job_and_keeps_their_order() {
        let start = Instant::now();
        let outcomes = every_outcome().await;
        assert_eq!(start.elapsed(), Duration::from_secs(2));
        let shown: Vec<String> = outcomes
            .iter()
            .map(|outcome| match outcome {
                Ok(result) => result.clone(),
                Err(error) => error.to_string(),
            })
            .collect();
        assert_eq!(shown, ["result 1", "result 2", "item 3 failed"]);
    }

    #[tokio::test(start_paused = true)]
    async fn try_join_stops_at_the_first_error() {
        let start = Instant::now();
        let error = all_or_first_error().await.unwrap_err();
        assert_eq!(error.to_string(), "item 3 failed");
        // Job 2 needed two seconds; it was dropped after one.
        assert_eq!(start.elapsed(), Duration::from_secs(1));
    }
}
