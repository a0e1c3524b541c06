//! Runs the real program and stops it with real signals: SIGTERM, and
//! Ctrl-C (SIGINT) twice.
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
        let mut child = Command::new(env!("CARGO_BIN_EXE_cancel-shutdown"))
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

#[test]
fn sigterm_lets_started_jobs_finish_and_exits_cleanly() {
    let mut program = Program::start();
    program.wait_for("worker 2: job 1 started");
    program.send("-TERM");
    let status = program.finish();
    assert!(status.success(), "{status}; printed {:#?}", program.printed);
    let printed = &program.printed;
    assert!(printed.iter().any(|l| l.starts_with("SIGTERM: finishing")));
    assert_eq!(program.count(" started"), program.count(" done"));
    assert_eq!(printed.last().unwrap(), "every worker stopped; goodbye");
}

#[test]
fn a_second_ctrl_c_exits_at_once_with_failure() {
    let mut program = Program::start();
    program.wait_for("worker 2: job 1 started");
    program.send("-INT");
    program.wait_for("Ctrl-C: finishing");
    program.send("-INT");
    let status = program.finish();
    assert_eq!(status.code(), Some(1), "printed {:#?}", program.printed);
    let printed = &program.printed;
    assert!(
        printed
            .iter()
            .any(|l| l.contains("second signal, 2 task(s)")),
        "printed {printed:#?}"
    );
    // Forced out while both jobs were still running.
    assert_eq!(program.count(" done"), 0, "printed {printed:#?}");
}
