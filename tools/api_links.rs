//! API names in inline code link to their documentation: `tokio::spawn` in a chapter becomes a
//! link to tokio's docs the first time it appears in that chapter (outside headings and links),
//! and a compiler error code such as `E0373` links to rustc's error index. The names and their
//! pages are one table, `api-links.toml`, so a name always leads to the same page; a link to
//! the documentation written by hand in a chapter must agree with the table.

use std::collections::{BTreeMap, HashSet};
use std::path::Path;

use anyhow::Context as _;
use mdbook_markdown::pulldown_cmark::{Event, LinkType, Tag, TagEnd};

/// The table's file, at the book's root.
pub const TABLE: &str = "api-links.toml";

/// Where documentation lives: a link to one of these must come from the table.
const DOC_SITES: [&str; 2] = ["https://docs.rs/", "https://doc.rust-lang.org/"];

/// The table: inline code text, exactly as a chapter writes it, and the page it links to.
pub type Table = BTreeMap<String, String>;

/// Reads the table; a book without one links nothing.
pub fn read_table(root: &Path) -> anyhow::Result<Table> {
    let path = root.join(TABLE);
    let Ok(text) = std::fs::read_to_string(&path) else {
        return Ok(Table::new());
    };
    let parsed: toml::Table = text
        .parse()
        .with_context(|| format!("cannot parse {}", path.display()))?;
    let mut table = Table::new();
    if let Some(links) = parsed.get("links").and_then(|l| l.as_table()) {
        for (name, url) in links {
            let url = url
                .as_str()
                .with_context(|| format!("{TABLE}: `{name}` needs a URL"))?;
            table.insert(name.clone(), url.to_string());
        }
    }
    Ok(table)
}

/// Problems with the table itself: a page that is not documentation, or one name that leads
/// to two pages when written with more of its path (`spawn_blocking` and
/// `tokio::task::spawn_blocking`, `join!` and `tokio::join!`).
pub fn table_problems(table: &Table) -> Vec<String> {
    let mut found = Vec::new();
    for (name, url) in table {
        if !DOC_SITES.iter().any(|site| url.starts_with(site)) {
            found.push(format!(
                "{TABLE}: `{name}` links to {url}, which is not on docs.rs or doc.rust-lang.org"
            ));
        }
        let bare = name.trim_end_matches("()");
        for (longer, longer_url) in table {
            let longer_bare = longer.trim_end_matches("()");
            let same_thing = longer != name
                && (longer_bare == bare || longer_bare.ends_with(&format!("::{bare}")));
            if same_thing && longer_url != url {
                found.push(format!(
                    "{TABLE}: `{name}` and `{longer}` name the same thing but link to different pages"
                ));
            }
        }
    }
    found
}

/// The page for an inline code text: the table's, or rustc's error index for `E0373`.
fn page_for<'a>(table: &'a Table, code: &str) -> Option<std::borrow::Cow<'a, str>> {
    if let Some(url) = table.get(code) {
        return Some(url.into());
    }
    let is_error_code =
        code.len() == 5 && code.starts_with('E') && code[1..].bytes().all(|b| b.is_ascii_digit());
    is_error_code.then(|| format!("https://doc.rust-lang.org/error_codes/{code}.html").into())
}

/// The chapter's Markdown with the first mention of each name linked.
pub fn link_chapter(markdown: &str, table: &Table) -> String {
    let options = mdbook_markdown::MarkdownOptions::default();
    let mut linked = HashSet::new();
    let mut edits = Vec::new();
    let mut in_link_or_heading = 0usize;
    for (event, range) in mdbook_markdown::new_cmark_parser(markdown, &options).into_offset_iter() {
        match event {
            Event::Start(Tag::Link { .. } | Tag::Heading { .. } | Tag::Image { .. }) => {
                in_link_or_heading += 1;
            }
            Event::End(TagEnd::Link | TagEnd::Heading(_) | TagEnd::Image) => {
                in_link_or_heading -= 1;
            }
            Event::Code(code) if in_link_or_heading == 0 => {
                if let Some(url) = page_for(table, &code)
                    && linked.insert(code.to_string())
                {
                    let written = &markdown[range.clone()];
                    edits.push((range, format!("[{written}]({url})")));
                }
            }
            _ => {}
        }
    }
    let mut out = markdown.to_string();
    for (range, replacement) in edits.into_iter().rev() {
        out.replace_range(range, &replacement);
    }
    out
}

