//! A YAML tree that remembers the line of every node, so that rule errors can point at it.

use serde_json::{Map, Number, Value};
use yaml_rust2::parser::{Event, MarkedEventReceiver, Parser};
use yaml_rust2::scanner::{Marker, TScalarStyle};

#[derive(Debug, Clone, PartialEq)]
pub struct Node {
    pub line: usize,
    pub value: NodeValue,
}

#[derive(Debug, Clone, PartialEq)]
pub enum NodeValue {
    Null,
    Bool(bool),
    Int(i64),
    Float(f64),
    Str(String),
    Seq(Vec<Node>),
    Map(Vec<(String, Node)>),
}

impl Node {
    pub fn as_map(&self) -> Option<&[(String, Node)]> {
        match &self.value {
            NodeValue::Map(m) => Some(m),
            _ => None,
        }
    }

    pub fn as_seq(&self) -> Option<&[Node]> {
        match &self.value {
            NodeValue::Seq(s) => Some(s),
            _ => None,
        }
    }

    pub fn as_str(&self) -> Option<&str> {
        match &self.value {
            NodeValue::Str(s) => Some(s),
            _ => None,
        }
    }

    pub fn get(&self, key: &str) -> Option<&Node> {
        self.as_map()?.iter().find(|(k, _)| k == key).map(|(_, v)| v)
    }

