use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::task::{Context, Poll};
use std::thread;
use std::time::Duration;
use tokio::time::{Instant, timeout};

// ANCHOR: mistake
/// A mistake on purpose: a timer whose thread sets the flag but never calls the
/// waker.
struct ForgetfulTimer {
    done: Arc<AtomicBool>,
    started: bool,
}

impl Future for ForgetfulTimer {
    type Output = ();

    fn poll(mut self: Pin<&mut Self>, _cx: &mut Context<'_>) -> Poll<()> {
        if self.done.load(Ordering::SeqCst) {
            return Poll::Ready(());
        }
        if !self.started {
            self.started = true;
            let done = self.done.clone();
            thread::spawn(move || {
                thread::sleep(Duration::from_millis(100));
                done.store(true, Ordering::SeqCst);
                println!("timer thread: time is up (but nobody is told)");
            });
        }
        Poll::Pending // the waker in `_cx` is thrown away
    }
}
// ANCHOR_END: mistake

// ANCHOR: main
#[tokio::main]
async fn main() {
    let start = Instant::now();
    let timer = ForgetfulTimer {
        done: Arc::new(AtomicBool::new(false)),
        started: false,
    };
    // Without the timeout, this would wait forever.
    match timeout(Duration::from_secs(1), timer).await {
        Ok(()) => println!(
            "main: the 100 ms timer finished after {:.1?}",
            start.elapsed()
        ),
        Err(_) => println!("main: still pending after {:.1?}", start.elapsed()),
    }
}
// ANCHOR_END: main

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::AtomicUsize;
    use std::task::{Wake, Waker};

    struct CountingWaker(AtomicUsize);

    impl Wake for CountingWaker {
        fn wake(self: Arc<Self>) {
            self.0.fetch_add(1, Ordering::SeqCst);
        }
    }

    #[test]
    fn the_flag_gets_set_but_the_waker_is_never_called() {
        let done = Arc::new(AtomicBool::new(false));
        let mut timer = Box::pin(ForgetfulTimer {
            done: done.clone(),
            started: false,
        });
        let counter = Arc::new(CountingWaker(AtomicUsize::new(0)));
        let waker = Waker::from(counter.clone());
        let mut cx = Context::from_waker(&waker);
        assert!(timer.as_mut().poll(&mut cx).is_pending());

        let deadline = std::time::Instant::now() + Duration::from_secs(5);
        while !done.load(Ordering::SeqCst)
            && std::time::Instant::now() < deadline
        {
            thread::sleep(Duration::from_millis(10));
        }
        assert!(
            done.load(Ordering::SeqCst),
            "the thread should have set the flag"
        );
        // Ready if asked, but nothing asks: a runtime would never poll it
        // again.
        assert_eq!(counter.0.load(Ordering::SeqCst), 0);
        assert!(timer.as_mut().poll(&mut cx).is_ready());
    }
}
