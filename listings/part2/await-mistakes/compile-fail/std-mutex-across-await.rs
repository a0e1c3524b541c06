use std::sync::{Arc, Mutex};
use std::time::Duration;

async fn count_visit(visits: Arc<Mutex<u32>>) {
    let mut count = visits.lock().unwrap();
    // The guard is still alive here, so it becomes part of the paused future.
    tokio::time::sleep(Duration::from_millis(10)).await;
    *count += 1;
}

#[tokio::main]
async fn main() {
    let visits = Arc::new(Mutex::new(0));
    tokio::spawn(count_visit(visits.clone())).await.unwrap();
}
