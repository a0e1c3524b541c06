// The strict build: the real book builds cleanly, and each kind of problem mdBook would let
// pass makes the build fail, shown on a small broken book made for the purpose.

use std::fs;
use std::path::Path;

use async_book::book::{self, Options, Problems};

fn build_into(root: &Path, output: &Path) -> anyhow::Result<book::Built> {
    let options = Options {
        output: Some(output.to_path_buf()),
        ..Default::default()
    };
    book::build(root, &options)
}

/// The real book, built once for every test that reads its pages (each build takes a second or
/// two), into a folder of the target directory that the next run overwrites.
fn the_book() -> &'static book::Built {
    static BUILT: std::sync::OnceLock<book::Built> = std::sync::OnceLock::new();
    BUILT.get_or_init(|| {
        let output = crate::target_dir().join("book-tests-site");
        build_into(&async_book::root(), &output).unwrap()
    })
}

/// The problems a failed build reports, one per line.
fn problems_of(result: anyhow::Result<book::Built>) -> String {
    let error = result.expect_err("the build should fail");
    match error.downcast_ref::<Problems>() {
        Some(problems) => problems.to_string(),
        None => format!("{error:#}"),
    }
}

/// A book of one chapter, `chapter.md` with the given text, and a listing file to include.
fn small_book(chapter: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    fs::create_dir_all(root.join("src")).unwrap();
    fs::write(
        root.join("book.toml"),
        "[book]\ntitle = \"Test\"\n[build]\ncreate-missing = false\n",
    )
    .unwrap();
    fs::write(
        root.join("src/SUMMARY.md"),
        "# Summary\n\n- [Chapter](chapter.md)\n- [Other](other.md)\n",
    )
    .unwrap();
    fs::write(root.join("src/chapter.md"), chapter).unwrap();
    fs::write(root.join("src/other.md"), "# Other\n\n## A section\n").unwrap();
    fs::write(
        root.join("src/code.rs"),
        "// ANCHOR: main\nfn main() {}\n// ANCHOR_END: main\n",
    )
    .unwrap();
    dir
}

