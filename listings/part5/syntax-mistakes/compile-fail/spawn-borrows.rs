use std::time::Duration;

async fn greet(name: &str) {
    tokio::time::sleep(Duration::from_millis(10)).await;
    println!("hello, {name}");
}

#[tokio::main]
async fn main() {
    let name = String::from("Ada");
    let task = tokio::spawn(async { greet(&name).await });
    task.await.unwrap();
}
