use std::sync::Mutex;
use std::time::Duration;
use tokio::time::sleep;

// ANCHOR: mistake
// A mistake on purpose: one global "current request" shared by every task.
static CURRENT_REQUEST: Mutex<String> = Mutex::new(String::new());

fn log(message: &str) -> String {
    let line = format!("[{}] {message}", CURRENT_REQUEST.lock().unwrap());
    println!("{line}");
    line
}

/// Handles one request; returns the lines it logged.
async fn handle(request_id: &str, model_time: Duration) -> Vec<String> {
    *CURRENT_REQUEST.lock().unwrap() = request_id.to_string();
    let mut logged = vec![log("question received")];
    sleep(model_time).await; // waiting for the model; other tasks run meanwhile
    logged.push(log("answer sent"));
    logged
}

#[tokio::main(flavor = "current_thread")]
async fn main() -> anyhow::Result<()> {
    let slow = tokio::spawn(handle("req-1", Duration::from_millis(300)));
    let fast = tokio::spawn(handle("req-2", Duration::from_millis(100)));
    slow.await?;
    fast.await?;
    Ok(())
}
// ANCHOR_END: mistake

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test(start_paused = true)]
    async fn the_slow_request_logs_its_answer_under_the_fast_requests_id() {
        let slow = tokio::spawn(handle("req-1", Duration::from_millis(300)));
        let fast = tokio::spawn(handle("req-2", Duration::from_millis(100)));
        assert_eq!(
            slow.await.unwrap(),
            ["[req-1] question received", "[req-2] answer sent"]
        );
        assert_eq!(
            fast.await.unwrap(),
            ["[req-2] question received", "[req-2] answer sent"]
        );
    }
}
