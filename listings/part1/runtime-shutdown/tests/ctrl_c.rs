//! Runs the real program, stops it with real signals while jobs are in
//! flight (Ctrl-C is SIGINT; `kill`, systemd and Docker send SIGTERM), and
//! checks that it shuts down in order, finishing every job it started; and
//! that a second signal makes it give up on them and exit with failure.
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
    fn start() -> Program {
        let mut child = Command::new(env!("CARGO_BIN_EXE_runtime-shutdown"))
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

    /// Reads output until a line starting with `wanted` has been printed.
    fn wait_for(&mut self, wanted: &str) {
        while !self.printed.iter().any(|l| l.starts_with(wanted)) {
            match self.lines.recv_timeout(Duration::from_secs(10)) {
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
        while let Ok(line) = self.lines.recv_timeout(Duration::from_secs(10)) {
            self.printed.push(line);
        }
        self.child.wait().unwrap()
    }

    fn count(&self, suffix: &str) -> usize {
        self.printed.iter().filter(|l| l.ends_with(suffix)).count()
    }
}

/// Job 2 has started while job 1 is still running: there is work in flight.
fn started_with_work_in_flight() -> Program {
    let mut program = Program::start();
    program.wait_for("job 2: started");
    program
}

fn stops_in_order_finishing_started_jobs(signal: &str) {
    let mut program = started_with_work_in_flight();
    program.send(signal);
    let status = program.finish();
    let printed = &program.printed;
    assert!(
        status.success(),
        "exit status {status}; printed {printed:#?}"
    );

    let position = |wanted: &str| {
        printed
            .iter()
            .position(|l| l.starts_with(wanted))
            .unwrap_or_else(|| panic!("no {wanted:?} in {printed:#?}"))
    };
    let steps = [
        position("shutdown 1/3"),
        position("shutdown 2/3"),
        position("shutdown 3/3: every job finished"),
        position("goodbye"),
    ];
    assert!(steps.is_sorted(), "steps out of order: {printed:#?}");

    let started = program.count(": started");
    let done = program.count(": done");
    let failed = program.count(": its input is missing");
    assert!(started >= 2);
    assert_eq!(started, done + failed, "a job was lost: {printed:#?}");
    let last_start = printed.iter().rposition(|l| l.ends_with(": started"));
    assert!(
        last_start.unwrap() < steps[0],
        "a job started after the signal: {printed:#?}"
    );
    assert_eq!(
        printed[steps[3]],
        format!("goodbye: {done} job(s) done, {failed} failed, 0 abandoned")
    );
}

#[test]
fn ctrl_c_stops_new_jobs_finishes_the_started_ones_and_exits_cleanly() {
    stops_in_order_finishing_started_jobs("-INT");
}

#[test]
fn sigterm_does_the_same() {
    stops_in_order_finishing_started_jobs("-TERM");
}

#[test]
fn a_second_signal_abandons_the_jobs_in_flight_and_exits_with_failure() {
    let mut program = started_with_work_in_flight();
    program.send("-INT");
    program.wait_for("shutdown 2/3");
    program.send("-TERM");
    let status = program.finish();
    let printed = &program.printed;
    assert_eq!(status.code(), Some(1), "printed {printed:#?}");
    assert!(printed.iter().any(|l| l == "shutdown 3/3: second signal"));
    let abandoned = program.count(": started")
        - program.count(": done")
        - program.count(": its input is missing");
    assert!(abandoned >= 1, "printed {printed:#?}");
    let goodbye = printed.iter().find(|l| l.starts_with("goodbye")).unwrap();
    assert!(
        goodbye.ends_with(&format!(", {abandoned} abandoned")),
        "printed {printed:#?}"
    );
}
