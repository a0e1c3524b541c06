use std::fmt;
use std::io;
use std::process::Stdio;
use std::time::Duration;

use rustix::process::{Pid, Signal, kill_process_group};
use tokio::io::{AsyncRead, AsyncReadExt};
use tokio::process::Command;
use tokio::time::timeout;

// ANCHOR: error
/// Why running a tool did not give us its output.
#[derive(Debug)]
enum ToolError {
    /// The program does not exist (or is not on PATH).
    NotFound { program: String },
    /// It ran and exited with a failure; `stderr` says why.
    Failed {
        program: String,
        code: Option<i32>,
        stderr: String,
    },
    /// It did not finish in time, and was killed.
    TimedOut { program: String, after: Duration },
    /// It printed more than we keep, and was killed.
    TooMuchOutput { program: String, limit: u64 },
    /// Anything else the operating system refused.
    Io { program: String, error: io::Error },
}
// ANCHOR_END: error

// ANCHOR: display
impl fmt::Display for ToolError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ToolError::NotFound { program } => {
                write!(f, "`{program}` was not found")
            }
            ToolError::Failed {
                program,
                code: Some(code),
                stderr,
            } => {
                write!(f, "`{program}` failed with exit code {code}: {stderr}")
            }
            ToolError::Failed {
                program,
                code: None,
                stderr,
            } => {
                write!(f, "`{program}` was killed by a signal: {stderr}")
            }
            ToolError::TimedOut { program, after } => {
                write!(
                    f,
                    "`{program}` took longer than {after:?} and was killed"
                )
            }
            ToolError::TooMuchOutput { program, limit } => {
                write!(f, "`{program}` printed more than {limit} bytes")
            }
            ToolError::Io { program, error } => {
                write!(f, "could not run `{program}`: {error}")
            }
        }
    }
}

impl std::error::Error for ToolError {}
// ANCHOR_END: display

/// The most a tool may print on stdout, or on stderr, before it is stopped.
const MAX_OUTPUT: u64 = 64 * 1024;

// ANCHOR: group
/// Kills a whole process group when dropped: the child and everything it
/// started (`sh -c 'a | b'` starts two more), even once the child is gone.
struct KillGroupOnDrop(Option<Pid>);

impl Drop for KillGroupOnDrop {
    fn drop(&mut self) {
        if let Some(group) = self.0 {
            // An error here means no one in the group is left: nothing to do.
            let _ = kill_process_group(group, Signal::KILL);
        }
    }
}

/// Reads a pipe to its end, keeping at most MAX_OUTPUT bytes.
async fn read_at_most(
    pipe: impl AsyncRead + Unpin,
    program: &str,
) -> Result<Vec<u8>, ToolError> {
    let mut kept = Vec::new();
    let mut limited = pipe.take(MAX_OUTPUT + 1);
    if let Err(error) = limited.read_to_end(&mut kept).await {
        return Err(io_error(program, error));
    }
    if kept.len() as u64 > MAX_OUTPUT {
        let program = program.to_string();
        return Err(ToolError::TooMuchOutput {
            program,
            limit: MAX_OUTPUT,
        });
    }
    Ok(kept)
}
// ANCHOR_END: group

fn io_error(program: &str, error: io::Error) -> ToolError {
    let program = program.to_string();
    match error.kind() {
        io::ErrorKind::NotFound => ToolError::NotFound { program },
        _ => ToolError::Io { program, error },
    }
}

// ANCHOR: run
/// Runs `program` with `args`; returns what it printed if it succeeded in time.
async fn run_tool(
    program: &str,
    args: &[&str],
    limit: Duration,
) -> Result<String, ToolError> {
    let mut child = Command::new(program)
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .process_group(0) // a new group, whose id is the child's pid
        .spawn()
        .map_err(|error| io_error(program, error))?;
    // Whatever happens below (done, failed, timed out, cancelled), the whole
    // group is killed when this guard goes out of scope.
    let _group =
        KillGroupOnDrop(child.id().and_then(|id| Pid::from_raw(id as i32)));
    let (stdout, stderr) = (child.stdout.take(), child.stderr.take());
    let (stdout, stderr) = (stdout.expect("piped"), stderr.expect("piped"));
    // ANCHOR_END: run
    // ANCHOR: run_wait
    let everything = async {
        tokio::try_join!(
            read_at_most(stdout, program),
            read_at_most(stderr, program),
            async { child.wait().await.map_err(|e| io_error(program, e)) },
        )
    };
    let (stdout, stderr, status) = match timeout(limit, everything).await {
        Ok(outcome) => outcome?,
        Err(_elapsed) => {
            let program = program.to_string();
            return Err(ToolError::TimedOut {
                program,
                after: limit,
            });
        }
    };
    if !status.success() {
        return Err(ToolError::Failed {
            program: program.to_string(),
            code: status.code(),
            stderr: String::from_utf8_lossy(&stderr).trim().to_string(),
        });
    }
    Ok(String::from_utf8_lossy(&stdout).trim().to_string())
}
// ANCHOR_END: run_wait

