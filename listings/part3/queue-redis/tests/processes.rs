//! Runs the real program: worker processes, stopped with real signals or
//! killed, on either broker.
#![cfg(unix)]

mod support;

use std::io::{BufRead as _, BufReader};
use std::process::{Child, Command, Output, Stdio};
use std::sync::mpsc;
use std::thread;
use std::time::Duration;

const PROGRAM: &str = env!("CARGO_BIN_EXE_queue-redis");

/// Where the queue is: a SQLite file in a temporary folder, or a Redis
/// server of the test's own.
enum Queue {
    Sqlite(tempfile::TempDir),
    Redis(support::Redis),
}

impl Queue {
    fn sqlite() -> Queue {
        Queue::Sqlite(tempfile::tempdir().unwrap())
    }

    fn redis() -> Queue {
        Queue::Redis(support::Redis::start())
    }

    fn broker(&self) -> String {
        match self {
            Queue::Sqlite(dir) => {
                format!("sqlite:{}", dir.path().join("q.db").display())
            }
            Queue::Redis(server) => server.url(),
        }
    }

    fn command(&self, args: &[&str]) -> Command {
        let mut command = Command::new(PROGRAM);
        command
            .args(["--broker", &self.broker()])
            .args(args)
            .env_remove("RUST_BACKTRACE")
            .env_remove("RUST_LIB_BACKTRACE");
        command
    }

    /// Runs a command to its end; its output, and whether it succeeded.
    fn run(&self, args: &[&str]) -> (bool, String) {
        let Output {
            status,
            stdout,
            stderr,
        } = self.command(args).output().unwrap();
        let mut printed = String::from_utf8(stdout).unwrap();
        printed.push_str(&String::from_utf8(stderr).unwrap());
        (status.success(), printed)
    }

    fn enqueue(&self, kind: &str, payload: &str) {
        let (ok, printed) = self.run(&["enqueue", kind, payload]);
        assert!(ok, "{printed}");
    }

    fn worker(&self, args: &[&str]) -> Worker {
        let mut command = self.command(&["worker"]);
        let mut child = command
            .args(args)
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
        Worker {
            child,
            lines,
            printed: Vec::new(),
        }
    }
}

struct Worker {
    child: Child,
    lines: mpsc::Receiver<String>,
    printed: Vec<String>,
}

