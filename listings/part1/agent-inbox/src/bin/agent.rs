//! `agent --server ADDRESS --db FILE [--queue N] [--batch N]
//! [--finish-within SECONDS]`: stores the server's messages until the server
//! closes the connection, or Ctrl-C or SIGTERM; a second signal exits at once.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use agent_inbox::{Settings, Store, agent};
use tokio::signal::unix::{SignalKind, signal};
use tokio_util::sync::CancellationToken;

struct Args {
    server: SocketAddr,
    db: PathBuf,
    settings: Settings,
}

fn parse_args() -> anyhow::Result<Args> {
    let mut server = None;
    let mut db = None;
    let mut settings = Settings::default();
    let mut args = std::env::args().skip(1);
    while let Some(flag) = args.next() {
        let mut value = || {
            args.next()
                .ok_or_else(|| anyhow::anyhow!("{flag} needs a value"))
        };
        match flag.as_str() {
            "--server" => server = Some(value()?.parse()?),
            "--db" => db = Some(PathBuf::from(value()?)),
            "--queue" => settings.queue_capacity = value()?.parse()?,
            "--batch" => settings.batch_max = value()?.parse()?,
            "--finish-within" => {
                let seconds: f64 = value()?.parse()?;
                anyhow::ensure!(
                    seconds >= 0.0,
                    "--finish-within is in seconds"
                );
                settings.finish_within = Duration::from_secs_f64(seconds);
            }
            _ => anyhow::bail!("unknown argument {flag:?}"),
        }
    }
    anyhow::ensure!(
        settings.queue_capacity > 0 && settings.batch_max > 0,
        "sizes must be above 0"
    );
    let usage = "usage: agent --server ADDRESS --db FILE \
                 [--queue N] [--batch N] [--finish-within SECONDS]";
    Ok(Args {
        server: server.ok_or_else(|| anyhow::anyhow!(usage))?,
        db: db.ok_or_else(|| anyhow::anyhow!(usage))?,
        settings,
    })
}

// ANCHOR: main
// ANCHOR: main_setup
#[tokio::main]
async fn main() -> ExitCode {
    let args = match parse_args() {
        Ok(args) => args,
        Err(error) => {
            eprintln!("agent: {error}");
            return ExitCode::from(2);
        }
    };
    // Open the database before connecting: if it cannot be written, we
    // acknowledge nothing.
    let store = match Store::open(&args.db).await {
        Ok(store) => store,
        Err(error) => {
            eprintln!("agent: {error}");
            return ExitCode::FAILURE;
        }
    };
    let stop = CancellationToken::new();
    let force = CancellationToken::new();
    if let Err(error) = watch_signals(stop.clone(), force.clone()) {
        eprintln!("agent: cannot listen for signals: {error}");
        return ExitCode::FAILURE;
    }
    // ANCHOR_END: main_setup
    // ANCHOR: main_run
    let run = agent::run(args.server, &store, args.settings, stop.cancelled());
    let outcome = tokio::select! {
        outcome = run => outcome,
        () = force.cancelled() => {
            // Safe: nothing is acknowledged before it is committed, and a
            // commit cut short by the exit is rolled back by SQLite.
            eprintln!(
                "agent: second signal, exiting now \
                 (unacknowledged messages will be resent)"
            );
            return ExitCode::from(130);
        }
    };
    // Closing waits for the database thread, so every commit is finished when
    // we exit.
    let closed = store.close().await;
    match (outcome, closed) {
        (Ok(report), Ok(())) => {
            eprintln!("agent: stopped ({}): {report}", report.stop);
            ExitCode::SUCCESS
        }
        (Err(error), _) => {
            eprintln!(
                "agent: {error}; stopping \
                 (whatever was not acknowledged will be resent)"
            );
            ExitCode::FAILURE
        }
        (Ok(_), Err(error)) => {
            eprintln!("agent: closing the database failed: {error}");
            ExitCode::FAILURE
        }
    }
}
// ANCHOR_END: main_run
// ANCHOR_END: main

// ANCHOR: signals
/// The first Ctrl-C or SIGTERM cancels `stop`, the second cancels `force`.
/// The listeners are made here, before anything can arrive.
fn watch_signals(
    stop: CancellationToken,
    force: CancellationToken,
) -> std::io::Result<()> {
    let mut interrupt = signal(SignalKind::interrupt())?;
    let mut terminate = signal(SignalKind::terminate())?;
    tokio::spawn(async move {
        for token in [stop, force] {
            tokio::select! {
                _ = interrupt.recv() => {}
                _ = terminate.recv() => {}
            }
            token.cancel();
        }
    });
    Ok(())
}
// ANCHOR_END: signals
