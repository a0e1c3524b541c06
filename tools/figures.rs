//! Listing figures: `{{#listing path[:anchor] caption="…" [output[=name]] [badge=…]}}` in a chapter
//! becomes a numbered figure, as in the Rust Book: number, file name, caption, badges, the code,
//! and the program's output (or the compiler's error) right under it.
//!
//! The expansion runs on the loaded book before mdBook's own preprocessors, so the `include`
//! directives it writes are then expanded by mdBook as usual. `{{#error-index}}` becomes a
//! table of every compiler error and panic the book's figures show.

use std::fmt::Write as _;
use std::fs;
use std::path::{Component, Path, PathBuf};

use anyhow::Context as _;
use mdbook_driver::book::{Book, BookItem};

use crate::markdown::{self, Directive, Selection};

/// The badges a listing can carry, with the legend's anchor and the label shown.
pub const BADGES: [(&str, &str); 3] = [
    ("does-not-compile", "does not compile"),
    ("panics", "panics"),
    ("mistake", "mistake on purpose"),
];

/// Crates the Rust Playground offers, so a listing using only these gets a Run button.
const PLAYGROUND_CRATES: [&str; 2] = ["tokio", "anyhow"];

/// What a `{{#listing}}` names, resolved against the repository.
#[derive(Debug, Clone)]
pub struct ListingRef {
    /// The file shown.
    pub file: PathBuf,
    /// The listing crate's folder.
    pub crate_dir: PathBuf,
    /// The crate's name and the path inside it, as the figure shows it.
    pub label: String,
    /// True for a program in `compile-fail/`, shown with the compiler's error.
    pub compile_fail: bool,
    /// Where the whole crate is on the site (`listings/part2/coffee-join`).
    pub site_dir: String,
}

impl ListingRef {
    pub fn resolve(chapter: &Path, directive: &Directive) -> Result<ListingRef, String> {
        let file = normalize(&directive.resolve(chapter));
        let parts: Vec<Component> = file.components().collect();
        let at = parts
            .iter()
            .rposition(|c| c.as_os_str() == "listings")
            .ok_or("a listing must be a file of a crate under listings/")?;
        if parts.len() < at + 5 {
            return Err("a listing must be a file inside listings/<part>/<crate>/".to_string());
        }
        let crate_dir: PathBuf = parts[..at + 3].iter().collect();
        let inside: PathBuf = parts[at + 3..].iter().collect();
        let crate_name = parts[at + 2].as_os_str().to_string_lossy();
        let compile_fail = parts[at + 3].as_os_str() == "compile-fail";
        let part = parts[at + 1].as_os_str().to_string_lossy();
        Ok(ListingRef {
            site_dir: crate::crates::site_dir(&part, &crate_name),
            label: format!("{crate_name}/{}", inside.display()),
            file,
            crate_dir,
            compile_fail,
        })
    }

    /// The output file that `output` (empty name) or `output=name` shows.
    pub fn output(&self, name: &str) -> PathBuf {
        self.crate_dir.join(output_file_name(name))
    }

    fn stderr(&self) -> PathBuf {
        self.file.with_extension("stderr")
    }

    fn runs_on_playground(&self) -> bool {
        if self.compile_fail || !self.file.ends_with("src/main.rs") {
            return false;
        }
        let Ok(manifest) = fs::read_to_string(self.crate_dir.join("Cargo.toml")) else {
            return false;
        };
        let Ok(manifest) = manifest.parse::<toml::Table>() else {
            return false;
        };
        let opted_out = manifest
            .get("package")
            .and_then(|p| p.get("metadata"))
            .and_then(|m| m.get("async-book"))
            .and_then(|b| b.get("playground"))
            .and_then(|v| v.as_bool())
            == Some(false);
        let deps_available = manifest
            .get("dependencies")
            .and_then(|d| d.as_table())
            .is_none_or(|deps| deps.keys().all(|k| PLAYGROUND_CRATES.contains(&k.as_str())));
        !opted_out && deps_available
    }
}

