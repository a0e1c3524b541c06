//! Bridges between synchronous and async code, each shown on its own.
//! The benchmark beside it (`src/bin/bridges-bench.rs`) measures their costs.

use std::thread;
use std::time::Duration;
use tokio::runtime::{Builder, Handle, Runtime};
use tokio::sync::{mpsc, oneshot};

/// The async code every bridge calls: a pretend network request.
async fn fetch_forecast(city: String) -> String {
    tokio::time::sleep(Duration::from_millis(50)).await;
    format!("sunny in {city}")
}

/// The sync code every bridge calls: a pretend CPU-heavy or blocking job.
fn checksum(data: &[u8]) -> u32 {
    data.iter()
        .fold(0u32, |sum, &byte| sum.rotate_left(5) ^ u32::from(byte))
}

// ANCHOR: client
/// A synchronous client for async code: it owns a runtime, and its callers
/// never see a future.
pub struct ForecastClient {
    runtime: Runtime,
}

impl ForecastClient {
    pub fn new() -> std::io::Result<Self> {
        // One thread is plenty: the client runs one request at a time.
        let runtime = Builder::new_current_thread().enable_all().build()?;
        Ok(Self { runtime })
    }

    pub fn forecast(&self, city: &str) -> String {
        // Runs the future on this thread until it is done.
        self.runtime.block_on(fetch_forecast(city.to_string()))
    }
}
// ANCHOR_END: client

// ANCHOR: handle_block_on
/// Called on a thread that the runtime does not own, such as a thread a
/// C library or a GUI toolkit made: block it on the runtime's handle.
fn forecast_from_plain_thread(runtime: Handle, city: &str) -> String {
    runtime.block_on(fetch_forecast(city.to_string()))
}
// ANCHOR_END: handle_block_on

// ANCHOR: threadsafe
/// The counterpart of `asyncio.run_coroutine_threadsafe(coro, loop)`: from
/// a plain thread, run a future as a task on the runtime, and block this
/// thread until its result comes back.
fn submit_and_wait(runtime: &Handle, city: &str) -> String {
    let (result_tx, result_rx) = oneshot::channel();
    let city = city.to_string();
    runtime.spawn(async move {
        let _ = result_tx.send(fetch_forecast(city).await);
    });
    // `.result()` in Python; the error means the task was dropped.
    result_rx
        .blocking_recv()
        .expect("the runtime dropped the task")
}
// ANCHOR_END: threadsafe

// ANCHOR: to_thread
/// `await asyncio.to_thread(checksum, data)` in Python.
async fn checksum_on_blocking_pool(data: Vec<u8>) -> u32 {
    tokio::task::spawn_blocking(move || checksum(&data))
        .await
        .expect("the checksum panicked")
}
// ANCHOR_END: to_thread

// ANCHOR: block_in_place
/// Multi-thread runtime only: this worker blocks, after handing its other
/// tasks to another worker.
fn checksum_in_place(data: &[u8]) -> u32 {
    tokio::task::block_in_place(|| checksum(data))
}
// ANCHOR_END: block_in_place

// ANCHOR: dedicated
/// A job for the dedicated thread, with a channel for its answer.
struct Job {
    data: Vec<u8>,
    reply: oneshot::Sender<u32>,
}

/// Starts one thread that owns some synchronous resource (here nothing but
/// the checksum) and serves jobs from a queue, one at a time, in order.
fn start_checksum_thread() -> mpsc::Sender<Job> {
    let (jobs_tx, mut jobs_rx) = mpsc::channel::<Job>(16);
    thread::spawn(move || {
        // `blocking_recv` is `recv` for a plain thread. `None`: every sender
        // is gone, so the thread ends.
        while let Some(job) = jobs_rx.blocking_recv() {
            let _ = job.reply.send(checksum(&job.data));
        }
    });
    jobs_tx
}

async fn checksum_on_dedicated_thread(
    jobs: &mpsc::Sender<Job>,
    data: Vec<u8>,
) -> u32 {
    let (reply, answer) = oneshot::channel();
    jobs.send(Job { data, reply })
        .await
        .expect("the thread is gone");
    answer.await.expect("the thread dropped the job")
}
// ANCHOR_END: dedicated

// ANCHOR: rayon
/// CPU-bound work on rayon's pool of one thread per core; the result comes
/// back on a oneshot channel, which the task awaits without blocking.
async fn checksums_on_rayon(chunks: Vec<Vec<u8>>) -> Vec<u32> {
    use rayon::prelude::*;
    let (result_tx, result_rx) = oneshot::channel();
    rayon::spawn(move || {
        let sums = chunks.par_iter().map(|chunk| checksum(chunk)).collect();
        let _ = result_tx.send(sums);
    });
    result_rx.await.expect("the rayon job panicked")
}
// ANCHOR_END: rayon

