use std::time::Duration;

use anyhow::{Context, bail};
use axum::Router;
use axum::extract::Query;
use axum::routing::get;
use serde::Deserialize;
use tokio::net::TcpListener;
use tokio::signal::unix::{Signal, SignalKind, signal};
use tokio::sync::oneshot;
use tokio::time::sleep;

#[derive(Deserialize)]
struct Work {
    ms: u64,
}

/// `GET /work?ms=300`: a request that takes a while.
async fn work(Query(work): Query<Work>) -> String {
    sleep(Duration::from_millis(work.ms)).await;
    format!("worked {} ms\n", work.ms)
}

// ANCHOR: signals
/// Ctrl-C and SIGTERM, listened to from the start: a signal that came
/// before we listened would kill the process instead.
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

// ANCHOR: args
/// `web-shutdown [ADDRESS] [DEADLINE_SECONDS]`
fn parse_args() -> anyhow::Result<(String, Duration)> {
    let mut args = std::env::args().skip(1);
    let address = args.next().unwrap_or_else(|| "127.0.0.1:3000".into());
    let deadline = match args.next() {
        None => Duration::from_secs(10),
        Some(secs) => Duration::from_secs(secs.parse().with_context(|| {
            format!("the deadline is whole seconds, not {secs:?}")
        })?),
    };
    Ok((address, deadline))
}
// ANCHOR_END: args

// ANCHOR: main
#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let (address, deadline) = parse_args()?;
    let mut signals = StopSignals::listen()?;
    let app = Router::new().route("/work", get(work));
    let listener = TcpListener::bind(&address)
        .await
        .with_context(|| format!("binding {address}"))?;
    println!("listening on http://{}", listener.local_addr()?);

    let (stopping_tx, stopping_rx) = oneshot::channel();
    let stop = async move {
        let which = signals.next().await;
        println!(
            "{which}: finishing requests in flight (at most {deadline:?})"
        );
        let _ = stopping_tx.send(());
    };
    let server = axum::serve(listener, app).with_graceful_shutdown(stop);
    // The deadline starts when the signal comes, not before.
    let deadline_passed = async move {
        match stopping_rx.await {
            Ok(()) => sleep(deadline).await,
            Err(_) => std::future::pending().await, // the server failed
        }
    };
    tokio::select! {
        served = server.into_future() => served.context("serving")?,
        () = deadline_passed => bail!("deadline passed; stopping anyway"),
    }
    println!("every request finished; goodbye");
    Ok(())
}
// ANCHOR_END: main
