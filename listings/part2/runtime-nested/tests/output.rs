//! Runs the program and reads what it printed.
use std::process::Command;

#[test]
fn the_program_reports_the_panic_of_its_task() {
    let output = Command::new(env!("CARGO_BIN_EXE_runtime-nested"))
        .output()
        .unwrap();
    assert!(output.status.success());
    let printed = String::from_utf8(output.stdout).unwrap();
    let expected = "agent_step panicked: \
                    Cannot start a runtime from within a runtime.";
    assert!(printed.starts_with(expected), "{printed}");
}
