//! `server [--port P] [--messages N]`: serves N numbered messages on
//! 127.0.0.1 until Ctrl-C.
//! Prints `listening on ADDRESS` on stdout once it accepts agents.

use agent_inbox::{Message, MessageServer};

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let mut port = 7000u16;
    let mut count = 10u64;
    let mut args = std::env::args().skip(1);
    while let Some(flag) = args.next() {
        let value = args.next();
        match (flag.as_str(), value) {
            ("--port", Some(value)) => port = value.parse()?,
            ("--messages", Some(value)) => count = value.parse()?,
            _ => anyhow::bail!("usage: server [--port P] [--messages N]"),
        }
    }
    let messages = (1..=count as i64).map(|id| Message {
        id,
        text: format!("message number {id}"),
    });
    let server =
        MessageServer::start(&format!("127.0.0.1:{port}"), messages).await?;
    println!("listening on {}", server.address());
    tokio::signal::ctrl_c().await?;
    eprintln!(
        "server: stopping, {} acknowledged, {} unacknowledged",
        server.acked(),
        server.unacked_ids().len()
    );
    Ok(())
}
