//! The agent's SQLite database, reached through tokio-rusqlite.

use std::fmt;
use std::path::{Path, PathBuf};

use crate::protocol::Message;

/// Why the database failed.
#[derive(Debug)]
pub enum StoreError {
    /// The file could not be opened or set up as our database.
    Open {
        path: PathBuf,
        source: rusqlite::Error,
    },
    /// A batch could not be written; nothing of it was committed.
    Write(rusqlite::Error),
    /// The connection was already closed.
    Closed,
}

impl fmt::Display for StoreError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            StoreError::Open { path, source } => {
                write!(
                    f,
                    "cannot use {} as the database: {source}",
                    path.display()
                )
            }
            StoreError::Write(source) => {
                write!(f, "writing a batch failed: {source}")
            }
            StoreError::Closed => {
                write!(f, "the database connection is closed")
            }
        }
    }
}

impl std::error::Error for StoreError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            StoreError::Open { source, .. } | StoreError::Write(source) => {
                Some(source)
            }
            StoreError::Closed => None,
        }
    }
}

/// Turns tokio-rusqlite's error into ours; `wrap` says which kind a SQLite
/// error is.
fn from_call(
    error: tokio_rusqlite::Error<rusqlite::Error>,
    wrap: impl FnOnce(rusqlite::Error) -> StoreError,
) -> StoreError {
    match error {
        tokio_rusqlite::Error::Error(source) => wrap(source),
        tokio_rusqlite::Error::Close((_, source)) => wrap(source),
        _ => StoreError::Closed,
    }
}

/// What saving a batch did.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Saved {
    /// Messages whose id was new.
    pub added: u64,
    /// Messages whose id was already stored.
    pub duplicates: u64,
    /// Of the duplicates, those whose text differs from the stored one.
    pub conflicts: u64,
}

impl std::ops::AddAssign for Saved {
    fn add_assign(&mut self, other: Saved) {
        self.added += other.added;
        self.duplicates += other.duplicates;
        self.conflicts += other.conflicts;
    }
}

/// A handle to the database. Clones share one connection and its one thread.
#[derive(Clone)]
pub struct Store {
    db: tokio_rusqlite::Connection,
}

// ANCHOR: open
impl Store {
    pub async fn open(path: &Path) -> Result<Store, StoreError> {
        let open_error = |source| StoreError::Open {
            path: path.to_path_buf(),
            source,
        };
        let db = tokio_rusqlite::Connection::open(path)
            .await
            .map_err(open_error)?;
        db.call(|conn| {
            // WAL with synchronous = FULL: a commit is on disk before `call`
            // returns, so it survives the process being killed and the power
            // going out.
            conn.pragma_update(None, "journal_mode", "WAL")?;
            conn.pragma_update(None, "synchronous", "FULL")?;
            conn.execute(
                "CREATE TABLE IF NOT EXISTS messages (
                     id   INTEGER PRIMARY KEY,
                     text TEXT NOT NULL
                 )",
                [],
            )?;
            // A message whose id is known but whose text is not: kept here,
            // never in place of the text already stored (and acknowledged).
            conn.execute(
                "CREATE TABLE IF NOT EXISTS conflicts (
                     id   INTEGER NOT NULL,
                     text TEXT NOT NULL
                 )",
                [],
            )?;
            Ok(())
        })
        .await
        .map_err(|error| from_call(error, open_error))?;
        Ok(Store { db })
    }
    // ANCHOR_END: open

    // ANCHOR: save
    /// Stores a batch in one transaction. When this returns `Ok`, the whole
    /// batch is committed; on `Err`, none of it is.
    pub async fn save(&self, batch: Vec<Message>) -> Result<Saved, StoreError> {
        self.db
            .call(move |conn| {
                let transaction = conn.transaction()?;
                let mut saved = Saved::default();
                {
                    // An id already stored is skipped, so a message sent twice
                    // is kept once.
                    let mut insert = transaction.prepare_cached(
                        "INSERT OR IGNORE INTO messages (id, text)
                         VALUES (?1, ?2)",
                    )?;
                    let mut conflict = transaction.prepare_cached(
                        "INSERT INTO conflicts (id, text)
                         SELECT ?1, ?2 WHERE NOT EXISTS
                         (SELECT 1 FROM messages WHERE id = ?1 AND text = ?2)",
                    )?;
                    for message in &batch {
                        if insert.execute((message.id, &message.text))? == 1 {
                            saved.added += 1;
                        } else {
                            saved.duplicates += 1;
                            saved.conflicts += conflict
                                .execute((message.id, &message.text))?
                                as u64;
                        }
                    }
                }
                transaction.commit()?;
                Ok(saved)
            })
            .await
            .map_err(|error| from_call(error, StoreError::Write))
    }
    // ANCHOR_END: save

    /// Every stored message, by id.
    pub async fn messages(&self) -> Result<Vec<Message>, StoreError> {
        self.db
            .call(|conn| {
                let mut select =
                    conn.prepare("SELECT id, text FROM messages ORDER BY id")?;
                let rows = select.query_map([], |row| {
                    Ok(Message {
                        id: row.get(0)?,
                        text: row.get(1)?,
                    })
                })?;
                rows.collect::<Result<Vec<_>, _>>()
            })
            .await
            .map_err(|error| from_call(error, StoreError::Write))
    }

    /// How many messages are stored.
    pub async fn count(&self) -> Result<i64, StoreError> {
        self.db
            .call(|conn| {
                conn.query_row("SELECT COUNT(*) FROM messages", [], |row| {
                    row.get(0)
                })
            })
            .await
            .map_err(|error| from_call(error, StoreError::Write))
    }

    /// Closes the connection, waiting for its thread to finish.
    pub async fn close(self) -> Result<(), StoreError> {
        self.db
            .close()
            .await
            .map_err(|error| from_call(error, StoreError::Write))
    }
}
