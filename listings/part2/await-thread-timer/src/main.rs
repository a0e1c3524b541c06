use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll, Waker};
use std::thread;
use std::time::Duration;
use tokio::time::Instant;

// ANCHOR: timer
/// What the timer thread and the future share.
#[derive(Default)]
struct Shared {
    done: bool,
    /// The waker of the last poll: the one to call when the time is up.
    waker: Option<Waker>,
}

/// A future that completes after `duration`, woken by a thread of its own.
pub struct ThreadTimer {
    duration: Duration,
    shared: Arc<Mutex<Shared>>,
    started: bool,
}

impl ThreadTimer {
    pub fn new(duration: Duration) -> ThreadTimer {
        ThreadTimer {
            duration,
            shared: Arc::default(),
            started: false,
        }
    }
}
// ANCHOR_END: timer

// ANCHOR: poll
impl Future for ThreadTimer {
    type Output = ();

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        let mut shared = self.shared.lock().unwrap();
        if shared.done {
            return Poll::Ready(());
        }
        // Keep the newest waker: the future may have been moved to another
        // task, or be polled through a wrapper that has a waker of its own.
        shared.waker = Some(cx.waker().clone());
        drop(shared);

        if !self.started {
            self.started = true;
            let (duration, shared) = (self.duration, self.shared.clone());
            thread::spawn(move || {
                thread::sleep(duration);
                let mut shared = shared.lock().unwrap();
                shared.done = true;
                if let Some(waker) = shared.waker.take() {
                    // Puts the task back in the runtime's run queue.
                    waker.wake();
                }
            });
        }
        Poll::Pending
    }
}
// ANCHOR_END: poll

// ANCHOR: main
#[tokio::main]
async fn main() {
    let start = Instant::now();
    let coffee = async {
        ThreadTimer::new(Duration::from_millis(800)).await;
        println!("coffee ready after {:.1}s", start.elapsed().as_secs_f64());
    };
    let pastry = async {
        ThreadTimer::new(Duration::from_millis(1200)).await;
        println!("pastry ready after {:.1}s", start.elapsed().as_secs_f64());
    };
    tokio::join!(coffee, pastry);
    println!("both done after {:.1}s", start.elapsed().as_secs_f64());
}
// ANCHOR_END: main

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::sync::mpsc;
    use std::task::Wake;

    /// A waker that counts its wake-ups and reports them on a channel.
    struct CountingWaker {
        wakes: AtomicUsize,
        woken: Mutex<mpsc::Sender<()>>,
    }

    impl Wake for CountingWaker {
        fn wake(self: Arc<Self>) {
            self.wakes.fetch_add(1, Ordering::SeqCst);
            let _ = self.woken.lock().unwrap().send(());
        }
    }

    #[test]
    fn pending_until_the_thread_wakes_the_latest_waker_once_then_ready() {
        let (woken_tx, woken_rx) = mpsc::channel();
        let first = Arc::new(CountingWaker {
            wakes: AtomicUsize::new(0),
            woken: Mutex::new(woken_tx.clone()),
        });
        let second = Arc::new(CountingWaker {
            wakes: AtomicUsize::new(0),
            woken: Mutex::new(woken_tx),
        });
        let mut timer = Box::pin(ThreadTimer::new(Duration::from_millis(50)));

        let first_waker = Waker::from(first.clone());
        assert!(
            timer
                .as_mut()
                .poll(&mut Context::from_waker(&first_waker))
                .is_pending()
        );
        // Polled again with another waker, as when the future moves to another
        // task: that one must be woken.
        let second_waker = Waker::from(second.clone());
        assert!(
            timer
                .as_mut()
                .poll(&mut Context::from_waker(&second_waker))
                .is_pending()
        );

        woken_rx
            .recv_timeout(Duration::from_secs(5))
            .expect("never woken");
        assert_eq!(first.wakes.load(Ordering::SeqCst), 0);
        assert_eq!(second.wakes.load(Ordering::SeqCst), 1);
        assert!(
            timer
                .as_mut()
                .poll(&mut Context::from_waker(&second_waker))
                .is_ready()
        );
    }

    /// Pending on its first poll, ready on its second; keeps both wakers.
    #[derive(Default)]
    struct Probe {
        wakers: Vec<Waker>,
    }

    impl Future for Probe {
        type Output = ();
        fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
            self.wakers.push(cx.waker().clone());
            if self.wakers.len() == 1 {
                cx.waker().wake_by_ref();
                return Poll::Pending;
            }
            Poll::Ready(())
        }
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_tokio_task_keeps_its_waker_from_poll_to_poll() {
        let wakers = tokio::spawn(async {
            let mut probe = Probe::default();
            (&mut probe).await;
            probe.wakers
        })
        .await
        .unwrap();
        assert!(wakers[0].will_wake(&wakers[1]));
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    #[allow(clippy::async_yields_async)] // handing the future on is the point
    async fn a_future_moved_to_another_task_gets_another_waker() {
        let mut probe = tokio::spawn(async {
            let mut probe = Probe::default();
            // One poll in this task, then hand the future on.
            let first = std::future::poll_fn(|cx| {
                Poll::Ready(Pin::new(&mut probe).poll(cx))
            })
            .await;
            assert!(first.is_pending());
            probe
        })
        .await
        .unwrap();
        tokio::spawn(async move {
            (&mut probe).await;
            assert!(!probe.wakers[0].will_wake(&probe.wakers[1]));
        })
        .await
        .unwrap();
    }
}
