use std::path::PathBuf;

use anyhow::Context;
use tokio::net::TcpListener;
use tokio::signal::unix::{Signal, SignalKind, signal};
use tokio_util::sync::CancellationToken;

// ANCHOR: signals
/// Ctrl-C and SIGTERM, listened to from the start, as in the web servers
/// chapter: a signal that came before we listened would kill the process.
struct StopSignals {
    interrupt: Signal,
    terminate: Signal,
}

impl StopSignals {
    fn listen() -> std::io::Result<Self> {
        Ok(StopSignals {
            interrupt: signal(SignalKind::interrupt())?,
            terminate: signal(SignalKind::terminate())?,
        })
    }

    async fn next(&mut self) -> &'static str {
        tokio::select! {
            _ = self.interrupt.recv() => "Ctrl-C",
            _ = self.terminate.recv() => "SIGTERM",
        }
    }
}
// ANCHOR_END: signals

// ANCHOR: main
/// `chat-server [ADDRESS] [DATABASE]`
#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let mut args = std::env::args().skip(1);
    let address = args.next().unwrap_or_else(|| "127.0.0.1:3000".into());
    let database = PathBuf::from(args.next().unwrap_or("chat.db".into()));
    if let Some(extra) = args.next() {
        anyhow::bail!("unexpected argument {extra:?}: ADDRESS DATABASE only");
    }
    let mut signals = StopSignals::listen()?;
    let listener = TcpListener::bind(&address)
        .await
        .with_context(|| format!("binding {address}"))?;
    println!("chat on http://{}/", listener.local_addr()?);

    let shutdown = CancellationToken::new();
    let stop = shutdown.clone();
    tokio::spawn(async move {
        let which = signals.next().await;
        println!("{which}: closing every socket");
        stop.cancel();
    });
    chat_server::run(listener, database, shutdown).await?;
    println!("every socket is closed and every message saved; goodbye");
    Ok(())
}
// ANCHOR_END: main
