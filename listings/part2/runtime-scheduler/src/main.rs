use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::time::sleep;

/// Prints each event and keeps it, so that the tests can check the order.
#[derive(Clone, Default)]
struct Log(Arc<Mutex<Vec<String>>>);

impl Log {
    fn say(&self, line: String) {
        println!("{line}");
        self.0.lock().unwrap().push(line);
    }
}

// ANCHOR: tasks
/// Always ready: after each round it yields, going to the back of the run queue.
async fn busy(name: &'static str, log: Log) {
    for round in 1..=3 {
        log.say(format!("{name}: round {round}"));
        tokio::task::yield_now().await;
    }
}

/// Waiting: while its timer runs, the scheduler does not poll it at all.
async fn sleeper(log: Log) {
    log.say("sleeper: asleep for 10 ms".to_string());
    sleep(Duration::from_millis(10)).await;
    log.say("sleeper: woken by its timer".to_string());
}

async fn run(log: Log) -> anyhow::Result<()> {
    let tasks = [
        tokio::spawn(busy("planner", log.clone())),
        tokio::spawn(sleeper(log.clone())),
    ];
    log.say("main: spawned two tasks".to_string());
    for task in tasks {
        task.await?;
    }
    Ok(())
}

#[tokio::main(flavor = "current_thread")]
async fn main() -> anyhow::Result<()> {
    run(Log::default()).await
}
// ANCHOR_END: tasks

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test(start_paused = true)]
    async fn ready_tasks_take_turns_and_the_sleeper_comes_back_when_its_timer_fires()
     {
        let log = Log::default();
        run(log.clone()).await.unwrap();
        let lines = log.0.lock().unwrap().clone();
        assert_eq!(
            lines,
            [
                "main: spawned two tasks",
                "planner: round 1",
                "sleeper: asleep for 10 ms",
                "planner: round 2",
                "planner: round 3",
                "sleeper: woken by its timer",
            ]
        );
    }
}
