use std::mem::size_of_val;
use std::pin::Pin;
use std::task::{Context, Poll};

// ANCHOR: pause
/// A future that is pending once, then ready: one pause point, nothing else.
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
// ANCHOR_END: pause

// ANCHOR: futures
async fn nothing_kept() {
    pause().await;
}

async fn number_kept() -> u64 {
    let count: u64 = 7;
    pause().await;
    count
}

async fn buffer_used_before() -> u8 {
    let buffer = [1u8; 1024];
    let first = buffer[0];
    pause().await;
    first
}

async fn buffer_kept() -> u8 {
    let buffer = [1u8; 1024];
    pause().await;
    buffer[0]
}

async fn buffer_boxed() -> u8 {
    let buffer = Box::new([1u8; 1024]);
    pause().await;
    buffer[0]
}

async fn awaits_buffer_kept() -> u8 {
    buffer_kept().await + 1
}
// ANCHOR_END: futures

// ANCHOR: main
fn main() {
    // Calling an async fn only builds its future: nothing here runs.
    println!("{:<36} {:>5}", "future of", "bytes");
    let sizes = [
        ("nothing_kept()", size_of_val(&nothing_kept())),
        ("number_kept()", size_of_val(&number_kept())),
        ("buffer_used_before()", size_of_val(&buffer_used_before())),
        ("buffer_kept()", size_of_val(&buffer_kept())),
        ("buffer_boxed()", size_of_val(&buffer_boxed())),
        ("awaits_buffer_kept()", size_of_val(&awaits_buffer_kept())),
    ];
    for (name, bytes) in sizes {
        println!("{name:<36} {bytes:>5}");
    }
}
// ANCHOR_END: main

#[cfg(test)]
mod tests {
    use super::*;
    use std::pin::pin;
    use std::task::Waker;

    // Exact sizes change between compiler versions; these relations do not.
    #[test]
    fn a_local_held_across_an_await_is_stored_in_the_future() {
        assert!(size_of_val(&buffer_kept()) >= 1024);
        assert!(size_of_val(&buffer_used_before()) < 64);
        assert!(size_of_val(&buffer_boxed()) < 64);
    }

    #[test]
    fn a_caller_holds_the_future_it_awaits() {
        assert!(
            size_of_val(&awaits_buffer_kept()) > size_of_val(&buffer_kept())
        );
    }

    #[test]
    fn each_future_pauses_once_and_returns_its_value() {
        let mut cx = Context::from_waker(Waker::noop());
        let mut future = pin!(awaits_buffer_kept());
        assert_eq!(future.as_mut().poll(&mut cx), Poll::Pending);
        assert_eq!(future.as_mut().poll(&mut cx), Poll::Ready(2));
        let mut future = pin!(number_kept());
        assert_eq!(future.as_mut().poll(&mut cx), Poll::Pending);
        assert_eq!(future.as_mut().poll(&mut cx), Poll::Ready(7));
    }
}
