use std::collections::VecDeque;
use std::pin::{Pin, pin};
use std::task::{Context, Poll, ready};
use std::time::Duration;

use futures::{Stream, StreamExt, stream};
use tokio::sync::mpsc;
use tokio_stream::wrappers::ReceiverStream;

// ANCHOR: fetch_page
/// One page of results from a slow server: pages 0 to 2 exist.
async fn fetch_page(page: u32) -> Option<Vec<u32>> {
    tokio::time::sleep(Duration::from_millis(100)).await;
    let first = page * 3 + 1;
    (page < 3).then(|| (first..first + 3).collect())
}
// ANCHOR_END: fetch_page

// ANCHOR: unfold
/// With `unfold`: a state (the next page) and an async step that turns
/// it into the next value and the state after it, or `None` to stop.
fn items_unfold() -> impl Stream<Item = u32> {
    stream::unfold(0, |page| async move {
        let items = fetch_page(page).await?;
        Some((items, page + 1))
    })
    .flat_map(stream::iter) // a stream of pages into a stream of items
}
// ANCHOR_END: unfold

// ANCHOR: macro
/// With the `stream!` macro: a loop that yields, as in Python.
fn items_macro() -> impl Stream<Item = u32> {
    async_stream::stream! {
        let mut page = 0;
        while let Some(items) = fetch_page(page).await {
            for item in items {
                yield item;
            }
            page += 1;
        }
    }
}
// ANCHOR_END: macro

// ANCHOR: channel
/// With a channel: a task fetches pages and sends their items; the stream
/// is the receiving end. The task stops when the stream is dropped.
fn items_channel() -> impl Stream<Item = u32> {
    let (items_tx, items_rx) = mpsc::channel(4);
    tokio::spawn(async move {
        let mut page = 0;
        while let Some(items) = fetch_page(page).await {
            for item in items {
                if items_tx.send(item).await.is_err() {
                    return; // nobody is listening any more
                }
            }
            page += 1;
        }
    });
    ReceiverStream::new(items_rx)
}
// ANCHOR_END: channel

// ANCHOR: by_hand
type PageFuture = Pin<Box<dyn Future<Output = Option<Vec<u32>>> + Send>>;

/// By hand: the stream keeps the items it has not handed out yet and the
/// page it is fetching, and `poll_next` moves between the two.
struct Items {
    next_page: u32,
    ready: VecDeque<u32>,
    fetching: Option<PageFuture>,
    done: bool,
}
// ANCHOR_END: by_hand

// ANCHOR: poll_next
impl Stream for Items {
    type Item = u32;

    fn poll_next(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<u32>> {
        loop {
            if let Some(item) = self.ready.pop_front() {
                return Poll::Ready(Some(item));
            }
            if self.done {
                return Poll::Ready(None);
            }
            let page = self.next_page;
            let fetching = self
                .fetching
                .get_or_insert_with(|| Box::pin(fetch_page(page)));
            // Pending (and a wake-up arranged) while the page is on its way.
            let items = ready!(fetching.as_mut().poll(cx));
            self.fetching = None;
            match items {
                Some(items) => {
                    self.ready.extend(items);
                    self.next_page += 1;
                }
                None => self.done = true,
            }
        }
    }
}

// ANCHOR_END: poll_next

fn items_by_hand() -> Items {
    Items {
        next_page: 0,
        ready: VecDeque::new(),
        fetching: None,
        done: false,
    }
}

// ANCHOR: main
#[tokio::main]
async fn main() {
    // `stream!` makes a stream that must be pinned before `next`.
    let mut items = pin!(items_macro());
    while let Some(item) = items.next().await {
        print!("{item} ");
    }
    println!("(stream!)");

    let mut items = pin!(items_unfold());
    while let Some(item) = items.next().await {
        print!("{item} ");
    }
    println!("(unfold)");

    let items: Vec<u32> = items_channel().collect().await;
    println!("{items:?} (a channel)");
    let firsts: Vec<u32> = items_by_hand().take(2).collect().await;
    println!("{firsts:?} (by hand, the first two)");
}
// ANCHOR_END: main

#[cfg(test)]
mod tests {
    use super::*;
    use tokio::time::{Instant, sleep};

    const WAYS: [&str; 4] = ["unfold", "stream!", "channel", "by hand"];

    /// Made only when asked for: the channel's task starts when it is made.
    fn make(way: &str) -> Pin<Box<dyn Stream<Item = u32>>> {
        match way {
            "unfold" => Box::pin(items_unfold()),
            "stream!" => Box::pin(items_macro()),
            "channel" => Box::pin(items_channel()),
            _ => Box::pin(items_by_hand()),
        }
    }

    #[tokio::test(start_paused = true)]
    async fn the_four_give_the_same_items_in_the_same_time() {
        for way in WAYS {
            let start = Instant::now();
            let items: Vec<u32> = make(way).collect().await;
            assert_eq!(items, (1..=9).collect::<Vec<_>>(), "{way}");
            // Three pages and the empty answer after them: four fetches.
            assert_eq!(start.elapsed(), Duration::from_millis(400), "{way}");
        }
    }

    /// A consumer that spends 100 ms on each item.
    async fn slow_consumer(
        items: Pin<Box<dyn Stream<Item = u32>>>,
    ) -> Duration {
        let start = Instant::now();
        let mut items = items;
        while let Some(_item) = items.next().await {
            sleep(Duration::from_millis(100)).await;
        }
        start.elapsed()
    }

    #[tokio::test(start_paused = true)]
    async fn only_the_channel_fetches_ahead_of_a_slow_consumer() {
        for way in WAYS {
            let took = slow_consumer(make(way)).await;
            let expected = if way == "channel" {
                // The task fetches the next page while items are consumed.
                Duration::from_millis(1000)
            } else {
                // A lazy stream fetches only when asked: 400 + 9 x 100 ms.
                Duration::from_millis(1300)
            };
            assert_eq!(took, expected, "{way}");
        }
    }

    #[tokio::test(start_paused = true)]
    async fn a_lazy_stream_fetches_nothing_until_polled() {
        let start = Instant::now();
        let items = items_macro();
        sleep(Duration::from_millis(1000)).await;
        let mut items = pin!(items);
        assert_eq!(items.next().await, Some(1));
        assert_eq!(start.elapsed(), Duration::from_millis(1100));
    }
}
