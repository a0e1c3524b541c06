//! Runs the real server, talks to it with real WebSocket clients on
//! loopback, and stops it with real signals.
#![cfg(unix)]

use std::io::{BufRead as _, BufReader};
use std::path::Path;
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::mpsc;
use std::thread;
use std::time::Duration;

use futures_util::{SinkExt, StreamExt};
use serde_json::{Value, json};
use tokio_tungstenite::{connect_async, tungstenite::Message};

struct Program {
    child: Child,
    lines: mpsc::Receiver<String>,
    printed: Vec<String>,
}

impl Program {
    fn start(args: &[&str]) -> Program {
        let mut child = Command::new(env!("CARGO_BIN_EXE_chat-server"))
            .args(args)
            .env_remove("RUST_BACKTRACE")
            .env_remove("RUST_LIB_BACKTRACE")
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let (lines_tx, lines) = mpsc::channel();
        for output in [
            Box::new(child.stdout.take().unwrap())
                as Box<dyn std::io::Read + Send>,
            Box::new(child.stderr.take().unwrap()),
        ] {
            let lines_tx = lines_tx.clone();
            thread::spawn(move || {
                for line in BufReader::new(output).lines() {
                    if lines_tx.send(line.unwrap()).is_err() {
                        break;
                    }
                }
            });
        }
        Program {
            child,
            lines,
            printed: Vec::new(),
        }
    }

    fn serving(database: &Path) -> (Program, String) {
        let database = database.to_str().unwrap();
        let mut program = Program::start(&["127.0.0.1:0", database]);
        let line = program.wait_for("chat on http://");
        let address = line["chat on http://".len()..].trim_end_matches('/');
        let url = format!("ws://{address}/chat");
        (program, url)
    }

    fn wait_for(&mut self, wanted: &str) -> String {
        loop {
            if let Some(line) =
                self.printed.iter().find(|l| l.starts_with(wanted))
            {
                return line.clone();
            }
            match self.lines.recv_timeout(Duration::from_secs(20)) {
                Ok(line) => self.printed.push(line),
                Err(_) => {
                    self.child.kill().unwrap();
                    panic!("no {wanted:?}; printed {:#?}", self.printed);
                }
            }
        }
    }

    fn send(&self, signal: &str) {
        let sent = Command::new("kill")
            .args([signal, &self.child.id().to_string()])
            .status()
            .unwrap();
        assert!(sent.success());
    }

    fn finish(&mut self) -> ExitStatus {
        while let Ok(line) = self.lines.recv_timeout(Duration::from_secs(20)) {
            self.printed.push(line);
        }
        self.child.wait().unwrap()
    }
}

type Client = tokio_tungstenite::WebSocketStream<
    tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>,
>;

async fn next(client: &mut Client) -> Message {
    loop {
        let frame =
            tokio::time::timeout(Duration::from_secs(20), client.next())
                .await
                .expect("nothing in time")
                .expect("the socket ended")
                .expect("a WebSocket error");
        if !matches!(frame, Message::Ping(_) | Message::Pong(_)) {
            return frame;
        }
    }
}

async fn event(client: &mut Client) -> Value {
    match next(client).await {
        Message::Text(text) => serde_json::from_str(&text).unwrap(),
        other => panic!("expected text, got {other:?}"),
    }
}

async fn request(client: &mut Client, body: Value) -> Value {
    client.send(Message::text(body.to_string())).await.unwrap();
    event(client).await
}

/// Logs in as ada and joins the lobby; returns the lobby's history.
async fn ada_in_the_lobby(url: &str) -> (Client, Value) {
    let mut ada = connect_async(url).await.unwrap().0;
    let login = json!({"type": "login", "name": "ada", "password": "pw"});
    assert_eq!(request(&mut ada, login).await["type"], "welcome");
    let history =
        request(&mut ada, json!({"type": "join", "room": "lobby"})).await;
    assert_eq!(event(&mut ada).await["type"], "joined");
    (ada, history)
}

#[tokio::test]
async fn sigterm_closes_every_socket_and_a_restart_has_the_history() {
    let dir = tempfile::tempdir().unwrap();
    let database = dir.path().join("chat.db");
    let (mut program, url) = Program::serving(&database);
    let (mut ada, _) = ada_in_the_lobby(&url).await;
    let say = json!({"type": "say", "room": "lobby", "text": "see you"});
    assert_eq!(request(&mut ada, say).await["text"], "see you");

    program.send("-TERM");
    match next(&mut ada).await {
        Message::Close(Some(frame)) => {
            assert_eq!(u16::from(frame.code), 1001);
            assert_eq!(frame.reason.as_str(), "the server is shutting down");
        }
        other => panic!("expected a Close frame, got {other:?}"),
    }
    let status = program.finish();
    assert!(status.success(), "{status}; printed {:#?}", program.printed);
    assert_eq!(
        program.printed[1..],
        [
            "SIGTERM: closing every socket",
            "every socket is closed and every message saved; goodbye",
        ]
    );

    // The same file, a new process: the message is in the history.
    let (mut program, url) = Program::serving(&database);
    let (_ada, history) = ada_in_the_lobby(&url).await;
    assert_eq!(history["messages"][0]["text"], "see you");
    program.send("-INT");
    assert!(program.finish().success());
    assert_eq!(program.printed[1], "Ctrl-C: closing every socket");
}

#[tokio::test]
async fn the_page_is_served_at_the_root() {
    let dir = tempfile::tempdir().unwrap();
    let (mut program, url) = Program::serving(&dir.path().join("c.db"));
    let address = url.trim_start_matches("ws://").trim_end_matches("/chat");
    let mut stream = tokio::net::TcpStream::connect(address).await.unwrap();
    let ask = format!(
        "GET / HTTP/1.1\r\nHost: {address}\r\nConnection: close\r\n\r\n"
    );
    tokio::io::AsyncWriteExt::write_all(&mut stream, ask.as_bytes())
        .await
        .unwrap();
    let mut answer = String::new();
    tokio::io::AsyncReadExt::read_to_string(&mut stream, &mut answer)
        .await
        .unwrap();
    assert!(answer.starts_with("HTTP/1.1 200 OK"), "{answer}");
    assert!(answer.contains("content-type: text/html; charset=utf-8"));
    assert!(answer.contains("new WebSocket(`ws://${location.host}/chat`)"));
    program.send("-TERM");
    assert!(program.finish().success());
}

#[test]
fn a_database_that_cannot_be_opened_is_a_clear_error() {
    let mut program =
        Program::start(&["127.0.0.1:0", "/no/such/folder/chat.db"]);
    let status = program.finish();
    assert_eq!(status.code(), Some(1));
    // The address goes to stdout and the error to stderr, read by two
    // threads: the error's lines keep their order, but not against stdout.
    let (address, error): (Vec<_>, Vec<_>) = program
        .printed
        .iter()
        .partition(|line| line.starts_with("chat on http://"));
    assert_eq!(address.len(), 1, "{:#?}", program.printed);
    assert_eq!(
        error,
        [
            "Error: opening the database /no/such/folder/chat.db",
            "",
            "Caused by:",
            "    0: unable to open database file: /no/such/folder/chat.db",
            "    1: Error code 14: unable to open database file",
        ]
    );
}

#[test]
fn an_extra_argument_is_refused() {
    let mut program = Program::start(&["127.0.0.1:0", "c.db", "more"]);
    let status = program.finish();
    assert_eq!(status.code(), Some(1));
    assert_eq!(
        program.printed,
        ["Error: unexpected argument \"more\": ADDRESS DATABASE only"]
    );
}
