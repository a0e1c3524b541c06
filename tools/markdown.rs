//! Markdown for the book's checks: code blocks, read by the parser mdBook itself uses, and the
//! `{{#…}}` directives (mdBook's `include` and `rustdoc_include`, and the book's own), which
//! mdBook expands before it parses the Markdown. A directive the book does not use is
//! reported, not guessed at.

use std::path::{Path, PathBuf};

/// A fenced code block in a chapter.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fence {
    /// The info string after the opening fence, such as `rust,should_panic` or `console`.
    pub info: String,
    /// The lines between the fences, each ending in `\n`.
    pub body: String,
    /// 1-based line number of the opening fence.
    pub line: usize,
}

impl Fence {
    /// The language, the first word of the info string (`rust` for `rust,no_run`).
    pub fn language(&self) -> &str {
        self.info
            .split(|c: char| c == ',' || c.is_whitespace())
            .next()
            .unwrap_or("")
    }

    /// The attributes after the language (`no_run` and `edition2021` for `rust,no_run,edition2021`).
    pub fn attributes(&self) -> impl Iterator<Item = &str> {
        self.info
            .split(|c: char| c == ',' || c.is_whitespace())
            .skip(1)
            .filter(|word| !word.is_empty())
    }

    /// True when every non-blank line of the block is an mdBook directive: the block shows a
    /// file of a listing rather than code written in the chapter.
    pub fn is_only_directives(&self) -> bool {
        let mut lines = self
            .body
            .lines()
            .filter(|l| !l.trim().is_empty())
            .peekable();
        lines.peek().is_some() && lines.all(|l| is_directive_line(l.trim()))
    }
}

fn is_directive_line(line: &str) -> bool {
    line.starts_with("{{#") && line.ends_with("}}") && line.matches("{{#").count() == 1
}

/// Every code block of a Markdown text, in order, as mdBook's own Markdown parser reads it
/// (pulldown-cmark with mdBook's options), so that the checks see the blocks the page shows.
/// An indented code block has an empty info string.
pub fn fences(text: &str) -> Vec<Fence> {
    use mdbook_markdown::pulldown_cmark::{CodeBlockKind, Event, Tag, TagEnd};
    let options = mdbook_markdown::MarkdownOptions::default();
    let mut found = Vec::new();
    let mut open: Option<Fence> = None;
    for (event, range) in mdbook_markdown::new_cmark_parser(text, &options).into_offset_iter() {
        match event {
            Event::Start(Tag::CodeBlock(kind)) => {
                let info = match kind {
                    CodeBlockKind::Fenced(info) => info.trim().to_string(),
                    CodeBlockKind::Indented => String::new(),
                };
                open = Some(Fence {
                    info,
                    body: String::new(),
                    line: text[..range.start].matches('\n').count() + 1,
                });
            }
            Event::Text(body) => {
                if let Some(fence) = &mut open {
                    fence.body.push_str(&body);
                }
            }
            Event::End(TagEnd::CodeBlock) => found.extend(open.take()),
            _ => {}
        }
    }
    found
}

/// Which part of a file a directive takes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Selection {
    Whole,
    Anchor(String),
    /// Line numbers as mdBook reads them: 1-based, both ends optional.
    Lines(Option<usize>, Option<usize>),
}

/// One `{{#include …}}` or `{{#rustdoc_include …}}` in a chapter.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Directive {
    /// `include` or `rustdoc_include`.
    pub kind: String,
    /// The path as written, relative to the chapter's folder.
    pub path: String,
    pub selection: Selection,
    /// `key=value` and bare `flag` words after the path (for `listing`).
    pub attributes: Vec<(String, Option<String>)>,
    /// 1-based line of the chapter where it stands.
    pub line: usize,
}

impl Directive {
    /// The value of `key=value`, or `Some("")` for a bare `key`.
    pub fn attribute(&self, key: &str) -> Option<&str> {
        self.attributes
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_deref().unwrap_or(""))
    }

    /// The file it names, given the chapter it stands in.
    pub fn resolve(&self, chapter: &Path) -> PathBuf {
        chapter
            .parent()
            .unwrap_or_else(|| Path::new(""))
            .join(&self.path)
    }
}

