// The book tool as a reader uses it: `--help`, a port that is taken, and serving with live
// reload (a change to a chapter rebuilds the book and tells open pages to reload).

use std::fs;
use std::io::{Read as _, Write as _};
use std::net::TcpStream;
use std::process::Command;
use std::time::Duration;

use futures_util::StreamExt as _;
use tokio_tungstenite::tungstenite::Message;

fn book_tool() -> Command {
    Command::new(env!("CARGO_BIN_EXE_async-book"))
}

#[test]
fn help_explains_the_commands_and_the_port() {
    let output = book_tool().arg("--help").output().unwrap();
    assert!(output.status.success());
    let help = String::from_utf8(output.stdout).unwrap();
    for expected in [
        "--port",
        "cargo run -- build",
        "http://127.0.0.1:PORT",
        "[default: 3000]",
    ] {
        assert!(
            help.contains(expected),
            "--help does not mention {expected}:\n{help}"
        );
    }
}

#[test]
fn a_wrong_argument_is_a_one_line_error() {
    let output = book_tool().args(["--port", "eighty"]).output().unwrap();
    assert!(!output.status.success());
    let stderr = String::from_utf8(output.stderr).unwrap();
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(
        stderr.contains("invalid value 'eighty' for '--port"),
        "{stderr}"
    );
}

#[test]
fn a_port_that_is_taken_is_a_one_line_error_naming_it() {
    let taken = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = taken.local_addr().unwrap().port();
    let output = book_tool()
        .args(["--port", &port.to_string()])
        .output()
        .unwrap();
    assert!(!output.status.success());
    let stderr = String::from_utf8(output.stderr).unwrap();
    assert_eq!(
        stderr.lines().count(),
        1,
        "one line, not a panic:\n{stderr}"
    );
    assert!(
        stderr.contains(&format!("port {port} is already in use")),
        "{stderr}"
    );
    assert!(
        stderr.contains("--port"),
        "it says how to pick another: {stderr}"
    );
    assert!(!stderr.contains("panicked"));
}

