//! Makes every `rust` block written in a chapter a doctest of this crate.
//!
//! Blocks that only `{{#include}}` a listing's file are turned into plain text in the copy
//! that rustdoc reads: those files belong to listing crates and are compiled and tested there.
//! tests/snippets.rs checks that no Rust block escapes both.

#[path = "tools/markdown.rs"]
#[allow(dead_code)]
mod markdown;

use std::fmt::Write as _;
use std::fs;
use std::path::{Path, PathBuf};

fn main() {
    println!("cargo::rerun-if-changed=src");
    println!("cargo::rerun-if-changed=tools/markdown.rs");
    // tools/lib.rs includes the doctests under this cfg (it says why).
    println!("cargo::rustc-check-cfg=cfg(chapter_doctests)");
    let out_dir = PathBuf::from(std::env::var("OUT_DIR").expect("cargo sets OUT_DIR"));
    let mut chapters = Vec::new();
    collect_chapters(Path::new("src"), &mut chapters);
    chapters.sort();

    let mut index = String::new();
    for chapter in chapters {
        let text = fs::read_to_string(&chapter).expect("a chapter is readable");
        let module = chapter
            .with_extension("")
            .to_string_lossy()
            .replace(|c: char| !c.is_ascii_alphanumeric(), "_");
        let copy = out_dir.join(format!("{module}.md"));
        fs::write(&copy, without_listing_includes(&text)).expect("OUT_DIR is writable");
        writeln!(
            index,
            "#[doc = include_str!({:?})]\n#[allow(non_snake_case)]\npub mod {module} {{}}",
            copy.display().to_string()
        )
        .expect("writing to a String");
    }
    fs::write(out_dir.join("chapter_doctests.rs"), index).expect("OUT_DIR is writable");
}

fn collect_chapters(dir: &Path, found: &mut Vec<PathBuf>) {
    for entry in fs::read_dir(dir).expect("src/ is readable") {
        let path = entry.expect("a directory entry").path();
        if path.is_dir() {
            collect_chapters(&path, found);
        } else if path.extension().is_some_and(|e| e == "md") {
            found.push(path);
        }
    }
}

fn without_listing_includes(text: &str) -> String {
    let include_lines: Vec<usize> = markdown::fences(text)
        .into_iter()
        .filter(|fence| fence.language() == "rust" && fence.is_only_directives())
        .map(|fence| fence.line)
        .collect();
    let mut out = String::with_capacity(text.len());
    for (index, line) in text.lines().enumerate() {
        if include_lines.contains(&(index + 1)) {
            let fence: String = line
                .chars()
                .take_while(|&c| c == '`' || c == '~' || c == ' ')
                .collect();
            out.push_str(&fence);
            out.push_str("text");
        } else {
            out.push_str(line);
        }
        out.push('\n');
    }
    out
}
