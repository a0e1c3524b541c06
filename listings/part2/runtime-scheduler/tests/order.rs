//! Runs the program and reads what it printed: the order is the lesson.
use std::process::Command;

#[test]
fn ready_tasks_take_turns_and_the_sleeper_comes_back_when_its_timer_fires() {
    let output = Command::new(env!("CARGO_BIN_EXE_runtime-scheduler"))
        .output()
        .unwrap();
    assert!(output.status.success());
    let printed = String::from_utf8(output.stdout).unwrap();
    let lines: Vec<&str> = printed.lines().collect();
    assert_eq!(
        lines,
        [
            "main: spawned two tasks",
            "planner: round 1",
            "sleeper: asleep for 10 ms",
            "planner: round 2",
            "planner: round 3",
            "sleeper: woken by its timer",
        ]
    );
}
