//! The embedded broker: one SQLite file, through tokio-rusqlite. Workers
//! in several processes on one machine can share the file.

use std::path::Path;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use rusqlite::{OptionalExtension as _, params};

use crate::{Broker, Counts, Leased, NewTask, Priority, Progress};

// ANCHOR: schema
const SCHEMA: &str = "
    CREATE TABLE IF NOT EXISTS tasks (
        id          INTEGER PRIMARY KEY,
        kind        TEXT NOT NULL,
        payload     TEXT NOT NULL,
        priority    INTEGER NOT NULL,
        state       TEXT NOT NULL DEFAULT 'queued',
        deliveries  INTEGER NOT NULL DEFAULT 0,
        lease_until INTEGER,        -- ms since 1970, while running
        failures    INTEGER NOT NULL DEFAULT 0,
        error       TEXT,           -- why it is dead
        result      TEXT,
        result_until INTEGER        -- ms since 1970
    );
    CREATE INDEX IF NOT EXISTS by_state
        ON tasks (state, priority, id);
    CREATE INDEX IF NOT EXISTS by_expiry ON tasks (result_until);
";
// ANCHOR_END: schema

pub struct SqliteBroker {
    db: tokio_rusqlite::Connection,
}

impl SqliteBroker {
    pub async fn open(path: impl AsRef<Path>) -> anyhow::Result<Self> {
        let db = tokio_rusqlite::Connection::open(path).await?;
        db.call(|db| {
            // Other processes may hold the write lock for a moment.
            db.busy_timeout(Duration::from_secs(5))?;
            db.pragma_update(None, "journal_mode", "WAL")?;
            db.pragma_update(None, "synchronous", "NORMAL")?;
            db.execute_batch(SCHEMA)
        })
        .await?;
        Ok(SqliteBroker { db })
    }
}

/// Wall-clock time, the one clock every process on the machine shares.
fn now_ms() -> i64 {
    let since = SystemTime::now().duration_since(UNIX_EPOCH);
    since.expect("the clock is after 1970").as_millis() as i64
}

fn ms(duration: Duration) -> i64 {
    duration.as_millis() as i64
}

impl Broker for SqliteBroker {
    async fn enqueue(&self, task: NewTask) -> anyhow::Result<u64> {
        let id = self
            .db
            .call(move |db| {
                db.execute(
                    "INSERT INTO tasks (kind, payload, priority)
                     VALUES (?1, ?2, ?3)",
                    params![task.kind, task.payload, task.priority.rank()],
                )?;
                Ok::<_, rusqlite::Error>(db.last_insert_rowid())
            })
            .await?;
        Ok(id as u64)
    }

    // ANCHOR: take
    async fn take(&self, lease: Duration) -> anyhow::Result<Option<Leased>> {
        let taken = self
            .db
            .call(move |db| {
                db.query_row(
                    "UPDATE tasks
                     SET state = 'running', deliveries = deliveries + 1,
                         lease_until = ?1 + ?2
                     WHERE id = (
                         SELECT id FROM tasks
                         WHERE state = 'queued'
                            OR (state = 'running' AND lease_until <= ?1)
                         ORDER BY priority, id LIMIT 1)
                     RETURNING id, kind, payload, priority, deliveries",
                    params![now_ms(), ms(lease)],
                    |row| {
                        Ok((
                            row.get::<_, i64>(0)? as u64,
                            row.get(1)?,
                            row.get(2)?,
                            row.get::<_, u8>(3)?,
                            row.get(4)?,
                        ))
                    },
                )
                .optional()
            })
            .await?;
        let Some((id, kind, payload, rank, delivery)) = taken else {
            return Ok(None);
        };
        let priority = Priority::from_rank(rank)?;
        Ok(Some(Leased {
            id,
            kind,
            payload,
            priority,
            delivery,
        }))
    }
    // ANCHOR_END: take

    async fn renew(
        &self,
        task: &Leased,
        lease: Duration,
    ) -> anyhow::Result<bool> {
        let sql = "UPDATE tasks SET lease_until = ?3 + ?4
                   WHERE id = ?1 AND deliveries = ?2
                     AND state = 'running' AND lease_until > ?3";
        let held = params_of(task);
        let changed = self
            .db
            .call(move |db| {
                db.execute(sql, params![held.0, held.1, now_ms(), ms(lease)])
            })
            .await?;
        Ok(changed == 1)
    }

