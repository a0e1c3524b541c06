//! Four ways to write rows to SQLite from async code, timed in both journal
//! modes. Run it with `cargo run -p db-bench --release`; `-- --rows N` changes
//! the row count.

use std::path::Path;
use std::time::{Duration, Instant};

use rusqlite::params;
use tokio::sync::mpsc;
use tokio_rusqlite::Connection;

/// The per-row pattern commits once per row, which is so slow that it gets this
/// many times fewer rows (its rate is still rows per second).
const PER_ROW_DIVISOR: usize = 300;
/// The fast patterns are timed this many times, each into a fresh file, and the
/// best run counts: the machine is shared, and the best run is the one least
/// disturbed.
const RUNS: usize = 5;
/// How many rows the background writer takes from its queue for one
/// transaction, at most.
const MAX_BATCH: usize = 10_000;

// ANCHOR: modes
/// How SQLite keeps its promises: the journal, and how often it waits for the
/// disk.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Mode {
    /// SQLite's defaults: a rollback journal file, and an fsync at every
    /// commit.
    Delete,
    /// A write-ahead log, synced only at checkpoints (`synchronous = NORMAL`).
    Wal,
}

impl Mode {
    fn pragmas(self) -> &'static str {
        match self {
            Mode::Delete => {
                "PRAGMA journal_mode = DELETE; PRAGMA synchronous = FULL;"
            }
            Mode::Wal => {
                "PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL;"
            }
        }
    }
}
// ANCHOR_END: modes

fn setup(conn: &rusqlite::Connection, mode: Mode) -> rusqlite::Result<()> {
    conn.execute_batch(mode.pragmas())?;
    conn.execute_batch(
        "CREATE TABLE events (id INTEGER PRIMARY KEY, body TEXT NOT NULL)",
    )
}

/// The row the benchmark writes: the same for every pattern.
fn event(id: usize) -> (i64, String) {
    (id as i64, format!("event number {id} from the benchmark"))
}

const INSERT: &str = "INSERT INTO events (id, body) VALUES (?1, ?2)";

async fn open(path: &Path, mode: Mode) -> tokio_rusqlite::Result<Connection> {
    let conn = Connection::open(path).await?;
    conn.call(move |conn| setup(conn, mode)).await?;
    Ok(conn)
}

// ANCHOR: per_row
/// The shape of a direct translation from aiosqlite: one call, and one commit,
/// per row.
async fn one_call_per_row(
    conn: &Connection,
    rows: usize,
) -> tokio_rusqlite::Result<()> {
    for id in 0..rows {
        let (id, body) = event(id);
        conn.call(move |conn| conn.execute(INSERT, params![id, body]))
            .await?;
    }
    Ok(())
}
// ANCHOR_END: per_row

// ANCHOR: one_call
/// Every row inside one call and one transaction.
async fn one_call_one_transaction(
    conn: &Connection,
    rows: usize,
) -> tokio_rusqlite::Result<()> {
    let batch: Vec<(i64, String)> = (0..rows).map(event).collect();
    conn.call(move |conn| {
        let tx = conn.transaction()?;
        {
            let mut insert = tx.prepare_cached(INSERT)?;
            for (id, body) in &batch {
                insert.execute(params![id, body])?;
            }
        }
        tx.commit()
    })
    .await?;
    Ok(())
}
// ANCHOR_END: one_call

// ANCHOR: writer
/// A background task that owns the writes: it takes whatever rows are waiting
/// in the queue (up to MAX_BATCH), commits them in one transaction, and goes
/// back for more. It returns how many rows it committed, in how many commits,
/// once every sender is gone and the queue is empty.
fn spawn_writer(
    conn: Connection,
    mut rows_rx: mpsc::Receiver<(i64, String)>,
) -> tokio::task::JoinHandle<tokio_rusqlite::Result<Written>> {
    tokio::spawn(async move {
        let mut written = Written::default();
        let mut batch = Vec::with_capacity(MAX_BATCH);
        // recv_many waits for at least one row, then takes all that are ready.
        while rows_rx.recv_many(&mut batch, MAX_BATCH).await > 0 {
            let rows = std::mem::take(&mut batch);
            let count = rows.len();
            conn.call(move |conn| {
                let tx = conn.transaction()?;
                {
                    let mut insert = tx.prepare_cached(INSERT)?;
                    for (id, body) in &rows {
                        insert.execute(params![id, body])?;
                    }
                }
                tx.commit()
            })
            .await?;
            // Only now are these rows in the database.
            written.rows += count;
            written.commits += 1;
        }
        Ok(written)
    })
}

