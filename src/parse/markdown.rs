//! Markdown documents reduced to what detectors need: front matter, headings with their
//! anchors and lines, and the prose as lowercase text for keyword checks.

use pulldown_cmark::{Event, HeadingLevel, Options, Parser, Tag, TagEnd};

use crate::parse::outline::{close_sections, push_heading, push_words};
use crate::parse::yaml::{self, Node};

#[derive(Debug, Clone, PartialEq)]
pub struct MdHeading {
    pub level: u8,
    pub text: String,
    /// The anchor GitHub (and MkDocs) generate for the heading, or its explicit `{#id}`.
    pub anchor: String,
    pub line: u32,
}

#[derive(Debug, Clone, Default)]
pub struct Markdown {
    /// YAML front matter between `---` lines at the top, when present and valid.
    pub front_matter: Option<Node>,
    pub headings: Vec<MdHeading>,
    /// Prose and table text, lowercased, code blocks left out, one space between words.
    pub text: String,
    pub words: u32,
    /// Task-list checkboxes (`- [ ]`).
    pub checkboxes: u32,
    /// Link destinations, in order.
    pub links: Vec<String>,
    /// Number of table rows (header rows included).
    pub table_rows: u32,
    /// Text of list items and table cells under each heading, by heading index
    /// (`sections[i]` belongs to `headings[i]`; text before the first heading is dropped).
    pub sections: Vec<String>,
}

impl Markdown {
    pub fn title(&self) -> Option<String> {
        if let Some(title) = self
            .front_matter
            .as_ref()
            .and_then(|fm| fm.get("title"))
            .and_then(Node::scalar_text)
        {
            return Some(title);
        }
        let top = self.headings.iter().map(|h| h.level).min()?;
        self.headings
            .iter()
            .find(|h| h.level == top)
            .map(|h| h.text.clone())
    }

    pub fn has_anchor(&self, anchor: &str) -> bool {
        let wanted = anchor.to_lowercase();
        self.headings.iter().any(|h| h.anchor == wanted) || self.explicit_anchor_in_text(&wanted)
    }

    /// Generated indexes sometimes mark sections with `<a name="x">` or `id="x"`.
    fn explicit_anchor_in_text(&self, anchor: &str) -> bool {
        !anchor.is_empty()
            && (self.text.contains(&format!("name=\"{anchor}\""))
                || self.text.contains(&format!("id=\"{anchor}\"")))
    }

    /// The heading texts, lowercased, for keyword matching.
    pub fn heading_texts(&self) -> impl Iterator<Item = String> + '_ {
        self.headings.iter().map(|h| h.text.to_lowercase())
    }
}

/// Parses a Markdown document. Never fails: anything CommonMark accepts is read.
pub fn parse(text: &str) -> Markdown {
    let (front_matter, body_offset) = split_front_matter(text);
    let body = &text[body_offset..];
    let line_starts = line_starts(text);
    let line_of = |offset: usize| -> u32 {
        let abs = offset + body_offset;
        line_starts.partition_point(|&s| s <= abs) as u32
    };

    let options = Options::ENABLE_TABLES
        | Options::ENABLE_TASKLISTS
        | Options::ENABLE_HEADING_ATTRIBUTES
        | Options::ENABLE_STRIKETHROUGH
        | Options::ENABLE_FOOTNOTES;
    let mut doc = Markdown {
        front_matter,
        ..Default::default()
    };
    let mut heading: Option<(u8, u32, Option<String>, String)> = None;
    let mut in_code = 0u32;
    let mut in_html_comment = false;
    let mut slugs = SlugCounter::default();
    let mut section = String::new();

    for (event, range) in Parser::new_ext(body, options).into_offset_iter() {
        match event {
            Event::Start(Tag::Heading { level, id, .. }) => {
                heading = Some((
                    heading_level(level),
                    line_of(range.start),
                    id.map(|s| s.to_string()),
                    String::new(),
                ));
            }
            Event::End(TagEnd::Heading(_)) => {
                if let Some((level, line, id, text)) = heading.take() {
                    let text = text.split_whitespace().collect::<Vec<_>>().join(" ");
                    let anchor = match id {
                        Some(id) => id.to_lowercase(),
                        None => slugs.slug(&text),
                    };
                    push_heading(&mut doc, &mut section, level, text, anchor, line);
                }
            }
            Event::Start(Tag::CodeBlock(_)) => in_code += 1,
            Event::End(TagEnd::CodeBlock) => in_code = in_code.saturating_sub(1),
            Event::Start(Tag::Link { dest_url, .. })
            | Event::Start(Tag::Image { dest_url, .. }) => {
                doc.links.push(dest_url.to_string());
            }
            Event::Start(Tag::TableRow) | Event::Start(Tag::TableHead) => doc.table_rows += 1,
            Event::End(TagEnd::TableCell) => section.push_str(" | "),
            Event::End(TagEnd::Item)
            | Event::End(TagEnd::TableRow)
            | Event::End(TagEnd::TableHead) => section.push('\n'),
            Event::TaskListMarker(checked) => {
                doc.checkboxes += 1;
                section.push_str(if checked { "[x] " } else { "[ ] " });
            }
            Event::Text(t) | Event::Code(t) => {
                if let Some((_, _, _, text)) = heading.as_mut() {
                    text.push_str(&t);
                } else if in_code == 0 {
                    push_words(&mut doc, &t);
                    section.push_str(&t.to_lowercase());
                    section.push(' ');
                }
            }
            Event::Html(t) | Event::InlineHtml(t) => {
                // Keep anchors written as HTML (`<a name="x">`), drop comments' words.
                let lower = t.to_lowercase();
                if lower.contains("<!--") || in_html_comment {
                    in_html_comment = !lower.contains("-->");
                } else if lower.contains("name=") || lower.contains("id=") {
                    doc.text.push_str(lower.trim());
                    doc.text.push(' ');
                }
            }
            Event::SoftBreak | Event::HardBreak => {
                if let Some((_, _, _, text)) = heading.as_mut() {
                    text.push(' ');
                }
            }
            _ => {}
        }
    }
    close_sections(&mut doc, section);
    doc
}

