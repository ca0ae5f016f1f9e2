//! AsciiDoc documents reduced to the outline the Markdown reader produces
//! ([`Markdown`]): section titles with their levels, anchors and lines, the prose as
//! lowercase text, links, checklists, and the header attributes as front matter.
//!
//! What is read:
//! - **section titles** `= Title` (level 1, the document title), `== Section` (2) … to
//!   six `=`, Markdown-style `#` titles, and two-line (setext) titles underlined with
//!   `=`, `-`, `~`, `^`, `+` within one character of the title's length, as Asciidoctor
//!   reads them; titles inside delimited blocks are not sections;
//! - **anchors**: an explicit id on the line above (`[[id]]`, `[#id]`, `[id=x]`) or in
//!   the title, else the id Asciidoctor generates: `idprefix` (default `_`) + the title
//!   lowercased, characters other than letters, digits, `_`, `-`, `.` and spaces
//!   dropped, runs of spaces, `_`, `-`, `.` as one `idseparator` (default `_`), a repeat
//!   numbered `_2`, `_3`; `:idprefix:` and `:idseparator:` in the header are honoured.
//!   The id GitHub's renderer gives (`idprefix` empty, `idseparator` `-`) and inline
//!   anchors (`[[id]]`, `anchor:id[]`) resolve too;
//! - **prose**: paragraphs, lists, tables, example/sidebar/quote/open blocks, with
//!   macros read as their text (`https://x[GitHub]` reads "GitHub" and links to the
//!   URL); listing (`----`), literal (`....`), passthrough (`++++`), comment (`////`)
//!   and fenced blocks, literal (indented) paragraphs, comments and attribute entries are
//!   left out;
//! - **front matter**: attribute entries before the body (`:last_reviewed_on:
//!   2024-05-01`), names with `-` as `_`;
//! - checklist items `* [ ]`, `* [x]`.
//!
//! Never fails and never panics; one pass over the lines, every regex linear.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::LazyLock;

use regex::{Captures, Regex};

use crate::parse::markdown::Markdown;
use crate::parse::outline::Builder;

/// Parses an AsciiDoc document.
pub fn parse(text: &str) -> Markdown {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    Parser {
        lines: text.lines().collect(),
        out: Builder::default(),
        ids: BTreeSet::new(),
        repeats: BTreeMap::new(),
        idprefix: "_".to_string(),
        idseparator: Some('_'),
        pending_id: None,
        pending_cols: None,
        blocks: Vec::new(),
        pending: String::new(),
        seen_body: false,
    }
    .run()
}

/// An open delimited block.
struct Block {
    delimiter: String,
    /// Listing, literal, passthrough, comment, fenced: nothing inside is read.
    verbatim: bool,
    /// The cell separator of a table (`|`, `!`, `,`, `:`).
    table: Option<char>,
    /// Table columns, cells seen in the current row.
    columns: usize,
    cells: usize,
}

struct Parser<'a> {
    lines: Vec<&'a str>,
    out: Builder,
    ids: BTreeSet<String>,
    /// The last number given to a repeated id.
    repeats: BTreeMap<String, u32>,
    idprefix: String,
    /// `None` when `:idseparator:` is set empty.
    idseparator: Option<char>,
    /// An explicit id from a block anchor line, for the next title.
    pending_id: Option<String>,
    /// `cols` of the next table.
    pending_cols: Option<usize>,
    blocks: Vec<Block>,
    /// The text of the current paragraph or list item, joined so that macros wrapped over
    /// lines read as one.
    pending: String,
    /// A section or a paragraph has been read: attribute entries are no longer the header.
    seen_body: bool,
}

