//! Serving the book while it is written: build, serve over HTTP, watch the sources, rebuild
//! on change, and tell open pages to reload.

use std::io;
use std::path::{Path, PathBuf};
use std::sync::mpsc as std_mpsc;
use std::time::Duration;

use anyhow::{Context as _, bail};
use axum::Router;
use axum::extract::State;
use axum::extract::ws::{Message, WebSocket, WebSocketUpgrade};
use axum::response::Response;
use axum::routing::get;
use notify::{RecursiveMode, Watcher};
use tokio::net::TcpListener;
use tokio::sync::broadcast;
use tower_http::services::ServeDir;

use crate::book::{self, Options};

/// The path pages open a WebSocket to; mdBook's page script reloads on the text "reload".
const LIVE_RELOAD: &str = "__livereload";

/// What the book is built from: a change to any of these rebuilds it.
pub const WATCHED: [&str; 4] = ["src", "listings", "theme", "book.toml"];

/// Binds the port first, so that a taken port is reported before any work is done.
pub async fn bind(port: u16) -> anyhow::Result<TcpListener> {
    match TcpListener::bind(("127.0.0.1", port)).await {
        Ok(listener) => Ok(listener),
        Err(error) if error.kind() == io::ErrorKind::AddrInUse => bail!(
            "port {port} is already in use (is the book already being served?); \
             pick another with `cargo run -- --port {}`",
            port.wrapping_add(1)
        ),
        Err(error) => Err(error).with_context(|| format!("cannot listen on port {port}")),
    }
}

/// Builds the book at `root` into a temporary folder, serves it on `listener` and rebuilds it
/// whenever a watched file changes, until Ctrl-C.
pub async fn serve(root: PathBuf, listener: TcpListener) -> anyhow::Result<()> {
    let site = tempfile::Builder::new()
        .prefix("async-book-serve")
        .tempdir()
        .context("cannot create a folder for the served site")?;
    let options = Options {
        live_reload_endpoint: Some(LIVE_RELOAD.to_string()),
        output: Some(site.path().to_path_buf()),
    };
    rebuild(&root, &options);

    let (reload_tx, _) = broadcast::channel::<()>(16);
    let watcher = watch(root.clone(), options, reload_tx.clone())?;

    let app = Router::new()
        .route(&format!("/{LIVE_RELOAD}"), get(live_reload))
        .with_state(reload_tx)
        .fallback_service(ServeDir::new(site.path()));
    let address = listener.local_addr()?;
    println!("Serving the book on http://{address} (Ctrl-C to stop)");
    axum::serve(listener, app)
        .with_graceful_shutdown(async {
            // If the signal handler cannot be installed, serve until the process is killed.
            if tokio::signal::ctrl_c().await.is_err() {
                std::future::pending::<()>().await;
            }
        })
        .await
        .context("the server stopped")?;
    drop(watcher);
    println!("Stopped.");
    Ok(())
}

/// Builds, and reports the outcome on the terminal. Returns true when the build is clean.
fn rebuild(root: &Path, options: &Options) -> bool {
    match book::build(root, options) {
        Ok(built) => {
            println!("Built the book in {:.2?}", built.took);
            true
        }
        Err(error) => {
            eprintln!("The book has problems (still serving the last good build):\n{error:#}");
            false
        }
    }
}

fn watch(
    root: PathBuf,
    options: Options,
    reload_tx: broadcast::Sender<()>,
) -> anyhow::Result<notify::RecommendedWatcher> {
    let (changed_tx, changed_rx) = std_mpsc::channel();
    let mut watcher = notify::recommended_watcher(move |event: notify::Result<notify::Event>| {
        if let Ok(event) = event
            && !event.kind.is_access()
        {
            let _ = changed_tx.send(());
        }
    })
    .context("cannot watch the book's sources")?;
    for name in WATCHED {
        let path = root.join(name);
        if path.exists() {
            watcher
                .watch(&path, RecursiveMode::Recursive)
                .with_context(|| format!("cannot watch {}", path.display()))?;
        }
    }
    // Building is synchronous work, so it runs on a thread of its own, not on the runtime.
    std::thread::spawn(move || {
        while changed_rx.recv().is_ok() {
            // An editor's save is often several events: wait until they stop, then build once.
            while changed_rx.recv_timeout(Duration::from_millis(30)).is_ok() {}
            if rebuild(&root, &options) {
                let _ = reload_tx.send(());
            }
        }
    });
    Ok(watcher)
}

async fn live_reload(
    upgrade: WebSocketUpgrade,
    State(reload_tx): State<broadcast::Sender<()>>,
) -> Response {
    let mut reloads = reload_tx.subscribe();
    upgrade.on_upgrade(move |mut socket: WebSocket| async move {
        if reloads.recv().await.is_ok() {
            let _ = socket.send(Message::Text("reload".into())).await;
        }
    })
}
