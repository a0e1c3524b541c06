//! Building the book strictly: mdBook's own build, with every problem it would let pass
//! turned into a failure.
//!
//! mdBook logs a missing `{{#include}}` file as an error and still succeeds, says nothing
//! about a missing anchor, and leaves unknown `{{#…}}` text in the page. So the build here
//! checks the sources before mdBook runs, collects every warning and error mdBook logs while
//! it runs, and checks the pages it wrote afterwards.

use std::collections::{BTreeSet, HashMap};
use std::fmt;
use std::fs;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use anyhow::Context as _;
use mdbook_driver::MDBook;
use tracing::field::{Field, Visit};
use tracing::{Event, Level, Subscriber};
use tracing_subscriber::layer::{Context, SubscriberExt};
use tracing_subscriber::{Layer, Registry};

use crate::figures;
use crate::markdown::{self, Selection};

/// What is wrong with the book, one line per problem.
#[derive(Debug, Default)]
pub struct Problems(pub Vec<String>);

impl fmt::Display for Problems {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for problem in &self.0 {
            writeln!(f, "  - {problem}")?;
        }
        Ok(())
    }
}

impl std::error::Error for Problems {}

/// A finished build.
#[derive(Debug)]
pub struct Built {
    pub output: PathBuf,
    pub took: Duration,
}

/// Options for one build.
#[derive(Debug, Default, Clone)]
pub struct Options {
    /// The WebSocket path that pages open to hear "reload" (only when serving).
    pub live_reload_endpoint: Option<String>,
    /// Where to write the site, instead of `book.toml`'s `build-dir`.
    pub output: Option<PathBuf>,
}

/// Builds the book at `root` and fails with [`Problems`] if anything is wrong with it.
pub fn build(root: &Path, options: &Options) -> anyhow::Result<Built> {
    let start = Instant::now();
    let mut problems = check_sources(root)?;

    let logged = Arc::new(Mutex::new(Vec::new()));
    let subscriber = Registry::default().with(CollectWarnings(logged.clone()));
    let outcome = tracing::subscriber::with_default(subscriber, || -> anyhow::Result<PathBuf> {
        let mut book = MDBook::load(root)
            .with_context(|| format!("cannot load the book at {}", root.display()))?;
        if let Some(endpoint) = &options.live_reload_endpoint {
            book.config
                .set("output.html.live-reload-endpoint", endpoint)
                .context("cannot set the live-reload endpoint")?;
        }
        if let Some(output) = &options.output {
            book.config.build.build_dir = output.clone();
        }
        // book.toml declares the preprocessor as a command for stock mdBook; here the same
        // code runs in-process, in its place.
        book.with_preprocessor(figures::Preprocessor);
        book.build().context("mdBook could not build the book")?;
        Ok(book.build_dir_for("html"))
    });
    problems
        .0
        .extend(logged.lock().expect("log collector").drain(..));
    let output = match outcome {
        Ok(output) => output,
        Err(error) if problems.0.is_empty() => return Err(error),
        Err(error) => {
            problems.0.push(format!("{error:#}"));
            return Err(problems.into());
        }
    };

    // Every listing crate, viewable and downloadable, before the links to them are checked.
    crate::crates::export(root, &output)?;
    problems.0.extend(check_output(&output)?.0);
    if problems.0.is_empty() {
        Ok(Built {
            output,
            took: start.elapsed(),
        })
    } else {
        Err(problems.into())
    }
}

/// Every chapter (`.md` file) under the book's `src/`, sorted.
pub fn chapters(root: &Path) -> anyhow::Result<Vec<PathBuf>> {
    let mut found = files_with_extension(&root.join("src"), "md")?;
    found.sort();
    Ok(found)
}

