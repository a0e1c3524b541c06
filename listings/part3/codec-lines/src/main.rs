use anyhow::Context;
use tokio::net::TcpListener;
use tokio_util::sync::CancellationToken;

// ANCHOR: main
/// Serves the line protocol on the address given (default
/// 127.0.0.1:7878) until Ctrl-C. Try it with `nc 127.0.0.1 7878`.
#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let addr = std::env::args().nth(1);
    let addr = addr.as_deref().unwrap_or("127.0.0.1:7878");
    let listener = TcpListener::bind(addr)
        .await
        .with_context(|| format!("cannot listen on {addr:?}"))?;
    println!("listening on {}; Ctrl-C stops", listener.local_addr()?);

    let shutdown = CancellationToken::new();
    let server = tokio::spawn(codec_lines::serve(listener, shutdown.clone()));
    tokio::signal::ctrl_c().await?;
    println!("Ctrl-C: saying goodbye to every client");
    shutdown.cancel();
    server.await?;
    println!("stopped");
    Ok(())
}
// ANCHOR_END: main