#[test]
fn the_book_builds_cleanly_with_search_and_without_draft_pages() {
    let built = the_book();
    let chapter = fs::read_to_string(built.output.join("part2/coffee-and-pastry.html")).unwrap();
    // The includes were expanded: the listing's code and its output are in the page.
    assert!(chapter.contains("Breakfast served after 3.0s"));
    assert!(chapter.contains("E0728"));
    let files: Vec<String> = fs::read_dir(&built.output)
        .unwrap()
        .map(|entry| entry.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert!(
        files.iter().any(|name| name.starts_with("searchindex")),
        "search is enabled, so mdBook writes a search index: {files:?}"
    );
    // Draft chapters are listed in the table of contents but get no page.
    let summary = fs::read_to_string(async_book::root().join("src/SUMMARY.md")).unwrap();
    let toc = fs::read_to_string(built.output.join("toc.html")).unwrap();
    let drafts: Vec<&str> = summary
        .lines()
        .filter_map(|line| line.trim().strip_prefix("- [")?.strip_suffix("]()"))
        .collect();
    // (Every chapter is written now; the small book below keeps a draft to check.)
    for draft in drafts {
        assert!(
            toc.contains(draft),
            "the draft `{draft}` is missing from the table of contents"
        );
    }
    let pages = fs::read_dir(&built.output).unwrap().count();
    // Part 5 publishes the chapters it links and nothing for its drafts.
    let part5_pages = fs::read_dir(built.output.join("part5")).map_or(0, |dir| dir.count());
    let part5_linked = summary
        .lines()
        .filter(|line| line.contains("](part5/"))
        .count();
    assert_eq!(
        part5_pages, part5_linked,
        "Part 5's drafts get no page, its written chapters one each"
    );
    assert!(pages > 5);
}

#[test]
fn a_small_correct_book_builds() {
    let book = small_book(
        "# Chapter\n\n```rust\n{{#include code.rs:main}}\n```\n\nSee [other](other.md#a-section).\n",
    );
    let output = book.path().join("out");
    build_into(book.path(), &output).unwrap();
    assert!(
        fs::read_to_string(output.join("chapter.html"))
            .unwrap()
            .contains("fn main()")
    );
}

#[test]
fn a_missing_include_file_fails_the_build() {
    let book = small_book("# Chapter\n\n```rust\n{{#include missing.rs}}\n```\n");
    let problems = problems_of(build_into(book.path(), &book.path().join("out")));
    assert!(problems.contains("missing.rs does not exist"), "{problems}");
}

#[test]
fn a_missing_anchor_fails_the_build() {
    let book = small_book("# Chapter\n\n```rust\n{{#include code.rs:mian}}\n```\n");
    let problems = problems_of(build_into(book.path(), &book.path().join("out")));
    assert!(problems.contains("has no anchor `mian`"), "{problems}");
}

#[test]
fn a_link_to_a_chapter_that_does_not_exist_fails_the_build() {
    let book = small_book("# Chapter\n\nSee [the next chapter](next.md).\n");
    let problems = problems_of(build_into(book.path(), &book.path().join("out")));
    assert!(
        problems.contains("the link `next.html` leads nowhere"),
        "{problems}"
    );
}

#[test]
fn a_link_to_a_heading_that_does_not_exist_fails_the_build() {
    let book = small_book("# Chapter\n\nSee [that section](other.md#no-such-section).\n");
    let problems = problems_of(build_into(book.path(), &book.path().join("out")));
    assert!(
        problems.contains("no element with id `no-such-section`"),
        "{problems}"
    );
}

#[test]
fn a_directive_left_in_a_page_fails_the_build() {
    // `{{#title}}` is a real mdBook directive the book does not use: caught in the sources.
    let book = small_book("# Chapter\n\n{{#title Breakfast}}\n");
    let problems = problems_of(build_into(book.path(), &book.path().join("out")));
    assert!(
        problems.contains("`{{#title}}` is not a directive the book uses"),
        "{problems}"
    );

    // And should one reach a page by any other road, the check of the output catches it.
    let site = tempfile::tempdir().unwrap();
    fs::write(
        site.path().join("page.html"),
        "<p>{{#include gone.rs}}</p>\n",
    )
    .unwrap();
    let problems = book::check_output(site.path()).unwrap().to_string();
    assert!(
        problems.contains("page.html:1: `{{#` is left in the page"),
        "{problems}"
    );
}

#[test]
fn markdown_left_raw_in_a_page_fails_the_build() {
    // An HTML block runs to the next blank line, so the paragraph is not read as Markdown:
    // the page would show its backticks and brackets as they are.
    let book =
        small_book("# Chapter\n\n<figure>A figure</figure>\nThen `code` and [a link](other.md).\n");
    let problems = problems_of(build_into(book.path(), &book.path().join("out")));
    assert!(problems.contains("Markdown is left raw"), "{problems}");
    assert!(problems.contains("Then `code`"), "{problems}");

    let fixed = small_book(
        "# Chapter\n\n<figure>A figure</figure>\n\nThen `code` and [a link](other.md).\n",
    );
    build_into(fixed.path(), &fixed.path().join("out")).unwrap();
}

#[test]
fn a_paragraph_right_after_a_listing_figure_is_read_as_markdown() {
    let built = the_book();
    let chapter = fs::read_to_string(built.output.join("part2/coffee-and-pastry.html")).unwrap();
    // In the chapter, this paragraph starts on the line right after a `{{#listing}}`.
    assert!(
        chapter.contains("<p><code>make_breakfast</code> awaits one step"),
        "the paragraph after Listing 7-2 is not rendered as Markdown"
    );
}

#[test]
fn a_warning_from_mdbook_fails_the_build() {
    // A footnote defined twice passes every check of ours; mdBook only logs a warning.
    let book = small_book("# Chapter\n\nA claim.[^a]\n\n[^a]: One.\n\n[^a]: Two.\n");
    let problems = problems_of(build_into(book.path(), &book.path().join("out")));
    assert!(problems.contains("mdBook WARN"), "{problems}");
    assert!(problems.contains("defined multiple times"), "{problems}");
}

/// The rows of the "From asyncio to tokio" table: (asyncio, tokio, where it is taught).
fn asyncio_rows() -> Vec<(String, String, String)> {
    let text =
        fs::read_to_string(async_book::root().join("src/appendix/asyncio-to-tokio.md")).unwrap();
    text.lines()
        .filter(|line| {
            line.starts_with("| ") && !line.starts_with("| ---") && !line.starts_with("| asyncio |")
        })
        .map(|line| {
            let cells: Vec<String> = line
                .trim_matches('|')
                .split(" | ")
                .map(|c| c.trim().to_string())
                .collect();
            assert_eq!(cells.len(), 3, "a row of three cells: {line}");
            (cells[0].clone(), cells[1].clone(), cells[2].clone())
        })
        .collect()
}

#[test]
fn the_asyncio_map_covers_every_idea_the_source_guides_use() {
    let rows = asyncio_rows();
    let asyncio: String = rows
        .iter()
        .map(|r| r.0.as_str())
        .collect::<Vec<_>>()
        .join("\n");
    for idea in [
        "asyncio.run",
        "asyncio.create_task",
        "asyncio.gather",
        "asyncio.wait",
        "asyncio.wait_for",
        "asyncio.TaskGroup",
        "asyncio.Queue",
        "asyncio.Future",
        "asyncio.Lock",
        "asyncio.Event",
        "asyncio.Semaphore",
        "contextvars",
        "run_in_executor",
        "asyncio.to_thread",
        "create_subprocess_exec",
        "aiosqlite",
        "asyncpg",
        "aio-pika",
        "task_done",
        "cancel",
    ] {
        assert!(
            asyncio.contains(idea),
            "the asyncio map has no row for {idea}"
        );
    }
    // Every row says where it is taught: a link to a chapter (the strict build checks that the
    // chapter and its heading exist), or that the chapter is planned.
    for (idea, _, taught) in &rows {
        let linked = taught.starts_with('[') && taught.contains("](../");
        assert!(
            linked || taught.starts_with("planned: "),
            "{idea}: `{taught}`"
        );
    }
    // A linked row must lead to a written chapter, not to a draft.
    let summary = fs::read_to_string(async_book::root().join("src/SUMMARY.md")).unwrap();
    for (idea, _, taught) in rows.iter().filter(|r| r.2.starts_with('[')) {
        let target = taught
            .split("](../")
            .nth(1)
            .unwrap()
            .split(['#', ')'])
            .next()
            .unwrap();
        assert!(
            summary.contains(&format!("]({target})")),
            "{idea} links to {target}, which SUMMARY.md does not publish"
        );
    }
}

#[test]
fn the_error_index_lists_every_error_and_panic_the_figures_show() {
    let built = the_book();
    let index = fs::read_to_string(built.output.join("appendix/errors.html")).unwrap();
    let root = async_book::root();
    let mut expected = 0;
    for listing in async_book::listings::all(&root).unwrap() {
        let Ok(cases) = fs::read_dir(listing.dir.join("compile-fail")) else {
            continue;
        };
        for case in cases {
            let path = case.unwrap().path();
            if path.extension().is_some_and(|e| e == "stderr") {
                let stderr = fs::read_to_string(&path).unwrap();
                let first = stderr.lines().find(|l| l.starts_with("error")).unwrap();
                let escaped = first
                    .replace('&', "&amp;")
                    .replace('<', "&lt;")
                    .replace('>', "&gt;");
                assert!(
                    index.contains(&escaped),
                    "the error index lacks `{first}` from {}",
                    path.display()
                );
                expected += 1;
            }
        }
    }
    assert!(expected >= 2, "no compile-fail case was found");
    assert!(
        index.contains("coffee-and-pastry.html#listing-"),
        "the rows link to the figures"
    );
}

#[test]
fn stock_mdbook_gets_the_same_chapters_through_the_preprocessor_command() {
    use mdbook_driver::MDBook;
    use std::io::Write as _;
    use std::process::{Command, Stdio};

    let root = async_book::root();
    // book.toml declares the preprocessor under the name the tool registers in-process, so
    // that `cargo run` replaces the command instead of running it as well.
    let config: toml::Table = fs::read_to_string(root.join("book.toml"))
        .unwrap()
        .parse()
        .unwrap();
    let declared = &config["preprocessor"][async_book::figures::PREPROCESSOR];
    assert!(
        declared["command"]
            .as_str()
            .unwrap()
            .contains("preprocessor"),
        "{declared}"
    );
    assert_eq!(
        declared["before"].as_array().unwrap()[0].as_str(),
        Some("links")
    );

    let book = MDBook::load(&root).unwrap();
    let tool = env!("CARGO_BIN_EXE_async-book");
    let supports = Command::new(tool)
        .args(["preprocessor", "supports", "html"])
        .status()
        .unwrap();
    assert!(supports.success());

    // What stock mdBook sends: [context, book] as JSON on stdin; the book comes back on stdout.
    let ctx = mdbook_preprocessor::PreprocessorContext::new(
        root.clone(),
        book.config.clone(),
        "html".into(),
    );
    let input = serde_json::to_vec(&(&ctx, &book.book)).unwrap();
    let mut child = Command::new(tool)
        .arg("preprocessor")
        .current_dir(&root)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(&input).unwrap();
    let output = child.wait_with_output().unwrap();
    assert!(output.status.success());
    let via_command: mdbook_driver::book::Book = serde_json::from_slice(&output.stdout).unwrap();

    // The same code, run in-process as `cargo run` runs it.
    let in_process = mdbook_preprocessor::Preprocessor::run(
        &async_book::figures::Preprocessor,
        &ctx,
        book.book.clone(),
    )
    .unwrap();
    assert!(
        serde_json::to_value(&via_command).unwrap() == serde_json::to_value(&in_process).unwrap(),
        "the preprocessor command and the in-process build disagree"
    );
    let text = serde_json::to_string(&via_command).unwrap();
    assert!(text.contains("<figure class=\\\"listing\\\""));
    assert!(!text.contains("{{#listing"), "a figure was left unexpanded");
    assert!(
        !text.contains("{{#error-index"),
        "the error index was left unexpanded"
    );
}

#[test]
fn api_names_link_to_their_documentation_from_one_table() {
    let built = the_book();
    let runtime = fs::read_to_string(built.output.join("part1/runtime.html")).unwrap();
    let link = "<a href=\"https://docs.rs/tokio/1/tokio/task/struct.JoinSet.html\"><code>JoinSet</code></a>";
    assert_eq!(
        runtime.matches(link).count(),
        1,
        "linked once, the first time"
    );

    // A link written by hand that disagrees with the table fails the build.
    let book = small_book(
        "# Chapter\n\nSee [`JoinSet`](https://docs.rs/tokio/latest/tokio/index.html).\n",
    );
    fs::write(
        book.path().join("api-links.toml"),
        "[links]\n\"JoinSet\" = \"https://docs.rs/tokio/1/tokio/task/struct.JoinSet.html\"\n",
    )
    .unwrap();
    let problems = problems_of(build_into(book.path(), &book.path().join("out")));
    assert!(
        problems.contains("but api-links.toml links it to"),
        "{problems}"
    );
}

#[test]
fn only_written_chapters_are_numbered_and_planned_ones_are_announced() {
    let book = small_book("# Chapter\n\nFirst.\n");
    fs::write(
        book.path().join("src/SUMMARY.md"),
        "# Summary\n\n# Part one\n\n- [Chapter](chapter.md)\n- [Planned, later]()\n\
         - [Other](other.md)\n\n# Appendices\n\n- [Appendix](appendix.md)\n",
    )
    .unwrap();
    fs::write(book.path().join("src/appendix.md"), "# Appendix\n").unwrap();
    let output = book.path().join("out");
    build_into(book.path(), &output).unwrap();
    let toc = fs::read_to_string(output.join("toc.html")).unwrap();
    let numbered = |name: &str| {
        let at = toc.find(&format!("{name}</a>")).unwrap_or_else(|| {
            toc.find(&format!("{name}</span>"))
                .or_else(|| toc.find(name))
                .unwrap()
        });
        let before = &toc[toc[..at].rfind("<li").unwrap()..at];
        before
            .split("<strong aria-hidden=\"true\">")
            .nth(1)
            .map(|rest| rest.split('<').next().unwrap().to_string())
    };
    assert_eq!(numbered("Chapter").as_deref(), Some("1."));
    assert_eq!(numbered("Other").as_deref(), Some("2."), "{toc}");
    assert_eq!(numbered("Planned, later"), None);
    assert_eq!(numbered("Appendix"), None);

    let chapter = fs::read_to_string(output.join("chapter.html")).unwrap();
    assert!(chapter.contains("Still being written"), "{chapter}");
    assert!(chapter.contains("<em>Planned, later</em>"), "{chapter}");
    assert!(chapter.contains("Reading goes on with <a href=\"other.html\">Other</a>"));
    let other = fs::read_to_string(output.join("other.html")).unwrap();
    assert!(!other.contains("Still being written"));
    // A draft is listed in the table of contents but gets no page.
    let mut pages: Vec<String> = fs::read_dir(&output)
        .unwrap()
        .map(|entry| entry.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|name| name.ends_with(".html"))
        .collect();
    pages.sort();
    assert_eq!(
        pages,
        [
            "404.html",
            "appendix.html",
            "chapter.html",
            "index.html",
            "other.html",
            "print.html",
            "toc.html"
        ]
    );
}

/// `small_book` with a listing crate beside it: `listings/part0/shown/src/main.rs` holds
/// `code`, and the chapter shows it with `{{#listing …<selection> caption="…"<rest>}}`.
fn book_with_listing(code: &str, selection: &str, rest: &str) -> tempfile::TempDir {
    let book = small_book(&format!(
        "# Chapter\n\n{{{{#listing ../listings/part0/shown/src/main.rs{selection} \
         caption=\"Shown\"{rest}}}}}\n"
    ));
    let listing = book.path().join("listings/part0/shown");
    fs::create_dir_all(listing.join("src")).unwrap();
    fs::write(
        listing.join("Cargo.toml"),
        "[package]\nname = \"shown\"\nversion = \"0.1.0\"\nedition = \"2024\"\n",
    )
    .unwrap();
    fs::write(listing.join("src/main.rs"), code).unwrap();
    book
}

/// What the strict build's check of the sources says about the figure of `book` (the
/// build itself would stop earlier: this small book has no Cargo.lock for its listing).
fn figure_problems(book: &tempfile::TempDir) -> String {
    book::check_sources(book.path()).unwrap().to_string()
}

#[test]
fn a_figure_that_shows_too_much_fails_the_build() {
    // A whole-file figure of a file with anchors shows the anchor comments.
    let anchored = "// ANCHOR: main\nfn main() {}\n// ANCHOR_END: main\n";
    let problems = figure_problems(&book_with_listing(anchored, "", ""));
    assert!(
        problems.contains("shows the anchor comment `// ANCHOR: main`"),
        "{problems}"
    );
    assert_eq!(
        figure_problems(&book_with_listing(anchored, ":main", "")),
        ""
    );

    // Test code in the shown region.
    let tested = "// ANCHOR: main\nfn main() {}\n\n#[cfg(test)]\nmod tests {}\n\
                  // ANCHOR_END: main\n";
    let problems = figure_problems(&book_with_listing(tested, ":main", ""));
    assert!(problems.contains("shows `#[cfg(test)]` code"), "{problems}");

    // A line of 81 columns scrolls sideways; one of 80 fits.
    let line = |width: usize| format!("// {}\nfn main() {{}}\n", "x".repeat(width - 3));
    let problems = figure_problems(&book_with_listing(&line(81), "", ""));
    assert!(
        problems.contains("a shown line is 81 columns wide"),
        "{problems}"
    );
    assert_eq!(figure_problems(&book_with_listing(&line(80), "", "")), "");
    // Except in a compile-fail program: its saved .stderr quotes its lines, with their
    // columns, so rewrapping one means saving the compiler's error anew.
    let book = book_with_listing("fn main() {}\n", "", "");
    let cases = book.path().join("listings/part0/shown/compile-fail");
    fs::create_dir_all(&cases).unwrap();
    fs::write(cases.join("wide.rs"), line(81)).unwrap();
    fs::write(cases.join("wide.stderr"), "error[E0000]: wide\n").unwrap();
    fs::write(
        book.path().join("src/chapter.md"),
        "# Chapter\n\n{{#listing ../listings/part0/shown/compile-fail/wide.rs \
         caption=\"Wide\"}}\n",
    )
    .unwrap();
    assert_eq!(figure_problems(&book), "");

    // 41 lines are more than a screen, unless the figure says `long`; 40 are not.
    let lines = |count: usize| format!("fn main() {{\n{}}}\n", "    ();\n".repeat(count - 2));
    let problems = figure_problems(&book_with_listing(&lines(41), "", ""));
    assert!(problems.contains("the figure shows 41 lines"), "{problems}");
    assert_eq!(
        figure_problems(&book_with_listing(&lines(41), "", " long")),
        ""
    );
    assert_eq!(figure_problems(&book_with_listing(&lines(40), "", "")), "");
}
