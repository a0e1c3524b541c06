//! The job every program of this crate runs: the Python guide's
//! `process_item`, in Rust.

use std::time::Duration;

// ANCHOR: item
/// Works on item `id` for `seconds`; item 3 always fails.
pub async fn process_item(id: u32, seconds: f64) -> anyhow::Result<String> {
    println!("Processing item {id}");
    tokio::time::sleep(Duration::from_secs_f64(seconds)).await;
    if id == 3 {
        anyhow::bail!("item {id} failed");
    }
    Ok(format!("result {id}"))
}
// ANCHOR_END: item
