use std::rc::Rc;
use std::time::Duration;

// One thread only, and the Rc is dropped before the await: still refused.
#[tokio::main(flavor = "current_thread")]
async fn main() {
    let greeting = Rc::new(String::from("hello"));
    let task = tokio::spawn(async move {
        println!("{greeting}");
        drop(greeting);
        tokio::time::sleep(Duration::from_millis(10)).await;
    });
    task.await.unwrap();
}