/// Problems with one `{{#listing}}`, for the strict build's check of the sources.
pub fn problems(chapter: &Path, directive: &Directive) -> Vec<String> {
    let mut found = Vec::new();
    let listing = match ListingRef::resolve(chapter, directive) {
        Ok(listing) => listing,
        Err(problem) => return vec![problem],
    };
    if !listing.crate_dir.join("Cargo.toml").exists() {
        found.push(format!("{} is not a crate", listing.crate_dir.display()));
    }
    if directive
        .attribute("caption")
        .is_none_or(|c| c.trim().is_empty())
    {
        found.push("a listing needs a caption=\"…\"".to_string());
    }
    if let Some(name) = directive.attribute("output")
        && !listing.output(name).exists()
    {
        found.push(format!(
            "`output` is asked for, but {} has no {}",
            listing.label,
            output_file_name(name)
        ));
    }
    if listing.compile_fail && !listing.stderr().exists() {
        found.push(format!("{} has no .stderr beside it", listing.label));
    }
    if let Some(badge) = directive.attribute("badge")
        && !BADGES.iter().any(|(name, _)| *name == badge)
    {
        found.push(format!("unknown badge `{badge}` (one of panics, mistake)"));
    }
    for (key, _) in &directive.attributes {
        if !["caption", "output", "badge", "long"].contains(&key.as_str()) {
            found.push(format!("unknown listing attribute `{key}`"));
        }
    }
    if let Ok(source) = fs::read_to_string(&listing.file) {
        let shown = shown_region_problems(
            &source,
            &directive.selection,
            directive.attribute("long").is_some(),
        );
        // A compile-fail program's lines are quoted, numbers and columns, in its saved
        // `.stderr`: rewrapping one means saving the compiler's error anew, so its width is
        // not held against the figure (the error shown under it is wider anyway).
        found.extend(
            shown
                .into_iter()
                .filter(|problem| !(listing.compile_fail && problem.contains(WIDE_LINE))),
        );
    }
    found
}

/// The most lines a figure shows unless it says `long`: about a screen.
pub const MAX_FIGURE_LINES: usize = 40;

/// The widest line a figure shows: the book's page fits 86 columns of code at 1280 px, and
/// `listings/rustfmt.toml` formats listings to 80.
pub const MAX_LINE_WIDTH: usize = 80;

/// How the problem of a line wider than `MAX_LINE_WIDTH` starts.
const WIDE_LINE: &str = "a shown line is";

/// The lines of `source` that a figure shows for `selection`: the anchored region without the
/// anchor comments of other regions inside it (mdBook leaves those out), or the whole file.
pub fn shown_lines<'a>(source: &'a str, selection: &Selection) -> Vec<&'a str> {
    let is_anchor_line = |line: &str| line.contains("ANCHOR:") || line.contains("ANCHOR_END:");
    match selection {
        Selection::Anchor(name) => {
            let mut inside = false;
            let mut shown = Vec::new();
            for line in source.lines() {
                if is_anchor_line(line) {
                    let named = |mark: &str| {
                        line.split_once(mark).is_some_and(|(_, rest)| {
                            rest.trim_start()
                                .split(|c: char| !(c.is_alphanumeric() || c == '_' || c == '-'))
                                .next()
                                == Some(name)
                        })
                    };
                    if named("ANCHOR_END:") {
                        break;
                    }
                    if named("ANCHOR:") {
                        inside = true;
                    }
                    continue;
                }
                if inside {
                    shown.push(line);
                }
            }
            shown
        }
        Selection::Lines(from, to) => {
            let from = from.unwrap_or(1).max(1);
            source
                .lines()
                .enumerate()
                .filter(|(index, _)| index + 1 >= from && to.is_none_or(|to| *index < to))
                .map(|(_, line)| line)
                .collect()
        }
        Selection::Whole => source.lines().collect(),
    }
}