    pub fn type_name(&self) -> &'static str {
        match self.value {
            NodeValue::Null => "null",
            NodeValue::Bool(_) => "a boolean",
            NodeValue::Int(_) | NodeValue::Float(_) => "a number",
            NodeValue::Str(_) => "a string",
            NodeValue::Seq(_) => "a list",
            NodeValue::Map(_) => "a mapping",
        }
    }

    pub fn to_json(&self) -> Value {
        match &self.value {
            NodeValue::Null => Value::Null,
            NodeValue::Bool(b) => Value::Bool(*b),
            NodeValue::Int(i) => Value::Number((*i).into()),
            NodeValue::Float(f) => Number::from_f64(*f).map_or(Value::Null, Value::Number),
            NodeValue::Str(s) => Value::String(s.clone()),
            NodeValue::Seq(s) => Value::Array(s.iter().map(Node::to_json).collect()),
            NodeValue::Map(m) => Value::Object(
                m.iter()
                    .map(|(k, v)| (k.clone(), v.to_json()))
                    .collect::<Map<_, _>>(),
            ),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("line {line}: {message}")]
pub struct YamlError {
    pub line: usize,
    pub message: String,
}

/// Parses one YAML document into a [`Node`] tree.
pub fn parse(text: &str) -> Result<Node, YamlError> {
    let mut builder = Builder::default();
    let mut parser = Parser::new_from_str(text);
    parser.load(&mut builder, false).map_err(|e| YamlError {
        line: e.marker().line(),
        message: e.info().to_string(),
    })?;
    if let Some(err) = builder.error {
        return Err(err);
    }
    Ok(builder.root.unwrap_or(Node {
        line: 1,
        value: NodeValue::Null,
    }))
}

enum Frame {
    Seq(usize, Vec<Node>),
    Map(usize, Vec<(String, Node)>, Option<(String, usize)>),
}

#[derive(Default)]
struct Builder {
    stack: Vec<Frame>,
    root: Option<Node>,
    error: Option<YamlError>,
}

impl Builder {
    fn push_node(&mut self, node: Node) {
        match self.stack.last_mut() {
            None => self.root = Some(node),
            Some(Frame::Seq(_, items)) => items.push(node),
            Some(Frame::Map(_, entries, pending)) => match pending.take() {
                None => match node.value {
                    NodeValue::Str(k) => *pending = Some((k, node.line)),
                    NodeValue::Int(i) => *pending = Some((i.to_string(), node.line)),
                    NodeValue::Bool(b) => *pending = Some((b.to_string(), node.line)),
                    _ => self.fail(node.line, "mapping keys must be plain scalars"),
                },
                Some((key, line)) => {
                    if entries.iter().any(|(k, _)| *k == key) {
                        self.fail(line, &format!("duplicate key '{key}'"));
                    } else {
                        entries.push((key, node));
                    }
                }
            },
        }
    }

    fn fail(&mut self, line: usize, message: &str) {
        if self.error.is_none() {
            self.error = Some(YamlError {
                line,
                message: message.to_string(),
            });
        }
    }
}

impl MarkedEventReceiver for Builder {
    fn on_event(&mut self, ev: Event, mark: Marker) {
        let line = mark.line();
        match ev {
            Event::Scalar(text, style, _, _) => {
                let value = resolve_scalar(text, style);
                self.push_node(Node { line, value });
            }
            Event::SequenceStart(..) => self.stack.push(Frame::Seq(line, Vec::new())),
            Event::MappingStart(..) => self.stack.push(Frame::Map(line, Vec::new(), None)),
            Event::SequenceEnd | Event::MappingEnd => {
                let node = match self.stack.pop() {
                    Some(Frame::Seq(line, items)) => Node {
                        line,
                        value: NodeValue::Seq(items),
                    },
                    Some(Frame::Map(line, entries, _)) => Node {
                        line,
                        value: NodeValue::Map(entries),
                    },
                    None => return,
                };
                self.push_node(node);
            }
            Event::Alias(_) => self.fail(line, "YAML aliases are not supported in rule files"),
            _ => {}
        }
    }
}

fn resolve_scalar(text: String, style: TScalarStyle) -> NodeValue {
    if style != TScalarStyle::Plain {
        return NodeValue::Str(text);
    }
    match text.as_str() {
        "" | "~" | "null" | "Null" | "NULL" => return NodeValue::Null,
        "true" | "True" | "TRUE" => return NodeValue::Bool(true),
        "false" | "False" | "FALSE" => return NodeValue::Bool(false),
        _ => {}
    }
    if let Ok(i) = text.parse::<i64>() {
        return NodeValue::Int(i);
    }
    let numeric = text
        .chars()
        .all(|c| c.is_ascii_digit() || matches!(c, '.' | 'e' | 'E' | '-' | '+'));
    if numeric && text.chars().any(|c| c.is_ascii_digit()) {
        if let Ok(f) = text.parse::<f64>() {
            return NodeValue::Float(f);
        }
    }
    NodeValue::Str(text)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_lines_and_scalar_types() {
        let node = parse("a: 1\nb:\n  - 'x'\n  - true\n  - 2.5\nc: ~\nd: \"22\"\n").unwrap();
        assert_eq!(node.get("a").unwrap().line, 1);
        let b = node.get("b").unwrap().as_seq().unwrap();
        assert_eq!(b[0].line, 3);
        assert_eq!(b[0].value, NodeValue::Str("x".into()));
        assert_eq!(b[1].value, NodeValue::Bool(true));
        assert_eq!(b[2].value, NodeValue::Float(2.5));
        assert_eq!(node.get("c").unwrap().value, NodeValue::Null);
        assert_eq!(node.get("d").unwrap().value, NodeValue::Str("22".into()));
    }

    #[test]
    fn reports_syntax_errors_and_duplicate_keys_with_lines() {
        let err = parse("a: [1, 2\nb: 3\n").unwrap_err();
        assert!(err.line >= 1, "{err}");
        let err = parse("a: 1\nb: 2\na: 3\n").unwrap_err();
        assert_eq!(err.line, 3);
        assert!(err.message.contains("duplicate key 'a'"));
    }

    #[test]
    fn converts_to_json() {
        let node = parse("x: {y: [1, 'a', null]}").unwrap();
        assert_eq!(node.to_json(), serde_json::json!({"x": {"y": [1, "a", null]}}));
    }
}