/// Links written by hand to documentation whose text is inline code must agree with the
/// table: the name is in it, with the same page.
pub fn hand_written_problems(markdown: &str, table: &Table) -> Vec<String> {
    let options = mdbook_markdown::MarkdownOptions::default();
    let mut found = Vec::new();
    let mut open: Option<String> = None;
    for event in mdbook_markdown::new_cmark_parser(markdown, &options) {
        match event {
            Event::Start(Tag::Link {
                link_type: LinkType::Inline | LinkType::Reference | LinkType::Shortcut,
                dest_url,
                ..
            }) if DOC_SITES.iter().any(|site| dest_url.starts_with(site)) => {
                open = Some(dest_url.to_string());
            }
            Event::Code(code) => {
                if let Some(url) = &open {
                    match table.get(code.as_ref()) {
                        Some(table_url) if table_url == url => {}
                        Some(table_url) => found.push(format!(
                            "`{code}` links to {url}, but {TABLE} links it to {table_url}"
                        )),
                        None => found.push(format!(
                            "`{code}` links to {url} by hand: put it in {TABLE} instead"
                        )),
                    }
                }
            }
            Event::End(TagEnd::Link) => open = None,
            _ => {}
        }
    }
    found
}

#[cfg(test)]
mod tests {
    use super::*;

    fn table() -> Table {
        [
            (
                "tokio::spawn",
                "https://docs.rs/tokio/1/tokio/fn.spawn.html",
            ),
            (
                "JoinSet",
                "https://docs.rs/tokio/1/tokio/task/struct.JoinSet.html",
            ),
        ]
        .into_iter()
        .map(|(a, b)| (a.to_string(), b.to_string()))
        .collect()
    }

    #[test]
    fn the_first_mention_in_prose_is_linked() {
        let text = "# About `JoinSet`\n\nUse `JoinSet`, then `JoinSet` again, and `tokio::spawn`.\n\n\
                    ```rust\nlet x = `JoinSet`;\n```\n\nSee [`JoinSet`](a.md) and `E0373`.\n";
        let linked = link_chapter(text, &table());
        assert_eq!(
            linked,
            "# About `JoinSet`\n\nUse [`JoinSet`](https://docs.rs/tokio/1/tokio/task/struct.JoinSet.html), \
             then `JoinSet` again, and [`tokio::spawn`](https://docs.rs/tokio/1/tokio/fn.spawn.html).\n\n\
             ```rust\nlet x = `JoinSet`;\n```\n\nSee [`JoinSet`](a.md) and \
             [`E0373`](https://doc.rust-lang.org/error_codes/E0373.html).\n"
        );
    }

    #[test]
    fn a_hand_written_link_must_agree_with_the_table() {
        let good = "[`JoinSet`](https://docs.rs/tokio/1/tokio/task/struct.JoinSet.html)";
        assert!(hand_written_problems(good, &table()).is_empty());
        let other_page = "[`JoinSet`](https://docs.rs/tokio/latest/tokio/index.html)";
        assert!(hand_written_problems(other_page, &table())[0].contains("but api-links.toml"));
        let unknown = "[`Notify`](https://docs.rs/tokio/1/tokio/sync/struct.Notify.html)";
        assert!(hand_written_problems(unknown, &table())[0].contains("put it in"));
    }

    #[test]
    fn one_name_never_leads_to_two_pages() {
        let mut table = table();
        assert!(table_problems(&table).is_empty());
        table.insert(
            "spawn".into(),
            "https://docs.rs/tokio/1/tokio/task/fn.spawn.html".into(),
        );
        table.insert(
            "tokio::task::spawn".into(),
            "https://docs.rs/tokio/1/tokio/fn.spawn.html".into(),
        );
        assert!(table_problems(&table)[0].contains("link to different pages"));
        table.remove("spawn");
        table.insert("x".into(), "https://example.com/".into());
        assert!(table_problems(&table)[0].contains("not on docs.rs"));
    }
}
