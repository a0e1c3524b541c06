use std::time::Duration;

use anyhow::Context as _;
use pg_pool::{
    add_task, connect_pool, create_schema, finish_with_follow_up, open_tasks,
};

// ANCHOR: main
#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let url = std::env::var("DATABASE_URL").context(
        "set DATABASE_URL, e.g. \
         DATABASE_URL='host=127.0.0.1 user=postgres dbname=postgres'",
    )?;
    let pool = connect_pool(&url, 2, Duration::from_millis(200))?;
    create_schema(&pool).await?;

    let write = add_task(&pool, "write the chapter").await?;
    let review = add_task(&pool, "review the chapter").await?;
    println!("added tasks {write} and {review}");
    for task in open_tasks(&pool).await? {
        println!("  open: {task:?}");
    }

    let publish = finish_with_follow_up(&pool, write, "publish it").await?;
    println!("finished {write}, added {publish}");

    // An empty title breaks the table's CHECK: the whole transaction is
    // rolled back, so task `review` stays open.
    let failed = finish_with_follow_up(&pool, review, "").await;
    if let Err(error) = failed {
        println!("finishing {review} failed: {error:#}");
    }
    for task in open_tasks(&pool).await? {
        println!("  open: {task:?}");
    }
    // ANCHOR_END: main

    // ANCHOR: exhausted
    // Hold both connections, then ask for a third.
    let first = pool.get().await?;
    let second = pool.get().await?;
    println!("{:?}", pool.status());
    match pool.get().await {
        Ok(_) => println!("got a third connection"),
        Err(error) => println!("third get: {error}"),
    }
    drop(first);
    let _third = pool.get().await?;
    println!("after one was returned, got one again");
    drop(second);
    // ANCHOR_END: exhausted
    Ok(())
}
