//! Errors that cross tasks: JoinError, anyhow context, errors from many.

use std::path::{Path, PathBuf};
use std::time::Duration;

use anyhow::Context;
use futures::future::join_all;
use tokio::task::JoinError;

// ANCHOR: join_error
/// Says how a task ended: with a value, in a panic, or cancelled.
fn how_it_ended(joined: Result<u32, JoinError>) -> String {
    match joined {
        Ok(value) => format!("returned {value}"),
        Err(error) if error.is_panic() => {
            let payload = error.into_panic();
            // A panic's message is a &str or a String, depending on how
            // the panic was written.
            let message = payload
                .downcast_ref::<&str>()
                .copied()
                .or(payload.downcast_ref::<String>().map(String::as_str))
                .unwrap_or("(not a message)");
            format!("panicked: {message}")
        }
        Err(_) => "was cancelled".to_string(), // the only other kind
    }
}
// ANCHOR_END: join_error

// ANCHOR: context
/// Counts the lines of a file.
async fn count_lines(path: &Path) -> anyhow::Result<usize> {
    let text = tokio::fs::read_to_string(path)
        .await
        .with_context(|| format!("reading {}", path.display()))?;
    Ok(text.lines().count())
}

/// Counts them in a task of its own. Two things can go wrong: the task
/// can die (a JoinError), or finish with an error. Each gets its context.
async fn count_in_background(path: PathBuf) -> anyhow::Result<usize> {
    let task = tokio::spawn(async move { count_lines(&path).await });
    let outcome = task.await.context("the counting task died")?;
    outcome.context("counting lines in the background")
}
// ANCHOR_END: context

// ANCHOR: many
/// Counts the lines of every file, and reports every failure, not just
/// the first one.
async fn count_all(paths: Vec<PathBuf>) -> Result<usize, Vec<anyhow::Error>> {
    let outcomes = join_all(paths.into_iter().map(count_in_background)).await;
    let (counts, errors): (Vec<_>, Vec<_>) =
        outcomes.into_iter().partition(|outcome| outcome.is_ok());
    if errors.is_empty() {
        Ok(counts.into_iter().map(Result::unwrap).sum())
    } else {
        Err(errors.into_iter().map(Result::unwrap_err).collect())
    }
}
// ANCHOR_END: many

// ANCHOR: main
#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let fine = tokio::spawn(async { 42 });
    let panics = tokio::spawn(async { panic!("out of coffee") });
    let slow = tokio::spawn(async {
        tokio::time::sleep(Duration::from_secs(60)).await;
        7
    });
    slow.abort();
    for (name, task) in [("fine", fine), ("panics", panics), ("slow", slow)] {
        println!("{name}: {}", how_it_ended(task.await));
    }

    let folder = tempfile::tempdir()?;
    let orders = folder.path().join("orders.txt");
    tokio::fs::write(&orders, "tea\ncoffee\n").await?;
    let missing = PathBuf::from("no-such-folder/orders.txt");
    let lines = count_in_background(orders.clone()).await?;
    println!("The orders file has {lines} lines");
    // `{:#}` prints the whole chain of contexts on one line.
    let error = count_in_background(missing.clone()).await.unwrap_err();
    println!("Error: {error:#}");

    match count_all(vec![orders, missing.clone(), missing]).await {
        Ok(total) => println!("{total} lines in all"),
        Err(errors) => println!("{} of 3 files failed", errors.len()),
    }
    Ok(())
}
// ANCHOR_END: main

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_join_error_says_whether_the_task_panicked_or_was_cancelled() {
        let panics = tokio::spawn(async { panic!("out of coffee") });
        assert_eq!(how_it_ended(panics.await), "panicked: out of coffee");
        let number = 3;
        let formatted = tokio::spawn(async move { panic!("{number} cups") });
        assert_eq!(how_it_ended(formatted.await), "panicked: 3 cups");
        let slow = tokio::spawn(std::future::pending::<u32>());
        slow.abort();
        assert_eq!(how_it_ended(slow.await), "was cancelled");
    }

    #[tokio::test]
    async fn the_context_of_each_layer_is_kept() {
        let missing = PathBuf::from("no-such-folder/orders.txt");
        let error = count_in_background(missing.clone()).await.unwrap_err();
        let chain: Vec<String> = error.chain().map(|e| e.to_string()).collect();
        assert_eq!(chain[0], "counting lines in the background");
        assert_eq!(chain[1], format!("reading {}", missing.display()));
        assert!(
            error
                .root_cause()
                .downcast_ref::<std::io::Error>()
                .is_some()
        );
    }

    #[tokio::test]
    async fn every_failure_is_reported() {
        let folder = tempfile::tempdir().unwrap();
        let file = folder.path().join("one.txt");
        std::fs::write(&file, "a\nb\n").unwrap();
        let gone = folder.path().join("gone.txt");
        assert_eq!(
            count_all(vec![file.clone(), file.clone()]).await.unwrap(),
            4
        );
        let errors =
            count_all(vec![gone.clone(), file, gone]).await.unwrap_err();
        assert_eq!(errors.len(), 2);
    }
}
