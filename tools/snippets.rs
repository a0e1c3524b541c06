//! The audit that no code block in a chapter escapes testing.
//!
//! A `rust` block is either written in the chapter, and then it is a doctest of this crate
//! (build.rs), or it only includes files of a listing crate, and then that crate compiles and
//! tests them. `python` blocks are run with the machine's `python3`. Any other block must say
//! what it is, since rustdoc compiles an untagged block as Rust while mdBook shows it as text.

use std::path::{Component, Path};

use crate::markdown::{self, Fence};

/// The languages a fence may name. Anything else is refused, so that a misspelt `rust`
/// (`rs`, `Rust`) cannot slip past both mdBook's highlighting and the doctests.
pub const LANGUAGES: [&str; 7] = ["rust", "python", "console", "text", "toml", "sql", "json"];

/// Rustdoc attributes that would show a reader code that is never compiled or run.
const UNTESTED: [&str; 1] = ["ignore"];

/// Problems with the code blocks of one chapter; `chapter` is its path, `root` the repository.
pub fn audit_chapter(root: &Path, chapter: &Path, text: &str) -> Vec<String> {
    let shown = chapter
        .strip_prefix(root)
        .unwrap_or(chapter)
        .display()
        .to_string();
    let mut problems = Vec::new();
    // A listing figure shows a file of a listing crate, which that crate must compile.
    if let Ok(directives) = markdown::directives(text) {
        for directive in directives.iter().filter(|d| d.kind == "listing") {
            if let Some(problem) = tested_by_listing(root, &directive.resolve(chapter)) {
                problems.push(format!(
                    "{shown}:{}: {}: {problem}",
                    directive.line, directive.path
                ));
            }
        }
    }
    for fence in markdown::fences(text) {
        let at = format!("{shown}:{}", fence.line);
        let language = fence.language();
        if language.is_empty() {
            problems.push(format!(
                "{at}: the block names no language; rustdoc would compile it as Rust (tag it `text`, `console`, …)"
            ));
        } else if !LANGUAGES.contains(&language) {
            problems.push(format!(
                "{at}: `{language}` is not one of the book's block languages {LANGUAGES:?}"
            ));
        } else if language == "rust" {
            problems.extend(
                audit_rust(root, chapter, &fence)
                    .into_iter()
                    .map(|p| format!("{at}: {p}")),
            );
        } else if language != "python"
            && fence.body.contains("{{#include")
            && fence.body.contains(".rs")
        {
            problems.push(format!(
                "{at}: a Rust file is shown in a `{language}` block, where nothing checks it"
            ));
        }
    }
    problems
}

fn audit_rust(root: &Path, chapter: &Path, fence: &Fence) -> Vec<String> {
    let mut problems = Vec::new();
    for attribute in fence.attributes() {
        if UNTESTED
            .iter()
            .any(|u| attribute == *u || attribute.starts_with("ignore-"))
        {
            problems.push(format!(
                "`{attribute}` would show Rust that no test compiles"
            ));
        }
    }
    let has_directive = fence.body.contains("{{#");
    if has_directive && !fence.is_only_directives() {
        problems.push(
            "a block either includes a listing's file or is written out, not both".to_string(),
        );
        return problems;
    }
    if !has_directive {
        // Written in the chapter: build.rs makes it a doctest.
        return problems;
    }
    let directives = match markdown::directives(&fence.body) {
        Ok(found) => found,
        Err(message) => return vec![message],
    };
    for directive in directives {
        let file = directive.resolve(chapter);
        if let Some(problem) = tested_by_listing(root, &file) {
            problems.push(format!("{}: {problem}", directive.path));
        }
    }
    problems
}

/// None when `file` is Rust that a listing crate compiles: a source of the crate, or a
/// compile-fail case with its saved `.stderr`.
fn tested_by_listing(root: &Path, file: &Path) -> Option<String> {
    let normal: std::path::PathBuf =
        file.components()
            .fold(std::path::PathBuf::new(), |mut path, part| {
                match part {
                    Component::ParentDir => {
                        path.pop();
                    }
                    Component::CurDir => {}
                    other => path.push(other),
                }
                path
            });
    let Ok(inside) = normal.strip_prefix(root.join("listings")) else {
        return Some("a Rust block may only include files of a listing crate".to_string());
    };
    if normal.extension().is_none_or(|e| e != "rs") {
        return Some("is not a Rust file".to_string());
    }
    let parts: Vec<_> = inside.components().collect();
    if parts.len() < 4 {
        return Some("is not inside a listing crate's folder".to_string());
    }
    let crate_dir = root.join("listings").join(parts[0]).join(parts[1]);
    if !crate_dir.join("Cargo.toml").exists() {
        return Some(format!("{} is not a crate", crate_dir.display()));
    }
    match parts[2].as_os_str().to_str() {
        Some("src" | "tests" | "examples" | "benches") => None,
        Some("compile-fail") if normal.with_extension("stderr").exists() => None,
        // An exercise's solution is compiled and tested in place of its `src/lib.rs` by the
        // book's exercise test.
        Some("solution") if parts[0].as_os_str() == "exercises" => None,
        Some("compile-fail") => Some("is a compile-fail case without its .stderr".to_string()),
        _ => Some(
            "is not compiled by its crate (src/, tests/, examples/, compile-fail/)".to_string(),
        ),
    }
}
