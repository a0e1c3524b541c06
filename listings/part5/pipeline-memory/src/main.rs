use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering::Relaxed};

use anyhow::{Context, bail};
use tokio::sync::mpsc;

// ANCHOR: allocator
/// The system allocator, counting the bytes in use and their peak.
struct Counting;

static IN_USE: AtomicUsize = AtomicUsize::new(0);
static PEAK: AtomicUsize = AtomicUsize::new(0);

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let now = IN_USE.fetch_add(layout.size(), Relaxed) + layout.size();
        PEAK.fetch_max(now, Relaxed);
        unsafe { System.alloc(layout) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        IN_USE.fetch_sub(layout.size(), Relaxed);
        unsafe { System.dealloc(ptr, layout) }
    }
}

#[global_allocator]
static ALLOCATOR: Counting = Counting;
// ANCHOR_END: allocator

const ITEM_BYTES: usize = 4096;
const CAPACITY: usize = 64;

/// A channel of either kind, so that one pipeline can use both.
enum Tx {
    Bounded(mpsc::Sender<Vec<u8>>),
    Unbounded(mpsc::UnboundedSender<Vec<u8>>),
}

enum Rx {
    Bounded(mpsc::Receiver<Vec<u8>>),
    Unbounded(mpsc::UnboundedReceiver<Vec<u8>>),
}

impl Tx {
    async fn send(&self, item: Vec<u8>) -> bool {
        match self {
            Tx::Bounded(tx) => tx.send(item).await.is_ok(),
            Tx::Unbounded(tx) => tx.send(item).is_ok(),
        }
    }
}

impl Rx {
    async fn recv(&mut self) -> Option<Vec<u8>> {
        match self {
            Rx::Bounded(rx) => rx.recv().await,
            Rx::Unbounded(rx) => rx.recv().await,
        }
    }
}

fn channel(bounded: bool) -> (Tx, Rx) {
    if bounded {
        let (tx, rx) = mpsc::channel(CAPACITY);
        (Tx::Bounded(tx), Rx::Bounded(rx))
    } else {
        let (tx, rx) = mpsc::unbounded_channel();
        (Tx::Unbounded(tx), Rx::Unbounded(rx))
    }
}

/// The work of the slow last stage: a checksum, computed many times over.
fn slow_checksum(item: &[u8]) -> u64 {
    let mut sum = 0u64;
    for round in 0..64u64 {
        for &byte in item {
            sum = sum.wrapping_mul(31).wrapping_add(u64::from(byte) ^ round);
        }
    }
    sum
}

// ANCHOR: run
/// Three stages: make items, copy them, check them slowly. Returns the peak
/// of items made and not yet checked, and the peak of heap bytes in use.
async fn run(items: usize, bounded: bool) -> (usize, usize) {
    let made = Arc::new(AtomicUsize::new(0));
    let checked = Arc::new(AtomicUsize::new(0));
    let peak_in_flight = Arc::new(AtomicUsize::new(0));
    let (made_tx, mut made_rx) = channel(bounded);
    let (copied_tx, mut copied_rx) = channel(bounded);

    let (made_by, checked_by, peak) =
        (made.clone(), checked.clone(), peak_in_flight.clone());
    let maker = tokio::spawn(async move {
        for n in 0..items {
            let in_flight =
                made_by.fetch_add(1, Relaxed) + 1 - checked_by.load(Relaxed);
            peak.fetch_max(in_flight, Relaxed);
            if !made_tx.send(vec![n as u8; ITEM_BYTES]).await {
                return;
            }
        }
    });
    let copier = tokio::spawn(async move {
        while let Some(item) = made_rx.recv().await {
            if !copied_tx.send(item.clone()).await {
                return;
            }
        }
    });
    let checker = tokio::spawn(async move {
        let mut total = 0u64;
        while let Some(item) = copied_rx.recv().await {
            total = total.wrapping_add(slow_checksum(&item));
            checked.fetch_add(1, Relaxed);
        }
        total
    });
    let (_, _, total) = tokio::join!(maker, copier, checker);
    std::hint::black_box(total.unwrap());
    (peak_in_flight.load(Relaxed), PEAK.load(Relaxed))
}
// ANCHOR_END: run

fn items_from_args() -> anyhow::Result<usize> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match args.as_slice() {
        [] => Ok(10_000),
        [flag, n] if flag == "--items" => {
            let n = n.parse().with_context(|| format!("--items {n}"))?;
            if n == 0 {
                bail!("--items must be at least 1");
            }
            Ok(n)
        }
        _ => bail!("usage: pipeline-memory [--items N]"),
    }
}

// ANCHOR: main
#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let items = items_from_args()?;
    println!(
        "{items} items of {} KiB; the last stage is the slow one",
        ITEM_BYTES / 1024
    );
    println!(
        "{:<10} {:>22} {:>14}",
        "channels", "peak items in flight", "peak heap"
    );
    for (name, bounded) in [("bounded", true), ("unbounded", false)] {
        PEAK.store(IN_USE.load(Relaxed), Relaxed);
        let (in_flight, heap) = run(items, bounded).await;
        let mib = heap as f64 / (1024.0 * 1024.0);
        println!("{name:<10} {in_flight:>22} {mib:>10.1} MiB");
    }
    println!("bounded: two channels of {CAPACITY} places each");
    Ok(())
}
// ANCHOR_END: main
