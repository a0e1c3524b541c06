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
        "default 3000",
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
    assert!(stderr.contains("--port needs a number"), "{stderr}");
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
    let book = tempfile::tempdir().unwrap();
    let root = book.path().to_path_buf();
    fs::create_dir_all(root.join("src")).unwrap();
    fs::write(root.join("book.toml"), "[book]\ntitle = \"Served\"\n").unwrap();
    fs::write(
        root.join("src/SUMMARY.md"),
        "# Summary\n\n- [Page](page.md)\n",
    )
    .unwrap();
    fs::write(root.join("src/page.md"), "# Page\n\nFirst version.\n").unwrap();

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
