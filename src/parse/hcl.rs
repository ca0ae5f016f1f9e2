//! Terraform/HCL files parsed with hcl-edit, which keeps byte spans for every block and
//! attribute so evidence can point at the line of a resource. [`value`] reads what the
//! blocks and attributes say.

use hcl_edit::Span;
pub use hcl_edit::structure::{Attribute, Block, Body};

use crate::diagnostic::Position;

pub mod value;

#[derive(Debug, Clone, PartialEq)]
pub struct HclError {
    pub message: String,
    pub pos: Option<Position>,
}

/// Parses an HCL body. hcl-edit bounds nesting itself; the stack is grown on demand so
/// that the bound holds on small thread stacks too.
pub fn parse(text: &str) -> Result<Body, HclError> {
    stacker::maybe_grow(1024 * 1024, 16 * 1024 * 1024, || {
        hcl_edit::parser::parse_body(text).map_err(|err| HclError {
            message: err.message().to_string(),
            pos: Some(Position::new(
                err.location().line() as u32,
                err.location().column() as u32,
            )),
        })
    })
}

/// The first byte offset of anything with a span.
pub fn offset_of(item: &impl Span) -> Option<usize> {
    item.span().map(|r| r.start)
}

/// Maps byte offsets to 1-based lines and columns.
#[derive(Debug, Clone)]
pub struct LineIndex {
    starts: Vec<usize>,
}

impl LineIndex {
    pub fn new(text: &str) -> Self {
        LineIndex {
            starts: std::iter::once(0)
                .chain(text.match_indices('\n').map(|(i, _)| i + 1))
                .collect(),
        }
    }

    pub fn position(&self, offset: usize) -> Position {
        let line = self.starts.partition_point(|&s| s <= offset);
        let start = self.starts[line.saturating_sub(1)];
        Position::new(line as u32, (offset - start) as u32 + 1)
    }

    /// Where a block, attribute or expression starts.
    pub fn position_of(&self, item: &impl Span) -> Option<Position> {
        offset_of(item).map(|o| self.position(o))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn blocks_have_lines() {
        let text = "provider \"aws\" {}\n\nresource \"aws_instance\" \"web\" {\n  tags = { team = \"a\" }\n}\n";
        let body = parse(text).unwrap();
        let index = LineIndex::new(text);
        let block = body.blocks().nth(1).unwrap();
        assert_eq!(block.ident.as_str(), "resource");
        assert_eq!(index.position(offset_of(block).unwrap()).line, 3);
        assert_eq!(index.position_of(block), Some(Position::new(3, 1)));
    }

    #[test]
    fn deep_nesting_is_an_error_not_a_crash() {
        let text = format!("a = {}1{}\n", "[".repeat(5000), "]".repeat(5000));
        assert!(parse(&text).is_err());
        let text = format!("a = {}1{}\n", "[".repeat(63), "]".repeat(63));
        assert!(parse(&text).is_ok());
    }

    #[test]
    fn errors_have_positions() {
        let err = parse("resource \"x\" {\n  a = \n}\n").unwrap_err();
        assert!(err.pos.is_some());
    }
}