/// Checks what mdBook would let pass in the sources: every directive names a file that exists
/// and, where it names an anchor, an anchor that exists in that file.
pub fn check_sources(root: &Path) -> anyhow::Result<Problems> {
    let mut problems = Problems::default();
    let table = crate::api_links::read_table(root)?;
    problems.0.extend(crate::api_links::table_problems(&table));
    for chapter in chapters(root)? {
        let text = fs::read_to_string(&chapter)?;
        let shown = chapter.strip_prefix(root).unwrap_or(&chapter).display();
        for problem in crate::api_links::hand_written_problems(&text, &table) {
            problems.0.push(format!("{shown}: {problem}"));
        }
        let directives = match markdown::directives(&text) {
            Ok(found) => found,
            Err(message) => {
                problems.0.push(format!("{shown}: {message}"));
                continue;
            }
        };
        for directive in directives {
            let line = directive.line;
            if directive.kind == "error-index" {
                continue;
            }
            if directive.kind == "listing" {
                for problem in figures::problems(&chapter, &directive) {
                    problems.0.push(format!("{shown}:{line}: {problem}"));
                }
            }
            if directive.kind == "timeline" {
                for problem in figures::timeline_problems(&chapter, &directive) {
                    problems.0.push(format!("{shown}:{line}: {problem}"));
                }
                continue;
            }
            let file = directive.resolve(&chapter);
            let Ok(source) = fs::read_to_string(&file) else {
                problems.0.push(format!(
                    "{shown}:{line}: the included file {} does not exist",
                    directive.path
                ));
                continue;
            };
            match &directive.selection {
                Selection::Anchor(name) if !markdown::has_anchor(&source, name) => {
                    problems.0.push(format!(
                        "{shown}:{line}: {} has no anchor `{name}` (it needs `ANCHOR: {name}` and `ANCHOR_END: {name}`)",
                        directive.path
                    ));
                }
                Selection::Lines(from, to) => {
                    let count = source.lines().count();
                    if from.unwrap_or(1) > count || to.is_some_and(|to| to > count) {
                        problems.0.push(format!(
                            "{shown}:{line}: {} has only {count} lines",
                            directive.path
                        ));
                    }
                }
                _ => {}
            }
        }
    }
    Ok(problems)
}

/// Checks the pages mdBook wrote: no `{{#` left in them, and every relative link and image
/// leads to a file that exists and, with a `#fragment`, to an element with that id.
pub fn check_output(output: &Path) -> anyhow::Result<Problems> {
    let mut problems = Problems::default();
    let pages = files_with_extension(output, "html")?;
    let mut ids: HashMap<PathBuf, BTreeSet<String>> = HashMap::new();
    let mut texts = Vec::new();
    for page in &pages {
        let text = fs::read_to_string(page)?;
        ids.insert(page.clone(), attribute_values(&text, "id").collect());
        texts.push(text);
    }
    for (page, text) in pages.iter().zip(&texts) {
        let shown = page.strip_prefix(output).unwrap_or(page).display();
        if let Some(at) = text.find("{{#") {
            let line = text[..at].lines().count().max(1);
            problems.0.push(format!(
                "{shown}:{line}: `{{{{#` is left in the page: {}",
                text[at..].lines().next().unwrap_or("").trim()
            ));
        }
        // print.html repeats every chapter; its links and prose are checked where they come from.
        if page.file_name().is_some_and(|name| name == "print.html") {
            continue;
        }
        if let Some(raw) = raw_markdown(text) {
            problems.0.push(format!(
                "{shown}: Markdown is left raw in the page (a paragraph right after a figure \
                 or an HTML block needs a blank line before it): `{raw}`"
            ));
        }
        let links = attribute_values(text, "href").chain(attribute_values(text, "src"));
        for link in links {
            if let Some(problem) = check_link(output, page, &link, &ids) {
                problems.0.push(format!("{shown}: {problem}"));
            }
        }
    }
    Ok(problems)
}

/// Markdown syntax in a page's prose, which means mdBook did not read it as Markdown: text
/// in backticks, or a link's `](`. Code, scripts and tag attributes are not prose.
fn raw_markdown(html: &str) -> Option<String> {
    let main = html.split_once("<main>").map_or(html, |(_, rest)| {
        rest.split("</main>").next().unwrap_or(rest)
    });
    let mut prose = String::new();
    let mut rest = main;
    // Leave out the contents of elements that hold code, then every tag.
    'outer: while !rest.is_empty() {
        for (open, close) in [
            ("<pre", "</pre>"),
            ("<code", "</code>"),
            ("<script", "</script>"),
            ("<style", "</style>"),
            ("<svg", "</svg>"),
        ] {
            if rest.starts_with(open) {
                rest = rest
                    .find(close)
                    .map_or("", |end| &rest[end + close.len()..]);
                continue 'outer;
            }
        }
        if rest.starts_with('<') {
            rest = rest.find('>').map_or("", |end| &rest[end + 1..]);
            prose.push(' ');
            continue;
        }
        let next = rest.find('<').unwrap_or(rest.len());
        prose.push_str(&rest[..next]);
        rest = &rest[next..];
    }
    for line in prose.lines() {
        let ticks = line.match_indices('`').count();
        if ticks >= 2 || line.contains("](") {
            return Some(line.trim().chars().take(80).collect());
        }
    }
    None
}