/// What a figure must not show: anchor comments, test code, lines that scroll sideways, and
/// more than a screen of code unless the figure says `long`.
pub fn shown_region_problems(source: &str, selection: &Selection, long: bool) -> Vec<String> {
    let shown = shown_lines(source, selection);
    let mut found = Vec::new();
    if let Some(line) = shown
        .iter()
        .find(|l| l.contains("ANCHOR:") || l.contains("ANCHOR_END:"))
    {
        found.push(format!(
            "the figure shows the anchor comment `{}`: show an anchored region instead",
            line.trim()
        ));
    }
    if shown.iter().any(|l| l.contains("#[cfg(test)]")) {
        found.push(
            "the figure shows `#[cfg(test)]` code: keep tests outside the shown region".to_string(),
        );
    }
    for line in &shown {
        let width = line.chars().count();
        if width > MAX_LINE_WIDTH {
            found.push(format!(
                "{WIDE_LINE} {width} columns wide (at most {MAX_LINE_WIDTH} fit the page): `{}`",
                line.trim()
            ));
        }
    }
    if shown.len() > MAX_FIGURE_LINES && !long {
        found.push(format!(
            "the figure shows {} lines (more than {MAX_FIGURE_LINES}): show an anchored part, \
             or say `long` if the reader needs it whole",
            shown.len()
        ));
    }
    found
}

/// One figure, once numbered.
#[derive(Debug, Clone)]
pub struct Figure {
    /// The chapter's page, relative to the site's root (`part2/coffee-and-pastry.html`).
    pub page: String,
    pub chapter_name: String,
    pub id: String,
    pub number: String,
    pub caption: String,
    pub listing: ListingRef,
    pub badges: Vec<&'static str>,
    /// The output it shows: `Some("")` for output.txt, `Some(name)` for output-<name>.txt.
    pub output: Option<String>,
}

impl Figure {
    /// The first line of the compiler's error, or of the panic, that this figure shows.
    pub fn error_line(&self) -> Option<String> {
        if self.listing.compile_fail {
            let stderr = fs::read_to_string(self.listing.stderr()).ok()?;
            return stderr
                .lines()
                .find(|l| l.starts_with("error"))
                .map(str::to_string);
        }
        if self.badges.contains(&"panics") {
            let output =
                fs::read_to_string(self.listing.output(self.output.as_deref().unwrap_or("")))
                    .ok()?;
            let mut lines = output.lines();
            lines.find(|l| l.contains("panicked at"))?;
            return lines.next().map(|l| format!("panic: {}", l.trim()));
        }
        None
    }
}

/// The book's directives as an mdBook preprocessor, declared in `book.toml` as
/// `[preprocessor.async-book]`: `cargo run` registers it in-process, and stock `mdbook` runs it
/// as `async-book preprocessor` (JSON on stdin and stdout).
pub struct Preprocessor;

/// The name the preprocessor has in `book.toml`.
pub const PREPROCESSOR: &str = "async-book";

impl mdbook_preprocessor::Preprocessor for Preprocessor {
    fn name(&self) -> &str {
        PREPROCESSOR
    }

    fn run(
        &self,
        ctx: &mdbook_preprocessor::PreprocessorContext,
        mut book: Book,
    ) -> mdbook_driver::errors::Result<Book> {
        let fail = |error: anyhow::Error| mdbook_driver::errors::Error::msg(format!("{error:#}"));
        let src = ctx.root.join(&ctx.config.book.src);
        // Numbers first: listing numbers are made from them.
        crate::contents::renumber(&mut book);
        crate::contents::note_planned_chapters(&mut book);
        expand(&mut book, &src).map_err(fail)?;
        let table = crate::api_links::read_table(&ctx.root).map_err(fail)?;
        book.for_each_chapter_mut(|chapter| {
            chapter.content = crate::api_links::link_chapter(&chapter.content, &table);
        });
        Ok(book)
    }
}