#[derive(Debug, Default, Clone, Copy, PartialEq)]
struct Written {
    rows: usize,
    commits: usize,
}
// ANCHOR_END: writer

// ANCHOR: producers
/// Producers only put rows in the queue; the writer decides when to commit.
async fn queue_and_batch_writer(
    conn: &Connection,
    rows: usize,
) -> anyhow::Result<usize> {
    let (rows_tx, rows_rx) = mpsc::channel(2 * MAX_BATCH);
    let writer = spawn_writer(conn.clone(), rows_rx);
    for id in 0..rows {
        rows_tx.send(event(id)).await?;
    }
    drop(rows_tx); // no more rows: the writer drains the queue and stops
    let written = writer.await??;
    anyhow::ensure!(
        written.rows == rows,
        "wrote {} of {rows} rows",
        written.rows
    );
    Ok(written.commits)
}
// ANCHOR_END: producers

// ANCHOR: sync_limit
/// The physical limit: plain rusqlite, one transaction, no async at all.
fn synchronous_one_transaction(
    conn: &mut rusqlite::Connection,
    rows: usize,
) -> rusqlite::Result<()> {
    let batch: Vec<(i64, String)> = (0..rows).map(event).collect();
    let tx = conn.transaction()?;
    {
        let mut insert = tx.prepare_cached(INSERT)?;
        for (id, body) in &batch {
            insert.execute(params![id, body])?;
        }
    }
    tx.commit()
}
// ANCHOR_END: sync_limit

#[derive(Debug, Clone, Copy, PartialEq)]
enum Pattern {
    OneCallPerRow,
    OneCallOneTransaction,
    QueueAndBatchWriter,
    Synchronous,
}

impl Pattern {
    const ALL: [Pattern; 4] = [
        Pattern::OneCallPerRow,
        Pattern::OneCallOneTransaction,
        Pattern::QueueAndBatchWriter,
        Pattern::Synchronous,
    ];

    fn label(self) -> &'static str {
        match self {
            Pattern::OneCallPerRow => "one call per row, autocommit",
            Pattern::OneCallOneTransaction => "one call, one transaction",
            Pattern::QueueAndBatchWriter => "queue + batch writer",
            Pattern::Synchronous => "sync rusqlite, one transaction",
        }
    }
}

// ANCHOR: run
/// Writes `rows` rows with one pattern into a fresh database file; returns
/// the time it took and how many commits it made. Opening the file and
/// creating the table are not timed.
async fn run(
    pattern: Pattern,
    mode: Mode,
    dir: &Path,
    rows: usize,
    run_number: usize,
) -> anyhow::Result<(Duration, usize)> {
    let path = dir.join(format!("{pattern:?}-{mode:?}-{run_number}.db"));
    if pattern == Pattern::Synchronous {
        // On a thread of its own, as blocking code should be; timed there.
        let took = tokio::task::spawn_blocking(move || {
            let mut conn = rusqlite::Connection::open(&path)?;
            setup(&conn, mode)?;
            let start = Instant::now();
            synchronous_one_transaction(&mut conn, rows)?;
            let took = start.elapsed();
            conn.close().map_err(|(_, error)| error)?;
            Ok::<_, rusqlite::Error>(took)
        })
        .await??;
        return Ok((took, 1));
    }
    // ANCHOR_END: run
    // ANCHOR: run_async
    let conn = open(&path, mode).await?;
    let start = Instant::now();
    let commits = match pattern {
        Pattern::OneCallPerRow => {
            one_call_per_row(&conn, rows).await?;
            rows
        }
        Pattern::OneCallOneTransaction => {
            one_call_one_transaction(&conn, rows).await?;
            1
        }
        Pattern::QueueAndBatchWriter => {
            queue_and_batch_writer(&conn, rows).await?
        }
        Pattern::Synchronous => unreachable!("timed above"),
    };
    let took = start.elapsed();
    conn.close().await?;
    Ok((took, commits))
}
// ANCHOR_END: run_async

