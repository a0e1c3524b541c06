use std::rc::Rc;
use std::time::Duration;

#[tokio::main]
async fn main() {
    let greeting = Rc::new(String::from("hello"));
    let task = tokio::spawn(async move {
        // The task may move to another worker thread at this await, holding an Rc.
        tokio::time::sleep(Duration::from_millis(10)).await;
        println!("{greeting}");
    });
    task.await.unwrap();
}
