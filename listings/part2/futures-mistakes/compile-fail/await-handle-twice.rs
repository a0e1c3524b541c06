// Awaiting a task's handle a second time, as Python allows with a Task.
#[tokio::main]
async fn main() {
    let answer = tokio::spawn(async { 42 });
    let first = answer.await.unwrap();
    let second = answer.await.unwrap();
    println!("{first} {second}");
}
