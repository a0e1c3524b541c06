use std::time::Duration;

use anyhow::Context as _;
use deadpool_postgres::{Manager, Pool, Runtime};
use tokio_postgres::{NoTls, Row};

// ANCHOR: pool
/// A pool of at most `size` connections to the server at `url`. A caller
/// that finds them all busy waits up to `wait` for one, then gets an error.
pub fn connect_pool(
    url: &str,
    size: usize,
    wait: Duration,
) -> anyhow::Result<Pool> {
    let config: tokio_postgres::Config = url
        .parse()
        .context("DATABASE_URL is not a connection string")?;
    let manager = Manager::new(config, NoTls);
    let pool = Pool::builder(manager)
        .max_size(size)
        .wait_timeout(Some(wait))
        // The pool's timers need to know the runtime.
        .runtime(Runtime::Tokio1)
        .build()?;
    Ok(pool)
}
// ANCHOR_END: pool

// ANCHOR: schema
/// Creates the table anew: the program can run twice and print the same.
pub async fn create_schema(pool: &Pool) -> anyhow::Result<()> {
    let client = pool.get().await?;
    client
        .batch_execute(
            "DROP TABLE IF EXISTS book_tasks;
             CREATE TABLE book_tasks (
                 id    SERIAL PRIMARY KEY,
                 title TEXT NOT NULL CHECK (title <> ''),
                 done  BOOLEAN NOT NULL DEFAULT false
             );",
        )
        .await?;
    Ok(())
}
// ANCHOR_END: schema

// ANCHOR: struct
#[derive(Debug, PartialEq)]
pub struct Task {
    pub id: i32,
    pub title: String,
    pub done: bool,
}

impl TryFrom<&Row> for Task {
    type Error = tokio_postgres::Error;

    fn try_from(row: &Row) -> Result<Task, Self::Error> {
        Ok(Task {
            id: row.try_get("id")?,
            title: row.try_get("title")?,
            done: row.try_get("done")?,
        })
    }
}
// ANCHOR_END: struct

// ANCHOR: queries
pub async fn add_task(pool: &Pool, title: &str) -> anyhow::Result<i32> {
    let client = pool.get().await?;
    let row = client
        .query_one(
            "INSERT INTO book_tasks (title) VALUES ($1) RETURNING id",
            &[&title],
        )
        .await?;
    Ok(row.try_get("id")?)
}

pub async fn open_tasks(pool: &Pool) -> anyhow::Result<Vec<Task>> {
    let client = pool.get().await?;
    let rows = client
        .query(
            "SELECT id, title, done FROM book_tasks \
             WHERE NOT done ORDER BY id",
            &[],
        )
        .await?;
    let tasks = rows.iter().map(Task::try_from).collect::<Result<_, _>>()?;
    Ok(tasks)
}
// ANCHOR_END: queries

// ANCHOR: transaction
/// Marks a task done and adds the task that follows it: both or neither.
pub async fn finish_with_follow_up(
    pool: &Pool,
    id: i32,
    follow_up: &str,
) -> anyhow::Result<i32> {
    let mut client = pool.get().await?;
    let transaction = client.transaction().await?;
    transaction
        .execute("UPDATE book_tasks SET done = true WHERE id = $1", &[&id])
        .await?;
    // If this fails, `?` returns early and drops `transaction`
    // uncommitted, which rolls back the UPDATE above.
    let row = transaction
        .query_one(
            "INSERT INTO book_tasks (title) VALUES ($1) RETURNING id",
            &[&follow_up],
        )
        .await?;
    transaction.commit().await?;
    Ok(row.try_get("id")?)
}
// ANCHOR_END: transaction