fn check_link(
    output: &Path,
    page: &Path,
    link: &str,
    ids: &HashMap<PathBuf, BTreeSet<String>>,
) -> Option<String> {
    let external = link.contains("://")
        || link.starts_with("//")
        || link.starts_with("mailto:")
        || link.starts_with("javascript:")
        || link.starts_with("data:");
    if external || link.is_empty() {
        return None;
    }
    let link = link.split('?').next().unwrap_or(link);
    let (path, fragment) = match link.split_once('#') {
        Some((path, fragment)) => (path, Some(fragment)),
        None => (link, None),
    };
    let target = if path.is_empty() {
        page.to_path_buf()
    } else if let Some(absolute) = path.strip_prefix('/') {
        output.join(absolute)
    } else {
        normalize(&page.parent().unwrap_or(output).join(path))
    };
    let target = if target.is_dir() {
        target.join("index.html")
    } else {
        target
    };
    if !target.exists() {
        return Some(format!("the link `{link}` leads nowhere"));
    }
    match (fragment, ids.get(&target)) {
        (Some(fragment), Some(found)) if !fragment.is_empty() && !found.contains(fragment) => Some(
            format!("the link `{link}` names no element with id `{fragment}`"),
        ),
        _ => None,
    }
}

fn normalize(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for part in path.components() {
        match part {
            std::path::Component::ParentDir => {
                out.pop();
            }
            std::path::Component::CurDir => {}
            other => out.push(other),
        }
    }
    out
}

/// The values of `name="…"` attributes in an HTML text, entities for `&` decoded.
fn attribute_values<'a>(html: &'a str, name: &'a str) -> impl Iterator<Item = String> + 'a {
    let needle = format!(" {name}=\"");
    html.match_indices(needle.clone().as_str())
        .map(move |(at, _)| {
            let rest = &html[at + needle.len()..];
            rest[..rest.find('"').unwrap_or(rest.len())].replace("&amp;", "&")
        })
        .collect::<Vec<_>>()
        .into_iter()
}

fn files_with_extension(dir: &Path, extension: &str) -> anyhow::Result<Vec<PathBuf>> {
    let mut found = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(dir) = stack.pop() {
        let entries =
            fs::read_dir(&dir).with_context(|| format!("cannot read {}", dir.display()))?;
        for entry in entries {
            let path = entry?.path();
            if path.is_dir() {
                stack.push(path);
            } else if path.extension().is_some_and(|e| e == extension) {
                found.push(path);
            }
        }
    }
    Ok(found)
}

/// A tracing layer that keeps every warning and error, so that the build can fail on them.
struct CollectWarnings(Arc<Mutex<Vec<String>>>);

impl<S: Subscriber> Layer<S> for CollectWarnings {
    fn on_event(&self, event: &Event<'_>, _: Context<'_, S>) {
        let level = *event.metadata().level();
        if level > Level::WARN {
            return;
        }
        let mut message = String::new();
        event.record(&mut MessageText(&mut message));
        let origin = event.metadata().target();
        self.0
            .lock()
            .expect("log collector")
            .push(format!("mdBook {level} ({origin}): {message}"));
    }
}

struct MessageText<'a>(&'a mut String);

impl Visit for MessageText<'_> {
    fn record_debug(&mut self, field: &Field, value: &dyn fmt::Debug) {
        if !self.0.is_empty() {
            self.0.push(' ');
        }
        if field.name() == "message" {
            self.0.push_str(&format!("{value:?}"));
        } else {
            self.0.push_str(&format!("{}={value:?}", field.name()));
        }
    }
}
