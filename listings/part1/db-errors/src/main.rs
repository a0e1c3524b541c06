use std::fmt;
use std::path::Path;

use rusqlite::ErrorCode;
use tokio_rusqlite::Connection;

// ANCHOR: error
/// What can go wrong with the inbox, in terms a caller can act on.
#[derive(Debug)]
enum DbError {
    /// The database file could not be opened: a missing folder, no
    /// permission, not a database.
    CannotOpen(String),
    /// A row broke a rule of the table: here, a message id already saved.
    Constraint(String),
    /// The SQL itself is wrong: a typo, an unknown table or column.
    BadSql(String),
    /// Another connection holds the lock: try again later.
    Busy,
    /// The connection was closed before the call.
    Closed,
    /// Anything else SQLite reported.
    Other(rusqlite::Error),
}
// ANCHOR_END: error

impl fmt::Display for DbError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            DbError::CannotOpen(reason) => {
                write!(f, "cannot open the database: {reason}")
            }
            DbError::Constraint(rule) => {
                write!(f, "refused by the table: {rule}")
            }
            DbError::BadSql(problem) => write!(f, "bad SQL: {problem}"),
            DbError::Busy => write!(f, "the database is busy, try again"),
            DbError::Closed => write!(f, "the connection is closed"),
            DbError::Other(error) => write!(f, "database error: {error}"),
        }
    }
}

impl std::error::Error for DbError {}

// ANCHOR: from
impl From<rusqlite::Error> for DbError {
    fn from(error: rusqlite::Error) -> DbError {
        match error.sqlite_error_code() {
            Some(ErrorCode::CannotOpen | ErrorCode::NotADatabase) => {
                // SQLite's words for the code alone: its full message repeats
                // the path, which the caller already knows.
                let code = error.sqlite_error().map_or(0, |e| e.extended_code);
                DbError::CannotOpen(
                    rusqlite::ffi::code_to_str(code).to_string(),
                )
            }
            Some(ErrorCode::DatabaseBusy | ErrorCode::DatabaseLocked) => {
                DbError::Busy
            }
            Some(ErrorCode::ConstraintViolation) => {
                DbError::Constraint(error.to_string())
            }
            _ => match error {
                // rusqlite makes this variant only when SQLite refuses to
                // prepare a statement, and says where: a typo, an unknown
                // table or column.
                rusqlite::Error::SqlInputError { msg, .. } => {
                    DbError::BadSql(msg)
                }
                // Everything else, including SQLITE_ERROR raised while a
                // good statement runs (an integer overflow, say).
                other => DbError::Other(other),
            },
        }
    }
}

// ANCHOR_END: from

// ANCHOR: prepare
/// For SQL the caller wrote: if SQLite cannot even prepare it, the SQL is at
/// fault. (Its generic code, SQLITE_ERROR, can also come later, while a good
/// statement runs, so the code alone does not say whose fault it is.)
fn prepare_error(error: rusqlite::Error) -> DbError {
    match error.sqlite_error_code() {
        Some(ErrorCode::Unknown) => match error {
            rusqlite::Error::SqliteFailure(_, Some(msg))
            | rusqlite::Error::SqlInputError { msg, .. } => {
                DbError::BadSql(msg)
            }
            other => DbError::BadSql(other.to_string()),
        },
        _ => error.into(),
    }
}

impl<E: Into<DbError>> From<tokio_rusqlite::Error<E>> for DbError {
    fn from(error: tokio_rusqlite::Error<E>) -> DbError {
        match error {
            tokio_rusqlite::Error::Error(error) => error.into(),
            tokio_rusqlite::Error::Close((_, error)) => error.into(),
            // ConnectionClosed, and any variant a later version adds.
            _ => DbError::Closed,
        }
    }
}
// ANCHOR_END: prepare

// ANCHOR: inbox
/// Messages by the id their sender gave them; an id can be saved only once.
struct Inbox {
    conn: Connection,
}

