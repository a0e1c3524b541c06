// ANCHOR: all
use std::time::Duration;

async fn hello_world() {
    println!("hello");
    tokio::time::sleep(Duration::from_secs(1)).await;
    println!("world");
}

#[tokio::main]
async fn main() {
    hello_world().await;
}
// ANCHOR_END: all

#[cfg(test)]
mod tests {
    use super::*;
    use tokio::time::Instant;

    #[tokio::test(start_paused = true)]
    async fn it_takes_one_second() {
        let start = Instant::now();
        hello_world().await;
        assert_eq!(start.elapsed(), Duration::from_secs(1));
    }
}