/// Runs the preprocessor as stock mdBook calls it: `supports <renderer>` answers by the exit
/// status; with no arguments, the book comes as JSON on `input` and goes back on `output`.
pub fn run_as_command(
    args: &[String],
    input: impl std::io::Read,
    output: impl std::io::Write,
) -> anyhow::Result<()> {
    if let [supports, _renderer] = args
        && supports == "supports"
    {
        // Every renderer: the expanded chapters are plain Markdown and HTML.
        return Ok(());
    }
    anyhow::ensure!(
        args.is_empty(),
        "usage: async-book preprocessor [supports RENDERER]"
    );
    let (ctx, book) =
        mdbook_preprocessor::parse_input(input).map_err(|error| anyhow::anyhow!("{error:#}"))?;
    let book = mdbook_preprocessor::Preprocessor::run(&Preprocessor, &ctx, book)
        .map_err(|error| anyhow::anyhow!("{error:#}"))?;
    serde_json::to_writer(output, &book).context("cannot write the book")?;
    Ok(())
}

/// Expands every `{{#listing}}` and `{{#error-index}}` in the book.
/// `src` is the book's source folder, which chapter paths are relative to.
pub fn expand(book: &mut Book, src: &Path) -> anyhow::Result<Vec<Figure>> {
    let mut figures = Vec::new();
    let mut failure = None;
    book.for_each_chapter_mut(|chapter| {
        if failure.is_some() {
            return;
        }
        let (Some(path), Some(source)) = (chapter.path.clone(), chapter.source_path.clone()) else {
            return;
        };
        let number = chapter
            .number
            .as_ref()
            .map(|n| n.iter().map(u32::to_string).collect::<Vec<_>>().join("."));
        match expand_chapter(
            &chapter.content,
            &src.join(&source),
            &path,
            number.as_deref(),
            &chapter.name,
        ) {
            Ok((content, found)) => {
                chapter.content = content;
                figures.extend(found);
            }
            Err(error) => failure = Some(error.context(format!("in {}", source.display()))),
        }
    });
    if let Some(error) = failure {
        return Err(error);
    }
    let index = error_index(&figures);
    for item in &mut book.items {
        replace_error_index(item, &index);
    }
    Ok(figures)
}

fn replace_error_index(item: &mut BookItem, index: &str) {
    if let BookItem::Chapter(chapter) = item {
        if let Some(path) = &chapter.path {
            let depth = path.components().count().saturating_sub(1);
            let up = "../".repeat(depth);
            let table = index.replace("{root}", &up);
            chapter.content = chapter.content.replace("{{#error-index}}", &table);
        }
        for sub in &mut chapter.sub_items {
            replace_error_index(sub, index);
        }
    }
}

fn expand_chapter(
    content: &str,
    chapter_file: &Path,
    page: &Path,
    number: Option<&str>,
    chapter_name: &str,
) -> anyhow::Result<(String, Vec<Figure>)> {
    let up = "../".repeat(page.components().count().saturating_sub(1));
    let mut out = String::with_capacity(content.len());
    let mut figures = Vec::new();
    for line in content.lines() {
        let trimmed = line.trim();
        if trimmed.starts_with("{{#timeline ") && trimmed.ends_with("}}") {
            let directive = markdown::directives(trimmed)
                .map_err(anyhow::Error::msg)?
                .into_iter()
                .next()
                .context("a timeline directive")?;
            out.push_str(&timeline_figure(chapter_file, &directive)?);
            continue;
        }
        if !(trimmed.starts_with("{{#listing ") && trimmed.ends_with("}}")) {
            out.push_str(line);
            out.push('\n');
            continue;
        }
        let directive = markdown::directives(trimmed)
            .map_err(anyhow::Error::msg)?
            .into_iter()
            .next()
            .context("a listing directive")?;
        let listing = ListingRef::resolve(chapter_file, &directive).map_err(anyhow::Error::msg)?;
        let count = figures.len() + 1;
        let number = match number {
            Some(chapter) => format!("{chapter}-{count}"),
            None => count.to_string(),
        };
        let mut badges = Vec::new();
        if listing.compile_fail {
            badges.push("does-not-compile");
        }
        if let Some(badge) = directive.attribute("badge") {
            let known = BADGES
                .iter()
                .find(|(name, _)| *name == badge)
                .with_context(|| format!("unknown badge `{badge}`"))?;
            badges.push(known.0);
        }
        let figure = Figure {
            page: page.with_extension("html").display().to_string(),
            chapter_name: chapter_name.to_string(),
            id: format!("listing-{}", number.replace('.', "-")),
            number,
            caption: directive.attribute("caption").unwrap_or("").to_string(),
            listing,
            badges,
            output: directive.attribute("output").map(String::from),
        };
        write_figure(&mut out, &figure, &directive, &up);
        figures.push(figure);
    }
    Ok((out, figures))
}

