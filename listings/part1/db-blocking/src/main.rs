use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use rusqlite::Connection;
use tokio::time::{Instant, sleep};

// ANCHOR: heartbeat
/// Stands in for the rest of a program (answering messages, say): it wants the
/// thread every 100 ms. Counts its beats and returns the longest gap between
/// two of them.
async fn heartbeat(beats: Arc<AtomicUsize>, how_many: usize) -> Duration {
    let mut longest_gap = Duration::ZERO;
    let mut last = Instant::now();
    for _ in 0..how_many {
        sleep(Duration::from_millis(100)).await;
        longest_gap = longest_gap.max(last.elapsed());
        last = Instant::now();
        beats.fetch_add(1, Ordering::SeqCst);
    }
    longest_gap
}
// ANCHOR_END: heartbeat

// ANCHOR: import
// A mistake on purpose: an async function that calls rusqlite, which blocks,
// directly.
async fn import_rows(
    path: &Path,
    run_for: Duration,
) -> rusqlite::Result<usize> {
    let conn = Connection::open(path)?;
    conn.execute("CREATE TABLE IF NOT EXISTS events (body TEXT NOT NULL)", [])?;
    let start = std::time::Instant::now();
    let mut rows = 0;
    // A big import: one row after another, each in its own commit, for
    // `run_for`.
    while start.elapsed() < run_for {
        conn.execute(
            "INSERT INTO events (body) VALUES (?1)",
            [format!("row {rows}")],
        )?;
        rows += 1;
    }
    Ok(rows)
}
// ANCHOR_END: import

// ANCHOR: main
#[tokio::main(flavor = "current_thread")]
async fn main() -> anyhow::Result<()> {
    let dir = tempfile::Builder::new().prefix("db-blocking").tempdir()?;
    let beats = Arc::new(AtomicUsize::new(0));
    println!("heartbeat: one beat every 100ms");
    let heartbeat = tokio::spawn(heartbeat(beats.clone(), 10));

    sleep(Duration::from_millis(220)).await; // it beats at 100 and 200 ms
    let beats_before = beats.load(Ordering::SeqCst);
    let start = Instant::now();
    import_rows(&dir.path().join("events.db"), Duration::from_secs(1)).await?;
    let import_took = start.elapsed();
    let beats_during = beats.load(Ordering::SeqCst) - beats_before;
    println!(
        "import: wrote rows for {:.1}s on the runtime's thread",
        import_took.as_secs_f64()
    );
    println!("heartbeat: beats while the import ran: {beats_during}");

    let longest_gap = heartbeat.await?;
    println!(
        "heartbeat: longest gap between beats: {:.1}s",
        longest_gap.as_secs_f64()
    );
    Ok(())
}
// ANCHOR_END: main

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn the_import_writes_rows() {
        let dir = tempfile::Builder::new()
            .prefix("db-blocking-test")
            .tempdir()
            .unwrap();
        let path = dir.path().join("events.db");
        let written =
            import_rows(&path, Duration::from_millis(50)).await.unwrap();
        let conn = Connection::open(&path).unwrap();
        let stored: i64 = conn
            .query_row("SELECT COUNT(*) FROM events", [], |row| row.get(0))
            .unwrap();
        assert!(written > 0);
        assert_eq!(stored as usize, written);
    }

    #[tokio::test(flavor = "current_thread")]
    async fn no_other_task_runs_while_the_import_holds_the_thread() {
        let dir = tempfile::Builder::new()
            .prefix("db-blocking-test")
            .tempdir()
            .unwrap();
        // The rest of the program: a task that only needs a turn on the thread.
        let rest_of_program = tokio::spawn(async {});
        import_rows(&dir.path().join("events.db"), Duration::from_millis(50))
            .await
            .unwrap();
        // The import never gave the thread away, so the task never had a turn.
        assert!(!rest_of_program.is_finished());
        rest_of_program.await.unwrap();
    }
}
