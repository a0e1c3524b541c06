// No code block in a chapter escapes testing: Rust blocks are doctests or listing files,
// and Python blocks run with the machine's python3 and nothing but the standard library.

use std::fs;
use std::io::Write as _;
use std::path::Path;
use std::process::{Command, Stdio};

use async_book::{book, markdown, snippets};

use crate::early::Early;

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

/// Runs the snippets with one `python3` and tells, for each, whether it ran cleanly and what it
/// printed on stderr. One interpreter starts and imports asyncio once, then forks a child for
/// each snippet, and the children run side by side (the snippets wait for real: asyncio has no
/// paused clock). Each child runs its snippet as `python3 -` would, as a fresh `__main__`
/// module, so a snippet that forgets an import still fails. Starting a fresh `python3` for
/// each of fifty snippets cost more than the snippets themselves, the more so where `python3`
/// is a shell-script shim (pyenv's starts some thirty processes).
fn run_python(snippets: &[String]) -> Vec<(bool, String)> {
    // -I: ignore the environment and the user's packages; -S: no site-packages at all, so the
    // snippets may use the standard library only.
    let mut child = Command::new("python3")
        .args(["-I", "-S", "-c", RUN_SNIPPETS])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("python3 is needed to check the book's Python snippets");
    let input = serde_json::to_vec(snippets).unwrap();
    let mut stdin = child.stdin.take().unwrap();
    let writer = std::thread::spawn(move || stdin.write_all(&input));
    let output = child.wait_with_output().unwrap();
    writer.join().unwrap().unwrap();
    assert!(
        output.status.success(),
        "the snippet runner failed:\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let results: Vec<serde_json::Value> = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(results.len(), snippets.len());
    results
        .iter()
        .map(|r| {
            (
                r["status"] == 0,
                r["stderr"].as_str().unwrap_or_default().to_string(),
            )
        })
        .collect()
}

/// The runner: reads a JSON list of snippets on stdin, writes `[{"status", "stderr"}, ...]`.
const RUN_SNIPPETS: &str = r#"
import json, os, sys, tempfile, traceback, types
import asyncio  # what most snippets import: loaded once, before the forks

snippets = json.load(sys.stdin)
running = {}
for index, code in enumerate(snippets):
    stderr = tempfile.TemporaryFile()
    pid = os.fork()
    if pid == 0:
        os.dup2(os.open(os.devnull, os.O_RDWR), 0)
        os.dup2(os.open(os.devnull, os.O_WRONLY), 1)
        os.dup2(stderr.fileno(), 2)
        status = 0
        try:
            main = types.ModuleType("__main__")
            sys.modules["__main__"] = main
            exec(compile(code, "<stdin>", "exec"), main.__dict__)
        except SystemExit as stop:
            if stop.code is None or isinstance(stop.code, int):
                status = stop.code or 0
            else:
                print(stop.code, file=sys.stderr)
                status = 1
        except BaseException as error:
            # The traceback from the snippet's own first frame, as `python3 -` prints it.
            traceback.print_exception(type(error), error, error.__traceback__.tb_next)
            status = 1
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(status)
    running[pid] = (index, stderr)

results = [None] * len(snippets)
while running:
    pid, status = os.wait()
    index, stderr = running.pop(pid)
    stderr.seek(0)
    results[index] = {
        "status": os.waitstatus_to_exitcode(status),
        "stderr": stderr.read().decode(errors="replace"),
    }
json.dump(results, sys.stdout)
"#;

/// The Python blocks that failed, with where they are and what they printed.
pub(crate) static PYTHON: Early<Vec<String>> = Early::new(|| {
    let root = async_book::root();
    let mut places = Vec::new();
    let mut snippets = Vec::new();
    for chapter in book::chapters(&root).unwrap() {
        let text = fs::read_to_string(&chapter).unwrap();
        for fence in markdown::fences(&text) {
            if fence.language() == "python" {
                places.push(format!("{}:{}", shown(&root, &chapter), fence.line));
                snippets.push(fence.body);
            }
        }
    }
    assert!(!snippets.is_empty(), "no Python block was found");
    places
        .iter()
        .zip(run_python(&snippets))
        .filter(|(_, (ok, _))| !ok)
        .map(|(at, (_, stderr))| format!("{at}:\n{stderr}"))
        .collect()
});

/// The Rust blocks written in the chapters, run as the doctests of the root package that
/// build.rs makes of them, beside the listings' tests (tools/lib.rs says why). Returns what
/// failed, or the count of doctests that passed.
pub(crate) static DOCTESTS: Early<Result<usize, String>> = Early::new(|| {
    let mut flags = std::env::var("RUSTDOCFLAGS").unwrap_or_default();
    flags.push_str(" --cfg chapter_doctests");
    let run = crate::listings::cargo()
        .args(["test", "--doc", "--package", "async-book"])
        .current_dir(async_book::root())
        .env("RUSTDOCFLAGS", flags.trim_start())
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&run.stdout);
    if !run.status.success() {
        return Err(format!("{stdout}{}", String::from_utf8_lossy(&run.stderr)));
    }
    let passed = stdout
        .lines()
        .filter_map(|line| line.strip_prefix("test result: ok. "))
        .filter_map(|rest| rest.split_once(" passed"))
        .map(|(count, _)| count.parse::<usize>().unwrap())
        .sum();
    Ok(passed)
});

#[test]
fn every_rust_block_written_in_a_chapter_passes_as_a_doctest() {
    let root = async_book::root();
    let mut written = 0;
    for chapter in book::chapters(&root).unwrap() {
        let text = fs::read_to_string(&chapter).unwrap();
        written += markdown::fences(&text)
            .iter()
            .filter(|f| f.language() == "rust" && !f.is_only_directives())
            .count();
    }
    match DOCTESTS.get() {
        Err(failed) => panic!("the chapters' doctests failed:\n{failed}"),
        Ok(passed) => assert_eq!(
            *passed, written,
            "{written} Rust blocks are written in the chapters, and {passed} doctests passed"
        ),
    }
}

#[test]
fn every_python_block_runs_with_the_standard_library_only() {
    let failures = PYTHON.get();
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn a_python_block_that_needs_a_third_party_package_fails() {
    let ran = run_python(&[
        "print('fine')\n".into(),
        "import nest_asyncio\n".into(),
        "raise SystemExit(3)\n".into(),
        "asyncio.run(asyncio.sleep(0))\n".into(),
        "import sys\nsys.exit('stopped')\n".into(),
    ]);
    let ok: Vec<bool> = ran.iter().map(|(ok, _)| *ok).collect();
    assert_eq!(ok, [true, false, false, false, false], "{ran:?}");
    assert!(
        ran[1].1.contains("No module named 'nest_asyncio'"),
        "{ran:?}"
    );
    // The runner's own import of asyncio is not the snippet's.
    assert!(
        ran[3].1.contains("name 'asyncio' is not defined"),
        "{ran:?}"
    );
    assert!(ran[4].1.contains("stopped"), "{ran:?}");
}

fn shown(root: &Path, path: &Path) -> String {
    path.strip_prefix(root)
        .unwrap_or(path)
        .display()
        .to_string()
}
