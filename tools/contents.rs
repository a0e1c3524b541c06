//! The table of contents as a reader meets it: only chapters that can be opened are numbered,
//! so planned chapters do not push the written ones' numbers ahead (and the appendices carry
//! none); and a chapter that is followed by planned ones says so, and where reading goes on.

use std::path::{Path, PathBuf};

use mdbook_driver::book::{Book, BookItem, SectionNumber};

/// A part whose title starts with this holds appendices, which are not numbered.
const APPENDICES: &str = "Appendi";

/// Numbers the written chapters 1, 2, 3… in reading order; drafts and appendices get none.
pub fn renumber(book: &mut Book) {
    let mut next = 1;
    let mut in_appendices = false;
    for item in &mut book.items {
        match item {
            BookItem::PartTitle(title) => in_appendices = title.starts_with(APPENDICES),
            BookItem::Chapter(chapter) => {
                // Prefix chapters (the introduction) have no number, and keep none.
                if chapter.path.is_none() || in_appendices || chapter.number.is_none() {
                    chapter.number = None;
                } else {
                    chapter.number = Some(SectionNumber::new(vec![next]));
                    next += 1;
                }
                renumber_sub_items(&mut chapter.sub_items, chapter.number.clone());
            }
            BookItem::Separator => {}
        }
    }
}

fn renumber_sub_items(items: &mut [BookItem], parent: Option<SectionNumber>) {
    let mut next = 1;
    for item in items {
        if let BookItem::Chapter(chapter) = item {
            chapter.number = match (&parent, &chapter.path) {
                (Some(parent), Some(_)) => {
                    let mut number: Vec<u32> = parent.iter().copied().collect();
                    number.push(next);
                    next += 1;
                    Some(SectionNumber::new(number))
                }
                _ => None,
            };
            renumber_sub_items(&mut chapter.sub_items, chapter.number.clone());
        }
    }
}

/// The chapters in reading order: (name, page, or None for a draft).
fn reading_order(items: &[BookItem], out: &mut Vec<(String, Option<PathBuf>)>) {
    for item in items {
        if let BookItem::Chapter(chapter) = item {
            out.push((chapter.name.clone(), chapter.path.clone()));
            reading_order(&chapter.sub_items, out);
        }
    }
}

/// A link from the page `from` to the page `to`, both relative to the book's source folder.
fn relative_link(from: &Path, to: &Path) -> String {
    let depth = from.components().count().saturating_sub(1);
    format!("{}{}", "../".repeat(depth), to.display())
}

/// Appends, to every written chapter followed by planned ones, a note that names them and
/// links the next chapter that can be read.
pub fn note_planned_chapters(book: &mut Book) {
    let mut order = Vec::new();
    reading_order(&book.items, &mut order);
    let mut notes = Vec::new();
    for (index, (_, page)) in order.iter().enumerate() {
        let Some(page) = page else { continue };
        let drafts: Vec<&str> = order[index + 1..]
            .iter()
            .take_while(|(_, path)| path.is_none())
            .map(|(name, _)| name.as_str())
            .collect();
        if drafts.is_empty() {
            continue;
        }
        let next = order[index + 1 + drafts.len()..]
            .iter()
            .find_map(|(name, path)| path.as_ref().map(|path| (name, path)));
        // Chapter names have commas of their own, so the list is set off with semicolons.
        let planned = drafts
            .iter()
            .map(|name| format!("*{name}*"))
            .collect::<Vec<_>>()
            .join("; ");
        let mut note = if drafts.len() == 1 {
            format!(
                "\n\n---\n\n**Still being written.** The next chapter in the book's plan, \
                 {planned}, is not written yet."
            )
        } else {
            format!(
                "\n\n---\n\n**Still being written.** The next {} chapters in the book's plan \
                 are not written yet: {planned}.",
                drafts.len()
            )
        };
        match next {
            Some((name, path)) => note.push_str(&format!(
                " Reading goes on with [{name}]({}).\n",
                relative_link(page, path)
            )),
            None => note.push_str(" This is the last chapter written so far.\n"),
        }
        notes.push((page.clone(), note));
    }
    book.for_each_chapter_mut(|chapter| {
        if let Some((_, note)) = notes
            .iter()
            .find(|(page, _)| Some(page) == chapter.path.as_ref())
        {
            chapter.content.push_str(note);
        }
    });
}
