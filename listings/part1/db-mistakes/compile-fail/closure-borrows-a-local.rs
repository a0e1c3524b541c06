use tokio_rusqlite::Connection;

async fn save(conn: &Connection, body: &str) -> tokio_rusqlite::Result<usize> {
    // The closure borrows `body`, but it runs later, on the connection's thread.
    let changed = conn
        .call(|conn| conn.execute("INSERT INTO messages (body) VALUES (?1)", [body]))
        .await?;
    Ok(changed)
}

#[tokio::main]
async fn main() -> tokio_rusqlite::Result<()> {
    let conn = Connection::open_in_memory().await?;
    save(&conn, "hello").await?;
    Ok(())
}
