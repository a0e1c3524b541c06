use std::rc::Rc;
use std::time::Duration;

#[tokio::main]
async fn main() {
    let greeting = Rc::new(String::from("hello"));
    let task = tokio::spawn(async move {
        // `move` puts the Rc inside the future, before it is ever polled.
        tokio::time::sleep(Duration::from_millis(10)).await;
        println!("{greeting}");
    });
    task.await.unwrap();
}
