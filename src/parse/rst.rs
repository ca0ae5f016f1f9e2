//! reStructuredText documents reduced to the outline the Markdown reader produces
//! ([`Markdown`]): section titles with their levels, anchors and lines, the prose as
//! lowercase text, links, and the field list at the top as front matter.
//!
//! What is read:
//! - **section titles**, underlined (`Title` + `=====`) or over- and underlined; as in
//!   docutils, a title's level is the order in which its adornment style (the character,
//!   and whether it has an overline) first appears in the document;
//! - **anchors** as docutils and Sphinx generate them: lowercase, runs of anything but
//!   ASCII letters and digits become one hyphen, leading digits and hyphens dropped
//!   (`1. Getting Started` → `getting-started`); a repeated title gets `id1`, `id2`…;
//!   explicit targets (`.. _label:`) are anchors too;
//! - **prose**: paragraphs, lists, tables, admonitions, with inline markup removed
//!   (`` `text <url>`_ `` reads "text" and links to the URL); literal blocks (after `::`),
//!   doctest blocks, comments and code-like directives (`code-block`, `literalinclude`,
//!   `raw`, `math`…) are left out; `toctree` entries and `image` targets are links;
//! - **front matter**: a field list before the body (`:last_reviewed_on: 2024-05-01`),
//!   field names lowercased with spaces and hyphens as `_`;
//! - checkboxes written as list items `- [ ] task`.
//!
//! Never fails and never panics; one pass over the lines, every regex linear.

use std::collections::BTreeSet;
use std::sync::LazyLock;

use regex::{Captures, Regex};

use crate::parse::markdown::Markdown;
use crate::parse::outline::{Builder, fold_latin, indent_of};

/// Parses a reStructuredText document.
pub fn parse(text: &str) -> Markdown {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    Parser {
        lines: text.lines().collect(),
        out: Builder::default(),
        styles: Vec::new(),
        ids: BTreeSet::new(),
        auto_id: 0,
        at_start: true,
    }
    .run()
}

/// Characters that may adorn a section title.
const ADORNMENT: &str = "!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~";

/// Directives whose content is code or data rather than prose.
const VERBATIM_DIRECTIVES: &[&str] = &[
    "code-block",
    "code",
    "sourcecode",
    "highlight",
    "literalinclude",
    "include",
    "raw",
    "math",
    "graphviz",
    "digraph",
    "graph",
    "mermaid",
    "uml",
    "plantuml",
    "program-output",
    "command-output",
    "testcode",
    "testoutput",
    "testsetup",
    "testcleanup",
    "doctest",
    "ipython",
    "prompt",
    "parsed-literal",
    "jinja",
    "meta",
    "contents",
    "sectnum",
    "index",
    "tabularcolumns",
    "toctree",
    "image",
    "autosummary",
    "csv-table",
];

struct Parser<'a> {
    lines: Vec<&'a str>,
    out: Builder,
    /// Adornment styles in order of first appearance: (character, has an overline).
    styles: Vec<(char, bool)>,
    ids: BTreeSet<String>,
    auto_id: u32,
    /// Nothing but titles, comments and fields seen yet: a field list here is metadata.
    at_start: bool,
}

