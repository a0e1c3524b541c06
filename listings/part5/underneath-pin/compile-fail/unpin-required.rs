use std::pin::Pin;
use std::task::{Context, Poll, Waker};

async fn sum_of_tail() -> u32 {
    let numbers = [1, 2, 3, 4];
    let tail = &numbers[1..];
    std::future::ready(()).await;
    tail.iter().sum()
}

fn poll_once<F: Future>(future: Pin<&mut F>) -> Poll<F::Output> {
    future.poll(&mut Context::from_waker(Waker::noop()))
}

fn main() {
    let mut future = sum_of_tail();
    // Pin::new is only for types that are Unpin: safe to move while pinned.
    println!("{:?}", poll_once(Pin::new(&mut future)));
}
