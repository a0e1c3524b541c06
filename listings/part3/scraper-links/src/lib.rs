//! Step 1 of the scraper: the title and the links of one HTML page.

use std::cell::RefCell;
use std::collections::BTreeSet;

use html5ever::tokenizer::states::RawKind;
use html5ever::tokenizer::{
    BufferQueue, TagKind, Token, TokenSink, TokenSinkResult, Tokenizer,
};
use url::Url;

// ANCHOR: page
/// What the scraper keeps of a page.
#[derive(Debug, Default, PartialEq)]
pub struct Page {
    pub title: Option<String>,
    /// Every http(s) link, made absolute, without its `#fragment`, sorted.
    pub links: BTreeSet<Url>,
}

/// Reads `html`, a page fetched from `base`.
pub fn parse_page(base: &Url, html: &str) -> Page {
    let input = BufferQueue::default();
    input.push_back(html.into());
    let tokenizer = Tokenizer::new(Collector::new(base), Default::default());
    let _ = tokenizer.feed(&input);
    tokenizer.end();
    tokenizer.sink.found.into_inner()
}
// ANCHOR_END: page

// ANCHOR: collector
/// Receives the tokens of the page, one by one, from html5ever.
struct Collector {
    base: Url,
    found: RefCell<Page>,
    /// Some while we are inside `<title>`, collecting its text.
    title: RefCell<Option<String>>,
}

impl TokenSink for Collector {
    type Handle = ();

    fn process_token(&self, token: Token, _line: u64) -> TokenSinkResult<()> {
        match token {
            Token::TagToken(tag) if tag.kind == TagKind::StartTag => {
                match &*tag.name {
                    "a" => {
                        let href = tag
                            .attrs
                            .iter()
                            .find(|attribute| &*attribute.name.local == "href");
                        if let Some(href) = href {
                            self.add_link(&href.value);
                        }
                    }
                    // The text of these is not HTML: tell the tokenizer,
                    // as a browser's parser would.
                    "title" => {
                        *self.title.borrow_mut() = Some(String::new());
                        return TokenSinkResult::RawData(RawKind::Rcdata);
                    }
                    "script" => {
                        return TokenSinkResult::RawData(RawKind::ScriptData);
                    }
                    "style" => {
                        return TokenSinkResult::RawData(RawKind::Rawtext);
                    }
                    _ => {}
                }
            }
            // ANCHOR_END: collector
            // ANCHOR: title
            Token::TagToken(tag) if &*tag.name == "title" => {
                let text = self.title.borrow_mut().take().unwrap_or_default();
                let mut found = self.found.borrow_mut();
                if found.title.is_none() {
                    // "  A\n  title " is "A title".
                    let words: Vec<&str> = text.split_whitespace().collect();
                    found.title = Some(words.join(" "));
                }
            }
            Token::CharacterTokens(text) => {
                if let Some(title) = self.title.borrow_mut().as_mut() {
                    title.push_str(&text);
                }
            }
            _ => {}
        }
        TokenSinkResult::Continue
    }
}
// ANCHOR_END: title

// ANCHOR: add_link
impl Collector {
    fn new(base: &Url) -> Collector {
        Collector {
            base: base.clone(),
            found: RefCell::default(),
            title: RefCell::default(),
        }
    }

    fn add_link(&self, href: &str) {
        // `join` resolves "../b.html" or "/c" against the page's own URL.
        let Ok(mut link) = self.base.join(href.trim()) else {
            return; // not a URL at all: skip it, as a browser would
        };
        if link.scheme() != "http" && link.scheme() != "https" {
            return; // mailto:, javascript:, ftp:
        }
        // "#top" and "#end" are the same page as "".
        link.set_fragment(None);
        self.found.borrow_mut().links.insert(link);
    }
}

/// Whether `link` is on the same site as `start`: same scheme, host, port.
pub fn same_site(start: &Url, link: &Url) -> bool {
    start.origin() == link.origin()
}
// ANCHOR_END: add_link

#[cfg(test)]
mod tests {
    use super::*;

    fn links(page: &Page) -> Vec<&str> {
        page.links.iter().map(Url::as_str).collect()
    }

    #[test]
    fn links_are_made_absolute_without_fragments() {
        let base = Url::parse("http://site.test/docs/intro.html").unwrap();
        let page = parse_page(
            &base,
            r##"<a href='next.html#part-2'>next</a>
                <a href='../index.html'>up</a> <a href='/'>home</a>
                <a href='#top'>top</a> <A HREF=" next.html ">again</A>"##,
        );
        assert_eq!(
            links(&page),
            [
                "http://site.test/",
                "http://site.test/docs/intro.html",
                "http://site.test/docs/next.html",
                "http://site.test/index.html",
            ]
        );
    }

    #[test]
    fn only_http_links_and_only_from_anchors() {
        let base = Url::parse("http://site.test/").unwrap();
        let page = parse_page(
            &base,
            r#"<a href='mailto:me@site.test'>mail</a>
               <a href='javascript:void(0)'>js</a>
               <a href='http://[::1'>broken</a> <a>no href</a>
               <img src='/cat.png'> <a href='https://other.test/x'>x</a>"#,
        );
        assert_eq!(links(&page), ["https://other.test/x"]);
    }

    #[test]
    fn the_title_is_the_first_one_with_its_spaces_collapsed() {
        let base = Url::parse("http://site.test/").unwrap();
        let page = parse_page(
            &base,
            "<title>\n  Tom &amp; <b>Jerry</b>  </title><title>Two</title>",
        );
        assert_eq!(page.title.as_deref(), Some("Tom & <b>Jerry</b>"));
        assert_eq!(parse_page(&base, "<p>no title</p>").title, None);
    }

    #[test]
    fn a_link_in_a_script_is_not_a_link() {
        let base = Url::parse("http://site.test/").unwrap();
        let page = parse_page(
            &base,
            r#"<script>let s = "<a href='/fake'>";</script>
               <style>a::after { content: "<a href='/fake2'>" }</style>
               <a href='/real'>real</a>"#,
        );
        assert_eq!(links(&page), ["http://site.test/real"]);
    }

    #[test]
    fn same_site_means_same_scheme_host_and_port() {
        let start = Url::parse("http://site.test:8000/a").unwrap();
        let on = |s: &str| same_site(&start, &Url::parse(s).unwrap());
        assert!(on("http://site.test:8000/b/c?d=e"));
        assert!(!on("http://site.test:8001/a"));
        assert!(!on("https://site.test:8000/a"));
        assert!(!on("http://other.test:8000/a"));
    }
}