impl Inbox {
    async fn open(path: &Path) -> Result<Inbox, DbError> {
        let conn = Connection::open(path).await?;
        // SQLite opens files lazily: touching the schema now makes a bad file
        // fail here, not at the first insert.
        conn.call(|conn| {
            conn.execute_batch(
                "CREATE TABLE IF NOT EXISTS messages (
                     id   TEXT PRIMARY KEY,
                     body TEXT NOT NULL
                 )",
            )
        })
        .await?;
        Ok(Inbox { conn })
    }

    async fn save(&self, id: &str, body: &str) -> Result<(), DbError> {
        let (id, body) = (id.to_owned(), body.to_owned());
        self.conn
            .call(move |conn| {
                conn.execute(
                    "INSERT INTO messages (id, body) VALUES (?1, ?2)",
                    [id, body],
                )
            })
            .await?;
        Ok(())
    }
    // ANCHOR_END: inbox

    // ANCHOR: inbox_more
    /// Saves every message or, if any one is refused, none of them.
    async fn save_all(
        &self,
        batch: Vec<(String, String)>,
    ) -> Result<usize, DbError> {
        let saved = self
            .conn
            .call(move |conn| {
                let tx = conn.transaction()?;
                for (id, body) in &batch {
                    tx.execute(
                        "INSERT INTO messages (id, body) VALUES (?1, ?2)",
                        [id, body],
                    )?;
                }
                tx.commit()?;
                Ok::<_, rusqlite::Error>(batch.len())
            })
            .await?;
        Ok(saved)
    }

    /// Runs a counting query the caller wrote, as a report screen might.
    async fn count(&self, sql: &str) -> Result<i64, DbError> {
        let sql = sql.to_owned();
        let n = self
            .conn
            .call(move |conn| {
                let mut query = conn.prepare(&sql).map_err(prepare_error)?;
                Ok::<_, DbError>(query.query_row([], |row| row.get(0))?)
            })
            .await?;
        Ok(n)
    }

    async fn close(self) -> Result<(), DbError> {
        self.conn.close().await?;
        Ok(())
    }
}
// ANCHOR_END: inbox_more

// ANCHOR: main
#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let dir = tempfile::Builder::new().prefix("db-errors").tempdir()?;

    // A folder that does not exist, and a file that is not a database.
    let nowhere = dir.path().join("no-such-folder").join("inbox.db");
    let not_a_db = dir.path().join("notes.txt");
    std::fs::write(
        &not_a_db,
        "shopping: bread, milk, and a lot more than a header",
    )?;
    for path in [&nowhere, &not_a_db] {
        match Inbox::open(path).await {
            Err(DbError::CannotOpen(reason)) => {
                println!("open refused: {reason}")
            }
            Err(other) => return Err(other.into()),
            Ok(_) => println!("opened a file that should not open"),
        }
    }

    let inbox = Inbox::open(&dir.path().join("inbox.db")).await?;
    inbox.save("m-1", "hello").await?;
    match inbox.save("m-1", "hello again").await {
        Err(DbError::Constraint(rule)) => {
            println!("second m-1 refused: {rule}")
        }
        other => println!("unexpected: {other:?}"),
    }

    let batch = vec![
        ("m-2".to_string(), "new".to_string()),
        ("m-1".to_string(), "a repeat".to_string()),
    ];
    if let Err(error) = inbox.save_all(batch).await {
        println!("batch refused: {error}");
    }
    println!(
        "messages saved: {}",
        inbox.count("SELECT COUNT(*) FROM messages").await?
    );

    for sql in [
        "SELECT COUNT(*) FROM mesages",
        "SELEC COUNT(*) FROM messages",
    ] {
        match inbox.count(sql).await {
            Err(DbError::BadSql(problem)) => {
                println!("query refused: {problem}")
            }
            other => println!("unexpected: {other:?}"),
        }
    }
    inbox.close().await?;
    Ok(())
}
// ANCHOR_END: main

#[cfg(test)]
mod tests {
    use super::*;

    async fn scratch_inbox() -> (tempfile::TempDir, Inbox) {
        let dir = tempfile::Builder::new()
            .prefix("db-errors-test")
            .tempdir()
            .unwrap();
        let inbox = Inbox::open(&dir.path().join("inbox.db")).await.unwrap();
        (dir, inbox)
    }

    async fn saved(inbox: &Inbox) -> i64 {
        inbox.count("SELECT COUNT(*) FROM messages").await.unwrap()
    }

    #[tokio::test]
    async fn a_missing_folder_cannot_be_opened() {
        let dir = tempfile::Builder::new()
            .prefix("db-errors-test")
            .tempdir()
            .unwrap();
        let result =
            Inbox::open(&dir.path().join("missing").join("inbox.db")).await;
        assert!(matches!(result, Err(DbError::CannotOpen(_))));
    }

