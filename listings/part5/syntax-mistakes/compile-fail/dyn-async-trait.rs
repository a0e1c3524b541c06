trait Fetcher {
    async fn fetch(&self, id: u32) -> String;
}

struct Cache;

impl Fetcher for Cache {
    async fn fetch(&self, id: u32) -> String {
        format!("item {id}")
    }
}

#[tokio::main]
async fn main() {
    let fetchers: Vec<Box<dyn Fetcher>> = vec![Box::new(Cache)];
    for fetcher in &fetchers {
        println!("{}", fetcher.fetch(1).await);
    }
}