impl Parser<'_> {
    fn run(mut self) -> Markdown {
        let n = self.lines.len();
        let mut i = 0;
        // Inside a paragraph (a title needs a block of its own).
        let mut para = false;
        // Right after the document title: author and revision lines are not prose.
        let mut header = false;
        while i < n {
            let line = self.lines[i].trim_end();
            i += 1;
            if let Some(top) = self.blocks.last()
                && top.verbatim
            {
                if closes(&top.delimiter, line) {
                    self.blocks.pop();
                }
                continue;
            }
            if line.trim().is_empty() {
                para = false;
                header = false;
                self.flush();
                self.out.end_item();
                continue;
            }
            if line.starts_with("//") && !is_delimiter_line(line) {
                continue;
            }
            if let Some((delimiter, verbatim, table)) = delimiter(line) {
                para = false;
                self.flush();
                if self
                    .blocks
                    .last()
                    .is_some_and(|b| closes(&b.delimiter, line))
                {
                    self.blocks.pop();
                    self.out.end_item();
                } else {
                    self.seen_body = true;
                    self.blocks.push(Block {
                        delimiter,
                        verbatim,
                        table,
                        columns: self.pending_cols.take().unwrap_or(0),
                        cells: 0,
                    });
                }
                self.pending_id = None;
                continue;
            }
            if let Some(sep) = self.blocks.last().and_then(|b| b.table) {
                self.table_line(line, sep);
                continue;
            }
            if let Some((name, value)) = attribute_entry(line) {
                let (value, next) = self.continued(value, i);
                i = next;
                self.attribute(name, &value, i);
                continue;
            }
            if header {
                // Author and revision lines below the document title.
                continue;
            }
            if !para
                && self.blocks.is_empty()
                && !line.starts_with(char::is_whitespace)
                && let Some((level, title)) = atx_title(line)
            {
                header = level == 1 && !self.seen_body;
                self.heading(level, title, i as u32);
                continue;
            }
            if !para
                && self.blocks.is_empty()
                && let Some(level) = self.lines.get(i).and_then(|u| setext_level(line, u))
            {
                i += 1;
                self.heading(level, line, i as u32 - 1);
                continue;
            }
            if !para && line.starts_with('[') && line.ends_with(']') {
                self.block_attributes(line);
                continue;
            }
            if !para && let Some((name, target)) = block_macro(line) {
                if name == "image" {
                    self.out.link(target);
                }
                continue;
            }
            if line == "+" || line == "<<<" || is_thematic_break(line) {
                continue;
            }
            let item = list_item(line);
            if !para && item.is_none() && line.starts_with(char::is_whitespace) {
                // A literal paragraph: up to the next blank line.
                while i < n && !self.lines[i].trim().is_empty() {
                    i += 1;
                }
                continue;
            }
            self.seen_body = true;
            self.pending_id = None;
            let mut body = line.trim();
            let block_title = item.is_none()
                && body
                    .strip_prefix('.')
                    .is_some_and(|t| !t.is_empty() && !t.starts_with(['.', ' ', '\t']));
            if !para || item.is_some() || block_title {
                self.flush();
            }
            para = true;
            if let Some(width) = item {
                self.out.end_item();
                body = body.get(width..).unwrap_or("").trim_start();
                if let Some((checked, rest)) = checkbox(body) {
                    self.out.checkbox(checked);
                    body = rest;
                }
            } else if block_title {
                self.pending.push_str(&body[1..]);
                self.flush();
                para = false;
                continue;
            }
            if !self.pending.is_empty() {
                self.pending.push(' ');
            }
            self.pending.push_str(body);
        }
        self.flush();
        self.out.finish()
    }

    /// Reads the paragraph or list item gathered so far as prose.
    fn flush(&mut self) {
        if !self.pending.is_empty() {
            let text = std::mem::take(&mut self.pending);
            let text = self.inline(&text);
            self.out.prose(&text);
        }
    }

    /// An attribute value continued on the next lines (` \` at the end).
    fn continued(&self, value: &str, mut i: usize) -> (String, usize) {
        let mut value = value.to_string();
        while let Some(stripped) = value.strip_suffix(" \\") {
            value = stripped.to_string();
            let Some(next) = self.lines.get(i) else { break };
            value.push(' ');
            value.push_str(next.trim());
            i += 1;
        }
        (value, i)
    }

    fn attribute(&mut self, name: &str, value: &str, line: usize) {
        let unset = name.starts_with('!') || name.ends_with('!');
        let name = name.trim_matches('!');
        match name {
            "idprefix" => {
                self.idprefix = if unset {
                    String::new()
                } else {
                    value.trim().to_string()
                }
            }
            "idseparator" => {
                self.idseparator = if unset {
                    None
                } else {
                    value.trim().chars().next()
                };
            }
            _ => {}
        }
        if !self.seen_body && !unset {
            let key = name.to_lowercase().replace('-', "_");
            self.out.field(&key, value, line as u32, 1);
        }
    }

    fn heading(&mut self, level: u8, raw: &str, line: u32) {
        self.seen_body = self.seen_body || level > 1;
        let (raw, inline_id) = title_anchor(raw);
        let text = self.inline(raw);
        let explicit = self.pending_id.take().or(inline_id);
        let github = generate_id(&text, "", Some('-'));
        let anchor = match explicit {
            Some(id) => {
                self.ids.insert(id.clone());
                id
            }
            None => {
                let base = generate_id(&text, &self.idprefix, self.idseparator);
                let mut id = base.clone();
                if level > 1 && self.ids.contains(&id) {
                    // Repeats are numbered from 2, counting on from the last number given.
                    let sep = self.idseparator.map(String::from).unwrap_or_default();
                    let n = self.repeats.entry(base.clone()).or_insert(1);
                    loop {
                        *n += 1;
                        id = format!("{base}{sep}{n}");
                        if !self.ids.contains(&id) {
                            break;
                        }
                    }
                }
                // The document title is no section: its id is not taken.
                if level > 1 {
                    self.ids.insert(id.clone());
                }
                id
            }
        };
        if github != anchor {
            self.out.extra_anchor(&github);
        }
        self.out.heading(level, &text, anchor, line);
    }

    /// `[[id]]`, `[#id.role]`, `[source#id,ruby]`, `[id=x]`, `[cols="1,2"]` above a block.
    fn block_attributes(&mut self, line: &str) {
        if let Some(inner) = line.strip_prefix("[[").and_then(|l| l.strip_suffix("]]")) {
            let id = inner.split(',').next().unwrap_or("").trim();
            if !id.is_empty() && !id.contains(char::is_whitespace) {
                self.out.extra_anchor(id);
                self.pending_id = Some(id.to_string());
            }
            return;
        }
        let inner = &line[1..line.len() - 1];
        if let Some(cols) = columns_of(inner) {
            self.pending_cols = Some(cols);
        }
        for (k, attr) in inner.split(',').enumerate() {
            let attr = attr.trim();
            if let Some(id) = attr.strip_prefix("id=") {
                let id = id.trim_matches(['"', '\'']);
                self.out.extra_anchor(id);
                self.pending_id = Some(id.to_string());
            } else if k == 0
                && !attr.contains('=')
                && let Some((_, rest)) = attr.split_once('#')
            {
                let id = rest.split(['.', '%', '#']).next().unwrap_or("");
                if !id.is_empty() && !id.contains(char::is_whitespace) {
                    self.out.extra_anchor(id);
                    self.pending_id = Some(id.to_string());
                }
            }
        }
    }

    fn table_line(&mut self, line: &str, sep: char) {
        let line = line.trim();
        if matches!(sep, ',' | ':') {
            for cell in line.split(sep) {
                let text = self.inline(cell.trim());
                self.out.cell(&text);
            }
            self.out.table_row();
            self.out.end_item();
            return;
        }
        let Some(rest) = line.find(sep).map(|p| &line[p + sep.len_utf8()..]) else {
            // The continuation of the last cell.
            let text = self.inline(line);
            self.out.prose(&text);
            return;
        };
        let cells: Vec<&str> = rest.split(sep).collect();
        let (columns, seen) = match self.blocks.last_mut() {
            Some(b) => {
                if b.columns == 0 {
                    b.columns = cells.len().max(1);
                }
                (b.columns, &mut b.cells)
            }
            None => return,
        };
        let mut rows = 0;
        for _ in &cells {
            *seen += 1;
            if *seen >= columns {
                *seen = 0;
                rows += 1;
            }
        }
        for cell in cells {
            let text = self.inline(cell.trim());
            self.out.cell(&text);
        }
        for _ in 0..rows {
            self.out.table_row();
            self.out.end_item();
        }
    }

    /// Macros read as their text, links collected, inline anchors kept.
    fn inline(&mut self, text: &str) -> String {
        static INLINE: LazyLock<Regex> = LazyLock::new(|| {
            Regex::new(
                r"(?x)
                (?P<url>(?:https?|ftp|irc|mailto|file):[^\s\[\]<>]+)\[(?P<utext>[^\]]*)\]
                | (?P<macro>link|xref|image|include|kbd|btn|menu|footnote|footnoteref|pass|anchor|indexterm2?|stem|latexmath|asciimath|icon):(?P<target>[^\s\[]*)\[(?P<mtext>[^\]]*)\]
                | <<(?P<xref>[^,>]+)(?:,\s*(?P<xtext>[^>]*))?>>
                | \[\[(?P<aid>[^\],\s]+)(?:,[^\]]*)?\]\]
                ",
            )
            .expect("valid inline pattern")
        });
        static URL: LazyLock<Regex> = LazyLock::new(|| {
            Regex::new(r"(?:https?|ftp)://[^\s\[\]<>]+[^\s\[\]<>.,;:!?)]")
                .expect("valid URL pattern")
        });
        if !text.contains([':', '[', '<', '*', '`']) {
            return text.to_string();
        }
        let mut links = Vec::new();
        let mut anchors = Vec::new();
        let replaced = INLINE.replace_all(text, |c: &Captures| {
            let get = |name: &str| c.name(name).map_or("", |m| m.as_str());
            if let Some(url) = c.name("url") {
                links.push(url.as_str().to_string());
                let label = link_text(get("utext"));
                return if label.is_empty() {
                    url.as_str()
                } else {
                    label
                }
                .to_string();
            }
            if let Some(m) = c.name("macro") {
                let (target, label) = (get("target"), get("mtext"));
                return match m.as_str() {
                    "link" | "xref" => {
                        links.push(target.to_string());
                        let label = link_text(label);
                        if label.is_empty() { target } else { label }.to_string()
                    }
                    "image" => {
                        links.push(target.to_string());
                        link_text(label).to_string()
                    }
                    "anchor" => {
                        anchors.push(target.to_string());
                        String::new()
                    }
                    "include" | "indexterm" | "icon" | "footnoteref" => String::new(),
                    _ => label.to_string(),
                };
            }
            if let Some(xref) = c.name("xref") {
                let xref = xref.as_str().trim();
                links.push(format!("#{xref}"));
                let label = get("xtext").trim();
                return if label.is_empty() { xref } else { label }.to_string();
            }
            if let Some(id) = c.name("aid") {
                anchors.push(id.as_str().to_string());
            }
            String::new()
        });
        for m in URL.find_iter(&replaced) {
            links.push(m.as_str().to_string());
        }
        for link in links {
            self.out.link(&link);
        }
        for id in anchors {
            self.out.extra_anchor(&id);
        }
        replaced.replace(['*', '`'], "")
    }
}

