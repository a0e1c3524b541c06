use std::time::Duration;

fn make_coffee() {
    println!("Coffee: brewing...");
    tokio::time::sleep(Duration::from_secs(2)).await;
    println!("Coffee: ready");
}

#[tokio::main]
async fn main() {
    make_coffee();
}
