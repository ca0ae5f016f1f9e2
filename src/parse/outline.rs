//! Building a [`Markdown`] outline from another markup language: the reStructuredText and
//! AsciiDoc readers feed headings, prose, links and front-matter fields here, so that
//! every document detector reads one outline whatever the source format. The Markdown
//! reader itself shares the heading, word and section steps ([`push_heading`],
//! [`push_words`], [`close_sections`]).

use crate::diagnostic::Position;
use crate::parse::markdown::{Markdown, MdHeading};
use crate::parse::yaml::{Node, Value};

/// Accumulates an outline the way the Markdown reader does: prose words go to `text` and
/// to the section of the current heading, headings close the previous section.
#[derive(Default)]
pub(crate) struct Builder {
    doc: Markdown,
    section: String,
    fields: Vec<(Node, Node)>,
}

impl Builder {
    /// A heading; its words count as prose, as in Markdown.
    pub fn heading(&mut self, level: u8, text: &str, anchor: String, line: u32) {
        let text = text.split_whitespace().collect::<Vec<_>>().join(" ");
        let anchor = anchor.to_lowercase();
        push_heading(&mut self.doc, &mut self.section, level, text, anchor, line);
    }

    /// Prose (already stripped of markup).
    pub fn prose(&mut self, text: &str) {
        if text.trim().is_empty() {
            return;
        }
        push_words(&mut self.doc, text);
        self.section.push_str(&text.to_lowercase());
        self.section.push(' ');
    }

    /// The end of a list item, paragraph or table row.
    pub fn end_item(&mut self) {
        if !self.section.ends_with('\n') && !self.section.is_empty() {
            self.section.push('\n');
        }
    }

    /// One table cell.
    pub fn cell(&mut self, text: &str) {
        self.prose(text);
        self.section.push_str(" | ");
    }

    pub fn table_row(&mut self) {
        self.doc.table_rows += 1;
    }

    pub fn checkbox(&mut self, checked: bool) {
        self.doc.checkboxes += 1;
        self.section.push_str(if checked { "[x] " } else { "[ ] " });
    }

    pub fn link(&mut self, dest: &str) {
        let dest = dest.trim();
        if !dest.is_empty() {
            self.doc.links.push(dest.to_string());
        }
    }

    /// An anchor that is not a heading's own (`.. _label:`, `[[id]]` in the text): kept
    /// the way the Markdown reader keeps `<a name="x">`, so `Markdown::has_anchor` finds it.
    pub fn extra_anchor(&mut self, id: &str) {
        let id = id.trim().to_lowercase();
        if !id.is_empty() && !id.contains('"') {
            self.doc.text.push_str(&format!("id=\"{id}\" "));
        }
    }

    /// A front-matter field (`:last_reviewed_on: 2024-01-01`), read as a string.
    pub fn field(&mut self, name: &str, value: &str, line: u32, column: u32) {
        let pos = Position::new(line, column);
        self.fields.push((
            Node {
                value: Value::String(name.to_string()),
                pos,
            },
            Node {
                value: Value::String(value.trim().to_string()),
                pos,
            },
        ));
    }

    pub fn finish(mut self) -> Markdown {
        close_sections(&mut self.doc, self.section);
        if let Some((first, _)) = self.fields.first() {
            let pos = first.pos;
            self.doc.front_matter = Some(Node {
                value: Value::Map(self.fields),
                pos,
            });
        }
        self.doc
    }
}

/// Counts the words of `text` and adds them, lowercased, to the document's prose.
pub(crate) fn push_words(doc: &mut Markdown, text: &str) {
    for word in text.split_whitespace() {
        doc.words += 1;
        doc.text.push_str(&word.to_lowercase());
        doc.text.push(' ');
    }
}

/// A heading (its text already on one line): closes the section of the previous heading
/// (text before the first heading is dropped), counts its words as prose and starts a
/// new section.
pub(crate) fn push_heading(
    doc: &mut Markdown,
    section: &mut String,
    level: u8,
    text: String,
    anchor: String,
    line: u32,
) {
    if doc.headings.is_empty() {
        section.clear();
    } else {
        doc.sections.push(std::mem::take(section));
    }
    push_words(doc, &text);
    doc.headings.push(MdHeading {
        level,
        text,
        anchor,
        line,
    });
}

