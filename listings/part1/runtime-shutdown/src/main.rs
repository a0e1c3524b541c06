use std::time::Duration;

use tokio::task::JoinSet;
use tokio::time::{interval, sleep};

// ANCHOR: job
async fn handle_job(id: u32) {
    println!("job {id}: started");
    sleep(Duration::from_millis(500)).await;
    println!("job {id}: done");
}
// ANCHOR_END: job

// ANCHOR: serve
/// Takes on a new job every 200 ms until `shutdown` completes, then finishes the jobs it has
/// already started. Returns how many jobs were done.
async fn serve(shutdown: impl Future<Output = ()>) -> anyhow::Result<u32> {
    let mut in_flight = JoinSet::new();
    let mut new_job = interval(Duration::from_millis(200));
    let mut next_id = 1;
    let mut done = 0;
    tokio::pin!(shutdown);

    loop {
        tokio::select! {
            // Look at the branches in this order: shutdown first, so that no job starts once
            // Ctrl-C is pressed (and so that the Ctrl-C handler is in place before job 1).
            biased;
            () = &mut shutdown => break,
            Some(finished) = in_flight.join_next() => {
                finished?;
                done += 1;
            }
            _ = new_job.tick() => {
                in_flight.spawn(handle_job(next_id));
                next_id += 1;
            }
        }
    }

    println!("shutdown 1/3: no new jobs");
    println!(
        "shutdown 2/3: finishing {} job(s) in flight",
        in_flight.len()
    );
    while let Some(finished) = in_flight.join_next().await {
        finished?;
        done += 1;
    }
    println!("shutdown 3/3: every job finished");
    Ok(done)
}
// ANCHOR_END: serve

// ANCHOR: main
#[tokio::main]
async fn main() -> anyhow::Result<()> {
    println!("taking jobs; press Ctrl-C to stop");
    let ctrl_c = async {
        if let Err(error) = tokio::signal::ctrl_c().await {
            eprintln!("cannot listen for Ctrl-C ({error}); stopping now");
        }
    };
    let done = serve(ctrl_c).await?;
    println!("goodbye: {done} job(s) done");
    Ok(())
}
// ANCHOR_END: main

#[cfg(test)]
mod tests {
    use super::*;
    use tokio::time::Instant;

    #[tokio::test(start_paused = true)]
    async fn shutdown_starts_no_new_job_and_finishes_the_ones_in_flight() {
        let start = Instant::now();
        // Jobs start at 0, 200, 400 and 600 ms; job 1 is done at 500 ms.
        let done = serve(sleep(Duration::from_millis(650))).await.unwrap();
        assert_eq!(
            done, 4,
            "jobs 2, 3 and 4 were in flight and must be finished"
        );
        // Job 4 started at 600 ms and takes 500 ms; a fifth would have started at 800 ms.
        assert_eq!(start.elapsed(), Duration::from_millis(1100));
    }
}
