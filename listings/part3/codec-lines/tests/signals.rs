//! Runs the real server, talks to it over TCP, stops it with Ctrl-C
//! (SIGINT), and checks that it says goodbye and exits promptly.
#![cfg(unix)]

use std::io::{BufRead, BufReader, Write};
use std::net::TcpStream;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

#[test]
fn ctrl_c_says_goodbye_to_clients_and_stops() {
    let mut server = Command::new(env!("CARGO_BIN_EXE_codec-lines"))
        .arg("127.0.0.1:0") // any free port; the server prints which
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut printed = BufReader::new(server.stdout.take().unwrap());
    let mut first = String::new();
    printed.read_line(&mut first).unwrap();
    let addr = first
        .strip_prefix("listening on ")
        .and_then(|rest| rest.split(';').next())
        .unwrap_or_else(|| panic!("unexpected first line {first:?}"));

    let client = TcpStream::connect(addr).unwrap();
    client
        .set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    let mut answers = BufReader::new(client.try_clone().unwrap());
    let mut answer = String::new();
    (&client).write_all(b"UPPER hello\n").unwrap();
    answers.read_line(&mut answer).unwrap();
    assert_eq!(answer, "HELLO\n");

    let status = Command::new("kill")
        .args(["-INT", &server.id().to_string()])
        .status()
        .unwrap();
    assert!(status.success());

    answer.clear();
    answers.read_line(&mut answer).unwrap();
    assert_eq!(answer, "bye: the server is shutting down\n");

    // Promptly: well within ten seconds, or the test kills it and fails.
    let asked = Instant::now();
    let exit = loop {
        if let Some(exit) = server.try_wait().unwrap() {
            break exit;
        }
        if asked.elapsed() > Duration::from_secs(10) {
            server.kill().unwrap();
            panic!("the server did not stop after Ctrl-C");
        }
        std::thread::sleep(Duration::from_millis(10));
    };
    assert!(exit.success(), "{exit}");
    let mut rest = String::new();
    std::io::Read::read_to_string(&mut printed, &mut rest).unwrap();
    assert_eq!(rest, "Ctrl-C: saying goodbye to every client\nstopped\n");
}

#[test]
fn an_address_it_cannot_use_is_a_clear_error() {
    let output = Command::new(env!("CARGO_BIN_EXE_codec-lines"))
        .arg("not an address")
        .output()
        .unwrap();
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains(r#"cannot listen on "not an address""#),
        "{stderr}"
    );
}
