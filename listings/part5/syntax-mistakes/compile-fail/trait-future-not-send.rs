trait Fetcher {
    async fn fetch(&self, id: u32) -> String;
}

struct Cache;

impl Fetcher for Cache {
    async fn fetch(&self, id: u32) -> String {
        format!("item {id}")
    }
}

fn fetch_in_background<F>(fetcher: F) -> tokio::task::JoinHandle<String>
where
    F: Fetcher + Send + Sync + 'static,
{
    tokio::spawn(async move { fetcher.fetch(1).await })
}

#[tokio::main]
async fn main() {
    println!("{}", fetch_in_background(Cache).await.unwrap());
}