impl Worker {
    /// Reads output until a line starting with `wanted`.
    fn wait_for(&mut self, wanted: &str) {
        while !self.printed.iter().any(|l| l.starts_with(wanted)) {
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

    fn is_finished(&mut self) -> bool {
        self.child.try_wait().unwrap().is_some()
    }

    /// Waits for the process to end; everything it printed.
    fn finish(mut self) -> (bool, Vec<String>) {
        let status = self.child.wait().unwrap();
        // The reader threads end when the pipes close.
        self.printed.extend(self.lines.iter());
        (status.success(), self.printed)
    }
}

fn finishes_on_sigterm(queue: Queue) {
    queue.enqueue("sleep", "500");
    let mut worker = queue.worker(&[]);
    worker.wait_for("task 1 (sleep 500): delivery 1");
    worker.send("-TERM");
    let (ok, printed) = worker.finish();
    assert!(ok, "{printed:#?}");
    assert!(printed.contains(
        &"SIGTERM: finishing running tasks (at most 10s)".to_string()
    ));
    assert_eq!(queue.run(&["result", "1"]), (true, "slept 500 ms\n".into()));
}

fn second_signal_hands_back(queue: Queue) {
    queue.enqueue("sleep", "60000");
    let mut worker = queue.worker(&[]);
    worker.wait_for("task 1 (sleep 60000): delivery 1");
    worker.send("-TERM");
    worker.wait_for("SIGTERM: finishing");
    worker.send("-INT");
    let (ok, printed) = worker.finish();
    assert!(ok, "{printed:#?}");
    let handed_back = "Ctrl-C again: handing back running tasks";
    assert!(printed.contains(&handed_back.to_string()), "{printed:#?}");
    assert_queued_again(&queue);
}

fn deadline_hands_back(queue: Queue) {
    queue.enqueue("sleep", "60000");
    let mut worker = queue.worker(&["--deadline", "0.2"]);
    worker.wait_for("task 1 (sleep 60000): delivery 1");
    worker.send("-TERM");
    let (ok, printed) = worker.finish();
    assert!(ok, "{printed:#?}");
    let handed_back = "deadline passed: handing back running tasks";
    assert!(printed.contains(&handed_back.to_string()), "{printed:#?}");
    assert_queued_again(&queue);
}

fn assert_queued_again(queue: &Queue) {
    let (ok, progress) = queue.run(&["progress"]);
    assert!(ok, "{progress}");
    let normal = progress.lines().nth(2).unwrap();
    let counts: Vec<&str> = normal.split_whitespace().collect();
    assert_eq!(counts, ["normal", "1", "0", "0", "0", "0"], "{progress}");
}

fn killed_workers_task_is_finished_by_another(queue: Queue) {
    queue.enqueue("sleep", "300");
    let mut doomed = queue.worker(&["--lease", "0.5"]);
    doomed.wait_for("task 1 (sleep 300): delivery 1");
    doomed.send("-KILL");
    let (ok, _) = doomed.finish();
    assert!(!ok);
    // The heir gets the task once the dead worker's lease has run out.
    let mut heir = queue.worker(&["--lease", "0.5"]);
    heir.wait_for("task 1 (sleep 300): delivery 2, attempt 1");
    let done = (true, "slept 300 ms\n".to_string());
    while queue.run(&["result", "1"]) != done {
        assert!(!heir.is_finished());
        thread::sleep(Duration::from_millis(50));
    }
    heir.send("-TERM");
    let (ok, printed) = heir.finish();
    assert!(ok, "{printed:#?}");
}

fn many_workers_n_results(queue: Queue) {
    for n in 1..=60 {
        queue.enqueue("square", &n.to_string());
    }
    let args = ["--until-empty", "--concurrency", "2"];
    let workers: Vec<_> = (0..3).map(|_| queue.worker(&args)).collect();
    let mut ran = Vec::new();
    for worker in workers {
        let (ok, printed) = worker.finish();
        assert!(ok, "{printed:#?}");
        ran.extend(printed.into_iter().filter(|l| l.starts_with("task ")));
    }
    // No worker died, so no lease ran out: each task ran exactly once.
    ran.sort();
    let mut expected: Vec<String> = (1..=60)
        .map(|n| format!("task {n} (square {n}): delivery 1, attempt 1"))
        .collect();
    expected.sort();
    assert_eq!(ran, expected);
    for n in 1..=60u64 {
        let (ok, result) = queue.run(&["result", &n.to_string()]);
        assert_eq!((ok, result), (true, format!("{}\n", n * n)));
    }
}

macro_rules! on_both {
    ($($check:ident),* $(,)?) => {
        mod on_sqlite {
            $(
                #[test]
                fn $check() {
                    super::$check(super::Queue::sqlite());
                }
            )*
        }
        mod on_redis {
            $(
                #[test]
                #[ignore = "needs redis-server (apt install redis-server)"]
                fn $check() {
                    super::$check(super::Queue::redis());
                }
            )*
        }
    };
}

on_both! {
    finishes_on_sigterm,
    second_signal_hands_back,
    deadline_hands_back,
    killed_workers_task_is_finished_by_another,
    many_workers_n_results,
}

#[test]
fn bad_arguments_get_clear_errors() {
    let queue = Queue::sqlite();
    let (ok, printed) = queue.run(&["enqueue", "square", "3", "-p", "x"]);
    assert!(!ok);
    assert!(printed.starts_with("error: unexpected argument '-p'"));
    let (ok, printed) =
        queue.run(&["enqueue", "square", "3", "--priority", "urgent"]);
    assert!(!ok);
    let why = "error: invalid value 'urgent' for '--priority <PRIORITY>': \
               unknown priority \"urgent\" (high, normal or low)";
    assert!(printed.starts_with(why), "{printed}");
    let (ok, printed) = queue.run(&["worker", "--lease=-1"]);
    assert_eq!(
        (ok, printed.lines().next()),
        (false, Some("Error: --lease -1 is not a time"))
    );
    let (ok, printed) = queue.run(&["result", "99"]);
    let why = "Error: task 99 has no result (not done, or expired)";
    assert_eq!((ok, printed.lines().next()), (false, Some(why)));
    let mut other = Command::new(PROGRAM);
    let printed = other.args(["--broker", "mysql://db/", "dead"]).output();
    let printed = String::from_utf8(printed.unwrap().stderr).unwrap();
    let why = "Error: unknown broker \"mysql://db/\": sqlite:PATH or redis://…";
    assert_eq!(printed.lines().next(), Some(why));
}
