//! One server alone: accounts and every message in an SQLite file.

use std::path::Path;

use tokio_rusqlite::{Connection, OptionalExtension, params};

use crate::store::Said;

// ANCHOR: open
/// A handle on the database: clones share the one connection, whose
/// thread runs every query in turn (see the database chapter of Part 1).
#[derive(Clone)]
pub struct Sqlite {
    db: Connection,
}

pub type DbResult<T> = Result<T, tokio_rusqlite::Error>;

impl Sqlite {
    pub async fn open(path: &Path) -> anyhow::Result<Sqlite> {
        let db = Connection::open(path).await?;
        db.call(|db| {
            // As in Part 1's database chapter: a write-ahead log, synced at
            // checkpoints. A commit survives the program crashing; a power
            // cut can take back the last few.
            db.execute_batch(
                "PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL;
                 CREATE TABLE IF NOT EXISTS users (
                     name TEXT PRIMARY KEY,
                     hash TEXT NOT NULL
                 );
                 CREATE TABLE IF NOT EXISTS messages (
                     id   INTEGER PRIMARY KEY,
                     room TEXT NOT NULL,
                     name TEXT NOT NULL,
                     text TEXT NOT NULL
                 );
                 CREATE INDEX IF NOT EXISTS by_room ON messages (room, id);",
            )
        })
        .await
        // The error inside, not tokio-rusqlite's wrapper, says what it is.
        .map_err(|error| match error {
            tokio_rusqlite::Error::Error(error) => anyhow::Error::from(error),
            other => anyhow::anyhow!("{other}"),
        })?;
        Ok(Sqlite { db })
    }
    // ANCHOR_END: open

    // ANCHOR: messages
    /// Saves a message and returns its id. When this returns, the message
    /// is on disk (SQLite's commit), and only then does anyone hear it.
    pub async fn save(
        &self,
        room: &str,
        name: &str,
        text: &str,
    ) -> DbResult<i64> {
        let (room, name, text) =
            (room.to_string(), name.to_string(), text.to_string());
        self.db
            .call(move |db| {
                db.execute(
                    "INSERT INTO messages (room, name, text)
                     VALUES (?1, ?2, ?3)",
                    params![room, name, text],
                )?;
                Ok(db.last_insert_rowid())
            })
            .await
    }

    /// The last `count` messages of a room, oldest first.
    pub async fn history(
        &self,
        room: &str,
        count: usize,
    ) -> DbResult<Vec<Said>> {
        let room = room.to_string();
        self.db
            .call(move |db| {
                let mut query = db.prepare(
                    "SELECT id, name, text FROM messages WHERE room = ?1
                     ORDER BY id DESC LIMIT ?2",
                )?;
                let rows =
                    query.query_map(params![room, count as i64], |row| {
                        Ok(Said {
                            id: row.get(0)?,
                            name: row.get(1)?,
                            text: row.get(2)?,
                        })
                    })?;
                let mut newest_first = rows.collect::<Result<Vec<_>, _>>()?;
                newest_first.reverse();
                Ok(newest_first)
            })
            .await
    }
    // ANCHOR_END: messages

    // ANCHOR: users
    /// The password hash of a name, if it has an account.
    pub async fn hash_of(&self, name: &str) -> DbResult<Option<String>> {
        let name = name.to_string();
        self.db
            .call(move |db| {
                db.query_row(
                    "SELECT hash FROM users WHERE name = ?1",
                    [name],
                    |row| row.get(0),
                )
                .optional()
            })
            .await
    }

    /// Makes an account; `false` if the name was taken meanwhile.
    pub async fn add_user(&self, name: &str, hash: &str) -> DbResult<bool> {
        let (name, hash) = (name.to_string(), hash.to_string());
        self.db
            .call(move |db| {
                let added = db.execute(
                    "INSERT OR IGNORE INTO users (name, hash) VALUES (?1, ?2)",
                    [name, hash],
                )?;
                Ok(added == 1)
            })
            .await
    }
    // ANCHOR_END: users

    /// Waits for every query sent before this one, then closes the file.
    pub async fn close(self) -> DbResult<()> {
        self.db.close().await
    }
}