impl Parser<'_> {
    fn run(mut self) -> Markdown {
        let n = self.lines.len();
        let mut i = 0;
        let mut block_start = true;
        // Indentation a literal block must exceed, after a paragraph ending in `::`.
        let mut literal_after: Option<usize> = None;
        let mut simple_table = false;
        while i < n {
            let line = self.lines[i];
            if line.trim().is_empty() {
                block_start = true;
                i += 1;
                continue;
            }
            let indent = indent_of(line);
            if let Some(min) = literal_after.take()
                && indent > min
            {
                i = self.block_end(i, min);
                block_start = true;
                continue;
            }
            if simple_table {
                if is_simple_table_border(line) {
                    let next_blank = self.lines.get(i + 1).is_none_or(|l| l.trim().is_empty());
                    if next_blank {
                        simple_table = false;
                        self.out.end_item();
                    }
                } else {
                    self.simple_table_row(line);
                }
                i += 1;
                continue;
            }
            if indent == 0
                && let Some(next) = self.title(i, block_start)
            {
                i = next;
                block_start = true;
                continue;
            }
            let trimmed = line.trim();
            if trimmed == "::" {
                // An expanded literal-block marker: the indented block below is code.
                literal_after = Some(indent);
                i += 1;
                continue;
            }
            if trimmed == ".." || trimmed.starts_with(".. ") {
                i = self.explicit_markup(i, indent);
                block_start = true;
                continue;
            }
            if indent == 0 && adornment(line).is_some() {
                // A transition (or an adornment with no title): not prose.
                i += 1;
                block_start = true;
                continue;
            }
            if self.at_start
                && indent == 0
                && let Some((name, value)) = field(trimmed)
            {
                i = self.front_matter_field(i, name, value);
                block_start = true;
                continue;
            }
            if is_simple_table_border(line) {
                self.at_start = false;
                simple_table = true;
                i += 1;
                continue;
            }
            self.at_start = false;
            let (next, literal) = self.paragraphs(i);
            literal_after = literal;
            i = next;
            block_start = true;
        }
        self.out.finish()
    }

    /// A section title starting at line `i`, either over- and underlined or underlined;
    /// returns the line after it.
    fn title(&mut self, i: usize, block_start: bool) -> Option<usize> {
        let line = self.lines[i];
        if line == ".." || line.starts_with(".. ") || line.starts_with("__ ") {
            return None;
        }
        if let Some(c) = adornment(line) {
            let text = self.lines.get(i + 1)?;
            let under = self.lines.get(i + 2)?;
            if text.trim().is_empty() || adornment(text).is_some() || adornment(under) != Some(c) {
                return None;
            }
            self.heading(c, true, text.trim(), i + 2);
            return Some(i + 3);
        }
        if !block_start || is_bullet(line) || line.trim_start().starts_with(".. ") {
            return None;
        }
        let next = self.lines.get(i + 1)?;
        let c = adornment(next)?;
        let width = line.trim_end().chars().count();
        let len = next.trim_end().chars().count();
        if width > len && len < 4 {
            return None;
        }
        self.heading(c, false, line.trim(), i + 1);
        Some(i + 2)
    }

    fn heading(&mut self, c: char, overline: bool, raw: &str, line: usize) {
        let level = match self.styles.iter().position(|s| *s == (c, overline)) {
            Some(p) => p + 1,
            None => {
                self.styles.push((c, overline));
                self.styles.len()
            }
        };
        let text = self.inline(raw);
        let mut anchor = make_id(&text);
        if anchor.is_empty() || self.ids.contains(&anchor) {
            self.auto_id += 1;
            anchor = format!("id{}", self.auto_id);
        }
        self.ids.insert(anchor.clone());
        self.out
            .heading(level.min(255) as u8, &text, anchor, line as u32);
    }

    /// The first line after the block that starts at `i` and is indented more than
    /// `indent` (blank lines included).
    fn block_end(&self, i: usize, indent: usize) -> usize {
        let mut j = i;
        while j < self.lines.len() {
            let l = self.lines[j];
            if !l.trim().is_empty() && indent_of(l) <= indent {
                break;
            }
            j += 1;
        }
        j
    }

    /// `.. something` at line `i`: a target, footnote, substitution, directive or
    /// comment. Returns the next line to read.
    fn explicit_markup(&mut self, i: usize, indent: usize) -> usize {
        let trimmed = self.lines[i].trim();
        let rest = trimmed.get(2..).unwrap_or("").trim_start();
        if let Some(target) = rest.strip_prefix('_') {
            self.target(target);
            return self.block_end(i + 1, indent);
        }
        if let Some(note) = rest.strip_prefix('[') {
            // A footnote or citation: its text is prose; the indented rest is read on.
            self.at_start = false;
            let text = note.split_once(']').map_or("", |(_, t)| t);
            let text = self.inline(text);
            self.out.prose(&text);
            self.out.end_item();
            return i + 1;
        }
        if let Some(substitution) = rest.strip_prefix('|') {
            // A substitution definition: `.. |name| image:: path`.
            if let Some((_, directive)) = substitution.split_once('|')
                && let Some((name, args)) = directive_of(directive.trim())
                && name == "image"
            {
                self.out.link(args);
            }
            return self.block_end(i + 1, indent);
        }
        let Some((name, args)) = directive_of(rest) else {
            // A comment, with its indented continuation.
            return self.block_end(i + 1, indent);
        };
        if VERBATIM_DIRECTIVES.contains(&name.as_str()) || name.starts_with("auto") {
            let end = self.block_end(i + 1, indent);
            match name.as_str() {
                "image" => self.out.link(args),
                "toctree" => self.toctree(i + 1, end),
                _ => {}
            }
            if !matches!(name.as_str(), "meta" | "contents" | "sectnum" | "index") {
                self.at_start = false;
            }
            return end;
        }
        self.at_start = false;
        if name == "figure" {
            self.out.link(args);
        } else if !name.contains(':') {
            let text = self.inline(args);
            self.out.prose(&text);
            self.out.end_item();
        }
        // Options (`:class: x`) right below the directive are not prose; the content is.
        let mut j = i + 1;
        while let Some(l) = self.lines.get(j) {
            if indent_of(l) <= indent || field(l.trim()).is_none() {
                break;
            }
            j += 1;
        }
        j
    }

    /// `_label:` (an anchor), `_name: https://…` or `__: https://…` (a link).
    fn target(&mut self, target: &str) {
        let (label, value) = if let Some(quoted) = target.strip_prefix('`') {
            match quoted.split_once("`:") {
                Some((label, value)) => (label, value),
                None => return,
            }
        } else {
            match target.split_once(':') {
                Some((label, value)) => (label, value),
                None => return,
            }
        };
        let value = value.trim();
        if value.is_empty() {
            let label = label.trim();
            if label != "_" && !label.is_empty() {
                self.out.extra_anchor(&label.to_lowercase());
                self.out.extra_anchor(&make_id(label));
            }
        } else if !value.ends_with('_') || value.contains("://") {
            self.out.link(value);
        }
    }

    /// `toctree` entries (`path` or `Title <path>`) are links to documents.
    fn toctree(&mut self, from: usize, to: usize) {
        for l in &self.lines[from..to.min(self.lines.len())] {
            let entry = l.trim();
            if entry.is_empty() || entry.starts_with(':') {
                continue;
            }
            let dest = match (entry.rfind('<'), entry.strip_suffix('>')) {
                (Some(open), Some(inner)) => inner.get(open + 1..).unwrap_or(""),
                _ => entry,
            };
            self.out.link(dest);
        }
    }

    fn front_matter_field(&mut self, i: usize, name: &str, value: &str) -> usize {
        let mut value = value.to_string();
        let mut j = i + 1;
        while j < self.lines.len() {
            let l = self.lines[j];
            if l.trim().is_empty() || indent_of(l) == 0 {
                break;
            }
            value.push(' ');
            value.push_str(l.trim());
            j += 1;
        }
        let key: String = name
            .trim()
            .to_lowercase()
            .chars()
            .map(|c| if c == ' ' || c == '-' { '_' } else { c })
            .collect();
        self.out.field(&key, &value, i as u32 + 1, 1);
        j
    }

    /// Reads the paragraphs, list items and grid-table rows from line `i` to the next
    /// blank line. Returns the next line, and the indentation a literal block must
    /// exceed when the last paragraph ends with `::`.
    fn paragraphs(&mut self, i: usize) -> (usize, Option<usize>) {
        let n = self.lines.len();
        let mut j = i;
        while j < n && !self.lines[j].trim().is_empty() {
            j += 1;
        }
        let first = self.lines[i].trim_start();
        if first.starts_with(">>>") {
            return (j, None);
        }
        let mut para_indent = indent_of(self.lines[i]);
        let mut grid_rows = 0u32;
        // The text of the current paragraph or list item, joined so that inline markup
        // wrapped over lines (`` `text\n<url>`_ ``) reads as one.
        let mut buffer = String::new();
        for k in i..j {
            let line = self.lines[k];
            let indent = indent_of(line);
            let trimmed = line.trim();
            if is_grid_border(trimmed) {
                self.flush(&mut buffer);
                if grid_rows > 0 {
                    self.out.table_row();
                    self.out.end_item();
                }
                grid_rows += 1;
                continue;
            }
            if grid_rows > 0 && trimmed.starts_with('|') {
                let inner = trimmed.trim_start_matches('|').trim_end_matches('|');
                for cell in inner.split('|') {
                    let text = self.inline(cell.trim());
                    self.out.cell(&text);
                }
                continue;
            }
            let mut body = trimmed;
            if let Some(width) = list_marker(trimmed) {
                self.flush(&mut buffer);
                self.out.end_item();
                body = trimmed.get(width..).unwrap_or("").trim_start();
                para_indent = indent + width;
                if let Some((checked, after)) = checkbox(body) {
                    self.out.checkbox(checked);
                    body = after;
                }
            } else if k > i && indent < para_indent {
                para_indent = indent;
            } else if let Some(line_block) = trimmed.strip_prefix("| ") {
                body = line_block;
            }
            let literal_next = k + 1 == j && body.ends_with("::");
            if !buffer.is_empty() {
                buffer.push(' ');
            }
            if literal_next {
                let without = &body[..body.len() - 2];
                if without.ends_with(char::is_whitespace) || without.is_empty() {
                    buffer.push_str(without.trim_end());
                } else {
                    buffer.push_str(without);
                    buffer.push(':');
                }
                self.flush(&mut buffer);
                self.out.end_item();
                return (j, Some(para_indent));
            }
            buffer.push_str(body);
        }
        self.flush(&mut buffer);
        self.out.end_item();
        (j, None)
    }

    /// Reads the buffered text as prose and empties the buffer.
    fn flush(&mut self, buffer: &mut String) {
        if !buffer.is_empty() {
            let text = self.inline(buffer);
            self.out.prose(&text);
            buffer.clear();
        }
    }

    fn simple_table_row(&mut self, line: &str) {
        if line.starts_with(char::is_whitespace) {
            // The continuation of the previous row's first cell.
            let text = self.inline(line.trim());
            self.out.prose(&text);
            return;
        }
        if line.trim_start().starts_with('-') && line.trim().chars().all(|c| c == '-' || c == ' ') {
            return;
        }
        self.out.end_item();
        self.out.table_row();
        for cell in split_columns(line.trim()) {
            let text = self.inline(cell);
            self.out.cell(&text);
        }
    }

    /// Inline markup removed, links collected.
    fn inline(&mut self, text: &str) -> String {
        static INLINE: LazyLock<Regex> = LazyLock::new(|| {
            Regex::new(
                r"(?x)
                `(?P<lt>[^`<]*?)\s*<(?P<lu>[^`>]*)>`(?:__?)?
                | :(?P<role>[A-Za-z0-9][\w:.+-]*):`(?P<rt>[^`]*)`
                | ``(?P<lit>[^`]+)``
                | `(?P<it>[^`]*)`(?:__?|:[\w:.+-]+:)?
                ",
            )
            .expect("valid inline pattern")
        });
        static URL: LazyLock<Regex> = LazyLock::new(|| {
            Regex::new(r"(?:https?|ftp)://[^\s<>`]+[^\s<>`.,;:!?)\]]").expect("valid URL pattern")
        });
        if !text.contains(['`', '*', ':', '/']) {
            return text.to_string();
        }
        let mut links = Vec::new();
        let replaced = INLINE.replace_all(text, |c: &Captures| {
            if let Some(url) = c.name("lu") {
                let url = url.as_str().trim();
                if !url.ends_with('_') {
                    links.push(url.to_string());
                }
                let label = c.name("lt").map_or("", |m| m.as_str()).trim();
                return if label.is_empty() { url } else { label }.to_string();
            }
            if let Some(rt) = c.name("rt") {
                let role = c.name("role").map_or("", |m| m.as_str());
                let rt = rt.as_str();
                let (label, target) = match (rt.rfind('<'), rt.trim_end().strip_suffix('>')) {
                    (Some(open), Some(inner)) => (
                        rt[..open].trim(),
                        inner.get(open + 1..).unwrap_or("").trim(),
                    ),
                    _ => (rt.trim(), rt.trim()),
                };
                if role == "doc" {
                    links.push(target.to_string());
                }
                return if label.is_empty() { target } else { label }
                    .trim_start_matches(['~', '!'])
                    .to_string();
            }
            c.name("lit")
                .or_else(|| c.name("it"))
                .map_or(String::new(), |m| m.as_str().to_string())
        });
        for m in URL.find_iter(&replaced) {
            links.push(m.as_str().to_string());
        }
        for link in links {
            self.out.link(&link);
        }
        replaced.replace(['*', '`'], "")
    }
}