/// `GitHub,window=_blank` → `GitHub`; `Releases^` → `Releases`.
fn link_text(text: &str) -> &str {
    let text = match text.split_once(',') {
        Some((first, rest)) if rest.contains('=') => first,
        _ => text,
    };
    // Only named attributes (`link=https://…`, `width=100`): no text.
    if text.contains('=') && !text.contains(' ') {
        return "";
    }
    text.trim().trim_end_matches('^').trim_matches('"').trim()
}

/// The number of columns of `cols="1,2a,3"` or `cols=3`.
fn columns_of(attrs: &str) -> Option<usize> {
    let rest = &attrs[attrs.find("cols=")? + 5..];
    let value = match rest.chars().next()? {
        q @ ('"' | '\'') => rest[1..].split(q).next().unwrap_or(""),
        _ => rest.split(',').next().unwrap_or(""),
    };
    let value = value.trim();
    match value.parse::<usize>() {
        Ok(n) => Some(n.clamp(1, 1000)),
        Err(_) => Some(
            value
                .split([',', ';'])
                .map(|c| {
                    // `3*` repeats a column spec.
                    c.split_once('*')
                        .and_then(|(n, _)| n.trim().parse::<usize>().ok())
                        .unwrap_or(1)
                        .min(1000)
                })
                .sum::<usize>()
                .max(1),
        ),
    }
}

