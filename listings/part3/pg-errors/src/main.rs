use anyhow::Context as _;
use pg_errors::{connect, count_tasks, first_connection, id_as_text, title_of};

// ANCHOR: main
#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let url = std::env::var("DATABASE_URL").context(
        "set DATABASE_URL, e.g. \
         DATABASE_URL='host=127.0.0.1 user=postgres dbname=postgres'",
    )?;
    let client = connect(&url).await?;
    println!("a text id: {}", explain(title_of(&client, "1").await));
    println!("an int as text: {}", explain(id_as_text(&client).await));

    let misspelt = count_tasks(&client).await;
    if let Err(error) = &misspelt {
        // `{}` alone prints the kind of error, not its cause.
        println!("a misspelt table, with {{}}: {error}");
        // The server's code for it, which a program can match on.
        println!("  its code: {:?}", error.code().map(|code| code.code()));
    }
    println!("a misspelt table: {}", explain(misspelt));

    // Port 1 on this machine: nothing listens there.
    let down = "host=127.0.0.1 port=1 user=postgres connect_timeout=5";
    if let Err(error) = first_connection(down).await {
        println!("no server: {error:#}");
    }
    Ok(())
}

/// The error and the causes under it, which anyhow's `{:#}` prints.
fn explain<T, E>(result: Result<T, E>) -> String
where
    E: std::error::Error + Send + Sync + 'static,
{
    match result {
        Ok(_) => "no error".to_string(),
        Err(error) => format!("{:#}", anyhow::Error::new(error)),
    }
}
// ANCHOR_END: main