fn heading_level(level: HeadingLevel) -> u8 {
    match level {
        HeadingLevel::H1 => 1,
        HeadingLevel::H2 => 2,
        HeadingLevel::H3 => 3,
        HeadingLevel::H4 => 4,
        HeadingLevel::H5 => 5,
        HeadingLevel::H6 => 6,
    }
}

fn line_starts(text: &str) -> Vec<usize> {
    std::iter::once(0)
        .chain(text.match_indices('\n').map(|(i, _)| i + 1))
        .collect()
}

/// Splits `---` YAML front matter off the top. Returns the parsed front matter (when it is
/// a valid YAML map) and the byte offset where the body starts.
fn split_front_matter(text: &str) -> (Option<Node>, usize) {
    let Some(rest) = text.strip_prefix("---") else {
        return (None, 0);
    };
    let Some(first_nl) = rest.find('\n') else {
        return (None, 0);
    };
    if !rest[..first_nl].trim().is_empty() {
        return (None, 0);
    }
    let after = &rest[first_nl + 1..];
    let mut offset = 0;
    for line in after.split_inclusive('\n') {
        let trimmed = line.trim_end();
        if trimmed == "---" || trimmed == "..." {
            let yaml_text = &after[..offset];
            let body_start = 3 + first_nl + 1 + offset + line.len();
            // Keep line numbers right by padding with the lines we skipped.
            let padded = format!("\n{yaml_text}");
            let fm = yaml::parse_documents(&padded)
                .ok()
                .and_then(|docs| docs.into_iter().next())
                .filter(Node::is_map);
            return (fm, body_start);
        }
        offset += line.len();
    }
    (None, 0)
}

/// GitHub's heading anchors: lowercase, punctuation dropped, spaces to hyphens, repeated
/// headings numbered `-1`, `-2`.
#[derive(Default)]
struct SlugCounter {
    seen: std::collections::HashMap<String, u32>,
}

impl SlugCounter {
    fn slug(&mut self, text: &str) -> String {
        let base = slugify(text);
        let count = self.seen.entry(base.clone()).or_insert(0);
        let slug = if *count == 0 {
            base.clone()
        } else {
            format!("{base}-{count}")
        };
        *count += 1;
        slug
    }
}

pub fn slugify(text: &str) -> String {
    text.trim()
        .chars()
        .flat_map(char::to_lowercase)
        .filter_map(|c| match c {
            ' ' => Some('-'),
            c if c.is_alphanumeric() || c == '-' || c == '_' => Some(c),
            _ => None,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::parse::outline::heading_rows;

    #[test]
    fn headings_have_lines_and_github_anchors() {
        let md =
            parse("# Title\n\ntext here\n\n## What to do?\n\n## What to do?\n### `Code` & more\n");
        assert_eq!(
            heading_rows(&md),
            [
                (1, "Title", "title", 1),
                (2, "What to do?", "what-to-do", 5),
                (2, "What to do?", "what-to-do-1", 7),
                (3, "Code & more", "code--more", 8),
            ]
        );
        assert_eq!(md.title().as_deref(), Some("Title"));
        assert!(md.has_anchor("what-to-do-1"));
    }

    #[test]
    fn front_matter_is_parsed_and_lines_stay_right() {
        let md = parse("---\ntitle: Runbook\nlast_reviewed_on: 2024-01-01\n---\n\n# Heading\n");
        let fm = md.front_matter.as_ref().unwrap();
        assert_eq!(fm.get("title").unwrap().as_str(), Some("Runbook"));
        assert_eq!(fm.get("title").unwrap().pos.line, 2);
        assert_eq!(md.headings[0].line, 6);
        assert_eq!(md.title().as_deref(), Some("Runbook"));
    }

    #[test]
    fn code_blocks_are_not_prose_and_sections_collect_lists() {
        let md = parse(
            "# A\n\n```\nsecret words\n```\n\n## Action items\n\n- [ ] fix it (owner: @bob)\n\n| Owner | Issue |\n|---|---|\n| bob | #12 |\n",
        );
        assert!(!md.text.contains("secret"));
        assert_eq!(md.checkboxes, 1);
        assert_eq!(md.table_rows, 2);
        assert!(md.sections[1].contains("fix it"), "{:?}", md.sections);
        assert!(md.sections[1].contains("#12"));
    }

    #[test]
    fn explicit_heading_ids_win() {
        let md = parse("## Alert Foo {#alert-foo}\n");
        assert_eq!(md.headings[0].anchor, "alert-foo");
    }
}
