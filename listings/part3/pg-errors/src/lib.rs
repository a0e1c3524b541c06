use deadpool_postgres::{Manager, Pool, PoolError, Runtime};
use tokio_postgres::{Client, NoTls};

// ANCHOR: connect
/// One connection, without a pool. `connect` hands back the client and
/// the connection: the connection does the talking to the server, so it
/// must run in a task of its own while the client is used.
pub async fn connect(url: &str) -> Result<Client, tokio_postgres::Error> {
    let (client, connection) = tokio_postgres::connect(url, NoTls).await?;
    tokio::spawn(async move {
        if let Err(error) = connection.await {
            eprintln!("connection error: {error}");
        }
    });
    client
        .batch_execute(
            "DROP TABLE IF EXISTS book_tasks;
             CREATE TABLE book_tasks (id SERIAL PRIMARY KEY, title TEXT);
             INSERT INTO book_tasks (title) VALUES ('write the chapter');",
        )
        .await?;
    Ok(client)
}
// ANCHOR_END: connect

// ANCHOR: mistakes
/// The id arrives as text (from a form, say) and is passed on as it is.
pub async fn title_of(
    client: &Client,
    id: &str,
) -> Result<String, tokio_postgres::Error> {
    let row = client
        .query_one("SELECT title FROM book_tasks WHERE id = $1", &[&id])
        .await?;
    row.try_get("title")
}

/// Reads the `id` column, an `integer`, as a `String`.
pub async fn id_as_text(
    client: &Client,
) -> Result<String, tokio_postgres::Error> {
    let row = client.query_one("SELECT id FROM book_tasks", &[]).await?;
    row.try_get("id")
}

/// The table's name misspelt.
pub async fn count_tasks(
    client: &Client,
) -> Result<i64, tokio_postgres::Error> {
    let row = client
        .query_one("SELECT count(*) FROM book_task", &[])
        .await?;
    row.try_get(0)
}
// ANCHOR_END: mistakes

// ANCHOR: down
/// Asks a pool for a connection to `url`, where no server may be running.
pub async fn first_connection(url: &str) -> anyhow::Result<()> {
    let manager = Manager::new(url.parse()?, NoTls);
    let pool = Pool::builder(manager).runtime(Runtime::Tokio1).build()?;
    match pool.get().await {
        Ok(_client) => Ok(()),
        // The driver's own error, whose cause says what went wrong.
        Err(PoolError::Backend(error)) => Err(error.into()),
        Err(other) => Err(other.into()),
    }
}
// ANCHOR_END: down
