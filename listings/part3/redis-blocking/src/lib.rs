use std::sync::Mutex;

use redis::AsyncTypedCommands as _;
use redis::aio::MultiplexedConnection;

// ANCHOR: race
/// A worker waits for a job with BLPOP while a request handler reads a
/// key, each on the connection given. Returns the two commands in the order
/// their replies came back.
pub async fn worker_and_request(
    mut worker: MultiplexedConnection,
    mut request: MultiplexedConnection,
) -> anyhow::Result<Vec<&'static str>> {
    let finished = Mutex::new(Vec::new());
    let wait_for_job = async {
        // The list is empty: the server holds the reply for 0.3 s.
        let job = worker.blpop("book:queue", 0.3).await?;
        println!("  worker: BLPOP returned {job:?}");
        finished.lock().unwrap().push("BLPOP");
        anyhow::Ok(())
    };
    let handle_request = async {
        let greeting = request.get("book:greeting").await?;
        println!("  request: GET returned {greeting:?}");
        finished.lock().unwrap().push("GET");
        anyhow::Ok(())
    };
    // Both run at once. `biased` polls them in the order written, so BLPOP
    // is sent first and, when both replies are in, reported first.
    tokio::try_join!(biased; wait_for_job, handle_request)?;
    Ok(finished.into_inner().unwrap())
}
// ANCHOR_END: race
