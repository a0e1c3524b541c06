use tokio::sync::mpsc;

async fn handle(worker: &str, job: u32) {
    println!("{worker}: job {job}");
}

#[tokio::main]
async fn main() {
    let (jobs_tx, mut jobs_rx) = mpsc::channel::<u32>(10);
    let first = tokio::spawn(async move {
        while let Some(job) = jobs_rx.recv().await {
            handle("first", job).await;
        }
    });
    let second = tokio::spawn(async move {
        while let Some(job) = jobs_rx.recv().await {
            handle("second", job).await;
        }
    });
    drop(jobs_tx);
    let _ = tokio::join!(first, second);
}
