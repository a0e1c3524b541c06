//! The title and links of a page (step 1 of the chapter).

use std::cell::RefCell;
use std::collections::BTreeSet;

use html5ever::tokenizer::states::RawKind;
use html5ever::tokenizer::{
    BufferQueue, TagKind, Token, TokenSink, TokenSinkResult, Tokenizer,
};
use url::Url;

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
