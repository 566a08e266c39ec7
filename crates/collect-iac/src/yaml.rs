//! YAML documents as trees that keep each node's line and tag (CloudFormation's `!Ref`,
//! `!Sub`, …), built from yaml-rust2's event stream. JSON is YAML, so JSON templates come
//! through the same path.

use yaml_rust2::parser::{Event, MarkedEventReceiver, Parser};
use yaml_rust2::scanner::{Marker, TScalarStyle};

#[derive(Debug, Clone, PartialEq)]
pub struct YNode {
    pub line: u32,
    /// The line of the key this node is the value of (0 outside mappings).
    pub key_line: u32,
    /// A local tag such as `Ref` for `!Ref`.
    pub tag: Option<String>,
    pub value: YVal,
}

#[derive(Debug, Clone, PartialEq)]
pub enum YVal {
    Null,
    Bool(bool),
    Num(f64),
    Str(String),
    Seq(Vec<YNode>),
    Map(Vec<(String, YNode)>),
}

impl YNode {
    /// The last line of this node and everything under it (where a resource's text ends).
    pub fn last_line(&self) -> u32 {
        let inner = match &self.value {
            YVal::Map(m) => m.iter().map(|(_, v)| v.last_line()).max().unwrap_or(0),
            YVal::Seq(s) => s.iter().map(YNode::last_line).max().unwrap_or(0),
            _ => 0,
        };
        inner.max(self.line)
    }

    pub fn get(&self, key: &str) -> Option<&YNode> {
        match &self.value {
            YVal::Map(m) => m.iter().find(|(k, _)| k == key).map(|(_, v)| v),
            _ => None,
        }
    }

    pub fn as_str(&self) -> Option<&str> {
        match &self.value {
            YVal::Str(s) => Some(s),
            _ => None,
        }
    }

    pub fn entries(&self) -> &[(String, YNode)] {
        match &self.value {
            YVal::Map(m) => m,
            _ => &[],
        }
    }

    pub fn items(&self) -> &[YNode] {
        match &self.value {
            YVal::Seq(s) => s,
            _ => &[],
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct YamlError {
    pub line: u32,
    pub message: String,
}

/// Every document of a (multi-document) YAML stream.
pub fn parse_all(text: &str) -> Result<Vec<YNode>, YamlError> {
    let mut b = Builder::default();
    let mut parser = Parser::new_from_str(text);
    parser.load(&mut b, true).map_err(|e| YamlError { line: e.marker().line() as u32, message: e.info().to_string() })?;
    if b.depth_exceeded {
        return Err(YamlError { line: 1, message: "nesting too deep".into() });
    }
    Ok(b.docs)
}

enum Frame {
    Seq(u32, Option<String>, Vec<YNode>),
    Map(u32, Option<String>, Vec<(String, YNode)>, Option<(String, u32)>),
}

#[derive(Default)]
struct Builder {
    stack: Vec<Frame>,
    docs: Vec<YNode>,
    depth_exceeded: bool,
}

const MAX_DEPTH: usize = 256;

fn tag_name(tag: Option<yaml_rust2::parser::Tag>) -> Option<String> {
    let t = tag?;
    // `!Ref` has handle "!" and suffix "Ref"; standard tags (`!!str`) are not intrinsics.
    (t.handle == "!").then_some(t.suffix)
}

impl Builder {
    fn push(&mut self, node: YNode) {
        match self.stack.last_mut() {
            None => self.docs.push(node),
            Some(Frame::Seq(_, _, items)) => items.push(node),
            Some(Frame::Map(_, _, entries, pending)) => match pending.take() {
                None => {
                    let key = match node.value {
                        YVal::Str(s) => s,
                        YVal::Num(n) => crate::hcl::value::num_text(n),
                        YVal::Bool(b) => b.to_string(),
                        YVal::Null => "null".into(),
                        _ => String::new(),
                    };
                    *pending = Some((key, node.line));
                }
                Some((key, line)) => {
                    let mut node = node;
                    node.key_line = line;
                    entries.push((key, node));
                }
            },
        }
    }
}

impl MarkedEventReceiver for Builder {
    fn on_event(&mut self, ev: Event, mark: Marker) {
        let line = mark.line() as u32;
        match ev {
            Event::Scalar(text, style, _, tag) => {
                let tag = tag_name(tag);
                let value = if tag.is_some() { YVal::Str(text) } else { scalar(text, style) };
                self.push(YNode { line, key_line: 0, tag, value });
            }
            Event::SequenceStart(_, tag) => {
                if self.stack.len() >= MAX_DEPTH {
                    self.depth_exceeded = true;
                }
                self.stack.push(Frame::Seq(line, tag_name(tag), Vec::new()));
            }
            Event::MappingStart(_, tag) => {
                if self.stack.len() >= MAX_DEPTH {
                    self.depth_exceeded = true;
                }
                self.stack.push(Frame::Map(line, tag_name(tag), Vec::new(), None));
            }
            Event::SequenceEnd | Event::MappingEnd => {
                let node = match self.stack.pop() {
                    Some(Frame::Seq(line, tag, items)) => YNode { line, key_line: 0, tag, value: YVal::Seq(items) },
                    Some(Frame::Map(line, tag, entries, _)) => YNode { line, key_line: 0, tag, value: YVal::Map(entries) },
                    None => return,
                };
                self.push(node);
            }
            // Aliases are rare in templates; an alias reads as null (unknown to the mappers).
            Event::Alias(_) => self.push(YNode { line, key_line: 0, tag: None, value: YVal::Null }),
            _ => {}
        }
    }
}

fn scalar(text: String, style: TScalarStyle) -> YVal {
    if style != TScalarStyle::Plain {
        return YVal::Str(text);
    }
    match text.as_str() {
        "" | "~" | "null" | "Null" | "NULL" => return YVal::Null,
        "true" | "True" | "TRUE" => return YVal::Bool(true),
        "false" | "False" | "FALSE" => return YVal::Bool(false),
        _ => {}
    }
    let numeric = text.chars().all(|c| c.is_ascii_digit() || matches!(c, '.' | '-' | '+' | 'e' | 'E'))
        && text.chars().next().is_some_and(|c| c.is_ascii_digit() || c == '-' || c == '+');
    if numeric {
        if let Ok(n) = text.parse::<f64>() {
            return YVal::Num(n);
        }
    }
    YVal::Str(text)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_lines_and_tags() {
        let docs = parse_all("a: 1\nb: !Ref X\nc:\n  - !Sub 'x-${Y}'\n---\nd: true\n").unwrap();
        assert_eq!(docs.len(), 2);
        let b = docs[0].get("b").unwrap();
        assert_eq!((b.line, b.key_line, b.tag.as_deref(), b.as_str()), (2, 2, Some("Ref"), Some("X")));
        assert_eq!(docs[0].get("c").unwrap().key_line, 3);
        let c0 = &docs[0].get("c").unwrap().items()[0];
        assert_eq!((c0.line, c0.tag.as_deref()), (4, Some("Sub")));
        assert_eq!(docs[1].get("d").unwrap().value, YVal::Bool(true));
    }
}
