use std::future::Future;
use std::time::Duration;

use tokio::time::sleep;

// ANCHOR: check_all
/// Counts the words that pass `check`, one word after another.
async fn check_all(
    words: &[String],
    check: impl AsyncFn(&str) -> bool,
) -> usize {
    let mut passed = 0;
    for word in words {
        if check(word).await {
            passed += 1;
        }
    }
    passed
}
// ANCHOR_END: check_all

// ANCHOR: in_background
/// Runs `job` in a task of its own. The future `job` returns must be
/// `Send` and own its data, and this older shape can say so.
async fn run_in_background<F, Fut>(job: F) -> u32
where
    F: Fn() -> Fut,
    Fut: Future<Output = u32> + Send + 'static,
{
    tokio::spawn(job()).await.unwrap()
}
// ANCHOR_END: in_background

// ANCHOR: main
#[tokio::main]
async fn main() {
    let words: Vec<String> =
        ["tea", "coffee", "cocoa"].map(String::from).into();
    let long = check_all(&words, async |word| word.len() > 3).await;
    println!("{long} long words");

    // The closure borrows `menu`; the future it returns borrows it too.
    let menu = ["tea", "cocoa"];
    let on_menu = check_all(&words, async |word| {
        sleep(Duration::from_millis(10)).await; // a slow lookup
        menu.contains(&word)
    })
    .await;
    println!("{on_menu} on the menu");

    // An async closure may change what it captured, across an await.
    let mut seen = Vec::new();
    let mut remember = async |word: &str| {
        sleep(Duration::from_millis(10)).await;
        seen.push(word.to_uppercase());
    };
    remember("tea").await;
    remember("cocoa").await;
    println!("seen: {seen:?}");

    let answer = run_in_background(|| async { 6 * 7 }).await;
    println!("the background job gave {answer}");
}
// ANCHOR_END: main

#[cfg(test)]
mod tests {
    use super::*;
    use tokio::time::Instant;

    #[tokio::test(start_paused = true)]
    async fn the_checks_run_one_after_another() {
        let words: Vec<String> = ["a", "bb", "ccc"].map(String::from).into();
        let start = Instant::now();
        let passed = check_all(&words, async |word| {
            sleep(Duration::from_millis(100)).await;
            word.len() >= 2
        })
        .await;
        assert_eq!(passed, 2);
        assert_eq!(start.elapsed(), Duration::from_millis(300));
    }

    #[tokio::test]
    async fn a_background_job_runs_in_a_task() {
        let answer = run_in_background(|| async {
            tokio::task::yield_now().await;
            5
        })
        .await;
        assert_eq!(answer, 5);
    }
}
