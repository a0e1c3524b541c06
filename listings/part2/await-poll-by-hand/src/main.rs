use std::pin::pin;
use std::task::{Context, Poll, Waker};

// ANCHOR: pause
/// Not ready the first time it is polled, ready the second time.
struct PauseOnce {
    paused: bool,
}

impl Future for PauseOnce {
    type Output = ();

    fn poll(
        mut self: std::pin::Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<()> {
        if self.paused {
            Poll::Ready(())
        } else {
            self.paused = true;
            // Ask to be polled again; a real future would do this when its event happens.
            cx.waker().wake_by_ref();
            Poll::Pending
        }
    }
}
// ANCHOR_END: pause

// ANCHOR: recipe
async fn recipe() -> u32 {
    let cups = 2;
    println!("  recipe: step 1, {cups} cups of water");
    PauseOnce { paused: false }.await;
    println!("  recipe: step 2, still {cups} cups after the pause");
    cups * 100
}

// No runtime at all: this main polls the future itself, as a runtime would.
fn main() {
    let mut future = pin!(recipe());
    let mut cx = Context::from_waker(Waker::noop());
    for poll in 1.. {
        println!("poll {poll}:");
        match future.as_mut().poll(&mut cx) {
            Poll::Pending => println!("  -> Pending"),
            Poll::Ready(ml) => {
                println!("  -> Ready({ml})");
                break;
            }
        }
    }
}
// ANCHOR_END: recipe

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_async_fn_returns_pending_at_its_await_and_resumes_where_it_stopped()
    {
        let mut future = pin!(recipe());
        let mut cx = Context::from_waker(Waker::noop());
        assert_eq!(future.as_mut().poll(&mut cx), Poll::Pending);
        assert_eq!(future.as_mut().poll(&mut cx), Poll::Ready(200));
    }

    #[tokio::test]
    async fn a_runtime_polls_it_the_same_way() {
        assert_eq!(recipe().await, 200);
    }
}
