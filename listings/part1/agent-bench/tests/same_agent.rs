//! This crate measures the agent of `agent-inbox`. It carries its own copy of that code, so
//! that its folder builds on its own; inside the book's repository, the copy must not drift.

use std::path::Path;

#[test]
fn the_measured_code_is_the_agent_inbox_code() {
    let here = Path::new(env!("CARGO_MANIFEST_DIR"));
    let original = here.join("../agent-inbox/src");
    if !original.exists() {
        // Copied out of the book: there is nothing to compare with.
        return;
    }
    for file in ["lib.rs", "protocol.rs", "store.rs", "agent.rs", "server.rs"] {
        let ours = std::fs::read_to_string(here.join("src").join(file)).unwrap();
        let theirs = std::fs::read_to_string(original.join(file)).unwrap();
        assert!(
            ours == theirs,
            "src/{file} differs from agent-inbox's: copy it over"
        );
    }
}
