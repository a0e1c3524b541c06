// No code block in a chapter escapes testing: Rust blocks are doctests or listing files,
// and Python blocks run with the machine's python3 and nothing but the standard library.

use std::fs;
use std::io::Write as _;
use std::path::Path;
use std::process::{Command, Stdio};

use async_book::{book, markdown, snippets};

#[test]
fn every_rust_block_is_a_doctest_or_a_tested_listing_file() {
    let root = async_book::root();
    let mut problems = Vec::new();
    let mut rust_blocks = 0;
    for chapter in book::chapters(&root).unwrap() {
        let text = fs::read_to_string(&chapter).unwrap();
        rust_blocks += markdown::fences(&text)
            .iter()
            .filter(|f| f.language() == "rust")
            .count();
        problems.extend(snippets::audit_chapter(&root, &chapter, &text));
    }
    assert!(
        rust_blocks > 0,
        "no Rust block was found: the audit looked in the wrong place"
    );
    assert!(problems.is_empty(), "{problems:#?}");
}

/// The audit on a made-up chapter in the real repository, so that listing paths resolve.
fn audit(text: &str) -> String {
    let root = async_book::root();
    snippets::audit_chapter(&root, &root.join("src/part2/example.md"), text).join("\n")
}

#[test]
fn the_audit_refuses_blocks_that_nothing_would_test() {
    assert!(audit("```\nfn main() {}\n```\n").contains("names no language"));
    assert!(audit("```rs\nfn main() {}\n```\n").contains("`rs` is not one of"));
    assert!(audit("```rust,ignore\nfn main() {}\n```\n").contains("`ignore` would show Rust"));
    let mixed =
        "```rust\n{{#include ../../listings/part2/coffee-join/src/main.rs}}\nfn extra() {}\n```\n";
    assert!(audit(mixed).contains("not both"));
    let outside = "```rust\n{{#include ../../tools/lib.rs}}\n```\n";
    assert!(audit(outside).contains("only include files of a listing crate"));
    let not_compiled = "```rust\n{{#include ../../listings/part2/coffee-join/output.txt}}\n```\n";
    assert!(audit(not_compiled).contains("not a Rust file"));
    let in_text = "```text\n{{#include ../../listings/part2/coffee-join/src/main.rs}}\n```\n";
    assert!(audit(in_text).contains("where nothing checks it"));
}

#[test]
fn the_audit_accepts_doctests_and_listing_files() {
    let good = "```rust\nfn main() {}\n```\n\n```rust,should_panic\nfn main() { panic!() }\n```\n\n\
                ```rust\n{{#include ../../listings/part2/coffee-join/src/main.rs:breakfast}}\n```\n\n\
                ```rust\n{{#include ../../listings/part2/coffee-mistakes/compile-fail/await-in-sync-fn.rs}}\n```\n";
    assert_eq!(audit(good), "");
}

fn run_python(code: &str) -> std::process::Output {
    // -I: ignore the environment and the user's packages; -S: no site-packages at all, so the
    // snippet may use the standard library only.
    let mut child = Command::new("python3")
        .args(["-I", "-S", "-"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("python3 is needed to check the book's Python snippets");
    child
        .stdin
        .take()
        .unwrap()
        .write_all(code.as_bytes())
        .unwrap();
    child.wait_with_output().unwrap()
}

#[test]
fn every_python_block_runs_with_the_standard_library_only() {
    let root = async_book::root();
    let mut runs = Vec::new();
    for chapter in book::chapters(&root).unwrap() {
        let text = fs::read_to_string(&chapter).unwrap();
        for fence in markdown::fences(&text) {
            if fence.language() == "python" {
                let at = format!("{}:{}", shown(&root, &chapter), fence.line);
                // The snippets wait for real (asyncio has no paused clock), so they run side by side.
                runs.push(std::thread::spawn(move || (at, run_python(&fence.body))));
            }
        }
    }
    assert!(!runs.is_empty(), "no Python block was found");
    let mut failures = Vec::new();
    for run in runs {
        let (at, output) = run.join().unwrap();
        if !output.status.success() {
            failures.push(format!(
                "{at}:\n{}",
                String::from_utf8_lossy(&output.stderr)
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn a_python_block_that_needs_a_third_party_package_fails() {
    assert!(run_python("print('fine')\n").status.success());
    assert!(!run_python("import nest_asyncio\n").status.success());
    assert!(!run_python("raise SystemExit(3)\n").status.success());
}

fn shown(root: &Path, path: &Path) -> String {
    path.strip_prefix(root)
        .unwrap_or(path)
        .display()
        .to_string()
}