/// `== Title [[id]]` or `== [[id]]Title`: the title without the anchor, and the id.
fn title_anchor(title: &str) -> (&str, Option<String>) {
    let title = title.trim();
    if let Some(rest) = title.strip_prefix("[[")
        && let Some((id, after)) = rest.split_once("]]")
    {
        let id = id.split(',').next().unwrap_or("").trim();
        if !id.is_empty() && !id.contains(char::is_whitespace) {
            return (after.trim(), Some(id.to_string()));
        }
    }
    if let Some(before) = title.strip_suffix("]]")
        && let Some(open) = before.rfind("[[")
    {
        let id = before[open + 2..].split(',').next().unwrap_or("").trim();
        if !id.is_empty() && !id.contains(char::is_whitespace) {
            return (before[..open].trim(), Some(id.to_string()));
        }
    }
    (title, None)
}

/// Asciidoctor's section id: `prefix` + the title lowercased, characters other than word
/// characters, spaces, `-` and `.` removed, runs of spaces, `-`, `.` (and `_` when it is
/// not the separator's partner) replaced by one separator, a trailing separator dropped.
pub fn generate_id(title: &str, prefix: &str, separator: Option<char>) -> String {
    let lower = title.to_lowercase();
    let kept = lower
        .chars()
        .filter(|c| c.is_alphanumeric() || matches!(c, ' ' | '_' | '-' | '.'));
    let Some(sep) = separator else {
        return prefix.chars().chain(kept).filter(|c| *c != ' ').collect();
    };
    let squeezed: &[char] = if sep == '-' || sep == '.' {
        &[' ', '.', '-']
    } else {
        &[' ', sep, '.', '-']
    };
    // Ruby's `tr_s` over the prefix and the title: each run of those characters becomes
    // one separator.
    let mut id = String::with_capacity(prefix.len() + lower.len());
    let mut last_was_sep = false;
    for c in prefix.chars().chain(kept) {
        if squeezed.contains(&c) {
            if !last_was_sep {
                id.push(sep);
            }
            last_was_sep = true;
        } else {
            id.push(c);
            last_was_sep = false;
        }
    }
    if id.ends_with(sep) {
        id.pop();
    }
    if prefix.is_empty() && id.starts_with(sep) {
        id.remove(0);
    }
    id
}