/// The adornment character when the line is one character repeated (at least twice),
/// starting at the first column.
fn adornment(line: &str) -> Option<char> {
    let line = line.trim_end();
    let mut chars = line.chars();
    let c = chars.next()?;
    if !ADORNMENT.contains(c) || line.len() < 2 || !chars.all(|x| x == c) {
        return None;
    }
    Some(c)
}

fn is_bullet(line: &str) -> bool {
    let mut chars = line.chars();
    matches!(chars.next(), Some('-' | '*' | '+' | '•' | '‣' | '⁃'))
        && chars.next().is_none_or(char::is_whitespace)
}

/// The width of a list marker and the space after it (`- `, `* `, `1. `, `#. `, `(a) `,
/// `2) `), when the line starts with one.
fn list_marker(line: &str) -> Option<usize> {
    static ENUM: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r"^(?:[-*+•‣⁃]|(?:[0-9]+|#|[a-zA-Z]|[ivxlcdmIVXLCDM]+)[.)]|\((?:[0-9]+|#|[a-zA-Z]|[ivxlcdm]+)\))(?:\s+|$)")
            .expect("valid list pattern")
    });
    ENUM.find(line).map(|m| m.end())
}

/// `[ ] task` / `[x] task`.
fn checkbox(text: &str) -> Option<(bool, &str)> {
    let rest = text.strip_prefix('[')?;
    let mut chars = rest.chars();
    let mark = chars.next()?;
    let after = chars.as_str().strip_prefix(']')?;
    match mark {
        ' ' => Some((false, after.trim_start())),
        'x' | 'X' => Some((true, after.trim_start())),
        _ => None,
    }
}

