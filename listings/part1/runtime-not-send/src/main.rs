use std::rc::Rc;
use std::sync::Arc;
use std::time::Duration;

use tokio::task::LocalSet;
use tokio::time::sleep;

// ANCHOR: arc
// Way out 1: share with Arc, whose count is safe to change from any thread.
async fn with_arc() -> String {
    let greeting = Arc::new(String::from("hello from an Arc"));
    let for_task = Arc::clone(&greeting);
    let task = tokio::spawn(async move {
        sleep(Duration::from_millis(10)).await;
        format!("{for_task}")
    });
    task.await.unwrap()
}
// ANCHOR_END: arc

// ANCHOR: inside
// Way out 2: make the Rc inside the task, and drop it before the await.
async fn rc_dropped_before_await() -> usize {
    let task = tokio::spawn(async {
        let length = {
            let greeting = Rc::new(String::from("hello"));
            greeting.len()
        }; // the Rc is gone here, before the task can pause
        sleep(Duration::from_millis(10)).await;
        length
    });
    task.await.unwrap()
}
// ANCHOR_END: inside

// ANCHOR: local
// Way out 3: keep the task on this thread, where an Rc is fine.
async fn with_local_set() -> String {
    let greeting = Rc::new(String::from("hello from a LocalSet"));
    let local = LocalSet::new();
    local
        .run_until(async move {
            let task = tokio::task::spawn_local(async move {
                sleep(Duration::from_millis(10)).await;
                format!("{greeting}")
            });
            task.await.unwrap()
        })
        .await
}
// ANCHOR_END: local

#[tokio::main]
async fn main() {
    println!("{}", with_arc().await);
    println!(
        "{} bytes, Rc dropped in time",
        rc_dropped_before_await().await
    );
    println!("{}", with_local_set().await);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn each_way_out_runs_on_the_multi_thread_runtime() {
        assert_eq!(with_arc().await, "hello from an Arc");
        assert_eq!(rc_dropped_before_await().await, 5);
        assert_eq!(with_local_set().await, "hello from a LocalSet");
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_local_task_runs_on_the_thread_that_drives_the_set() {
        let here = std::thread::current().id();
        let local = LocalSet::new();
        let there = local
            .run_until(async {
                tokio::task::spawn_local(async {
                    sleep(Duration::from_millis(10)).await;
                    std::thread::current().id()
                })
                .await
                .unwrap()
            })
            .await;
        assert_eq!(here, there);
    }

    #[test]
    #[should_panic(expected = "LocalSet")]
    fn spawn_local_outside_a_local_set_panics() {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        runtime.block_on(async {
            drop(tokio::task::spawn_local(async {}));
        });
    }
}
