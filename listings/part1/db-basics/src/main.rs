use std::path::Path;

use rusqlite::params;
use tokio_rusqlite::Connection;

// ANCHOR: types
/// A message as the program keeps it: one row of the `messages` table.
#[derive(Debug, Clone, PartialEq)]
struct Message {
    id: i64,
    sender: String,
    body: String,
    handled: bool,
}
// ANCHOR_END: types

// ANCHOR: open
/// Opens (or creates) the database and makes sure the table exists.
async fn open(path: &Path) -> anyhow::Result<Connection> {
    let conn = Connection::open(path).await?;
    conn.call(|conn| {
        conn.execute_batch(
            "CREATE TABLE IF NOT EXISTS messages (
                 id      INTEGER PRIMARY KEY,
                 sender  TEXT    NOT NULL,
                 body    TEXT    NOT NULL,
                 handled INTEGER NOT NULL DEFAULT 0
             )",
        )
    })
    .await?;
    Ok(conn)
}
// ANCHOR_END: open

// ANCHOR: insert
/// Saves one message and returns the id SQLite gave it.
async fn insert(
    conn: &Connection,
    sender: &str,
    body: &str,
) -> anyhow::Result<i64> {
    // The closure runs on another thread, later: it must own what it uses.
    let (sender, body) = (sender.to_owned(), body.to_owned());
    let id = conn
        .call(move |conn| {
            // Parsed once per connection, then reused from its cache.
            let mut insert = conn.prepare_cached(
                "INSERT INTO messages (sender, body) VALUES (?1, ?2)",
            )?;
            insert.execute(params![sender, body])?;
            Ok::<_, rusqlite::Error>(conn.last_insert_rowid())
        })
        .await?;
    Ok(id)
}
// ANCHOR_END: insert

// ANCHOR: query
/// Every message not handled yet, oldest first, as structs.
async fn unhandled(conn: &Connection) -> anyhow::Result<Vec<Message>> {
    let messages = conn
        .call(|conn| {
            let mut statement = conn.prepare_cached(
                "SELECT id, sender, body, handled FROM messages
                 WHERE handled = 0 ORDER BY id",
            )?;
            let rows = statement.query_map([], |row| {
                Ok(Message {
                    id: row.get(0)?,
                    sender: row.get(1)?,
                    body: row.get(2)?,
                    handled: row.get(3)?,
                })
            })?;
            rows.collect::<rusqlite::Result<Vec<Message>>>()
        })
        .await?;
    Ok(messages)
}
// ANCHOR_END: query

// ANCHOR: update
/// Marks one message as handled; returns false if there is no such message.
async fn mark_handled(conn: &Connection, id: i64) -> anyhow::Result<bool> {
    let changed = conn
        .call(move |conn| {
            conn.prepare_cached(
                "UPDATE messages SET handled = 1 WHERE id = ?1",
            )?
            .execute([id])
        })
        .await?;
    Ok(changed == 1)
}
// ANCHOR_END: update

// ANCHOR: transaction
/// Saves several messages at once: all of them, or (on any error) none.
async fn insert_all(
    conn: &Connection,
    batch: Vec<(String, String)>,
) -> anyhow::Result<usize> {
    let saved = conn
        .call(move |conn| {
            let tx = conn.transaction()?;
            {
                let mut insert = tx.prepare_cached(
                    "INSERT INTO messages (sender, body) VALUES (?1, ?2)",
                )?;
                for (sender, body) in &batch {
                    insert.execute(params![sender, body])?;
                }
            }
            // Dropping `tx` without commit (an early return by `?`) rolls
            // everything back.
            tx.commit()?;
            Ok::<_, rusqlite::Error>(batch.len())
        })
        .await?;
    Ok(saved)
}
// ANCHOR_END: transaction

async fn count(conn: &Connection) -> anyhow::Result<i64> {
    let rows = conn
        .call(|conn| {
            conn.query_row("SELECT COUNT(*) FROM messages", [], |row| {
                row.get(0)
            })
        })
        .await?;
    Ok(rows)
}

// ANCHOR: main
#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let dir = tempfile::Builder::new().prefix("db-basics").tempdir()?;
    let path = dir.path().join("inbox.db");

    let conn = open(&path).await?;
    let first = insert(&conn, "scout", "found a river").await?;
    insert(&conn, "builder", "bridge needs wood").await?;
    println!("saved message {first} and one more");

    let batch = vec![
        ("scout".to_string(), "river is wide".to_string()),
        ("cook".to_string(), "dinner at six".to_string()),
    ];
    println!(
        "saved {} in one transaction",
        insert_all(&conn, batch).await?
    );

    println!(
        "handled message {first}: {}",
        mark_handled(&conn, first).await?
    );
    println!("handled message 99: {}", mark_handled(&conn, 99).await?);
    for message in unhandled(&conn).await? {
        println!("to do: {message:?}");
    }

    // close() reports a failure to close; dropping the handle would hide it.
    conn.close().await?;

    let reopened = open(&path).await?;
    println!("after reopening: {} messages", count(&reopened).await?);
    reopened.close().await?;
    Ok(())
}
// ANCHOR_END: main

