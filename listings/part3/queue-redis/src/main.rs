use clap::Parser as _;

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    queue_redis::cli::main(queue_redis::cli::Args::parse()).await
}
