use std::collections::HashMap;
use std::future::Future;
use std::time::Duration;

use tokio::task::JoinHandle;
use tokio::time::sleep;

// ANCHOR: trait
/// Something that looks items up by their id.
trait Fetcher {
    async fn fetch(&self, id: u32) -> String;
}

/// Answers from memory, at once.
struct Memory(HashMap<u32, String>);

/// Answers after a delay, as a server would.
struct Remote {
    delay: Duration,
}

impl Fetcher for Memory {
    async fn fetch(&self, id: u32) -> String {
        self.0.get(&id).cloned().unwrap_or_default()
    }
}

impl Fetcher for Remote {
    async fn fetch(&self, id: u32) -> String {
        sleep(self.delay).await;
        format!("remote item {id}")
    }
}

/// Generic: compiled once for each type it is used with.
async fn fetch_two(fetcher: &impl Fetcher) -> [String; 2] {
    [fetcher.fetch(1).await, fetcher.fetch(2).await]
}
// ANCHOR_END: trait

// ANCHOR: send
/// The same trait, promising that every implementation's future is `Send`.
trait SendFetcher {
    fn fetch(&self, id: u32) -> impl Future<Output = String> + Send;
}

impl SendFetcher for Remote {
    // An `async fn` still implements it, if its future is `Send`.
    async fn fetch(&self, id: u32) -> String {
        sleep(self.delay).await;
        format!("remote item {id}")
    }
}

fn fetch_in_background<F>(fetcher: F, id: u32) -> JoinHandle<String>
where
    F: SendFetcher + Send + Sync + 'static,
{
    tokio::spawn(async move { fetcher.fetch(id).await })
}
// ANCHOR_END: send

// ANCHOR: dyn
/// For `dyn`: the macro turns each `async fn` into a method that returns
/// a boxed future, `Pin<Box<dyn Future<Output = String> + Send + '_>>`.
#[async_trait::async_trait]
trait DynFetcher {
    async fn fetch(&self, id: u32) -> String;
}

#[async_trait::async_trait]
impl DynFetcher for Memory {
    async fn fetch(&self, id: u32) -> String {
        self.0.get(&id).cloned().unwrap_or_default()
    }
}

#[async_trait::async_trait]
impl DynFetcher for Remote {
    async fn fetch(&self, id: u32) -> String {
        sleep(self.delay).await;
        format!("remote item {id}")
    }
}
// ANCHOR_END: dyn

// ANCHOR: main
#[tokio::main]
async fn main() {
    let memory = Memory(HashMap::from([(1, "cached item 1".to_string())]));
    let remote = Remote {
        delay: Duration::from_millis(50),
    };
    println!("{:?}", fetch_two(&memory).await);
    println!("{:?}", fetch_two(&remote).await);

    let task = fetch_in_background(
        Remote {
            delay: remote.delay,
        },
        3,
    );
    println!("{}", task.await.unwrap());

    let fetchers: Vec<Box<dyn DynFetcher>> = vec![
        Box::new(memory),
        Box::new(Remote {
            delay: Duration::from_millis(50),
        }),
    ];
    for fetcher in &fetchers {
        println!("{}", fetcher.fetch(1).await);
    }
}
// ANCHOR_END: main

#[cfg(test)]
mod tests {
    use super::*;
    use tokio::time::Instant;

    #[tokio::test(start_paused = true)]
    async fn a_generic_caller_awaits_each_fetch() {
        let remote = Remote {
            delay: Duration::from_millis(50),
        };
        let start = Instant::now();
        let items = fetch_two(&remote).await;
        assert_eq!(items, ["remote item 1", "remote item 2"]);
        assert_eq!(start.elapsed(), Duration::from_millis(100));
    }

    #[tokio::test(start_paused = true)]
    async fn spawned_fetches_run_side_by_side() {
        let start = Instant::now();
        let tasks: Vec<_> = (1..=3)
            .map(|id| {
                let remote = Remote {
                    delay: Duration::from_millis(50),
                };
                fetch_in_background(remote, id)
            })
            .collect();
        for (task, id) in tasks.into_iter().zip(1..) {
            assert_eq!(task.await.unwrap(), format!("remote item {id}"));
        }
        assert_eq!(start.elapsed(), Duration::from_millis(50));
    }

    #[tokio::test]
    async fn a_dyn_fetcher_dispatches_to_its_type() {
        let memory = Memory(HashMap::from([(1, "one".to_string())]));
        let fetcher: Box<dyn DynFetcher> = Box::new(memory);
        assert_eq!(fetcher.fetch(1).await, "one");
        assert_eq!(fetcher.fetch(2).await, "");
    }
}