fn get(port: u16, path: &str) -> String {
    let mut stream = TcpStream::connect(("127.0.0.1", port)).unwrap();
    write!(stream, "GET {path} HTTP/1.0\r\nHost: localhost\r\n\r\n").unwrap();
    let mut response = String::new();
    stream.read_to_string(&mut response).unwrap();
    response
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn serving_rebuilds_on_change_and_tells_open_pages_to_reload() {
    let book = small_served_book("# Page\n\nFirst version.\n");
    let root = book.path().to_path_buf();

    let listener = async_book::serve::bind(0).await.unwrap();
    let port = listener.local_addr().unwrap().port();
    tokio::spawn(async_book::serve::serve(root.clone(), listener));

    let page = tokio::task::spawn_blocking(move || get(port, "/page.html"))
        .await
        .unwrap();
    assert!(page.lines().next().unwrap().contains(" 200 "), "{page}");
    assert!(page.contains("First version."));
    assert!(
        page.contains("__livereload"),
        "the page opens the live-reload socket"
    );

    let (mut socket, _) =
        tokio_tungstenite::connect_async(format!("ws://127.0.0.1:{port}/__livereload"))
            .await
            .unwrap();
    fs::write(root.join("src/page.md"), "# Page\n\nSecond version.\n").unwrap();
    // A bound, not a timing claim: the rebuild normally takes a fraction of a second.
    let message = tokio::time::timeout(Duration::from_secs(30), socket.next())
        .await
        .expect("no reload message after the change")
        .unwrap()
        .unwrap();
    assert_eq!(message, Message::Text("reload".into()));

    let page = tokio::task::spawn_blocking(move || get(port, "/page.html"))
        .await
        .unwrap();
    assert!(page.contains("Second version."), "{page}");
}

/// The book tool serving a book of its own, run as a reader runs it: the real binary.
struct Server {
    child: std::process::Child,
    port: u16,
    stderr: std::sync::mpsc::Receiver<String>,
}

impl Server {
    fn start(book: &std::path::Path) -> Server {
        use std::io::BufRead as _;
        let mut child = book_tool()
            .args(["--port", "0", "--book"])
            .arg(book)
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        let (stderr_tx, stderr) = std::sync::mpsc::channel();
        let err = child.stderr.take().unwrap();
        std::thread::spawn(move || {
            for line in std::io::BufReader::new(err).lines().map_while(Result::ok) {
                let _ = stderr_tx.send(line);
            }
        });
        let mut out = std::io::BufReader::new(child.stdout.take().unwrap());
        let mut line = String::new();
        let port = loop {
            line.clear();
            assert!(out.read_line(&mut line).unwrap() > 0, "the server exited");
            if let Some(address) = line.trim().strip_prefix("Serving the book on http://") {
                let address = address.split_whitespace().next().unwrap();
                break address.rsplit(':').next().unwrap().parse().unwrap();
            }
        };
        // Keep reading, so that the server never blocks on a full pipe.
        std::thread::spawn(move || std::io::copy(&mut out, &mut std::io::sink()));
        Server {
            child,
            port,
            stderr,
        }
    }

    /// Waits (with a bound, not a timing claim) for a line on stderr that contains `text`.
    fn wait_for_stderr(&self, text: &str) {
        let deadline = std::time::Instant::now() + Duration::from_secs(60);
        loop {
            let left = deadline.saturating_duration_since(std::time::Instant::now());
            let line = self
                .stderr
                .recv_timeout(left)
                .unwrap_or_else(|_| panic!("the server never said `{text}`"));
            if line.contains(text) {
                return;
            }
        }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        // Ctrl-C, so that the server removes its builds.
        let _ = Command::new("kill")
            .args(["-INT", &self.child.id().to_string()])
            .status();
        let _ = self.child.wait();
    }
}

fn small_served_book(page: &str) -> tempfile::TempDir {
    let book = tempfile::tempdir().unwrap();
    let root = book.path();
    fs::create_dir_all(root.join("src")).unwrap();
    fs::write(root.join("book.toml"), "[book]\ntitle = \"Served\"\n").unwrap();
    fs::write(
        root.join("src/SUMMARY.md"),
        "# Summary\n\n- [Page](page.md)\n",
    )
    .unwrap();
    fs::write(root.join("src/page.md"), page).unwrap();
    book
}

const BROKEN: &str = "# Page\n\n```rust\n{{#include missing.rs}}\n```\n";

#[test]
fn a_broken_edit_never_replaces_the_good_pages_being_served() {
    let book = small_served_book("# Page\n\nFirst version.\n");
    let server = Server::start(book.path());
    let page = get(server.port, "/page.html");
    assert!(page.contains("First version."), "{page}");

    fs::write(book.path().join("src/page.md"), BROKEN).unwrap();
    server.wait_for_stderr("still serving the last good build");
    let page = get(server.port, "/page.html");
    assert!(page.lines().next().unwrap().contains(" 200 "), "{page}");
    assert!(page.contains("First version."), "{page}");
    assert!(
        !page.contains("{{#include"),
        "a broken page was served:\n{page}"
    );
}

#[test]
fn before_the_first_good_build_every_page_shows_the_problems() {
    let book = small_served_book(BROKEN);
    let server = Server::start(book.path());
    let page = get(server.port, "/page.html");
    assert!(page.lines().next().unwrap().contains(" 503 "), "{page}");
    assert!(page.contains("The book has problems"), "{page}");
    assert!(page.contains("missing.rs does not exist"), "{page}");
    assert!(page.contains("__livereload"), "the page reloads once fixed");

    fs::write(book.path().join("src/page.md"), "# Page\n\nFixed.\n").unwrap();
    // A bound, not a timing claim: the rebuild normally takes a fraction of a second.
    let deadline = std::time::Instant::now() + Duration::from_secs(60);
    loop {
        let page = get(server.port, "/page.html");
        if page.contains("Fixed.") {
            assert!(page.lines().next().unwrap().contains(" 200 "), "{page}");
            break;
        }
        assert!(std::time::Instant::now() < deadline, "never fixed:\n{page}");
        std::thread::sleep(Duration::from_millis(50));
    }
}

#[test]
fn a_missing_page_gets_the_books_own_404_page() {
    let book = small_served_book("# Page\n\nHere.\n");
    let server = Server::start(book.path());
    let page = get(server.port, "/no-such-page.html");
    assert!(page.lines().next().unwrap().contains(" 404 "), "{page}");
    assert!(page.contains("Document not found (404)"), "{page}");
    assert!(
        page.contains("<title>Page not found - Served</title>"),
        "the book's own page, with its title, sidebar and styles:\n{page}"
    );
}

fn get_bytes(port: u16, path: &str) -> Vec<u8> {
    let mut stream = TcpStream::connect(("127.0.0.1", port)).unwrap();
    write!(stream, "GET {path} HTTP/1.0\r\nHost: localhost\r\n\r\n").unwrap();
    let mut response = Vec::new();
    stream.read_to_end(&mut response).unwrap();
    let end = response
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .expect("an HTTP response");
    let status = String::from_utf8_lossy(&response[..end]).into_owned();
    assert!(
        status.lines().next().unwrap().contains(" 200 "),
        "{path}: {status}"
    );
    response.split_off(end + 4)
}

/// A book of one chapter that shows one listing of the real book, with the workspace's lock
/// file beside it: what the site makes of a listing, without building the whole book.
fn book_with_one_listing() -> tempfile::TempDir {
    let book = tempfile::tempdir().unwrap();
    let root = book.path();
    let real = async_book::root();
    fs::create_dir_all(root.join("src/part2")).unwrap();
    fs::write(
        root.join("book.toml"),
        "[book]\ntitle = \"Served\"\n\n[preprocessor.async-book]\n\
         command = \"async-book preprocessor\"\nbefore = [\"links\"]\n",
    )
    .unwrap();
    fs::write(
        root.join("src/SUMMARY.md"),
        "# Summary\n\n- [Start](start.md)\n- [Coffee](part2/coffee.md)\n",
    )
    .unwrap();
    fs::write(
        root.join("src/start.md"),
        "# Start\n\nThe listing is next.\n",
    )
    .unwrap();
    fs::write(
        root.join("src/part2/coffee.md"),
        "# Coffee\n\n{{#listing ../../listings/part2/coffee-join/src/main.rs:breakfast \
         caption=\"Both steps joined\" output}}\n",
    )
    .unwrap();
    crate::listings::copy_listing(
        &real.join("listings/part2/coffee-join"),
        &root.join("listings/part2/coffee-join"),
    );
    fs::copy(real.join("Cargo.lock"), root.join("Cargo.lock")).unwrap();
    book
}

#[test]
fn a_listing_downloaded_from_the_site_builds_where_it_is_unpacked() {
    let book = book_with_one_listing();
    let server = Server::start(book.path());
    let page = get(server.port, "/listings/part2/coffee-join/index.html");
    assert!(
        page.contains("coffee-join: the whole listing crate"),
        "{page}"
    );
    assert!(
        page.contains("async fn make_breakfast()"),
        "the page shows main.rs"
    );
    assert!(page.contains("[dependencies]"), "the page shows Cargo.toml");
    let chapter = get(server.port, "/part2/coffee.html");
    assert!(
        chapter.contains("href=\"../listings/part2/coffee-join.tar.gz\" download"),
        "the figure links to the download"
    );

    let archive = get_bytes(server.port, "/listings/part2/coffee-join.tar.gz");
    let unpacked = tempfile::tempdir().unwrap();
    fs::write(unpacked.path().join("coffee-join.tar.gz"), archive).unwrap();
    // The archive's files carry the time 0 (so that it is the same from build to build): `-m`
    // gives them the time of unpacking, or cargo would take its last build of the crate, from an
    // earlier run of this test, for a build of these files and compile nothing.
    let untar = Command::new("tar")
        .args(["-xmzf", "coffee-join.tar.gz"])
        .current_dir(unpacked.path())
        .status()
        .unwrap();
    assert!(untar.success());
    let folder = unpacked.path().join("coffee-join");
    assert!(
        folder.join("Cargo.lock").exists(),
        "the tested versions come along"
    );
    let build = crate::listings::cargo_in_workspace_target()
        .args(["build", "--quiet", "--offline"])
        .current_dir(&folder)
        .output()
        .unwrap();
    assert!(
        build.status.success(),
        "the unpacked crate does not build:\n{}",
        String::from_utf8_lossy(&build.stderr)
    );
}
