// Normally a warning; denied here so the build stops and shows the message.
#![deny(async_fn_in_trait)]

pub trait Fetcher {
    async fn fetch(&self, id: u32) -> String;
}

fn main() {}
