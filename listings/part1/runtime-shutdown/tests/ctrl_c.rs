//! Runs the real program, presses "Ctrl-C" (sends SIGINT) while jobs are in flight, and checks
//! that it shuts down in order, finishing every job it started, and exits successfully.
#![cfg(unix)]

use std::io::{BufRead as _, BufReader};
use std::process::{Command, Stdio};
use std::sync::mpsc;
use std::thread;
use std::time::Duration;

#[test]
fn ctrl_c_stops_new_jobs_finishes_the_started_ones_and_exits_cleanly() {
    let mut program = Command::new(env!("CARGO_BIN_EXE_runtime-shutdown"))
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let stdout = BufReader::new(program.stdout.take().unwrap());
    let (lines_tx, lines) = mpsc::channel();
    thread::spawn(move || {
        for line in stdout.lines() {
            if lines_tx.send(line.unwrap()).is_err() {
                break;
            }
        }
    });
    let next_line = || lines.recv_timeout(Duration::from_secs(10));

    // Ready once job 2 has started: job 1 is still running then, so there is work in flight.
    let mut printed = Vec::new();
    while !printed.iter().any(|l: &String| l == "job 2: started") {
        match next_line() {
            Ok(line) => printed.push(line),
            Err(_) => {
                program.kill().unwrap();
                panic!(
                    "the program never got to job 2; it printed {printed:#?}"
                );
            }
        }
    }
    let interrupted = Command::new("kill")
        .args(["-INT", &program.id().to_string()])
        .status()
        .unwrap();
    assert!(interrupted.success());
    while let Ok(line) = next_line() {
        printed.push(line);
    }
    let status = program.wait().unwrap();
    assert!(
        status.success(),
        "exit status {status}; printed {printed:#?}"
    );

    let position = |wanted: &str| {
        printed
            .iter()
            .position(|l| l.starts_with(wanted))
            .unwrap_or_else(|| {
                panic!("no line starting {wanted:?} in {printed:#?}")
            })
    };
    let steps = [
        position("shutdown 1/3"),
        position("shutdown 2/3"),
        position("shutdown 3/3"),
        position("goodbye"),
    ];
    assert!(steps.is_sorted(), "steps out of order: {printed:#?}");

    let started: Vec<_> = printed
        .iter()
        .filter(|l| l.ends_with(": started"))
        .collect();
    let done: Vec<_> =
        printed.iter().filter(|l| l.ends_with(": done")).collect();
    assert!(started.len() >= 2);
    assert_eq!(
        started.len(),
        done.len(),
        "a started job was lost: {printed:#?}"
    );
    let last_start = printed
        .iter()
        .rposition(|l| l.ends_with(": started"))
        .unwrap();
    let last_done =
        printed.iter().rposition(|l| l.ends_with(": done")).unwrap();
    assert!(
        last_start < steps[0],
        "a job started after Ctrl-C: {printed:#?}"
    );
    assert!(
        last_done < steps[2],
        "step 3 came before a job was done: {printed:#?}"
    );
    assert_eq!(
        printed[steps[3]],
        format!("goodbye: {} job(s) done", started.len())
    );
}
