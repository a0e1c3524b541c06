//! Exercise: stop a background writer without losing a line.
//!
//! `cargo test` fails until `shutdown` does.

use std::io;
use std::path::PathBuf;

use tokio::io::AsyncWriteExt;
use tokio::sync::mpsc;
use tokio::task::JoinHandle;

/// Writes the lines it is sent to a file, ten at a time.
pub struct LogWriter {
    lines: mpsc::Sender<String>,
    task: JoinHandle<io::Result<()>>,
}

/// The writer's task. Leave it as it is.
async fn write_batches(
    path: PathBuf,
    mut lines: mpsc::Receiver<String>,
) -> io::Result<()> {
    let mut file = tokio::fs::File::create(path).await?;
    let mut batch = String::new();
    let mut in_batch = 0;
    loop {
        let line = lines.recv().await;
        if let Some(line) = &line {
            batch.push_str(line);
            batch.push('\n');
            in_batch += 1;
        }
        // A full batch is written; so is the last one, when the channel
        // closes because every sender is gone.
        if in_batch == 10 || (line.is_none() && in_batch > 0) {
            file.write_all(batch.as_bytes()).await?;
            (batch, in_batch) = (String::new(), 0);
        }
        if line.is_none() {
            // tokio's File writes in the background: flush waits for it.
            file.flush().await?;
            return Ok(());
        }
    }
}

impl LogWriter {
    pub fn start(path: PathBuf) -> LogWriter {
        let (lines, received) = mpsc::channel(100);
        let task = tokio::spawn(write_batches(path, received));
        LogWriter { lines, task }
    }

    pub async fn log(&self, line: impl Into<String>) {
        self.lines
            .send(line.into())
            .await
            .expect("the writer stopped");
    }

    // ANCHOR: start
    /// Stops the writer. Every line logged before is in the file when this
    /// returns, and an error from writing it is returned.
    pub async fn shutdown(self) -> io::Result<()> {
        self.task.abort();
        Ok(())
    }
    // ANCHOR_END: start
}