/// A line that opens or closes a delimited block: (delimiter, verbatim, table separator).
fn delimiter(line: &str) -> Option<(String, bool, Option<char>)> {
    if line.starts_with("```") {
        return Some(("```".to_string(), true, None));
    }
    if line == "--" {
        return Some((line.to_string(), false, None));
    }
    for (prefix, sep) in [("|===", '|'), ("!===", '!'), (",===", ','), (":===", ':')] {
        if line.starts_with(prefix) && line[1..].chars().all(|c| c == '=') {
            return Some((line.to_string(), false, Some(sep)));
        }
    }
    if !is_delimiter_line(line) {
        return None;
    }
    let verbatim = matches!(line.chars().next(), Some('-' | '.' | '+' | '/'));
    Some((line.to_string(), verbatim, None))
}

/// Four or more of one of `-`, `.`, `+`, `/`, `=`, `*`, `_`.
fn is_delimiter_line(line: &str) -> bool {
    let mut chars = line.chars();
    let Some(c) = chars.next() else {
        return false;
    };
    matches!(c, '-' | '.' | '+' | '/' | '=' | '*' | '_') && line.len() >= 4 && chars.all(|x| x == c)
}

fn closes(delimiter: &str, line: &str) -> bool {
    if delimiter == "```" {
        return line == "```";
    }
    line == delimiter
}

/// `:name: value`, `:name!:`, `:!name:`.
fn attribute_entry(line: &str) -> Option<(&str, &str)> {
    let rest = line.strip_prefix(':')?;
    let end = rest.find(':')?;
    let name = &rest[..end];
    let value = &rest[end + 1..];
    let bare = name.trim_matches('!');
    let valid = bare
        .chars()
        .next()
        .is_some_and(|c| c.is_alphanumeric() || c == '_')
        && bare
            .chars()
            .all(|c| c.is_alphanumeric() || c == '_' || c == '-');
    if !valid || !(value.is_empty() || value.starts_with(char::is_whitespace)) {
        return None;
    }
    Some((name, value.trim()))
}

