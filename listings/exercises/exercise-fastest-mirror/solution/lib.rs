//! Exercise: ask every mirror, keep the first answer, and stop the others.
//!
//! A solution: copy this file over `src/lib.rs` and `cargo test` passes.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use tokio::task::JoinSet;

/// A mirror that answers after `delay`, and counts the answers it has sent.
/// Leave it as it is.
pub struct Mirror {
    pub name: &'static str,
    pub delay: Duration,
    answered: AtomicUsize,
}

impl Mirror {
    pub fn new(name: &'static str, delay: Duration) -> Arc<Mirror> {
        let answered = AtomicUsize::new(0);
        Arc::new(Mirror {
            name,
            delay,
            answered,
        })
    }

    pub async fn download(&self) -> &'static str {
        tokio::time::sleep(self.delay).await;
        self.answered.fetch_add(1, Ordering::SeqCst);
        self.name
    }

    pub fn answered(&self) -> usize {
        self.answered.load(Ordering::SeqCst)
    }
}

// ANCHOR: start
/// Downloads from every mirror at once and returns the name of the first to
/// answer. The downloads still running then are stopped.
pub async fn fastest(mirrors: &[Arc<Mirror>]) -> &'static str {
    // A JoinSet owns its tasks: dropping it, when this function returns,
    // aborts every download that is still running. A JoinHandle dropped on
    // its own would only detach its task, which runs on.
    let mut downloads = JoinSet::new();
    for mirror in mirrors {
        let mirror = mirror.clone();
        downloads.spawn(async move { mirror.download().await });
    }
    let first = downloads.join_next().await.expect("at least one mirror");
    first.expect("a download panicked")
}
// ANCHOR_END: start
