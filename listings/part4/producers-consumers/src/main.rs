use std::sync::Arc;
use std::time::Duration;
use tokio::sync::{Mutex, mpsc};
use tokio::task::JoinSet;
use tokio::time::{Instant, sleep};

// ANCHOR: item
/// One thing a producer made: a letter, and who made it.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Item {
    pub producer: u64,
    pub number: u32,
    pub letter: char,
}

const ITEMS_PER_PRODUCER: u32 = 3;

/// A random wait of 100 to 500 ms: the Python program's 1 to 5 s, made
/// ten times shorter so that a run takes two seconds, not twenty.
fn random_delay(rng: &mut fastrand::Rng) -> Duration {
    Duration::from_millis(rng.u64(100..=500))
}

fn secs(time: Duration) -> f64 {
    time.as_secs_f64()
}
// ANCHOR_END: item

// ANCHOR: produce
async fn produce(
    producer: u64,
    mut rng: fastrand::Rng,
    queue: mpsc::Sender<Item>,
    start: Instant,
) -> Vec<(Duration, Item)> {
    let mut made = Vec::new();
    for number in 1..=ITEMS_PER_PRODUCER {
        sleep(random_delay(&mut rng)).await;
        let letter = rng.lowercase();
        let at = start.elapsed();
        println!("{:.2}s producer {producer} made {letter:?}", secs(at));
        let item = Item {
            producer,
            number,
            letter,
        };
        // Fails only if every consumer is gone: then nobody would ever
        // take the item, and the producer should stop.
        if queue.send(item.clone()).await.is_err() {
            break;
        }
        made.push((at, item));
    }
    made
}
// ANCHOR_END: produce

// ANCHOR: consume
async fn consume(
    consumer: u64,
    mut rng: fastrand::Rng,
    queue: Arc<Mutex<mpsc::Receiver<Item>>>,
    start: Instant,
) -> Vec<(Duration, Item)> {
    let mut done = Vec::new();
    loop {
        // Lock the shared receiver only while waiting for the next item.
        let next = queue.lock().await.recv().await;
        // `None`: every sender is gone and the queue is empty.
        let Some(item) = next else { break };
        println!(
            "{:.2}s consumer {consumer} got {:?} from producer {}",
            secs(start.elapsed()),
            item.letter,
            item.producer
        );
        sleep(random_delay(&mut rng)).await;
        done.push((start.elapsed(), item));
    }
    done
}
// ANCHOR_END: consume

/// What a run did: every item made, and every item each consumer finished.
pub struct Report {
    pub made: Vec<(Duration, Item)>,
    pub done: Vec<(u64, Duration, Item)>,
}

// ANCHOR: run
async fn run(seed: u64) -> Report {
    let start = Instant::now();
    // One generator per task, each seeded from the run's seed: the same
    // seed gives the same delays and letters on every run.
    let mut seeds = fastrand::Rng::with_seed(seed);
    let (queue_tx, queue_rx) = mpsc::channel(10);
    let queue_rx = Arc::new(Mutex::new(queue_rx));

    let mut consumers = JoinSet::new();
    for consumer in 1..=2 {
        let rng = seeds.fork();
        let queue = Arc::clone(&queue_rx);
        consumers.spawn(async move {
            (consumer, consume(consumer, rng, queue, start).await)
        });
    }
    let mut producers = JoinSet::new();
    for producer in 1..=3 {
        let queue = queue_tx.clone();
        producers.spawn(produce(producer, seeds.fork(), queue, start));
    }
    // Our own sender must go too, or the queue never closes.
    drop(queue_tx);
    // ANCHOR_END: run
    // ANCHOR: wait
    let mut made = Vec::new();
    while let Some(items) = producers.join_next().await {
        made.extend(items.expect("a producer panicked"));
    }
    println!("{:.2}s producers finished", secs(start.elapsed()));

    // Every sender is dropped now: the consumers take what is left in the
    // queue, then `recv` returns `None` and they return.
    let mut done = Vec::new();
    while let Some(finished) = consumers.join_next().await {
        let (consumer, items) = finished.expect("a consumer panicked");
        done.extend(items.into_iter().map(|(at, item)| (consumer, at, item)));
    }
    println!(
        "{:.2}s queue drained, consumers stopped",
        secs(start.elapsed())
    );
    Report { made, done }
}

// One thread runs every task, as asyncio's event loop does.
#[tokio::main(flavor = "current_thread")]
async fn main() {
    let report = run(SEED).await;
    println!(
        "{} items made, {} consumed",
        report.made.len(),
        report.done.len()
    );
}
// ANCHOR_END: wait

/// A seed whose events are at least 40 ms apart (a test checks it), so a
/// real run prints them in the order the paused clock does.
const SEED: u64 = 4017;

#[cfg(test)]
mod tests {
    use super::*;

    fn items(mut list: Vec<Item>) -> Vec<Item> {
        list.sort();
        list
    }

    #[tokio::test(start_paused = true)]
    async fn every_item_made_is_consumed_exactly_once() {
        for seed in 0..20 {
            let report = run(seed).await;
            let made = items(report.made.into_iter().map(|m| m.1).collect());
            let done = items(report.done.into_iter().map(|d| d.2).collect());
            assert_eq!(made.len(), 3 * ITEMS_PER_PRODUCER as usize);
            // Sorted lists equal: nothing lost, nothing taken twice.
            assert_eq!(made, done, "seed {seed}");
        }
    }

    #[tokio::test(start_paused = true)]
    async fn the_consumers_stop_only_after_the_last_item_is_done() {
        for seed in 0..20 {
            let start = Instant::now();
            let report = run(seed).await;
            let last_made = report.made.iter().map(|m| m.0).max().unwrap();
            let last_done = report.done.iter().map(|d| d.1).max().unwrap();
            assert!(last_done > last_made, "seed {seed}");
            // `run` returns once both consumers have returned, and that is
            // exactly when the last item is done: no later, no earlier.
            assert_eq!(start.elapsed(), last_done, "seed {seed}");
        }
    }

    #[tokio::test(start_paused = true)]
    async fn the_same_seed_gives_the_same_run() {
        let first = run(7).await;
        let second = run(7).await;
        assert_eq!(first.made, second.made);
        assert_eq!(first.done, second.done);
    }

    #[tokio::test(start_paused = true)]
    async fn the_seed_in_main_keeps_its_events_apart() {
        let report = run(SEED).await;
        let mut times: Vec<Duration> =
            report.made.iter().map(|m| m.0).collect();
        times.extend(report.done.iter().map(|d| d.1));
        times.sort();
        for pair in times.windows(2) {
            assert!(pair[1] - pair[0] >= Duration::from_millis(40), "{pair:?}");
        }
    }
}
