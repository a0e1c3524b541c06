use std::future::Future;

// Calls `check` on each word, one after another.
async fn check_all<F, Fut>(words: &[String], check: F) -> usize
where
    F: Fn(&str) -> Fut,
    Fut: Future<Output = bool>,
{
    let mut passed = 0;
    for word in words {
        if check(word).await {
            passed += 1;
        }
    }
    passed
}

#[tokio::main]
async fn main() {
    let words = vec!["tea".to_string(), "coffee".to_string()];
    let long = check_all(&words, |word| async move { word.len() > 3 }).await;
    println!("{long} long words");
}
