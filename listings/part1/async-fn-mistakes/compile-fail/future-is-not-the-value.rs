use std::time::Duration;

async fn stock_of(item: &str) -> u32 {
    tokio::time::sleep(Duration::from_millis(100)).await;
    if item == "tea" { 5 } else { 0 }
}

#[tokio::main]
async fn main() {
    let in_stock: u32 = stock_of("tea");
    println!("{in_stock} in stock");
}
