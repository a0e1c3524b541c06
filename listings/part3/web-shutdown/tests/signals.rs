//! Runs the real server, sends it real requests on loopback, and stops it
//! with real signals.
#![cfg(unix)]

use std::io::{BufRead as _, BufReader};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::mpsc;
use std::thread;
use std::time::Duration;

struct Program {
    child: Child,
    lines: mpsc::Receiver<String>,
    printed: Vec<String>,
}

impl Program {
    fn start(args: &[&str]) -> Program {
        let mut child = Command::new(env!("CARGO_BIN_EXE_web-shutdown"))
            .args(args)
            // Backtraces would add lines to the error output.
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

    /// Reads output until a line starting with `wanted`, and returns it.
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

    /// The address from "listening on http://127.0.0.1:PORT".
    fn address(&mut self) -> String {
        let line = self.wait_for("listening on http://");
        line.trim_start_matches("listening on http://").to_string()
    }

    fn send(&self, signal: &str) {
        let sent = Command::new("kill")
            .args([signal, &self.child.id().to_string()])
            .status()
            .unwrap();
        assert!(sent.success());
    }

    /// Waits for the program to exit (both pipes closed), and its status.
    fn finish(&mut self) -> ExitStatus {
        while let Ok(line) = self.lines.recv_timeout(Duration::from_secs(20)) {
            self.printed.push(line);
        }
        self.child.wait().unwrap()
    }
}

/// Until the listener is closed, connecting succeeds; then it is refused.
/// A connection that the kernel had queued for the listener when it closed
/// is reset instead: that is the closing itself, so look again.
async fn wait_until_refused(address: &str) {
    for _ in 0..200 {
        match tokio::net::TcpStream::connect(address).await {
            Ok(_) => tokio::time::sleep(Duration::from_millis(10)).await,
            Err(err) if err.kind() == std::io::ErrorKind::ConnectionReset => {
                tokio::time::sleep(Duration::from_millis(10)).await;
            }
            Err(err) => {
                assert_eq!(err.kind(), std::io::ErrorKind::ConnectionRefused);
                return;
            }
        }
    }
    panic!("{address} still accepts connections after the signal");
}

#[tokio::test]
async fn sigterm_finishes_requests_in_flight_and_refuses_new_ones() {
    let mut program = Program::start(&["127.0.0.1:0", "10"]);
    let address = program.address();
    let client = reqwest::Client::new();
    // A client that made a request and keeps its connection open, idle.
    let idle = reqwest::Client::new();
    let answer = idle.get(format!("http://{address}/work?ms=0")).send();
    assert_eq!(answer.await.unwrap().status(), 200);

    let in_flight = tokio::spawn(
        client.get(format!("http://{address}/work?ms=1500")).send(),
    );
    // Gives the server time to read the request before the signal.
    tokio::time::sleep(Duration::from_millis(300)).await;
    program.send("-TERM");
    program.wait_for("SIGTERM: finishing requests in flight");
    wait_until_refused(&address).await;

    let response = in_flight.await.unwrap().unwrap();
    assert_eq!(response.status(), 200);
    assert_eq!(response.text().await.unwrap(), "worked 1500 ms\n");
    let status = program.finish();
    assert!(status.success(), "{status}; printed {:#?}", program.printed);
    assert_eq!(
        program.printed.last().unwrap(),
        "every request finished; goodbye"
    );
    drop(idle);
}

#[tokio::test]
async fn ctrl_c_with_nothing_in_flight_stops_at_once() {
    let mut program = Program::start(&["127.0.0.1:0"]);
    let address = program.address();
    let answer = reqwest::get(format!("http://{address}/work?ms=0")).await;
    assert_eq!(answer.unwrap().text().await.unwrap(), "worked 0 ms\n");
    program.send("-INT");
    let status = program.finish();
    assert!(status.success(), "{status}; printed {:#?}", program.printed);
    assert_eq!(
        program.printed,
        [
            format!("listening on http://{address}"),
            "Ctrl-C: finishing requests in flight (at most 10s)".to_string(),
            "every request finished; goodbye".to_string(),
        ]
    );
}

#[tokio::test]
async fn the_deadline_stops_a_request_that_takes_too_long() {
    let mut program = Program::start(&["127.0.0.1:0", "1"]);
    let address = program.address();
    let in_flight = tokio::spawn(
        reqwest::Client::new()
            .get(format!("http://{address}/work?ms=60000"))
            .send(),
    );
    tokio::time::sleep(Duration::from_millis(300)).await;
    program.send("-TERM");
    let status = program.finish();
    assert_eq!(status.code(), Some(1), "printed {:#?}", program.printed);
    assert_eq!(
        program.printed.last().unwrap(),
        "Error: deadline passed; stopping anyway"
    );
    // The request never got its answer: the connection closed under it.
    assert!(in_flight.await.unwrap().is_err());
}

#[test]
fn a_deadline_that_is_not_a_number_is_a_clear_error() {
    let mut program = Program::start(&["127.0.0.1:0", "soon"]);
    let status = program.finish();
    assert_eq!(status.code(), Some(1));
    assert_eq!(
        program.printed,
        [
            "Error: the deadline is whole seconds, not \"soon\"",
            "",
            "Caused by:",
            "    invalid digit found in string",
        ]
    );
}
