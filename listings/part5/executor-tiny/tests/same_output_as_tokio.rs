//! Runs the coffee example on our executor and, unchanged, on tokio, side by
//! side, and compares what the two print.
use std::process::{Command, Stdio};

fn run(program: &str) -> std::process::Child {
    Command::new(program)
        .stdout(Stdio::piped())
        .spawn()
        .unwrap()
}

/// What a run printed, with the elapsed time (`3.0s`) set apart.
fn printed(child: std::process::Child) -> (String, f64) {
    let output = child.wait_with_output().unwrap();
    assert!(output.status.success());
    let text = String::from_utf8(output.stdout).unwrap();
    let (lines, last) = text.trim_end().rsplit_once('\n').unwrap();
    let seconds = last
        .strip_prefix("Breakfast served after ")
        .and_then(|time| time.strip_suffix('s'))
        .unwrap_or_else(|| panic!("unexpected last line: {last}"));
    (lines.to_string(), seconds.parse().unwrap())
}

#[test]
fn the_coffee_example_prints_the_same_on_both_executors() {
    let ours = run(env!("CARGO_BIN_EXE_executor-tiny"));
    let tokio = run(env!("CARGO_BIN_EXE_coffee-on-tokio"));
    let (ours, our_seconds) = printed(ours);
    let (tokio, tokio_seconds) = printed(tokio);
    assert_eq!(ours, tokio);
    assert_eq!(
        ours,
        "Coffee: brewing...\nPastry: baking...\nCoffee: ready\nPastry: ready"
    );
    // A real clock, so only loose bounds: at least the 3 s of the slower
    // step, and well short of the 5 s that one step after the other takes.
    for seconds in [our_seconds, tokio_seconds] {
        assert!((3.0..5.0).contains(&seconds), "{seconds}s");
    }
}
