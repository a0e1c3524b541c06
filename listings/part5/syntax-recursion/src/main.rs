use std::time::Duration;

use tokio::time::sleep;

// ANCHOR: walk
/// A folder: its own files' size, and the folders inside it.
struct Folder {
    name: &'static str,
    size: u64,
    inside: Vec<Folder>,
}

/// Adds up a folder's size, asking a slow disk about each folder in turn.
async fn total_size(folder: &Folder) -> u64 {
    sleep(Duration::from_millis(10)).await; // one slow look-up
    let mut total = folder.size;
    for child in &folder.inside {
        // A future that held itself would be infinitely big: the box puts
        // the inner call's future on the heap instead.
        total += Box::pin(total_size(child)).await;
    }
    total
}
// ANCHOR_END: walk

fn folder(name: &'static str, size: u64, inside: Vec<Folder>) -> Folder {
    Folder { name, size, inside }
}

fn example() -> Folder {
    folder(
        "home",
        1,
        vec![
            folder("music", 300, vec![folder("old", 200, vec![])]),
            folder("notes", 4, vec![]),
        ],
    )
}

#[tokio::main]
async fn main() {
    let home = example();
    println!("{}: {} MB", home.name, total_size(&home).await);
}

#[cfg(test)]
mod tests {
    use super::*;
    use tokio::time::Instant;

    #[tokio::test(start_paused = true)]
    async fn every_folder_is_counted_once_in_turn() {
        let start = Instant::now();
        assert_eq!(total_size(&example()).await, 505);
        // Four folders, one look-up each, one after another.
        assert_eq!(start.elapsed(), Duration::from_millis(40));
    }
}