    // ANCHOR: complete
    async fn complete(
        &self,
        task: &Leased,
        result: &str,
        failures: u32,
        keep: Duration,
    ) -> anyhow::Result<bool> {
        // Only the holder of a valid lease may finish the task.
        let sql = "UPDATE tasks
                   SET state = 'done', result = ?3, result_until = ?4 + ?5,
                       failures = failures + ?6, lease_until = NULL
                   WHERE id = ?1 AND deliveries = ?2
                     AND state = 'running' AND lease_until > ?4";
        let held = params_of(task);
        let result = result.to_string();
        let changed = self
            .db
            .call(move |db| {
                let now = now_ms();
                // Expired results are dropped as new ones come in.
                db.execute(
                    "UPDATE tasks SET result = NULL, result_until = NULL
                     WHERE result_until <= ?1",
                    [now],
                )?;
                let keep = ms(keep);
                db.execute(
                    sql,
                    params![held.0, held.1, result, now, keep, failures],
                )
            })
            .await?;
        Ok(changed == 1)
    }
    // ANCHOR_END: complete

    async fn bury(
        &self,
        task: &Leased,
        reason: &str,
        failures: u32,
    ) -> anyhow::Result<bool> {
        let sql = "UPDATE tasks
                   SET state = 'dead', error = ?3, lease_until = NULL,
                       failures = failures + ?4
                   WHERE id = ?1 AND deliveries = ?2
                     AND state = 'running' AND lease_until > ?5";
        let held = params_of(task);
        let reason = reason.to_string();
        let changed = self
            .db
            .call(move |db| {
                let now = now_ms();
                db.execute(sql, params![held.0, held.1, reason, failures, now])
            })
            .await?;
        Ok(changed == 1)
    }

    async fn release(&self, task: &Leased) -> anyhow::Result<bool> {
        // Handing back is not a delivery that failed: it is not counted.
        let sql = "UPDATE tasks
                   SET state = 'queued', deliveries = deliveries - 1,
                       lease_until = NULL
                   WHERE id = ?1 AND deliveries = ?2
                     AND state = 'running' AND lease_until > ?3";
        let held = params_of(task);
        let changed = self
            .db
            .call(move |db| db.execute(sql, params![held.0, held.1, now_ms()]))
            .await?;
        Ok(changed == 1)
    }

    async fn result(&self, id: u64) -> anyhow::Result<Option<String>> {
        let result = self
            .db
            .call(move |db| {
                db.query_row(
                    "SELECT result FROM tasks
                     WHERE id = ?1 AND state = 'done' AND result_until > ?2",
                    params![id as i64, now_ms()],
                    |row| row.get(0),
                )
                .optional()
            })
            .await?;
        Ok(result.flatten())
    }

    async fn dead_letters(&self) -> anyhow::Result<Vec<(u64, String)>> {
        let dead = self
            .db
            .call(|db| {
                let mut query = db.prepare(
                    "SELECT id, error FROM tasks
                     WHERE state = 'dead' ORDER BY id",
                )?;
                let rows = query.query_map([], |row| {
                    Ok((row.get::<_, i64>(0)? as u64, row.get(1)?))
                })?;
                rows.collect::<Result<Vec<_>, _>>()
            })
            .await?;
        Ok(dead)
    }

    // ANCHOR: progress
    async fn progress(&self) -> anyhow::Result<Progress> {
        let rows = self
            .db
            .call(|db| {
                let mut query = db.prepare(
                    "SELECT priority, state, COUNT(*), SUM(failures)
                     FROM tasks GROUP BY priority, state",
                )?;
                let rows = query.query_map([], |row| {
                    let counts: (u8, String, i64, i64) =
                        (row.get(0)?, row.get(1)?, row.get(2)?, row.get(3)?);
                    Ok(counts)
                })?;
                rows.collect::<Result<Vec<_>, _>>()
            })
            .await?;
        let mut progress = Priority::ALL.map(|p| (p, Counts::default()));
        for (rank, state, tasks, failures) in rows {
            let counts = &mut progress[usize::from(rank)].1;
            let (tasks, failures) = (tasks as u64, failures as u64);
            counts.failed += failures;
            match state.as_str() {
                "queued" => counts.queued += tasks,
                "running" => counts.running += tasks,
                "done" => counts.done += tasks,
                _ => counts.dead += tasks,
            }
        }
        Ok(progress)
    }
    // ANCHOR_END: progress
}

/// The two values that say "this hand-out of this task".
fn params_of(task: &Leased) -> (i64, u32) {
    (task.id as i64, task.delivery)
}