/// The end of the document: the last heading's section is kept.
pub(crate) fn close_sections(doc: &mut Markdown, section: String) {
    if !doc.headings.is_empty() {
        doc.sections.push(section);
    }
}

/// Number of leading whitespace characters (a tab counts as one).
pub(crate) fn indent_of(line: &str) -> usize {
    line.chars().take_while(|c| c.is_whitespace()).count()
}

/// Latin letters with diacritics folded to ASCII (`é` → `e`), as docutils does with NFKD
/// before dropping what is not ASCII. Others are returned unchanged.
pub(crate) fn fold_latin(c: char) -> char {
    match c {
        'à' | 'á' | 'â' | 'ã' | 'ä' | 'å' | 'ā' | 'ă' | 'ą' => 'a',
        'ç' | 'ć' | 'ĉ' | 'ċ' | 'č' => 'c',
        'ď' => 'd',
        'è' | 'é' | 'ê' | 'ë' | 'ē' | 'ĕ' | 'ė' | 'ę' | 'ě' => 'e',
        'ĝ' | 'ğ' | 'ġ' | 'ģ' => 'g',
        'ĥ' => 'h',
        'ì' | 'í' | 'î' | 'ï' | 'ĩ' | 'ī' | 'ĭ' | 'į' => 'i',
        'ĵ' => 'j',
        'ķ' => 'k',
        'ĺ' | 'ļ' | 'ľ' => 'l',
        'ñ' | 'ń' | 'ņ' | 'ň' => 'n',
        'ò' | 'ó' | 'ô' | 'õ' | 'ö' | 'ō' | 'ŏ' | 'ő' => 'o',
        'ŕ' | 'ŗ' | 'ř' => 'r',
        'ś' | 'ŝ' | 'ş' | 'š' => 's',
        'ţ' | 'ť' => 't',
        'ù' | 'ú' | 'û' | 'ü' | 'ũ' | 'ū' | 'ŭ' | 'ů' | 'ű' | 'ų' => 'u',
        'ŵ' => 'w',
        'ý' | 'ÿ' | 'ŷ' => 'y',
        'ź' | 'ż' | 'ž' => 'z',
        other => other,
    }
}

/// A tiny deterministic generator of hostile documents for the parsers' no-panic tests.
#[cfg(test)]
fn random_documents(alphabet: &[&str], count: usize, len: usize) -> Vec<String> {
    let mut state: u64 = 0x9E37_79B9_7F4A_7C15;
    let mut next = move || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    };
    (0..count)
        .map(|_| {
            let n = (next() as usize) % len;
            (0..n)
                .map(|_| alphabet[(next() as usize) % alphabet.len()])
                .collect()
        })
        .collect()
}

/// Headings as (level, text, anchor, line), to compare in tests.
#[cfg(test)]
pub(crate) fn heading_rows(md: &Markdown) -> Vec<(u8, &str, &str, u32)> {
    md.headings
        .iter()
        .map(|h| (h.level, h.text.as_str(), h.anchor.as_str(), h.line))
        .collect()
}

/// Asserts that none of `hidden` and all of `shown` are in the prose.
#[cfg(test)]
pub(crate) fn assert_prose(md: &Markdown, hidden: &[&str], shown: &[&str]) {
    for hidden in hidden {
        assert!(!md.text.contains(hidden), "{hidden} in {:?}", md.text);
    }
    for shown in shown {
        assert!(md.text.contains(shown), "{shown} not in {:?}", md.text);
    }
}

/// The parsers' no-panic test: random documents over `alphabet` give headings with
/// lines, and `big` (20 000 headings or more) is read in linear time.
#[cfg(test)]
pub(crate) fn assert_never_panics(parse: fn(&str) -> Markdown, alphabet: &[&str], big: &str) {
    for doc in random_documents(alphabet, 3000, 200) {
        let md = parse(&doc);
        assert!(md.headings.iter().all(|h| h.line >= 1));
    }
    let start = std::time::Instant::now();
    let md = parse(big);
    assert!(md.headings.len() >= 20_000);
    assert!(start.elapsed().as_secs() < 10, "{:?}", start.elapsed());
}