fn write_figure(out: &mut String, figure: &Figure, directive: &Directive, up: &str) {
    let listing = &figure.listing;
    let path = &directive.path;
    let selection = match &directive.selection {
        Selection::Anchor(name) => format!(":{name}"),
        _ => String::new(),
    };
    let id = &figure.id;
    let _ = write!(
        out,
        "<figure class=\"listing\" id=\"{id}\">\n<figcaption>\
         <a class=\"listing-number\" href=\"#{id}\">Listing {}</a> \
         <span class=\"listing-file\">{}</span>",
        figure.number,
        escape(&listing.label)
    );
    for badge in &figure.badges {
        let label = BADGES
            .iter()
            .find(|(name, _)| name == badge)
            .map_or(*badge, |(_, label)| *label);
        let _ = write!(
            out,
            " <a class=\"listing-badge badge-{badge}\" href=\"{up}appendix/badges.html#{badge}\">{label}</a>"
        );
    }
    // The whole crate: its files on the site, and the folder to download.
    let crate_name = listing.label.split('/').next().unwrap_or_default();
    let _ = write!(
        out,
        " <span class=\"listing-links\"><a href=\"{up}{dir}/index.html\" \
         title=\"Every file of the {crate_name} crate\">whole crate</a> \
         <a href=\"{up}{dir}.tar.gz\" download \
         title=\"Download {crate_name} as a folder that builds with cargo run\">download</a></span>",
        dir = listing.site_dir
    );
    let _ = writeln!(
        out,
        "<span class=\"listing-caption\">{}</span></figcaption>\n",
        inline_code(&escape(&figure.caption))
    );
    let info = if listing.runs_on_playground() {
        "rust"
    } else {
        "rust,noplayground"
    };
    // rustdoc_include shows the anchored part and keeps the rest of the file as hidden lines,
    // so the Run and expand buttons work on the whole program.
    let _ = writeln!(
        out,
        "```{info}\n{{{{#rustdoc_include {path}{selection}}}}}\n```\n"
    );
    let crate_path = path.find("/compile-fail/").map_or_else(
        || path.rsplit_once("/src/").map(|(dir, _)| dir.to_string()),
        |at| Some(path[..at].to_string()),
    );
    if listing.compile_fail {
        let stderr = Path::new(path).with_extension("stderr");
        let _ = writeln!(
            out,
            "<div class=\"listing-output listing-error\">\n\n```text\n{{{{#include {}}}}}\n```\n\n</div>",
            stderr.display()
        );
    } else if let Some(name) = directive.attribute("output")
        && let Some(crate_path) = crate_path
    {
        let file = output_file_name(name);
        let _ = writeln!(
            out,
            "<div class=\"listing-output\">\n\n```console\n{{{{#include {crate_path}/{file}}}}}\n```\n\n</div>"
        );
    }
    // A blank line ends the HTML block: without it, Markdown on the next line of the chapter
    // would be taken as part of the block and shown raw.
    out.push_str("</figure>\n\n");
}

/// The timelines a `{{#timeline}}` draws: its path, then `compare=`, each titled by its crate.
fn timeline_files(chapter: &Path, directive: &Directive) -> Vec<(String, PathBuf)> {
    let mut paths = vec![directive.path.clone()];
    paths.extend(directive.attribute("compare").map(String::from));
    paths
        .into_iter()
        .map(|path| {
            let file = normalize(&chapter.parent().unwrap_or(Path::new("")).join(&path));
            let title = file
                .parent()
                .and_then(|dir| dir.file_name())
                .map_or_else(|| path.clone(), |name| name.to_string_lossy().into_owned());
            (title, file)
        })
        .collect()
}

