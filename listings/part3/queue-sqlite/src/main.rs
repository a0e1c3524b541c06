use std::sync::Arc;

use queue_sqlite::sqlite::SqliteBroker;
use queue_sqlite::{
    Broker, NewTask, Priority, Shutdown, WorkerConfig, format_progress, handle,
    run_worker,
};

// ANCHOR: main
#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let folder = tempfile::tempdir()?;
    let broker =
        Arc::new(SqliteBroker::open(folder.path().join("q.db")).await?);
    let tasks = [
        ("square", "7", Priority::Low),
        ("square", "12", Priority::High),
        ("flaky", "2", Priority::Normal),
        ("square", "seven", Priority::Normal),
        ("resize", "cat.png", Priority::Low),
        ("sleep", "50", Priority::High),
    ];
    let mut ids = Vec::new();
    for (kind, payload, priority) in tasks {
        let (kind, payload) = (kind.to_string(), payload.to_string());
        ids.push(
            broker
                .enqueue(NewTask {
                    kind,
                    payload,
                    priority,
                })
                .await?,
        );
    }
    println!("enqueued {} tasks", ids.len());

    let config = WorkerConfig {
        concurrency: 2,
        until_empty: true,
        ..WorkerConfig::default()
    };
    run_worker(broker.clone(), handle, config, Shutdown::default()).await?;

    for id in ids {
        if let Some(result) = broker.result(id).await? {
            println!("task {id}: {result}");
        }
    }
    for (id, why) in broker.dead_letters().await? {
        println!("task {id} is dead: {why}");
    }
    print!("{}", format_progress(&broker.progress().await?));
    Ok(())
}
// ANCHOR_END: main
