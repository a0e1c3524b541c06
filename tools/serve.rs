//! Serving the book while it is written: build, serve over HTTP, watch the sources, rebuild
//! on change, and tell open pages to reload.

use std::io;
use std::path::{Path, PathBuf};
use std::sync::mpsc as std_mpsc;
use std::sync::{Arc, RwLock};
use std::time::Duration;

use anyhow::{Context as _, bail};
use axum::Router;
use axum::body::Body;
use axum::extract::ws::{Message, WebSocket, WebSocketUpgrade};
use axum::extract::{Request, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse as _, Response};
use axum::routing::get;
use notify::{RecursiveMode, Watcher};
use tokio::net::TcpListener;
use tokio::sync::broadcast;
use tower::ServiceExt as _;
use tower_http::services::{ServeDir, ServeFile};

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

/// What is being served: the last clean build, or, until there is one, the problems that
/// stand in its way.
#[derive(Clone)]
enum Served {
    Site(PathBuf),
    Problems(String),
}

/// The site's state, shared by the server and the thread that rebuilds.
#[derive(Clone)]
struct Site {
    served: Arc<RwLock<Served>>,
    reload_tx: broadcast::Sender<()>,
}

/// Builds the book at `root`, serves it on `listener` and rebuilds it whenever a watched file
/// changes, until Ctrl-C.
///
/// Every build goes into a staging folder of its own, and only a clean build is swapped in:
/// a build with problems never replaces the pages being served. Until the first clean build,
/// every page shows the problems (and reloads once they are fixed).
pub async fn serve(root: PathBuf, listener: TcpListener) -> anyhow::Result<()> {
    let builds = tempfile::Builder::new()
        .prefix("async-book-serve")
        .tempdir()
        .context("cannot create a folder for the served site")?;
    let (reload_tx, _) = broadcast::channel::<()>(16);
    let site = Site {
        served: Arc::new(RwLock::new(Served::Problems(String::new()))),
        reload_tx,
    };
    let mut builder = Builder {
        root: root.clone(),
        builds: builds.path().to_path_buf(),
        count: 0,
        site: site.clone(),
    };
    // The first build is made before the server answers, so that its first pages are the book.
    builder.rebuild();
    let watcher = watch(root, builder)?;

    let app = Router::new()
        .route(&format!("/{LIVE_RELOAD}"), get(live_reload))
        .fallback(serve_page)
        .with_state(site);
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

/// Serves a file of the current build, the book's own 404 page for a path it does not have,
/// or, before the first clean build, the page of problems.
async fn serve_page(State(site): State<Site>, request: Request) -> Response {
    let served = site.served.read().expect("the served site").clone();
    match served {
        Served::Site(dir) => {
            let pages = ServeDir::new(&dir).not_found_service(ServeFile::new(dir.join("404.html")));
            match pages.oneshot(request).await {
                Ok(response) => response.map(Body::new),
                Err(error) => {
                    (StatusCode::INTERNAL_SERVER_ERROR, error.to_string()).into_response()
                }
            }
        }
        Served::Problems(problems) => (
            StatusCode::SERVICE_UNAVAILABLE,
            [(header::CONTENT_TYPE, "text/html; charset=utf-8")],
            problems_page(&problems),
        )
            .into_response(),
    }
}

/// A page that shows why there is no book to serve yet, and reloads when there is.
fn problems_page(problems: &str) -> String {
    let escaped = problems
        .replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;");
    format!(
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head><meta charset=\"utf-8\">\
         <title>The book has problems</title></head>\n<body>\n\
         <h1>The book has problems</h1>\n\
         <p>No clean build of the book exists yet. Fix these, save, and this page reloads:</p>\n\
         <pre>{escaped}</pre>\n\
         <script>new WebSocket(location.origin.replace(/^http/, 'ws') + '/{LIVE_RELOAD}')\
         .onmessage = () => location.reload();</script>\n</body>\n</html>\n"
    )
}

/// Builds into staging folders and swaps clean builds in.
struct Builder {
    root: PathBuf,
    builds: PathBuf,
    count: u32,
    site: Site,
}

impl Builder {
    /// Builds once, reports the outcome on the terminal, and serves the build if it is clean.
    fn rebuild(&mut self) {
        self.count += 1;
        let staging = self.builds.join(format!("build-{}", self.count));
        let options = Options {
            live_reload_endpoint: Some(LIVE_RELOAD.to_string()),
            output: Some(staging.clone()),
        };
        let outcome = book::build(&self.root, &options);
        let mut served = self.site.served.write().expect("the served site");
        match outcome {
            Ok(built) => {
                println!("Built the book in {:.2?}", built.took);
                let previous = std::mem::replace(&mut *served, Served::Site(staging));
                drop(served);
                // A page still loading from the previous build may ask for one more file, so
                // the build before it is the one removed.
                if let Served::Site(previous) = previous {
                    self.remove_builds_older_than(&previous);
                }
            }
            Err(error) => {
                let _ = std::fs::remove_dir_all(&staging);
                if matches!(*served, Served::Site(_)) {
                    eprintln!(
                        "The book has problems (still serving the last good build):\n{error:#}"
                    );
                } else {
                    eprintln!(
                        "The book has problems (no good build yet: its pages show them):\n{error:#}"
                    );
                    *served = Served::Problems(format!("{error:#}"));
                }
            }
        }
        // Open pages reload: to the new build, or to the page of problems.
        let _ = self.site.reload_tx.send(());
    }

    fn remove_builds_older_than(&self, keep: &Path) {
        let Ok(entries) = std::fs::read_dir(&self.builds) else {
            return;
        };
        let current = match &*self.site.served.read().expect("the served site") {
            Served::Site(dir) => dir.clone(),
            Served::Problems(_) => return,
        };
        for entry in entries.flatten() {
            let path = entry.path();
            if path != keep && path != current {
                let _ = std::fs::remove_dir_all(path);
            }
        }
    }
}

fn watch(root: PathBuf, mut builder: Builder) -> anyhow::Result<notify::RecommendedWatcher> {
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
            builder.rebuild();
        }
    });
    Ok(watcher)
}

async fn live_reload(upgrade: WebSocketUpgrade, State(site): State<Site>) -> Response {
    let mut reloads = site.reload_tx.subscribe();
    upgrade.on_upgrade(move |mut socket: WebSocket| async move {
        if reloads.recv().await.is_ok() {
            let _ = socket.send(Message::Text("reload".into())).await;
        }
    })
}