/// The directives of a chapter. A `{{#` that is not a directive this book uses is an error:
/// mdBook would leave it in the page as it is.
pub fn directives(text: &str) -> Result<Vec<Directive>, String> {
    let mut found = Vec::new();
    for (index, line) in text.lines().enumerate() {
        let mut rest = line;
        while let Some(start) = rest.find("{{#") {
            let after = &rest[start + 3..];
            let Some(end) = after.find("}}") else {
                return Err(format!(
                    "line {}: `{{{{#` without a closing `}}}}`",
                    index + 1
                ));
            };
            let inner = after[..end].trim();
            found.push(parse_directive(inner, index + 1)?);
            rest = &after[end + 2..];
        }
    }
    Ok(found)
}

/// The directives the book uses: mdBook's own `include` and `rustdoc_include`, and the book's
/// `listing` (a numbered listing figure, see `figures.rs`), `timeline` (a picture drawn from a
/// listing's recorded run, see `timeline.rs`) and `error-index`.
pub const DIRECTIVES: [&str; 5] = [
    "include",
    "rustdoc_include",
    "listing",
    "timeline",
    "error-index",
];

fn parse_directive(inner: &str, line: usize) -> Result<Directive, String> {
    let words = split_words(inner).map_err(|e| format!("line {line}: {e}"))?;
    let mut words = words.into_iter();
    let kind = words.next().unwrap_or_default();
    if !DIRECTIVES.contains(&kind.as_str()) {
        return Err(format!(
            "line {line}: `{{{{#{kind}}}}}` is not a directive the book uses ({})",
            DIRECTIVES.join(", ")
        ));
    }
    if kind == "error-index" {
        return match words.next() {
            None => Ok(Directive {
                kind,
                path: String::new(),
                selection: Selection::Whole,
                attributes: Vec::new(),
                line,
            }),
            Some(_) => Err(format!("line {line}: `{{{{#error-index}}}}` takes nothing")),
        };
    }
    let target = words
        .next()
        .ok_or_else(|| format!("line {line}: `{{{{#{kind}}}}}` names no file"))?;
    let attributes: Vec<(String, Option<String>)> = words
        .map(|word| match word.split_once('=') {
            Some((key, value)) => (key.to_string(), Some(value.to_string())),
            None => (word, None),
        })
        .collect();
    if kind != "listing" && kind != "timeline" && !attributes.is_empty() {
        return Err(format!(
            "line {line}: `{{{{#{kind}}}}}` takes a single path"
        ));
    }
    let mut parts = target.splitn(2, ':');
    let path = parts.next().unwrap_or("").to_string();
    let selection = match parts.next() {
        None => Selection::Whole,
        Some(spec) => parse_selection(spec)
            .ok_or_else(|| format!("line {line}: cannot read the selection `{spec}`"))?,
    };
    Ok(Directive {
        kind,
        path,
        selection,
        attributes,
        line,
    })
}

/// Splits on white space, keeping `key="a quoted value"` together (the quotes removed).
fn split_words(text: &str) -> Result<Vec<String>, String> {
    let mut words = Vec::new();
    let mut word = String::new();
    let mut quoted = false;
    for c in text.chars() {
        match c {
            '"' => quoted = !quoted,
            c if c.is_whitespace() && !quoted => {
                if !word.is_empty() {
                    words.push(std::mem::take(&mut word));
                }
            }
            c => word.push(c),
        }
    }
    if quoted {
        return Err("a quote is not closed".to_string());
    }
    if !word.is_empty() {
        words.push(word);
    }
    Ok(words)
}

fn parse_selection(spec: &str) -> Option<Selection> {
    let is_number = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    let number = |s: &str| -> Option<Option<usize>> {
        if s.is_empty() {
            Some(None)
        } else if is_number(s) {
            s.parse().ok().map(Some)
        } else {
            None
        }
    };
    match spec.split_once(':') {
        Some((from, to)) => Some(Selection::Lines(number(from)?, number(to)?)),
        None if is_number(spec) => Some(Selection::Lines(number(spec)?, number(spec)?)),
        None if !spec.is_empty()
            && spec
                .chars()
                .all(|c| c.is_alphanumeric() || c == '_' || c == '-') =>
        {
            Some(Selection::Anchor(spec.to_string()))
        }
        None => None,
    }
}

