//! An executor small enough to read in one sitting: a queue of tasks, wakers
//! that put a task back in the queue, and one thread for every timer.

use std::collections::BTreeMap;
use std::pin::{Pin, pin};
use std::sync::mpsc::{self, Receiver, Sender};
use std::sync::{Arc, Mutex, OnceLock};
use std::task::{Context, Poll, Wake, Waker};
use std::thread;
use std::time::{Duration, Instant};

// ANCHOR: task
/// A future to poll until it is done, and the way back into the queue.
struct Task {
    future: Mutex<Option<Pin<Box<dyn Future<Output = ()> + Send>>>>,
    queue: Sender<Arc<Task>>,
}

impl Wake for Task {
    /// Waking a task means: put it back in the queue, to be polled again.
    fn wake(self: Arc<Self>) {
        let queue = self.queue.clone();
        // The send fails only once the executor is gone: nothing to do then.
        let _ = queue.send(self);
    }
}
// ANCHOR_END: task

// ANCHOR: executor
/// Runs tasks on the thread that calls `block_on`, one poll at a time.
pub struct Executor {
    queue: Sender<Arc<Task>>,
    ready: Receiver<Arc<Task>>,
}

impl Executor {
    pub fn new() -> Executor {
        let (queue, ready) = mpsc::channel();
        Executor { queue, ready }
    }

    /// Puts a new task in the queue. Like `tokio::spawn`, it does not wait.
    pub fn spawn(&self, future: impl Future<Output = ()> + Send + 'static) {
        let task = Task {
            future: Mutex::new(Some(Box::pin(future))),
            queue: self.queue.clone(),
        };
        self.queue.send(Arc::new(task)).unwrap();
    }
    // ANCHOR_END: executor

    // ANCHOR: block_on
    /// Runs `future` to its end, polling every ready task meanwhile.
    pub fn block_on<T: Send + 'static>(
        &self,
        future: impl Future<Output = T> + Send + 'static,
    ) -> T {
        let (result_tx, result_rx) = mpsc::channel();
        self.spawn(async move {
            let _ = result_tx.send(future.await);
        });
        loop {
            // Sleeps, using no CPU, until some waker sends a task.
            let task = self.ready.recv().unwrap();
            let mut slot = task.future.lock().unwrap();
            // A task woken twice is queued twice; once done, it is None.
            if let Some(future) = slot.as_mut() {
                let waker = Waker::from(task.clone());
                let mut cx = Context::from_waker(&waker);
                if future.as_mut().poll(&mut cx).is_ready() {
                    *slot = None; // drops the finished future
                }
            }
            drop(slot);
            if let Ok(result) = result_rx.try_recv() {
                return result;
            }
        }
    }
    // ANCHOR_END: block_on
}

impl Default for Executor {
    fn default() -> Executor {
        Executor::new()
    }
}

// ANCHOR: timer
/// The one timer thread, started on first use: it receives a deadline and a
/// waker, and calls the waker when the deadline has passed.
fn timers() -> &'static Mutex<Sender<(Instant, Waker)>> {
    static TIMERS: OnceLock<Mutex<Sender<(Instant, Waker)>>> = OnceLock::new();
    TIMERS.get_or_init(|| {
        let (timer_tx, timer_rx) = mpsc::channel();
        thread::spawn(move || run_timers(timer_rx));
        Mutex::new(timer_tx)
    })
}

fn run_timers(new_timers: Receiver<(Instant, Waker)>) {
    // Wakers by deadline; the first entry is always the next one due.
    let mut due: BTreeMap<Instant, Vec<Waker>> = BTreeMap::new();
    loop {
        let now = Instant::now();
        while let Some(entry) = due.first_entry() {
            if *entry.key() > now {
                break;
            }
            entry.remove().into_iter().for_each(Waker::wake);
        }
        // Sleep until the next deadline, or until a new timer arrives.
        let next = match due.keys().next() {
            Some(deadline) => new_timers.recv_timeout(*deadline - now).ok(),
            None => new_timers.recv().ok(),
        };
        if let Some((deadline, waker)) = next {
            due.entry(deadline).or_default().push(waker);
        }
    }
}
// ANCHOR_END: timer

// ANCHOR: sleep
/// Ready once `deadline` has passed.
pub struct Sleep {
    deadline: Instant,
}

