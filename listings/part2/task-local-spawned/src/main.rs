use std::time::Duration;
use tokio::time::sleep;

tokio::task_local! {
    static REQUEST_ID: String;
}

fn current_request() -> String {
    REQUEST_ID
        .try_with(|id| id.clone())
        .unwrap_or_else(|_| "no request id".to_string())
}

// ANCHOR: mistake
async fn handle() -> anyhow::Result<(String, String)> {
    let here = current_request();
    // A mistake on purpose: the new task does not run inside this future's
    // scope.
    let background = tokio::spawn(async {
        sleep(Duration::from_millis(10)).await;
        current_request()
    });
    let there = background.await?;
    println!("in the request: {here}");
    println!("in a task it spawned: {there}");
    Ok((here, there))
}
// ANCHOR_END: mistake

// ANCHOR: fix
/// The fix: read the value before spawning, and give the new task a scope of
/// its own.
async fn handle_fixed() -> anyhow::Result<String> {
    let id = REQUEST_ID.get();
    let background = tokio::spawn(REQUEST_ID.scope(id, async {
        sleep(Duration::from_millis(10)).await;
        current_request()
    }));
    Ok(background.await?)
}
// ANCHOR_END: fix

#[tokio::main(flavor = "current_thread")]
async fn main() -> anyhow::Result<()> {
    REQUEST_ID.scope("req-7".to_string(), handle()).await?;
    let fixed = REQUEST_ID
        .scope("req-7".to_string(), handle_fixed())
        .await?;
    println!("in a task given a scope of its own: {fixed}");
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test(start_paused = true)]
    async fn a_spawned_task_does_not_inherit_the_scope() {
        let (here, there) =
            REQUEST_ID.scope("req-1".into(), handle()).await.unwrap();
        assert_eq!(here, "req-1");
        assert_eq!(there, "no request id");
    }

    #[tokio::test(start_paused = true)]
    async fn passing_the_value_on_gives_the_task_the_same_id() {
        let there = REQUEST_ID
            .scope("req-1".into(), handle_fixed())
            .await
            .unwrap();
        assert_eq!(there, "req-1");
    }
}
