use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use tokio::time::{Instant, sleep};
use tokio_rusqlite::Connection;

/// Stands in for the rest of a program: it wants the thread every 100 ms.
/// Counts its beats and returns the longest gap between two of them.
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

// ANCHOR: import
/// The same import, sent to the connection's own thread. Only the await is on
/// ours.
async fn import_rows(
    conn: &Connection,
    run_for: Duration,
) -> tokio_rusqlite::Result<usize> {
    let rows = conn
        .call(move |conn| {
            // This closure runs on the thread that owns the connection.
            conn.execute(
                "CREATE TABLE IF NOT EXISTS events (body TEXT NOT NULL)",
                [],
            )?;
            let start = std::time::Instant::now();
            let mut rows = 0;
            while start.elapsed() < run_for {
                conn.execute(
                    "INSERT INTO events (body) VALUES (?1)",
                    [format!("row {rows}")],
                )?;
                rows += 1;
            }
            Ok::<_, rusqlite::Error>(rows)
        })
        .await?;
    Ok(rows)
}
// ANCHOR_END: import

// ANCHOR: main
#[tokio::main(flavor = "current_thread")]
async fn main() -> anyhow::Result<()> {
    let dir = tempfile::Builder::new().prefix("db-call").tempdir()?;
    let conn = Connection::open(dir.path().join("events.db")).await?;
    let beats = Arc::new(AtomicUsize::new(0));
    println!("heartbeat: one beat every 100ms");
    let heartbeat = tokio::spawn(heartbeat(beats.clone(), 10));

    sleep(Duration::from_millis(220)).await; // it beats at 100 and 200 ms
    let beats_before = beats.load(Ordering::SeqCst);
    let start = Instant::now();
    import_rows(&conn, Duration::from_secs(1)).await?;
    let import_took = start.elapsed();
    let beats_during = beats.load(Ordering::SeqCst) - beats_before;
    println!(
        "import: wrote rows for {:.1}s on the connection's thread",
        import_took.as_secs_f64()
    );
    println!(
        "heartbeat: kept beating while the import ran: {}",
        beats_during > 0
    );

    let longest_gap = heartbeat.await?;
    println!(
        "heartbeat: longest gap between beats: {:.1}s",
        longest_gap.as_secs_f64()
    );
    conn.close().await?;
    Ok(())
}
// ANCHOR_END: main

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test(flavor = "current_thread")]
    async fn other_tasks_run_while_the_connection_thread_imports() {
        let dir = tempfile::Builder::new()
            .prefix("db-call-test")
            .tempdir()
            .unwrap();
        let conn = Connection::open(dir.path().join("events.db"))
            .await
            .unwrap();
        // The rest of the program: a task that only needs a turn on the thread.
        let rest_of_program = tokio::spawn(async {});
        let written =
            import_rows(&conn, Duration::from_millis(50)).await.unwrap();
        // While the import awaited the connection's thread, ours ran the task.
        assert!(rest_of_program.is_finished());

        let stored: i64 = conn
            .call(|conn| {
                conn.query_row("SELECT COUNT(*) FROM events", [], |row| {
                    row.get(0)
                })
            })
            .await
            .unwrap();
        assert_eq!(stored as usize, written);
        conn.close().await.unwrap();
    }
}