/// `== Title` (or `## Title`): its level (number of markers) and text.
fn atx_title(line: &str) -> Option<(u8, &str)> {
    let marker = line.chars().next().filter(|c| *c == '=' || *c == '#')?;
    let count = line.chars().take_while(|c| *c == marker).count();
    if count > 6 {
        return None;
    }
    let rest = &line[count..];
    if !rest.starts_with([' ', '\t']) {
        return None;
    }
    let mut title = rest.trim();
    // Symmetric titles: `== Title ==`.
    if marker == '=' {
        let stripped = title.trim_end_matches('=');
        if stripped.len() < title.len() && stripped.ends_with(' ') {
            title = stripped.trim_end();
        }
    }
    if title.is_empty() {
        return None;
    }
    Some((count as u8, title))
}

/// The level of a two-line title whose underline is `under`.
fn setext_level(title: &str, under: &str) -> Option<u8> {
    let under = under.trim_end();
    let c = under.chars().next()?;
    let level = match c {
        '=' => 1,
        '-' => 2,
        '~' => 3,
        '^' => 4,
        '+' => 5,
        _ => return None,
    };
    let len = under.chars().count();
    let width = title.chars().count() as i64;
    if len < 2
        || !under.chars().all(|x| x == c)
        || (width - len as i64).abs() > 1
        || title.starts_with(['.', '[', ' ', '\t', '/', ':', '*', '-', '<'])
        || !title.chars().any(char::is_alphanumeric)
        || list_item(title).is_some()
    {
        return None;
    }
    Some(level)
}

/// `image::path[alt]`, `include::file[]`, `toc::[]`, `ifdef::x[]`.
fn block_macro(line: &str) -> Option<(&str, &str)> {
    let (name, rest) = line.split_once("::")?;
    if name.is_empty()
        || !name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
        || !rest.ends_with(']')
    {
        return None;
    }
    let open = rest.find('[')?;
    let target = &rest[..open];
    if target.contains(char::is_whitespace) {
        return None;
    }
    Some((name, target))
}

fn is_thematic_break(line: &str) -> bool {
    matches!(line, "'''" | "---" | "***" | "- - -" | "* * *")
}

/// The width of a list marker and the space after it (`* `, `** `, `- `, `. `, `1. `,
/// `a. `, `<1> `), when the line starts with one.
fn list_item(line: &str) -> Option<usize> {
    static ITEM: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r"^\s*((?:\*{1,5}|-|\.{1,5}|[0-9]+\.|[a-zA-Z]\.|[ivxIVX]+\)|<[0-9.]+>)[ \t]+)\S")
            .expect("valid list pattern")
    });
    ITEM.captures(line)
        .and_then(|c| c.get(1))
        .map(|m| m.as_str().len())
}

