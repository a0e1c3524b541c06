use std::fmt;
use std::io;
use std::time::Duration;
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
    /// Anything else the operating system refused.
    Io { program: String, error: io::Error },
}

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
            ToolError::Io { program, error } => {
                write!(f, "could not run `{program}`: {error}")
            }
        }
    }
}

impl std::error::Error for ToolError {}
// ANCHOR_END: error

// ANCHOR: run
/// Runs `program` with `args`, and returns what it printed if it succeeded in time.
async fn run_tool(
    program: &str,
    args: &[&str],
    limit: Duration,
) -> Result<String, ToolError> {
    let mut command = Command::new(program);
    // If the timeout drops the `output()` future, the child is killed instead of left running.
    command.args(args).kill_on_drop(true);

    let output = match timeout(limit, command.output()).await {
        Err(_elapsed) => {
            let program = program.to_string();
            return Err(ToolError::TimedOut {
                program,
                after: limit,
            });
        }
        Ok(Err(error)) if error.kind() == io::ErrorKind::NotFound => {
            return Err(ToolError::NotFound {
                program: program.to_string(),
            });
        }
        Ok(Err(error)) => {
            return Err(ToolError::Io {
                program: program.to_string(),
                error,
            });
        }
        Ok(Ok(output)) => output,
    };
    if !output.status.success() {
        return Err(ToolError::Failed {
            program: program.to_string(),
            code: output.status.code(),
            stderr: String::from_utf8_lossy(&output.stderr).trim().to_string(),
        });
    }
    Ok(String::from_utf8_lossy(&output.stdout).trim().to_string())
}
// ANCHOR_END: run

// ANCHOR: main
#[tokio::main]
async fn main() {
    let limit = Duration::from_secs(1);
    let calls: [(&str, &[&str]); 4] = [
        ("echo", &["the weather is fine"]),
        ("sh", &["-c", "echo 'no such city' >&2; exit 3"]),
        ("weather-tool-that-is-not-installed", &[]),
        ("sleep", &["30"]),
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
        // The child writes its pid, then sleeps; after the timeout the pid must be gone.
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
        // kill_on_drop sends SIGKILL at once; tokio reaps the child soon after.
        let proc_entry = std::path::Path::new("/proc").join(&pid);
        let mut waited = 0;
        while proc_entry.exists() && waited < 50 {
            tokio::time::sleep(Duration::from_millis(20)).await;
            waited += 1;
        }
        assert!(!proc_entry.exists(), "process {pid} is still alive");
    }
}
