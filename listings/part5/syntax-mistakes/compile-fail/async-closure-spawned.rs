async fn run_in_background(job: impl AsyncFn() -> u32 + Send + 'static) {
    let task = tokio::spawn(async move { job().await });
    println!("the job gave {}", task.await.unwrap());
}

#[tokio::main]
async fn main() {
    run_in_background(async || 42).await;
}