/// `:name: value` (a field of a field list), not a role (`:ref:`x``).
fn field(line: &str) -> Option<(&str, &str)> {
    let rest = line.strip_prefix(':')?;
    let end = rest.find(':')?;
    let name = &rest[..end];
    let after = &rest[end + 1..];
    if name.trim().is_empty() || name.starts_with(' ') || name.contains('`') {
        return None;
    }
    if !(after.is_empty() || after.starts_with(char::is_whitespace)) {
        return None;
    }
    Some((name, after.trim()))
}

/// `name:: arguments` of a directive (`code-block:: python`, `py:function:: f()`).
fn directive_of(rest: &str) -> Option<(String, &str)> {
    let pos = rest.find("::")?;
    let name = rest[..pos].trim_end();
    let args = &rest[pos + 2..];
    let valid = !name.is_empty()
        && name.chars().next().is_some_and(char::is_alphanumeric)
        && name
            .chars()
            .all(|c| c.is_alphanumeric() || matches!(c, '-' | '_' | '+' | ':' | '.'));
    if !valid || !(args.is_empty() || args.starts_with(char::is_whitespace)) {
        return None;
    }
    Some((name.to_ascii_lowercase(), args.trim()))
}

/// `+----+----+` or `+====+`.
fn is_grid_border(line: &str) -> bool {
    line.len() >= 3
        && line.starts_with('+')
        && line.ends_with('+')
        && line.contains(['-', '='])
        && line.chars().all(|c| matches!(c, '+' | '-' | '=' | ':'))
}