// ANCHOR: main
fn main() -> std::io::Result<()> {
    // Sync to async: a synchronous program uses an async library.
    let client = ForecastClient::new()?;
    println!("client: {}", client.forecast("Lahore"));

    let runtime = Builder::new_multi_thread().enable_all().build()?;
    let handle = runtime.handle().clone();
    let plain = thread::spawn(move || {
        let first = forecast_from_plain_thread(handle.clone(), "Oslo");
        let second = submit_and_wait(&handle, "Lima");
        (first, second)
    });
    let (first, second) = plain.join().expect("the plain thread panicked");
    println!("handle.block_on: {first}");
    println!("spawn + blocking_recv: {second}");

    // Async to sync: async code hands synchronous work to threads.
    runtime.block_on(async {
        let data = b"async rust".to_vec();
        let pooled = checksum_on_blocking_pool(data.clone()).await;
        println!("spawn_blocking: {pooled:08x}");
        println!("block_in_place: {:08x}", checksum_in_place(&data));
        let jobs = start_checksum_thread();
        let served = checksum_on_dedicated_thread(&jobs, data.clone()).await;
        println!("dedicated thread: {served:08x}");
        let on_rayon = checksums_on_rayon(vec![data; 3]).await;
        println!("rayon: {on_rayon:08x?}");
    });
    Ok(())
}
// ANCHOR_END: main

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicBool, Ordering};
    use std::sync::{Arc, mpsc as std_mpsc};

    #[test]
    fn the_client_works_from_plain_sync_code() {
        let client = ForecastClient::new().unwrap();
        assert_eq!(client.forecast("Lahore"), "sunny in Lahore");
    }

    #[tokio::test]
    #[should_panic(expected = "Cannot start a runtime from within a runtime")]
    async fn the_client_panics_inside_async_code() {
        let client = ForecastClient::new().unwrap();
        client.forecast("Lahore");
    }

    #[tokio::test]
    #[should_panic(expected = "Cannot start a runtime from within a runtime")]
    async fn handle_block_on_panics_inside_async_code() {
        forecast_from_plain_thread(Handle::current(), "Oslo");
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn handle_block_on_works_from_a_thread_the_runtime_does_not_own() {
        let handle = Handle::current();
        let answer = tokio::task::spawn_blocking(move || {
            let first = forecast_from_plain_thread(handle.clone(), "Oslo");
            (first, submit_and_wait(&handle, "Lima"))
        })
        .await
        .unwrap();
        assert_eq!(answer.0, "sunny in Oslo");
        assert_eq!(answer.1, "sunny in Lima");
    }

    #[tokio::test]
    async fn abort_does_not_stop_a_running_spawn_blocking_closure() {
        let (started_tx, started_rx) = oneshot::channel();
        let (go_on_tx, go_on_rx) = std_mpsc::channel::<()>();
        let finished = Arc::new(AtomicBool::new(false));
        let finished_in_closure = Arc::clone(&finished);
        let handle = tokio::task::spawn_blocking(move || {
            started_tx.send(()).unwrap();
            go_on_rx.recv().unwrap();
            finished_in_closure.store(true, Ordering::SeqCst);
            "finished anyway"
        });
        started_rx.await.unwrap();
        handle.abort();
        go_on_tx.send(()).unwrap();
        // The abort had no effect: the closure ran to its end, and the
        // handle gives its result, not a cancellation.
        assert_eq!(handle.await.unwrap(), "finished anyway");
        assert!(finished.load(Ordering::SeqCst));
    }

    #[tokio::test]
    async fn spawn_blocking_gives_the_same_answer_as_calling_directly() {
        let data = b"async rust".to_vec();
        let direct = checksum(&data);
        assert_eq!(checksum_on_blocking_pool(data).await, direct);
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn block_in_place_works_on_the_multi_thread_runtime() {
        assert_eq!(checksum_in_place(b"abc"), checksum(b"abc"));
    }

    #[tokio::test]
    #[should_panic(
        expected = "can call blocking only when running on the multi-threaded runtime"
    )]
    async fn block_in_place_panics_on_the_current_thread_runtime() {
        checksum_in_place(b"abc");
    }

    #[tokio::test]
    async fn the_dedicated_thread_serves_jobs_in_order() {
        let jobs = start_checksum_thread();
        for text in ["one", "two", "three"] {
            let data = text.as_bytes().to_vec();
            let answer = checksum_on_dedicated_thread(&jobs, data).await;
            assert_eq!(answer, checksum(text.as_bytes()));
        }
    }

    #[tokio::test]
    #[should_panic(expected = "Cannot block the current thread from within")]
    async fn blocking_recv_panics_inside_async_code() {
        // The dedicated thread's loop, run on a runtime thread by mistake.
        let (_jobs_tx, mut jobs_rx) = mpsc::channel::<Job>(1);
        jobs_rx.blocking_recv();
    }

    #[tokio::test]
    async fn rayon_sends_back_one_checksum_per_chunk() {
        let chunks = vec![b"a".to_vec(), b"b".to_vec()];
        let sums = checksums_on_rayon(chunks).await;
        assert_eq!(sums, [checksum(b"a"), checksum(b"b")]);
    }

    #[tokio::test]
    async fn a_panicking_rayon_job_drops_its_sender() {
        // Without a panic handler, rayon aborts the whole process when a
        // spawned job panics; with one, the awaiting task sees an error.
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(1)
            .panic_handler(|_| {})
            .build()
            .unwrap();
        let (result_tx, result_rx) = oneshot::channel::<u32>();
        pool.spawn(move || {
            let _keep = result_tx;
            panic!("bad chunk");
        });
        assert!(result_rx.await.is_err());
    }
}
