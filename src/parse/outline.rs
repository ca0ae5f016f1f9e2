//! Building a [`Markdown`] outline from another markup language: the reStructuredText and
//! AsciiDoc readers feed headings, prose, links and front-matter fields here, so that
//! every document detector reads one outline whatever the source format.

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
        if self.doc.headings.is_empty() {
            self.section.clear();
        } else {
            self.doc.sections.push(std::mem::take(&mut self.section));
        }
        self.push_words(&text);
        self.doc.headings.push(MdHeading {
            level,
            text,
            anchor: anchor.to_lowercase(),
            line,
        });
    }

    /// Prose (already stripped of markup).
    pub fn prose(&mut self, text: &str) {
        if text.trim().is_empty() {
            return;
        }
        self.push_words(text);
        self.section.push_str(&text.to_lowercase());
        self.section.push(' ');
    }

    fn push_words(&mut self, text: &str) {
        for word in text.split_whitespace() {
            self.doc.words += 1;
            self.doc.text.push_str(&word.to_lowercase());
            self.doc.text.push(' ');
        }
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
        if !self.doc.headings.is_empty() {
            self.doc.sections.push(self.section);
        }
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
pub(crate) fn random_documents(alphabet: &[&str], count: usize, len: usize) -> Vec<String> {
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