fn timeline_figure(chapter: &Path, directive: &Directive) -> anyhow::Result<String> {
    let files = timeline_files(chapter, directive);
    let files: Vec<(String, &Path)> = files
        .iter()
        .map(|(t, f)| (t.clone(), f.as_path()))
        .collect();
    let caption = directive.attribute("caption").unwrap_or("");
    crate::timeline::figure(&files, caption).map_err(anyhow::Error::msg)
}

/// Problems with one `{{#timeline}}`, for the strict build's check of the sources.
pub fn timeline_problems(chapter: &Path, directive: &Directive) -> Vec<String> {
    let mut found = Vec::new();
    if directive
        .attribute("caption")
        .is_none_or(|c| c.trim().is_empty())
    {
        found.push("a timeline needs a caption=\"…\"".to_string());
    }
    for (key, _) in &directive.attributes {
        if !["caption", "compare"].contains(&key.as_str()) {
            found.push(format!("unknown timeline attribute `{key}`"));
        }
    }
    for (_, file) in timeline_files(chapter, directive) {
        match fs::read_to_string(&file) {
            Err(_) => found.push(format!("{} does not exist", file.display())),
            Ok(text) => {
                if let Err(problem) = crate::timeline::parse(&text) {
                    found.push(format!("{}: {problem}", file.display()));
                }
                // The picture is recorded from the real run of the crate's main program.
                let crate_dir = file.parent().unwrap_or(Path::new(""));
                if !crate_dir.join("output.txt").exists() {
                    found.push(format!(
                        "{} has no output.txt, whose run records timeline.txt",
                        crate_dir.display()
                    ));
                }
            }
        }
    }
    found
}

/// The Markdown table that `{{#error-index}}` becomes; `{root}` stands for the way up from the
/// page that shows it to the site's root.
fn error_index(figures: &[Figure]) -> String {
    let mut rows: Vec<(String, &Figure)> = figures
        .iter()
        .filter_map(|f| f.error_line().map(|line| (line, f)))
        .collect();
    rows.sort_by(|a, b| a.0.cmp(&b.0));
    if rows.is_empty() {
        return "No listing in the book shows an error yet.\n".to_string();
    }
    let mut table = String::from("| Error or panic | Where it is explained |\n| --- | --- |\n");
    for (line, figure) in rows {
        let _ = writeln!(
            table,
            "| <code>{}</code> | [{}, listing {}]({{root}}{}#{}) |",
            escape(&line).replace('|', "&#124;").replace('`', "&#96;"),
            figure.chapter_name,
            figure.number,
            figure.page,
            figure.id
        );
    }
    table
}

/// `output.txt` for a listing's main program, `output-<name>.txt` for another of its programs.
fn output_file_name(name: &str) -> String {
    if name.is_empty() {
        "output.txt".to_string()
    } else {
        format!("output-{name}.txt")
    }
}

/// Text made safe to put in HTML, attribute values included.
pub(crate) fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// `code` in backticks becomes `<code>`, since Markdown is not read inside the figure's HTML.
fn inline_code(text: &str) -> String {
    let mut out = String::new();
    for (index, part) in text.split('`').enumerate() {
        if index % 2 == 1 {
            let _ = write!(out, "<code>{part}</code>");
        } else {
            out.push_str(part);
        }
    }
    out
}

fn normalize(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for part in path.components() {
        match part {
            Component::ParentDir => {
                out.pop();
            }
            Component::CurDir => {}
            other => out.push(other),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn inline_code_becomes_html() {
        assert_eq!(
            inline_code("uses `join!` twice"),
            "uses <code>join!</code> twice"
        );
    }

    #[test]
    fn a_listing_is_labelled_by_its_crate_and_file() {
        let directive = &markdown::directives(
            "{{#listing ../../listings/part2/coffee-join/src/main.rs:breakfast caption=\"x\"}}",
        )
        .unwrap()[0];
        let listing = ListingRef::resolve(Path::new("src/part2/chapter.md"), directive).unwrap();
        assert_eq!(listing.label, "coffee-join/src/main.rs");
        assert!(!listing.compile_fail);
        assert_eq!(listing.crate_dir, Path::new("listings/part2/coffee-join"));
    }
}
