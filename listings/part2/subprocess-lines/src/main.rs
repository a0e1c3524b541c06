use std::process::Stdio;
use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::process::Command;
use tokio::time::Instant;

// ANCHOR: lines
/// Runs a shell script and prints each line of its output as soon as it
/// arrives.
async fn follow(script: &str) -> anyhow::Result<Vec<String>> {
    let start = Instant::now();
    let mut child = Command::new("sh")
        .arg("-c")
        .arg(script)
        // Without this, the child writes to our terminal.
        .stdout(Stdio::piped())
        .kill_on_drop(true)
        .spawn()?;

    let stdout = child.stdout.take().expect("stdout was piped");
    let mut lines = BufReader::new(stdout).lines();
    let mut seen = Vec::new();
    // Each `next_line().await` waits without blocking: other tasks run
    // meanwhile.
    while let Some(line) = lines.next_line().await? {
        println!("[{:.1}s] child says: {line}", start.elapsed().as_secs_f64());
        seen.push(line);
    }

    let status = child.wait().await?;
    println!(
        "[{:.1}s] child exited: {status}",
        start.elapsed().as_secs_f64()
    );
    Ok(seen)
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    follow(
        "for step in plan search answer; do echo \"$step\"; sleep 0.4; done",
    )
    .await?;
    Ok(())
}
// ANCHOR_END: lines

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn every_line_is_read_in_order() {
        let seen = follow("echo one; echo two; printf 'three'").await.unwrap();
        assert_eq!(seen, ["one", "two", "three"]);
    }

    #[tokio::test]
    async fn other_tasks_run_while_the_reader_waits() {
        let ticks = tokio::spawn(async {
            let mut ticks = 0;
            while ticks < 3 {
                tokio::time::sleep(std::time::Duration::from_millis(20)).await;
                ticks += 1;
            }
            ticks
        });
        follow("sleep 0.3; echo late").await.unwrap();
        // The ticker finished its 60 ms of work while the child was still
        // silent.
        assert!(ticks.is_finished());
        assert_eq!(ticks.await.unwrap(), 3);
    }
}