/// `=====  =====`: a border of a simple table (two columns at least).
fn is_simple_table_border(line: &str) -> bool {
    let t = line.trim_end();
    !t.starts_with(char::is_whitespace)
        && t.starts_with('=')
        && t.contains(' ')
        && t.chars().all(|c| c == '=' || c == ' ')
}

/// Columns of a simple table row: text separated by two spaces or more.
fn split_columns(row: &str) -> impl Iterator<Item = &str> {
    row.split("  ").map(str::trim).filter(|c| !c.is_empty())
}

/// docutils' `make_id`: lowercase, accents folded, runs of anything but ASCII letters
/// and digits as one hyphen, leading digits and hyphens and trailing hyphens dropped.
pub fn make_id(text: &str) -> String {
    let mut id = String::with_capacity(text.len());
    let mut gap = false;
    for c in text.chars().flat_map(char::to_lowercase).map(fold_latin) {
        if c.is_ascii_alphanumeric() {
            if gap && !id.is_empty() {
                id.push('-');
            }
            gap = false;
            id.push(c);
        } else if c.is_ascii() {
            gap = true;
        }
        // Other non-ASCII characters are dropped, as docutils does after NFKD.
    }
    id.trim_start_matches(|c: char| c == '-' || c.is_ascii_digit())
        .to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::parse::outline::{assert_never_panics, assert_prose, heading_rows};

    #[test]
    fn titles_levels_follow_first_appearance_and_anchors_follow_docutils() {
        let md = parse(
            "=================\n Warehouse docs\n=================\n\nIntro text.\n\n\
             1. Getting Started\n------------------\n\nText.\n\nDeep *part*\n~~~~~~~~~~\n\n\
             Another\n-------\n\nGetting started\n---------------\n\nCafé ``setup``\n============\n",
        );
        assert_eq!(
            heading_rows(&md),
            [
                (1, "Warehouse docs", "warehouse-docs", 2),
                (2, "1. Getting Started", "getting-started", 7),
                (3, "Deep part", "deep-part", 12),
                (2, "Another", "another", 15),
                (2, "Getting started", "id1", 18),
                (4, "Café setup", "cafe-setup", 21),
            ]
        );
        assert_eq!(md.title().as_deref(), Some("Warehouse docs"));
        assert!(md.has_anchor("getting-started"));
        assert!(md.has_anchor("id1"));
    }

    #[test]
    fn literal_blocks_directives_and_comments_are_not_prose() {
        let md = parse(
            "Runbook\n=======\n\nRun this::\n\n    secret-command --now\n\nAfter the block.\n\n\
             .. code-block:: bash\n\n   hidden-code\n\n.. note:: Page the on-call.\n\n   Visible note.\n\n\
             .. this is a comment\n   still comment\n\n>>> doctest()\n\nExpanded form:\n\n::\n\n  literal-too\n\nEnd.\n",
        );
        assert_prose(
            &md,
            &["secret", "hidden", "comment", "doctest", "literal-too"],
            &[
                "run this:",
                "after the block",
                "page the on-call",
                "visible note",
                "end.",
            ],
        );
    }

    #[test]
    fn links_targets_and_field_list_front_matter() {
        let md = parse(
            ":last_reviewed_on: 2024-05-01\n:Review In: 6 months\n\n.. _disk-full:\n\n\
             Disk full\n=========\n\nSee `the docs <https://example.org/docs>`_ and :doc:`restart <../ops/restart>`.\n\
             Also `PyPI`_ and https://pypi.org/simple.\n\n.. _`PyPI`: https://pypi.org/\n\n\
             .. toctree::\n   :maxdepth: 1\n\n   runbooks/disk\n   Latency <runbooks/latency>\n",
        );
        let fm = md.front_matter.as_ref().unwrap();
        assert_eq!(
            fm.get("last_reviewed_on").unwrap().as_str(),
            Some("2024-05-01")
        );
        assert_eq!(fm.get("review_in").unwrap().as_str(), Some("6 months"));
        assert_eq!(fm.get("review_in").unwrap().pos.line, 2);
        assert_eq!(
            md.links,
            [
                "https://example.org/docs",
                "../ops/restart",
                "https://pypi.org/simple",
                "https://pypi.org/",
                "runbooks/disk",
                "runbooks/latency",
            ]
        );
        assert!(md.text.contains("see the docs and restart."), "{}", md.text);
        assert!(md.has_anchor("disk-full"));
        assert!(md.has_anchor("Disk-Full"));
        assert!(!md.text.contains("maxdepth"));
        assert_eq!(md.headings[0].line, 6);
    }

    #[test]
    fn inline_markup_wrapped_over_lines() {
        let md = parse(
            "Use `devpi\n<https://pypi.org/project/devpi-server/>`_ or\n``twine\nupload``.\n",
        );
        assert_eq!(md.links, ["https://pypi.org/project/devpi-server/"]);
        assert_eq!(md.text, "use devpi or twine upload. ");
    }

    #[test]
    fn lists_tables_checkboxes_and_sections() {
        let md = parse(
            "Postmortem\n==========\n\nAction items\n------------\n\n- [ ] add an alert (#12)\n\
             - [x] fix the probe\n\n+-------+--------+\n| Owner | Ticket |\n+=======+========+\n\
             | bob   | OPS-1  |\n+-------+--------+\n\n=====  =====\nA      B\n=====  =====\n1      2\n\
             =====  =====\n\nTimeline\n--------\n\n1. first\n2. second\n",
        );
        assert_eq!(md.checkboxes, 2);
        assert_eq!(md.table_rows, 4);
        assert_eq!(md.sections.len(), 3);
        let items = &md.sections[1];
        assert!(items.contains("[ ] add an alert (#12)"), "{items:?}");
        assert!(items.contains("owner  | ticket  |"), "{items:?}");
        assert!(items.contains("ops-1"), "{items:?}");
        assert!(
            md.sections[2].contains("first \nsecond"),
            "{:?}",
            md.sections[2]
        );
    }

    #[test]
    fn not_titles() {
        // A paragraph's second line, a too-short underline, a bullet and a transition.
        let md = parse(
            "Some text\nmore text\n=========\n\nLonger title\n--\n\n- item\n------\n\n----------\n\nPara.\n",
        );
        assert!(md.headings.is_empty(), "{:?}", md.headings);
        assert_eq!(make_id("  --42 Über  die  Brücke!  "), "uber-die-brucke");
    }

    #[test]
    fn never_panics_on_hostile_input() {
        let alphabet = [
            "=",
            "-",
            "~",
            "`",
            ":",
            "::",
            "..",
            ".. ",
            "_",
            "|",
            "+",
            "*",
            "<",
            ">",
            "[",
            "]",
            " ",
            "  ",
            "\n",
            "\n\n",
            "\t",
            "a",
            "Title",
            "é",
            "\u{feff}",
            "\r\n",
            "#",
            "1.",
            ">>>",
            "code-block",
            "toctree",
            "http://x",
            "`a <b>`_",
            ":doc:",
        ];
        // Large inputs stay fast (linear): many adornments, many backticks, one long line.
        let big = "==\nA\n==\n".repeat(20_000)
            + &"`".repeat(100_000)
            + &"x `a <b>`_ :r:`q` ".repeat(10_000);
        assert_never_panics(parse, &alphabet, &big);
    }
}