/// `[ ] task`, `[x] task`, `[*] task`.
fn checkbox(text: &str) -> Option<(bool, &str)> {
    let rest = text.strip_prefix('[')?;
    let mut chars = rest.chars();
    let mark = chars.next()?;
    let after = chars.as_str().strip_prefix(']')?;
    if !after.starts_with([' ', '\t']) {
        return None;
    }
    match mark {
        ' ' => Some((false, after.trim_start())),
        'x' | 'X' | '*' => Some((true, after.trim_start())),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::parse::outline::{assert_never_panics, assert_prose, heading_rows};

    #[test]
    fn titles_with_explicit_and_generated_ids() {
        let md = parse(
            "[[git-plugin]]\n= Git Plugin\n:toc: macro\n:last_reviewed_on: 2024-05-01\n\n\
             [#introduction]\n== Introduction\n\nText.\n\n\
             == Changelog in https://github.com/o/r/releases[GitHub Releases]\n\n\
             === What's new? (v2.0)\n\n== Introduction\n\n== Setup [[setup-id]]\n\n\
             Two-line title\n--------------\n\n## Markdown style\n",
        );
        assert_eq!(
            heading_rows(&md),
            [
                (1, "Git Plugin", "git-plugin", 2),
                (2, "Introduction", "introduction", 7),
                (
                    2,
                    "Changelog in GitHub Releases",
                    "_changelog_in_github_releases",
                    11
                ),
                (3, "What's new? (v2.0)", "_whats_new_v2_0", 13),
                (2, "Introduction", "_introduction", 15),
                (2, "Setup", "setup-id", 17),
                (2, "Two-line title", "_two_line_title", 19),
                (2, "Markdown style", "_markdown_style", 22),
            ]
        );
        assert_eq!(md.title().as_deref(), Some("Git Plugin"));
        // The id GitHub gives resolves too.
        assert!(md.has_anchor("changelog-in-github-releases"));
        assert!(md.has_anchor("_changelog_in_github_releases"));
        assert!(
            md.links
                .contains(&"https://github.com/o/r/releases".to_string())
        );
        let fm = md.front_matter.as_ref().unwrap();
        assert_eq!(
            fm.get("last_reviewed_on").unwrap().as_str(),
            Some("2024-05-01")
        );
        assert_eq!(fm.get("toc").unwrap().as_str(), Some("macro"));
        assert!(!md.text.contains("macro"));
    }

    #[test]
    fn repeated_titles_and_custom_id_settings() {
        let md = parse(":idprefix:\n:idseparator: -\n\n== Alerts\n\n== Alerts\n\n== A_b.c d\n");
        let anchors: Vec<&str> = md.headings.iter().map(|h| h.anchor.as_str()).collect();
        assert_eq!(anchors, ["alerts", "alerts-2", "a_b-c-d"]);
        assert_eq!(generate_id("Don't panic!", "_", Some('_')), "_dont_panic");
        assert_eq!(generate_id("  Trailing -- ", "_", Some('_')), "_trailing");
    }

    #[test]
    fn listings_comments_and_literal_paragraphs_are_not_prose() {
        let md = parse(
            "= Runbook\n\nCheck the pods:\n\n[source,bash]\n----\nkubectl get secret-pods\n----\n\n\
             ....\nliteral-words\n....\n\n////\nblock-comment\n////\n\n// line-comment\n\n  \
             indented-literal paragraph\n\n====\nExample prose.\n\n----\nnested-code\n----\n====\n\n\
             ```\nfenced-code\n```\n\nNOTE: Page the *on-call* engineer.\n\n.Block title\nAfter.\n",
        );
        assert_prose(
            &md,
            &[
                "secret",
                "literal-words",
                "block-comment",
                "line-comment",
                "indented-literal",
                "nested-code",
                "fenced-code",
                "source,bash",
            ],
            &[
                "check the pods:",
                "example prose.",
                "page the on-call engineer",
                "block title",
                "after.",
            ],
        );
    }

    #[test]
    fn macros_wrapped_over_lines() {
        let md = parse("See https://example.org/runbook[the\nrunbook] and `kubectl`.\n");
        assert_eq!(md.links, ["https://example.org/runbook"]);
        assert_eq!(md.text, "see the runbook and kubectl. ");
    }

    #[test]
    fn checklists_tables_and_sections() {
        let md = parse(
            "= Postmortem\n\n== Action items\n\n* [ ] add an alert (#12)\n* [x] fix the probe\n\
             - plain item\n\n[cols=\"1,1\"]\n|===\n|Owner |Ticket\n\n|bob\n|OPS-1\n|===\n\n\
             == Timeline\n\n. first\n. second\n",
        );
        assert_eq!(md.checkboxes, 2);
        assert_eq!(md.table_rows, 2);
        assert_eq!(md.sections.len(), 3);
        let items = &md.sections[1];
        assert!(items.contains("[ ] add an alert (#12)"), "{items:?}");
        assert!(
            items.contains("[x] fix the probe \nplain item"),
            "{items:?}"
        );
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
        let md = parse(
            "Some text\n== not a title\n\n----\n== in a listing\n----\n\n====\n\n======= seven\n\n\
             Short\n----------------\n",
        );
        assert!(md.headings.is_empty(), "{:?}", md.headings);
    }

    #[test]
    fn never_panics_on_hostile_input() {
        let alphabet = [
            "=",
            "==",
            "= ",
            "-",
            "----",
            "....",
            "|===",
            "|",
            "!",
            "[[",
            "]]",
            "[",
            "]",
            "#",
            ":",
            "::",
            "*",
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
            "//",
            "////",
            "```",
            "+",
            "<<",
            ">>",
            ",",
            "https://x[",
            "link:",
            "anchor:",
            ".",
            "~~",
            "[ ]",
        ];
        let big = "== A\n\n".repeat(20_000)
            + &"[[".repeat(50_000)
            + "\n"
            + &"https://x[a] <<b,c>> ".repeat(10_000)
            + "\n"
            + &"====\n".repeat(10_000);
        assert_never_panics(parse, &alphabet, &big);
    }
}