// ANCHOR: main
#[tokio::main]
async fn main() {
    let limit = Duration::from_secs(1);
    let calls: [(&str, &[&str]); 5] = [
        ("echo", &["the weather is fine"]),
        ("sh", &["-c", "echo 'no such city' >&2; exit 3"]),
        ("weather-tool-that-is-not-installed", &[]),
        ("sleep", &["30"]),
        ("yes", &["a line, again and again"]),
    ];
    for (program, args) in calls {
        match run_tool(program, args, limit).await {
            Ok(stdout) => println!("ok:    {stdout}"),
            Err(error) => println!("error: {error}"),
        }
    }
}
// ANCHOR_END: main

#[cfg(test)]
mod tests {
    use super::*;

    const LIMIT: Duration = Duration::from_secs(5);

    #[tokio::test]
    async fn success_gives_the_output() {
        let out = run_tool("sh", &["-c", "echo 42"], LIMIT).await.unwrap();
        assert_eq!(out, "42");
    }

    #[tokio::test]
    async fn a_failing_child_gives_its_exit_code_and_stderr() {
        let error =
            run_tool("sh", &["-c", "echo bad input >&2; exit 3"], LIMIT)
                .await
                .unwrap_err();
        match error {
            ToolError::Failed { code, stderr, .. } => {
                assert_eq!(code, Some(3));
                assert_eq!(stderr, "bad input");
            }
            other => panic!("expected Failed, got {other:?}"),
        }
    }

    #[tokio::test]
    async fn a_missing_program_is_not_found() {
        let error = run_tool("no-such-program-anywhere", &[], LIMIT)
            .await
            .unwrap_err();
        assert!(matches!(error, ToolError::NotFound { .. }), "{error:?}");
        assert_eq!(
            error.to_string(),
            "`no-such-program-anywhere` was not found"
        );
    }

    #[tokio::test]
    async fn a_slow_child_is_killed_when_the_time_is_up() {
        // The child writes its pid, then sleeps; after the timeout it must be
        // gone.
        let dir = std::env::temp_dir()
            .join(format!("subprocess-tool-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let pid_file = dir.join("pid");
        let script = format!("echo $$ > {}; exec sleep 30", pid_file.display());
        let error =
            run_tool("sh", &["-c", &script], Duration::from_millis(500))
                .await
                .unwrap_err();
        assert!(matches!(error, ToolError::TimedOut { .. }), "{error:?}");

        let pid = std::fs::read_to_string(&pid_file)
            .unwrap()
            .trim()
            .to_string();
        std::fs::remove_dir_all(&dir).unwrap();
        // The group is killed at once; tokio reaps the child soon after.
        let proc_entry = std::path::Path::new("/proc").join(&pid);
        let mut waited = 0;
        while proc_entry.exists() && waited < 50 {
            tokio::time::sleep(Duration::from_millis(20)).await;
            waited += 1;
        }
        assert!(!proc_entry.exists(), "process {pid} is still alive");
    }

    /// Waits (up to a second) for a process to stop running: gone from /proc,
    /// or a zombie (dead, and waiting for whoever adopted it to reap it).
    async fn gone(pid: &str) -> bool {
        let stat = std::path::Path::new("/proc").join(pid).join("stat");
        for _ in 0..50 {
            let Ok(stat) = std::fs::read_to_string(&stat) else {
                return true;
            };
            // The state letter follows the command name in parentheses.
            let state = stat.rsplit(')').next().unwrap_or("").trim_start();
            if state.starts_with('Z') || state.starts_with('X') {
                return true;
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        false
    }

    #[tokio::test]
    async fn a_timeout_leaves_no_grandchild_behind() {
        let dir = tempfile::tempdir().unwrap();
        let pid_file = dir.path().join("grandchild");
        // sh starts a grandchild that holds stdout open, and waits for it.
        let script =
            format!("sleep 30 & echo $! > {}; wait", pid_file.display());
        let error =
            run_tool("sh", &["-c", &script], Duration::from_millis(500))
                .await
                .unwrap_err();
        assert!(matches!(error, ToolError::TimedOut { .. }), "{error:?}");
        let pid = std::fs::read_to_string(&pid_file).unwrap();
        assert!(gone(pid.trim()).await, "grandchild {pid} survived");
    }

    #[tokio::test]
    async fn a_child_that_exits_leaves_no_background_process() {
        let dir = tempfile::tempdir().unwrap();
        let pid_file = dir.path().join("background");
        // The background sleep lets go of stdout, so the call itself succeeds.
        let script = format!(
            "sleep 30 >/dev/null 2>&1 & echo $! > {}; echo done",
            pid_file.display()
        );
        let out = run_tool("sh", &["-c", &script], LIMIT).await.unwrap();
        assert_eq!(out, "done");
        let pid = std::fs::read_to_string(&pid_file).unwrap();
        assert!(gone(pid.trim()).await, "background {pid} survived");
    }

    #[tokio::test]
    async fn endless_output_is_cut_off_and_the_child_killed() {
        let error = run_tool("yes", &[], LIMIT).await.unwrap_err();
        let ToolError::TooMuchOutput { limit, .. } = error else {
            panic!("expected TooMuchOutput, got {error:?}");
        };
        assert_eq!(limit, MAX_OUTPUT);
    }
}