/// Round trip of a call that does nothing: what `call` itself costs.
async fn empty_call_cost(calls: usize) -> anyhow::Result<Duration> {
    let conn = Connection::open_in_memory().await?;
    let start = Instant::now();
    for _ in 0..calls {
        conn.call(|_| Ok::<_, rusqlite::Error>(())).await?;
    }
    let took = start.elapsed();
    conn.close().await?;
    Ok(took / calls as u32)
}

fn rows_from_args() -> anyhow::Result<usize> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match args.as_slice() {
        [] => Ok(300_000),
        [flag, n] if flag == "--rows" => Ok(n.parse()?),
        _ => anyhow::bail!("usage: db-bench [--rows N]"),
    }
}

/// 1234567.8 -> "1,234,568"
fn thousands(value: f64) -> String {
    let digits = format!("{:.0}", value);
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    out
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let rows = rows_from_args()?;
    let per_row_rows = (rows / PER_ROW_DIVISOR).max(1);
    let dir = tempfile::Builder::new().prefix("db-bench").tempdir()?;

    let call_cost = empty_call_cost(10_000).await?;
    println!("rows per run: {rows} (one call per row: {per_row_rows})");
    println!(
        "an empty call's round trip: {:.1} µs",
        call_cost.as_secs_f64() * 1e6
    );
    println!();
    println!(
        "{:<32} {:<8} {:>8} {:>12} {:>9}",
        "pattern", "journal", "commits", "rows/s", "vs sync"
    );
    // ANCHOR: best
    for mode in [Mode::Delete, Mode::Wal] {
        let mut rates = Vec::new();
        for pattern in Pattern::ALL {
            let (n, runs) = if pattern == Pattern::OneCallPerRow {
                (per_row_rows, 1)
            } else {
                (rows, RUNS)
            };
            let mut best = Duration::MAX;
            let mut commits = 0;
            for run_number in 0..runs {
                let (took, made) =
                    run(pattern, mode, dir.path(), n, run_number).await?;
                best = best.min(took);
                commits = made;
            }
            rates.push((pattern, n as f64 / best.as_secs_f64(), commits));
        }
        let limit = rates.last().expect("four patterns").1;
        for (pattern, rate, commits) in rates {
            let ratio = rate / limit;
            // Enough digits that the slowest pattern does not print as zero.
            let decimals = if ratio < 0.01 { 4 } else { 2 };
            println!(
                "{:<32} {:<8} {:>8} {:>12} {:>8.decimals$}x",
                pattern.label(),
                format!("{mode:?}").to_uppercase(),
                thousands(commits as f64),
                thousands(rate),
                ratio
            );
        }
    }
    // ANCHOR_END: best
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every id from 0 to rows - 1, once: the count, the distinct count and the
    /// sum agree.
    async fn assert_each_row_once(path: &Path, rows: usize) {
        let conn = Connection::open(path).await.unwrap();
        let (count, distinct, sum): (i64, i64, i64) = conn
            .call(|conn| {
                conn.query_row(
                    "SELECT COUNT(*), COUNT(DISTINCT id), COALESCE(SUM(id), 0) FROM events",
                    [],
                    |row| Ok((row.get(0)?, row.get(1)?, row.get(2)?)),
                )
            })
            .await
            .unwrap();
        let n = rows as i64;
        assert_eq!((count, distinct, sum), (n, n, n * (n - 1) / 2));
        conn.close().await.unwrap();
    }

    #[tokio::test]
    async fn every_pattern_writes_every_row_exactly_once_in_both_modes() {
        let dir = tempfile::Builder::new()
            .prefix("db-bench-test")
            .tempdir()
            .unwrap();
        for mode in [Mode::Delete, Mode::Wal] {
            for pattern in Pattern::ALL {
                let rows = if pattern == Pattern::OneCallPerRow {
                    30
                } else {
                    2_500
                };
                let (_, commits) =
                    run(pattern, mode, dir.path(), rows, 0).await.unwrap();
                let expected_commits = match pattern {
                    Pattern::OneCallPerRow => rows,
                    _ => 1,
                };
                if pattern != Pattern::QueueAndBatchWriter {
                    assert_eq!(commits, expected_commits, "{pattern:?}");
                }
                let path =
                    dir.path().join(format!("{pattern:?}-{mode:?}-0.db"));
                assert_each_row_once(&path, rows).await;
            }
        }
    }

    #[tokio::test]
    async fn the_modes_set_the_journal_and_sync_level() {
        for (mode, journal, synchronous) in
            [(Mode::Delete, "delete", 2), (Mode::Wal, "wal", 1)]
        {
            let dir = tempfile::Builder::new()
                .prefix("db-bench-test")
                .tempdir()
                .unwrap();
            let conn = open(&dir.path().join("modes.db"), mode).await.unwrap();
            let (got_journal, got_sync): (String, i64) = conn
                .call(|conn| {
                    let journal =
                        conn.query_row("PRAGMA journal_mode", [], |row| {
                            row.get(0)
                        })?;
                    let sync =
                        conn.query_row("PRAGMA synchronous", [], |row| {
                            row.get(0)
                        })?;
                    Ok::<_, rusqlite::Error>((journal, sync))
                })
                .await
                .unwrap();
            assert_eq!(
                (got_journal.as_str(), got_sync),
                (journal, synchronous)
            );
            conn.close().await.unwrap();
        }
    }

    #[tokio::test]
    async fn the_writer_commits_in_batches_and_drains_the_queue_on_shutdown() {
        let dir = tempfile::Builder::new()
            .prefix("db-bench-test")
            .tempdir()
            .unwrap();
        let path = dir.path().join("writer.db");
        let conn = open(&path, Mode::Wal).await.unwrap();
        let (rows_tx, rows_rx) = mpsc::channel(2 * MAX_BATCH);
        let writer = spawn_writer(conn.clone(), rows_rx);
        let rows = 3 * MAX_BATCH + 7;
        for id in 0..rows {
            rows_tx.send(event(id)).await.unwrap();
        }
        // Every row is still queued or in flight when the sender goes away.
        drop(rows_tx);
        let written = writer.await.unwrap().unwrap();
        assert_eq!(written.rows, rows);
        // At most MAX_BATCH rows per commit, so at least four commits for this
        // many rows.
        assert!(written.commits >= 4, "{written:?}");
        conn.close().await.unwrap();
        assert_each_row_once(&path, rows).await;
    }

    #[tokio::test]
    async fn a_failed_batch_stops_the_writer_and_the_producer_sees_it() {
        let dir = tempfile::Builder::new()
            .prefix("db-bench-test")
            .tempdir()
            .unwrap();
        let conn = open(&dir.path().join("writer.db"), Mode::Wal)
            .await
            .unwrap();
        let (rows_tx, rows_rx) = mpsc::channel(8);
        let writer = spawn_writer(conn.clone(), rows_rx);
        rows_tx.send(event(1)).await.unwrap();
        rows_tx.send(event(1)).await.unwrap(); // the same id again: the primary key refuses it
        let outcome = writer.await.unwrap();
        assert!(matches!(outcome, Err(tokio_rusqlite::Error::Error(_))));
        // The writer is gone, so sending fails instead of queueing rows nobody
        // will write.
        assert!(rows_tx.send(event(2)).await.is_err());
        conn.close().await.unwrap();
    }

    #[test]
    fn thousands_are_separated() {
        assert_eq!(thousands(0.4), "0");
        assert_eq!(thousands(999.0), "999");
        assert_eq!(thousands(1_234_567.8), "1,234,568");
    }
}
