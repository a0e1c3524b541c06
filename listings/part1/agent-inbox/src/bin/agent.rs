//! `agent --server ADDRESS --db FILE [--queue N] [--batch N]`: stores the server's messages
//! until the server closes the connection or Ctrl-C.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;

use agent_inbox::{Settings, Store, agent};

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
            _ => anyhow::bail!("unknown argument {flag:?}"),
        }
    }
    anyhow::ensure!(
        settings.queue_capacity > 0 && settings.batch_max > 0,
        "sizes must be above 0"
    );
    let usage =
        "usage: agent --server ADDRESS --db FILE [--queue N] [--batch N]";
    Ok(Args {
        server: server.ok_or_else(|| anyhow::anyhow!(usage))?,
        db: db.ok_or_else(|| anyhow::anyhow!(usage))?,
        settings,
    })
}

// ANCHOR: main
#[tokio::main]
async fn main() -> ExitCode {
    let args = match parse_args() {
        Ok(args) => args,
        Err(error) => {
            eprintln!("agent: {error}");
            return ExitCode::from(2);
        }
    };
    // Open the database before connecting: if it cannot be written, we acknowledge nothing.
    let store = match Store::open(&args.db).await {
        Ok(store) => store,
        Err(error) => {
            eprintln!("agent: {error}");
            return ExitCode::FAILURE;
        }
    };
    let ctrl_c = async {
        // If no handler can be installed, never stop on a signal (the server's close still works).
        if tokio::signal::ctrl_c().await.is_err() {
            std::future::pending::<()>().await;
        }
    };
    let outcome = agent::run(args.server, &store, args.settings, ctrl_c).await;
    // Closing waits for the database thread, so every commit is finished when we exit.
    let closed = store.close().await;
    match (outcome, closed) {
        (Ok(report), Ok(())) => {
            eprintln!("agent: stopped ({}): {report}", report.stop);
            ExitCode::SUCCESS
        }
        (Err(error), _) => {
            eprintln!(
                "agent: {error}; stopping (whatever was not acknowledged will be resent)"
            );
            ExitCode::FAILURE
        }
        (Ok(_), Err(error)) => {
            eprintln!("agent: closing the database failed: {error}");
            ExitCode::FAILURE
        }
    }
}
// ANCHOR_END: main
