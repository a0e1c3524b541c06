use std::time::Duration;
use tokio::process::Command;
use tokio::time::{Instant, sleep};

fn is_running(pid: u32) -> bool {
    // A process that has exited but not been waited for is a zombie: not
    // running.
    std::fs::read_to_string(format!("/proc/{pid}/stat"))
        .map(|stat| !stat.contains(") Z "))
        .unwrap_or(false)
}

// ANCHOR: mistake
#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let start = Instant::now();
    // A mistake on purpose: no kill_on_drop, and the handle is dropped without
    // waiting.
    let child = Command::new("sleep").arg("2").spawn()?;
    let pid = child.id().expect("the child has not been waited for");
    drop(child);

    sleep(Duration::from_millis(500)).await;
    println!(
        "after {:.1}s: dropped the handle; child still running: {}",
        start.elapsed().as_secs_f64(),
        is_running(pid)
    );
    // ANCHOR_END: mistake

    // Clean up: the listing should not leave a process behind.
    Command::new("kill").arg(pid.to_string()).status().await?;
    sleep(Duration::from_millis(100)).await;
    println!("after kill: child still running: {}", is_running(pid));
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_dropped_child_keeps_running_and_kill_on_drop_stops_it() {
        let orphan = Command::new("sleep").arg("5").spawn().unwrap();
        let orphan_pid = orphan.id().unwrap();
        drop(orphan);

        let killed = Command::new("sleep")
            .arg("5")
            .kill_on_drop(true)
            .spawn()
            .unwrap();
        let killed_pid = killed.id().unwrap();
        drop(killed);

        sleep(Duration::from_millis(200)).await;
        assert!(is_running(orphan_pid));
        assert!(!is_running(killed_pid));
        Command::new("kill")
            .arg(orphan_pid.to_string())
            .status()
            .await
            .unwrap();
    }
}