    #[tokio::test]
    async fn a_file_that_is_not_a_database_fails_at_open() {
        let dir = tempfile::Builder::new()
            .prefix("db-errors-test")
            .tempdir()
            .unwrap();
        let path = dir.path().join("notes.txt");
        std::fs::write(&path, "x".repeat(200)).unwrap();
        assert!(matches!(
            Inbox::open(&path).await,
            Err(DbError::CannotOpen(_))
        ));
        // And the file is left as it was.
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "x".repeat(200));
    }

    #[tokio::test]
    async fn a_repeated_id_is_a_constraint_error_and_keeps_the_first() {
        let (_dir, inbox) = scratch_inbox().await;
        inbox.save("m-1", "first").await.unwrap();
        let error = inbox.save("m-1", "second").await.unwrap_err();
        assert!(matches!(error, DbError::Constraint(_)), "{error:?}");
        let body = inbox
            .count("SELECT length(body) FROM messages")
            .await
            .unwrap();
        assert_eq!(body, "first".len() as i64);
        assert_eq!(saved(&inbox).await, 1);
    }

    #[tokio::test]
    async fn a_batch_with_one_bad_row_saves_nothing() {
        let (_dir, inbox) = scratch_inbox().await;
        inbox.save("m-1", "first").await.unwrap();
        let batch = vec![
            ("m-2".to_string(), "b".to_string()),
            ("m-3".to_string(), "c".to_string()),
            ("m-1".to_string(), "repeat".to_string()),
        ];
        let error = inbox.save_all(batch).await.unwrap_err();
        assert!(matches!(error, DbError::Constraint(_)));
        assert_eq!(saved(&inbox).await, 1);
        // The rollback leaves the connection usable.
        let good = vec![("m-2".to_string(), "b".to_string())];
        assert_eq!(inbox.save_all(good).await.unwrap(), 1);
        assert_eq!(saved(&inbox).await, 2);
    }

    #[tokio::test]
    async fn typos_and_unknown_tables_are_bad_sql() {
        let (_dir, inbox) = scratch_inbox().await;
        for sql in [
            "SELEC 1",
            "SELECT COUNT(*) FROM nowhere",
            "SELECT nothing FROM messages",
        ] {
            let error = inbox.count(sql).await.unwrap_err();
            assert!(matches!(error, DbError::BadSql(_)), "{sql}: {error:?}");
        }
    }

    #[tokio::test]
    async fn an_error_while_good_sql_runs_is_not_bad_sql() {
        let (_dir, inbox) = scratch_inbox().await;
        // Prepares fine; SQLITE_ERROR ("integer overflow") comes as it runs.
        let error = inbox
            .count("SELECT abs(-9223372036854775807 - 1)")
            .await
            .unwrap_err();
        assert!(matches!(error, DbError::Other(_)), "{error:?}");
    }

    #[tokio::test]
    async fn a_write_lock_held_elsewhere_is_busy() {
        let (dir, inbox) = scratch_inbox().await;
        // Don't wait for the lock at all (rusqlite's default is 5 s).
        inbox
            .conn
            .call(|conn| conn.busy_timeout(std::time::Duration::ZERO))
            .await
            .unwrap();
        // A second connection to the same file takes the write lock.
        let other =
            rusqlite::Connection::open(dir.path().join("inbox.db")).unwrap();
        other.execute_batch("BEGIN IMMEDIATE").unwrap();

        let error = inbox.save("m-1", "blocked").await.unwrap_err();
        assert!(matches!(error, DbError::Busy), "{error:?}");

        // Once the lock is let go, the same save goes through.
        other.execute_batch("COMMIT").unwrap();
        inbox.save("m-1", "retried").await.unwrap();
        assert_eq!(saved(&inbox).await, 1);
    }

    #[tokio::test]
    async fn calls_after_close_are_closed_errors() {
        let (_dir, inbox) = scratch_inbox().await;
        let other_handle = Inbox {
            conn: inbox.conn.clone(),
        };
        inbox.close().await.unwrap();
        assert!(matches!(
            other_handle.save("m-9", "late").await,
            Err(DbError::Closed)
        ));
    }
}