pub fn sleep(duration: Duration) -> Sleep {
    Sleep {
        deadline: Instant::now() + duration,
    }
}

impl Future for Sleep {
    type Output = ();

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        if Instant::now() >= self.deadline {
            return Poll::Ready(());
        }
        // Ask the timer thread to wake this poll's waker at the deadline.
        let timer = (self.deadline, cx.waker().clone());
        timers().lock().unwrap().send(timer).unwrap();
        Poll::Pending
    }
}
// ANCHOR_END: sleep

// ANCHOR: join
/// Polls both futures in turn, and is ready when both are.
pub async fn join<A: Future, B: Future>(a: A, b: B) -> (A::Output, B::Output) {
    let (mut a, mut b) = (pin!(a), pin!(b));
    let (mut a_out, mut b_out) = (None, None);
    std::future::poll_fn(|cx| {
        if a_out.is_none()
            && let Poll::Ready(out) = a.as_mut().poll(cx)
        {
            a_out = Some(out);
        }
        if b_out.is_none()
            && let Poll::Ready(out) = b.as_mut().poll(cx)
        {
            b_out = Some(out);
        }
        if a_out.is_some() && b_out.is_some() {
            Poll::Ready((a_out.take().unwrap(), b_out.take().unwrap()))
        } else {
            Poll::Pending
        }
    })
    .await
}
// ANCHOR_END: join

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicUsize, Ordering};

    /// Pending once, waking its task at once; then ready.
    struct Pause {
        paused: bool,
    }

    impl Future for Pause {
        type Output = ();
        fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
            if self.paused {
                return Poll::Ready(());
            }
            self.paused = true;
            cx.waker().wake_by_ref();
            Poll::Pending
        }
    }

    fn pause() -> Pause {
        Pause { paused: false }
    }

    #[test]
    fn a_woken_task_is_polled_again_and_finishes() {
        let polls = Arc::new(AtomicUsize::new(0));
        let counted = polls.clone();
        let answer = Executor::new().block_on(async move {
            counted.fetch_add(1, Ordering::SeqCst);
            pause().await;
            counted.fetch_add(1, Ordering::SeqCst);
            42
        });
        assert_eq!(answer, 42);
        assert_eq!(polls.load(Ordering::SeqCst), 2);
    }

    #[test]
    fn ready_tasks_take_turns_in_the_order_they_were_woken() {
        let log = Arc::new(Mutex::new(Vec::new()));
        let executor = Executor::new();
        for name in ["a", "b"] {
            let log = log.clone();
            executor.spawn(async move {
                for step in 1..=2 {
                    log.lock().unwrap().push(format!("{name}{step}"));
                    pause().await;
                }
            });
        }
        // Spawned last, so it finishes after both have had their turns.
        executor.block_on(async {
            for _ in 0..3 {
                pause().await;
            }
        });
        assert_eq!(*log.lock().unwrap(), ["a1", "b1", "a2", "b2"]);
    }

    #[test]
    fn timers_wake_their_tasks_in_the_order_of_their_deadlines() {
        let log = Arc::new(Mutex::new(Vec::new()));
        let executor = Executor::new();
        for ms in [30, 10, 20] {
            let log = log.clone();
            executor.spawn(async move {
                sleep(Duration::from_millis(ms)).await;
                log.lock().unwrap().push(ms);
            });
        }
        executor.block_on(sleep(Duration::from_millis(60)));
        assert_eq!(*log.lock().unwrap(), [10, 20, 30]);
    }

    #[test]
    fn a_sleep_is_not_ready_before_its_deadline() {
        let start = Instant::now();
        Executor::new().block_on(sleep(Duration::from_millis(50)));
        assert!(start.elapsed() >= Duration::from_millis(50));
    }

    #[test]
    fn join_waits_for_both_and_returns_both_results() {
        let both = Executor::new().block_on(join(
            async {
                sleep(Duration::from_millis(20)).await;
                "slow"
            },
            async { "quick" },
        ));
        assert_eq!(both, ("slow", "quick"));
    }

    // tokio's timers live in tokio's runtime: its sleep cannot be created on
    // another executor (the chapter on runtimes shows why).
    #[test]
    #[should_panic(expected = "must be called from the context of a Tokio")]
    fn tokio_sleep_needs_a_tokio_runtime() {
        Executor::new().block_on(async {
            tokio::time::sleep(Duration::from_millis(1)).await;
        });
    }
}
