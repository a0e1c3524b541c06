use std::pin::Pin;
use std::task::{Context, Poll, Waker};

async fn sum_of_words(text: String) -> usize {
    let words: Vec<&str> = text.split(' ').collect();
    std::future::ready(()).await;
    words.iter().map(|word| word.len()).sum()
}

fn poll_once<F: Future>(future: Pin<&mut F>) -> Poll<F::Output> {
    future.poll(&mut Context::from_waker(Waker::noop()))
}

fn main() {
    let mut future = sum_of_words("pin the future".to_string());
    // Pin::new is only for types that are Unpin, safe to move while pinned.
    println!("{:?}", poll_once(Pin::new(&mut future)));
}
