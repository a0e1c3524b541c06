// The book shows output.txt under the program; its output check runs the
// listings without servers, so this test runs the program against a server
// of its own and compares.

mod support;

#[test]
#[ignore = "needs PostgreSQL (apt install postgresql)"]
fn the_program_prints_its_shown_output() {
    let server = support::Postgres::start();
    let run = std::process::Command::new(env!("CARGO_BIN_EXE_pg-errors"))
        .env("DATABASE_URL", server.url())
        .output()
        .unwrap();
    assert!(
        run.status.success(),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );
    let shown = include_str!("../output.txt");
    let (command, printed) = shown.split_once('\n').unwrap();
    assert_eq!(command, "$ cargo run -p pg-errors");
    assert_eq!(String::from_utf8_lossy(&run.stdout), printed);
}
