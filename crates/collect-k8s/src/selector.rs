//! Label selectors in canonical shape (`{match_labels, match_expressions}`, or a Service's plain
//! map) and their matching against labels.

use serde_json::Value;
use std::collections::BTreeMap;

#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Selector {
    labels: BTreeMap<String, String>,
    expressions: Vec<Expression>,
}

#[derive(Debug, Clone, PartialEq)]
struct Expression {
    key: String,
    op: Op,
    values: Vec<String>,
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum Op {
    In,
    NotIn,
    Exists,
    DoesNotExist,
}

impl Selector {
    /// A Service's `selector` map; null or empty selects nothing (endpoints are managed by hand).
    pub(crate) fn from_map(v: &Value) -> Option<Selector> {
        let labels = string_map(v)?;
        (!labels.is_empty()).then_some(Selector { labels, expressions: Vec::new() })
    }

    /// A canonical LabelSelector; empty selects everything. `None` when it cannot be read, so
    /// that nothing is guessed from half a selector.
    pub(crate) fn from_label_selector(v: &Value) -> Option<Selector> {
        let labels = match v.get("match_labels") {
            None | Some(Value::Null) => BTreeMap::new(),
            Some(m) => string_map(m)?,
        };
        let expressions = match v.get("match_expressions") {
            None | Some(Value::Null) => Vec::new(),
            Some(Value::Array(list)) => list.iter().map(expression).collect::<Option<Vec<_>>>()?,
            Some(_) => return None,
        };
        Some(Selector { labels, expressions })
    }

    pub(crate) fn matches(&self, labels: &BTreeMap<String, String>) -> bool {
        self.labels.iter().all(|(k, v)| labels.get(k) == Some(v)) && self.expressions.iter().all(|e| e.matches(labels))
    }
}

impl Expression {
    fn matches(&self, labels: &BTreeMap<String, String>) -> bool {
        let value = labels.get(&self.key);
        match self.op {
            Op::In => value.is_some_and(|v| self.values.contains(v)),
            Op::NotIn => value.is_none_or(|v| !self.values.contains(v)),
            Op::Exists => value.is_some(),
            Op::DoesNotExist => value.is_none(),
        }
    }
}

fn expression(e: &Value) -> Option<Expression> {
    let op = match e.get("operator")?.as_str()? {
        "In" => Op::In,
        "NotIn" => Op::NotIn,
        "Exists" => Op::Exists,
        "DoesNotExist" => Op::DoesNotExist,
        _ => return None,
    };
    let values = match e.get("values") {
        None | Some(Value::Null) => Vec::new(),
        Some(Value::Array(v)) => v.iter().map(|s| s.as_str().map(str::to_string)).collect::<Option<Vec<_>>>()?,
        Some(_) => return None,
    };
    Some(Expression { key: e.get("key")?.as_str()?.to_string(), op, values })
}

pub(crate) fn string_map(v: &Value) -> Option<BTreeMap<String, String>> {
    match v {
        Value::Null => Some(BTreeMap::new()),
        Value::Object(m) => m.iter().map(|(k, v)| v.as_str().map(|s| (k.clone(), s.to_string()))).collect(),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn labels(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
        pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()
    }

    #[test]
    fn label_selectors_follow_kubernetes_semantics() {
        let sel = Selector::from_label_selector(&json!({
            "match_labels": {"app": "api"},
            "match_expressions": [
                {"key": "tier", "operator": "In", "values": ["web", "api"]},
                {"key": "canary", "operator": "DoesNotExist", "values": []},
                {"key": "env", "operator": "NotIn", "values": ["dev"]}
            ]
        }))
        .unwrap();
        assert!(sel.matches(&labels(&[("app", "api"), ("tier", "web")])));
        assert!(!sel.matches(&labels(&[("app", "api"), ("tier", "db")])));
        assert!(!sel.matches(&labels(&[("app", "api"), ("tier", "web"), ("canary", "1")])));
        assert!(!sel.matches(&labels(&[("app", "api"), ("tier", "web"), ("env", "dev")])));
        let all = Selector::from_label_selector(&json!({"match_labels": {}, "match_expressions": []})).unwrap();
        assert!(all.matches(&labels(&[])));
        assert!(Selector::from_map(&json!({})).is_none(), "an empty service selector selects nothing");
        assert!(Selector::from_label_selector(&json!({"match_expressions": [{"key": "a"}]})).is_none());
    }
}