/// True when `source` has both `ANCHOR: name` and `ANCHOR_END: name`, as mdBook expects.
pub fn has_anchor(source: &str, name: &str) -> bool {
    let marks = |prefix: &str| {
        source.lines().any(|line| {
            line.split_once(prefix)
                .map(|(_, rest)| {
                    rest.trim_start()
                        .split(|c: char| !(c.is_alphanumeric() || c == '_' || c == '-'))
                        .next()
                        == Some(name)
                })
                .unwrap_or(false)
        })
    };
    marks("ANCHOR:") && marks("ANCHOR_END:")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_fences_with_their_info_and_body() {
        let text = "intro\n```rust,no_run\nfn main() {}\n```\n\n~~~~console\n$ ls\n```\n~~~~\n";
        let found = fences(text);
        assert_eq!(found.len(), 2);
        assert_eq!(found[0].language(), "rust");
        assert_eq!(found[0].attributes().collect::<Vec<_>>(), ["no_run"]);
        assert_eq!(found[0].body, "fn main() {}\n");
        assert_eq!(found[0].line, 2);
        assert_eq!(found[1].language(), "console");
        assert_eq!(found[1].body, "$ ls\n```\n");
    }

    #[test]
    fn sees_blocks_as_mdbook_does() {
        // An indented block is code to mdBook and to rustdoc, with no language named.
        let found =
            fences("Text.\n\n    let x = 1;\n\n- a list\n\n  ```rust\n  fn f() {}\n  ```\n");
        assert_eq!(found.len(), 2);
        assert_eq!(found[0].info, "");
        assert_eq!(found[0].body, "let x = 1;\n");
        assert_eq!(found[1].language(), "rust");
        assert_eq!(found[1].body, "fn f() {}\n");
        assert_eq!(found[1].line, 7);
        // Four backticks inside a paragraph are not a fence.
        assert!(fences("Some ```` inline ```` code.\n").is_empty());
    }

    #[test]
    fn tells_an_include_block_from_written_code() {
        let include = &fences("```rust\n{{#include ../x/src/main.rs:all}}\n```\n")[0];
        assert!(include.is_only_directives());
        let mixed = &fences("```rust\n{{#include a.rs}}\nfn main() {}\n```\n")[0];
        assert!(!mixed.is_only_directives());
        let empty = &fences("```rust\n```\n")[0];
        assert!(!empty.is_only_directives());
    }

    #[test]
    fn reads_directives_and_their_selections() {
        let text = "a {{#include ../l/src/main.rs:steps}} b\n{{#rustdoc_include x.rs:2:5}}\n{{#include y.txt}}\n";
        let found = directives(text).unwrap();
        assert_eq!(found[0].selection, Selection::Anchor("steps".into()));
        assert_eq!(found[0].path, "../l/src/main.rs");
        assert_eq!(found[1].selection, Selection::Lines(Some(2), Some(5)));
        assert_eq!(found[1].kind, "rustdoc_include");
        assert_eq!(found[2].selection, Selection::Whole);
        assert_eq!(found[2].line, 3);
    }

    #[test]
    fn rejects_directives_the_book_does_not_use() {
        assert!(
            directives("{{#title Hello}}")
                .unwrap_err()
                .contains("title")
        );
        assert!(
            directives("{{#include}}")
                .unwrap_err()
                .contains("names no file")
        );
        assert!(directives("{{#include a.rs").is_err());
        assert!(
            directives("{{#include a.rs b.rs}}")
                .unwrap_err()
                .contains("single path")
        );
    }

    #[test]
    fn reads_a_listing_with_its_attributes() {
        let text = r#"{{#listing ../l/src/main.rs:steps caption="Two steps, one after the other" output badge=mistake}}"#;
        let found = &directives(text).unwrap()[0];
        assert_eq!(found.kind, "listing");
        assert_eq!(found.selection, Selection::Anchor("steps".into()));
        assert_eq!(
            found.attribute("caption"),
            Some("Two steps, one after the other")
        );
        assert_eq!(found.attribute("output"), Some(""));
        assert_eq!(found.attribute("badge"), Some("mistake"));
        assert_eq!(found.attribute("run"), None);
        assert!(
            directives(r#"{{#listing a.rs caption="open}}"#)
                .unwrap_err()
                .contains("quote")
        );
        assert_eq!(
            directives("{{#error-index}}").unwrap()[0].kind,
            "error-index"
        );
    }

    #[test]
    fn an_anchor_needs_both_ends() {
        let source = "// ANCHOR: steps\nfn a() {}\n// ANCHOR_END: steps\n// ANCHOR: half\n";
        assert!(has_anchor(source, "steps"));
        assert!(!has_anchor(source, "half"));
        assert!(!has_anchor(source, "step"));
    }
}
