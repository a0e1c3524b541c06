use tokio::process::Command;
use tokio::task::JoinSet;
use tokio::time::Instant;

// ANCHOR: run
/// One tool call: a shell script that takes a second and prints its answer.
async fn run(
    name: &'static str,
    script: &'static str,
) -> anyhow::Result<(&'static str, String)> {
    let output = Command::new("sh")
        .arg("-c")
        .arg(script)
        .kill_on_drop(true)
        .output()
        .await?;
    anyhow::ensure!(
        output.status.success(),
        "{name} failed: {}",
        output.status
    );
    Ok((name, String::from_utf8(output.stdout)?.trim().to_string()))
}
// ANCHOR_END: run

// ANCHOR: many
#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let start = Instant::now();
    let mut calls = JoinSet::new();
    calls.spawn(run("search", "sleep 1; echo 3 results"));
    calls.spawn(run("weather", "sleep 1; echo sunny"));
    calls.spawn(run("calendar", "sleep 1; echo free at 3pm"));

    let mut answers = Vec::new();
    while let Some(finished) = calls.join_next().await {
        answers.push(finished??);
    }
    answers.sort(); // they finish in any order; print them in a fixed one
    for (name, answer) in &answers {
        println!("{name}: {answer}");
    }
    println!(
        "three one-second tools took {:.1}s",
        start.elapsed().as_secs_f64()
    );
    Ok(())
}
// ANCHOR_END: many

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_failing_call_is_an_error_with_its_name() {
        let error = run("broken", "exit 2").await.unwrap_err();
        assert!(error.to_string().starts_with("broken failed"), "{error}");
    }

    #[tokio::test]
    async fn several_children_run_at_the_same_time() {
        // Each child waits until the other has started: run one after the
        // other, they would wait forever, and the 10 s timeout would fail the
        // test.
        let dir = std::env::temp_dir()
            .join(format!("subprocess-many-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let a = dir.join("a");
        let b = dir.join("b");
        let script = |mine: &std::path::Path, other: &std::path::Path| {
            format!(
                "touch {}; while [ ! -e {} ]; do sleep 0.05; done; echo met",
                mine.display(),
                other.display()
            )
        };
        let (first, second) = (script(&a, &b), script(&b, &a));
        let both = async {
            tokio::join!(
                Command::new("sh")
                    .arg("-c")
                    .arg(&first)
                    .kill_on_drop(true)
                    .output(),
                Command::new("sh")
                    .arg("-c")
                    .arg(&second)
                    .kill_on_drop(true)
                    .output(),
            )
        };
        let (one, two) =
            tokio::time::timeout(std::time::Duration::from_secs(10), both)
                .await
                .expect("the children did not run at the same time");
        std::fs::remove_dir_all(&dir).unwrap();
        assert_eq!(one.unwrap().stdout, b"met\n");
        assert_eq!(two.unwrap().stdout, b"met\n");
    }
}