#[cfg(test)]
mod tests {
    use super::*;

    async fn scratch_db() -> (tempfile::TempDir, Connection) {
        let dir = tempfile::Builder::new()
            .prefix("db-basics-test")
            .tempdir()
            .unwrap();
        let conn = open(&dir.path().join("inbox.db")).await.unwrap();
        (dir, conn)
    }

    #[tokio::test]
    async fn inserted_messages_come_back_as_structs_in_order() {
        let (_dir, conn) = scratch_db().await;
        let a = insert(&conn, "scout", "one").await.unwrap();
        let b = insert(&conn, "cook", "two").await.unwrap();
        assert!(b > a);
        let expected = vec![
            Message {
                id: a,
                sender: "scout".into(),
                body: "one".into(),
                handled: false,
            },
            Message {
                id: b,
                sender: "cook".into(),
                body: "two".into(),
                handled: false,
            },
        ];
        assert_eq!(unhandled(&conn).await.unwrap(), expected);
    }

    #[tokio::test]
    async fn a_handled_message_is_no_longer_listed() {
        let (_dir, conn) = scratch_db().await;
        let a = insert(&conn, "scout", "one").await.unwrap();
        let b = insert(&conn, "cook", "two").await.unwrap();
        assert!(mark_handled(&conn, a).await.unwrap());
        assert!(!mark_handled(&conn, 12345).await.unwrap());
        let left: Vec<i64> = unhandled(&conn)
            .await
            .unwrap()
            .iter()
            .map(|m| m.id)
            .collect();
        assert_eq!(left, [b]);
    }

    #[tokio::test]
    async fn a_batch_is_saved_whole() {
        let (_dir, conn) = scratch_db().await;
        let batch = (0..50)
            .map(|i| ("a".to_string(), format!("m{i}")))
            .collect();
        assert_eq!(insert_all(&conn, batch).await.unwrap(), 50);
        assert_eq!(count(&conn).await.unwrap(), 50);
    }

    #[tokio::test]
    async fn messages_survive_closing_and_reopening() {
        let (dir, conn) = scratch_db().await;
        insert(&conn, "scout", "kept").await.unwrap();
        conn.close().await.unwrap();
        let reopened = open(&dir.path().join("inbox.db")).await.unwrap();
        assert_eq!(unhandled(&reopened).await.unwrap()[0].body, "kept");
    }

    /// How many prepared statements the connection holds right now.
    fn live_statements(conn: &rusqlite::Connection) -> usize {
        let mut live = 0;
        // SAFETY: only walks SQLite's list of statements on this connection,
        // on the connection's own thread; nothing is changed.
        unsafe {
            let db = conn.handle();
            let mut statement =
                rusqlite::ffi::sqlite3_next_stmt(db, std::ptr::null_mut());
            while !statement.is_null() {
                live += 1;
                statement = rusqlite::ffi::sqlite3_next_stmt(db, statement);
            }
        }
        live
    }

    #[tokio::test]
    async fn repeated_statements_are_prepared_once_and_kept() {
        let (_dir, conn) = scratch_db().await;
        for round in 0..3 {
            let id =
                insert(&conn, "scout", &format!("m{round}")).await.unwrap();
            mark_handled(&conn, id).await.unwrap();
            unhandled(&conn).await.unwrap();
            let batch = vec![("cook".to_string(), format!("b{round}"))];
            insert_all(&conn, batch).await.unwrap();
            // insert and insert_all share one INSERT; plus UPDATE and SELECT.
            let live = conn
                .call(|conn| Ok::<_, rusqlite::Error>(live_statements(conn)))
                .await;
            assert_eq!(live.unwrap(), 3, "a statement was not kept for reuse");
        }
    }

    #[tokio::test]
    async fn a_closed_connection_refuses_calls() {
        let (_dir, conn) = scratch_db().await;
        let clone = conn.clone();
        conn.close().await.unwrap();
        let err = count(&clone).await.unwrap_err();
        assert!(matches!(
            err.downcast_ref::<tokio_rusqlite::Error>(),
            Some(tokio_rusqlite::Error::ConnectionClosed)
        ));
    }
}
