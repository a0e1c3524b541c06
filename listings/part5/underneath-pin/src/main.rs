use std::pin::{Pin, pin};
use std::task::{Context, Poll, Waker};

// ANCHOR: pause
/// Pending once, then ready.
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
// ANCHOR_END: pause

// ANCHOR: borrow
async fn sum_of_tail() -> u32 {
    let numbers = [1, 2, 3, 4];
    // `tail` points into `numbers`, and both live across the `.await`: both
    // are stored in the future, so the future holds a pointer into itself.
    let tail = &numbers[1..];
    Pause { paused: false }.await;
    tail.iter().sum()
}
// ANCHOR_END: borrow

// ANCHOR: main
/// Polls any future once. Taking `Pin<&mut F>` is the promise that the
/// future will not move again.
fn poll_once<F: Future>(future: Pin<&mut F>) -> Poll<F::Output> {
    let mut cx = Context::from_waker(Waker::noop());
    future.poll(&mut cx)
}

fn main() {
    // pin! moves the future into a place of its own and gives out only a
    // `Pin<&mut _>`: safe code cannot move it from there.
    let mut future = pin!(sum_of_tail());
    println!("first poll:  {:?}", poll_once(future.as_mut()));
    println!("second poll: {:?}", poll_once(future.as_mut()));
}
// ANCHOR_END: main

#[cfg(test)]
mod tests {
    use super::*;

    fn is_unpin<T: Unpin>(_: &T) -> bool {
        true
    }

    #[test]
    fn the_future_resumes_with_its_borrow_intact() {
        let mut future = pin!(sum_of_tail());
        assert_eq!(poll_once(future.as_mut()), Poll::Pending);
        assert_eq!(poll_once(future.as_mut()), Poll::Ready(9));
    }

    #[test]
    fn a_hand_written_future_of_plain_fields_is_unpin() {
        assert!(is_unpin(&Pause { paused: false }));
        // A boxed and pinned future is Unpin too: moving the box does not
        // move the future inside it.
        assert!(is_unpin(&Box::pin(sum_of_tail())));
    }
}
