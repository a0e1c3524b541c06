//! The download holds one piece of the body at a time, never all of it:
//! an allocator that counts every live byte in this test binary says so.

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicUsize, Ordering::SeqCst};
use std::time::Duration;

use http_client::{download, make_client, server};

struct Counting;

static LIVE: AtomicUsize = AtomicUsize::new(0);
static PEAK: AtomicUsize = AtomicUsize::new(0);

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let ptr = unsafe { System.alloc(layout) };
        if !ptr.is_null() {
            let now = LIVE.fetch_add(layout.size(), SeqCst) + layout.size();
            PEAK.fetch_max(now, SeqCst);
        }
        ptr
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        unsafe { System.dealloc(ptr, layout) };
        LIVE.fetch_sub(layout.size(), SeqCst);
    }
}

#[global_allocator]
static ALLOCATOR: Counting = Counting;

const MIB: usize = 1024 * 1024;

// ANCHOR: test
#[tokio::test]
async fn a_64_mib_download_never_holds_more_than_a_few_mib() {
    let server = server::start().await.unwrap();
    let client = make_client().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let to = dir.path().join("big.bin");
    let url = format!("{}/big/64", server.base);

    let before = LIVE.load(SeqCst);
    PEAK.store(before, SeqCst);
    let written = download(&client, &url, &to).await.unwrap();
    let peak = PEAK.load(SeqCst) - before;

    assert_eq!(written, 64 * MIB as u64);
    assert!(peak < 4 * MIB, "peak {} KiB", peak / 1024);

    // The mistake: `bytes()` collects the whole body first. (With the minute
    // that `download` gives itself: the client's two seconds for the whole
    // body were too short for 64 MiB on a busy machine.)
    PEAK.store(LIVE.load(SeqCst), SeqCst);
    let before = LIVE.load(SeqCst);
    let body = client
        .get(&url)
        .timeout(Duration::from_secs(60))
        .send()
        .await
        .unwrap()
        .bytes()
        .await
        .unwrap();
    let peak = PEAK.load(SeqCst) - before;
    assert_eq!(body.len(), 64 * MIB);
    assert!(peak >= 64 * MIB, "peak {} KiB", peak / 1024);
}
// ANCHOR_END: test
