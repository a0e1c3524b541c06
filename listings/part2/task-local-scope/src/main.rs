use std::time::Duration;
use tokio::time::sleep;

// ANCHOR: fix
tokio::task_local! {
    /// The request being handled, as seen by the code running for it.
    static REQUEST_ID: String;
}

fn log(message: &str) -> String {
    // Deep in the call stack, no parameter needed: read the value of this
    // future's scope.
    let line = REQUEST_ID.with(|id| format!("[{id}] {message}"));
    println!("{line}");
    line
}

async fn handle(model_time: Duration) -> Vec<String> {
    let mut logged = vec![log("question received")];
    sleep(model_time).await;
    logged.push(log("answer sent"));
    logged
}

#[tokio::main(flavor = "current_thread")]
async fn main() -> anyhow::Result<()> {
    // `scope` runs a future with REQUEST_ID set, for every poll of that future
    // only.
    let slow = REQUEST_ID
        .scope("req-1".to_string(), handle(Duration::from_millis(300)));
    let fast = REQUEST_ID
        .scope("req-2".to_string(), handle(Duration::from_millis(100)));
    let slow = tokio::spawn(slow);
    let fast = tokio::spawn(fast);
    slow.await?;
    fast.await?;
    Ok(())
}
// ANCHOR_END: fix

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test(start_paused = true)]
    async fn each_request_keeps_its_own_id_across_awaits() {
        let slow = tokio::spawn(
            REQUEST_ID
                .scope("req-1".into(), handle(Duration::from_millis(300))),
        );
        let fast = tokio::spawn(
            REQUEST_ID
                .scope("req-2".into(), handle(Duration::from_millis(100))),
        );
        assert_eq!(
            slow.await.unwrap(),
            ["[req-1] question received", "[req-1] answer sent"]
        );
        assert_eq!(
            fast.await.unwrap(),
            ["[req-2] question received", "[req-2] answer sent"]
        );
    }

    #[tokio::test]
    async fn outside_any_scope_there_is_no_value() {
        assert!(REQUEST_ID.try_with(|id| id.clone()).is_err());
    }
}
