//! Exercise: ask every mirror, keep the first answer, and stop the others.
//!
//! `cargo test` fails until `fastest` does.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use tokio::sync::mpsc;

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
    let (done, mut answers) = mpsc::channel(mirrors.len());
    for mirror in mirrors {
        let (mirror, done) = (mirror.clone(), done.clone());
        tokio::spawn(async move {
            let _ = done.send(mirror.download().await).await;
        });
    }
    answers.recv().await.expect("there was at least one mirror")
}
// ANCHOR_END: start
