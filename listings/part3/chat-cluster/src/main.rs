use anyhow::Context;
use chat_cluster::Storage;
use tokio::net::TcpListener;
use tokio::signal::unix::{Signal, SignalKind, signal};
use tokio_util::sync::CancellationToken;

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

// ANCHOR: arguments
/// `chat-cluster [ADDRESS] [DATABASE] [--redis URL]`
fn arguments() -> anyhow::Result<(String, Storage)> {
    let mut words = Vec::new();
    let mut redis = None;
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--redis" => {
                let url = args.next().context("--redis needs a URL")?;
                redis = Some(url);
            }
            option if option.starts_with("--") => {
                anyhow::bail!("unknown option {option:?}: --redis URL only");
            }
            _ => words.push(arg),
        }
    }
    let mut words = words.into_iter();
    let address = words.next().unwrap_or_else(|| "127.0.0.1:3000".into());
    let database = words.next();
    if let Some(extra) = words.next() {
        anyhow::bail!("unexpected argument {extra:?}: ADDRESS DATABASE only");
    }
    let storage = match (database, redis) {
        (Some(_), Some(_)) => {
            // Servers that share a Redis keep nothing in a file.
            anyhow::bail!("a DATABASE or --redis URL, not both")
        }
        (None, Some(url)) => Storage::Redis(url),
        (database, None) => {
            Storage::File(database.unwrap_or_else(|| "chat.db".into()).into())
        }
    };
    Ok((address, storage))
}
// ANCHOR_END: arguments

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let (address, storage) = arguments()?;
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
    chat_cluster::run(listener, storage, shutdown).await?;
    println!("every socket is closed and every message saved; goodbye");
    Ok(())
}
