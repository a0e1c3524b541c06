use std::process::Stdio;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::process::{Child, Command};

/// `tr a-z A-Z`: upper-cases what it reads, writing as it goes.
fn spawn_upper_caser() -> std::io::Result<Child> {
    Command::new("tr")
        .args(["a-z", "A-Z"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .kill_on_drop(true)
        .spawn()
}

// ANCHOR: together
/// Feeds `input` to the child while reading what it writes back.
async fn upper_case(input: Vec<u8>) -> anyhow::Result<Vec<u8>> {
    let mut child = spawn_upper_caser()?;
    let mut stdin = child.stdin.take().expect("stdin is piped");
    let mut stdout = child.stdout.take().expect("stdout is piped");
    let feed = async move {
        stdin.write_all(&input).await?;
        drop(stdin); // end of input: how the child learns there is no more
        Ok::<_, std::io::Error>(())
    };
    let collect = async {
        let mut output = Vec::new();
        stdout.read_to_end(&mut output).await?;
        Ok::<_, std::io::Error>(output)
    };
    // Both at once: neither pipe can fill up while the other waits.
    let ((), output) = tokio::try_join!(feed, collect)?;
    let status = child.wait().await?;
    anyhow::ensure!(status.success(), "tr failed: {status}");
    Ok(output)
}
// ANCHOR_END: together

#[allow(dead_code)] // the chapter's mistake: only its tests call it
// ANCHOR: mistake
// A mistake on purpose: all of the input first, then all of the output.
async fn upper_case_in_turn(input: Vec<u8>) -> anyhow::Result<Vec<u8>> {
    let mut child = spawn_upper_caser()?;
    let mut stdin = child.stdin.take().expect("stdin is piped");
    stdin.write_all(&input).await?; // hangs once the pipes are full
    drop(stdin);
    let mut output = Vec::new();
    let mut stdout = child.stdout.take().expect("stdout is piped");
    stdout.read_to_end(&mut output).await?;
    child.wait().await?;
    Ok(output)
}
// ANCHOR_END: mistake

// ANCHOR: main
#[tokio::main]
async fn main() -> anyhow::Result<()> {
    // A megabyte of text: far more than a pipe holds (64 KiB on Linux).
    let input = "a line of text\n".repeat(70_000).into_bytes();
    let output = upper_case(input.clone()).await?;
    println!("sent {} bytes, got {} back", input.len(), output.len());
    println!("upper-cased: {}", output == input.to_ascii_uppercase());
    Ok(())
}
// ANCHOR_END: main

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    fn a_megabyte() -> Vec<u8> {
        "a line of text\n".repeat(70_000).into_bytes()
    }

    #[tokio::test]
    async fn fed_and_read_together_a_megabyte_goes_through() {
        let input = a_megabyte();
        let output = upper_case(input.clone()).await.unwrap();
        assert_eq!(output, input.to_ascii_uppercase());
    }

    #[tokio::test]
    async fn in_turn_a_small_input_works_which_hides_the_bug() {
        let output = upper_case_in_turn(b"small\n".to_vec()).await.unwrap();
        assert_eq!(output, b"SMALL\n");
    }

    #[tokio::test]
    async fn in_turn_a_megabyte_deadlocks() {
        // Bounded: the right version takes milliseconds; this one never ends.
        // The timeout drops the future, and kill_on_drop stops the child.
        let outcome = tokio::time::timeout(
            Duration::from_secs(1),
            upper_case_in_turn(a_megabyte()),
        )
        .await;
        assert!(outcome.is_err(), "finished: {:?}", outcome.map(|_| ()));
    }
}
