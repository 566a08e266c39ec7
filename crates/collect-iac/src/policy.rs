//! IAM policy documents into the canonical shape every AWS kind uses (see
//! `schema/kinds/aws.iam.policy.json`): statements as a list, actions, resources and principals as
//! lists, conditions flattened to `{operator, key, values}`.

use serde_json::{json, Map, Value};

/// A policy given as JSON text or as an already decoded document; `None` when it is not one.
pub fn normalise_text(text: &str) -> Option<Value> {
    let raw: Value = serde_json::from_str(text.trim()).ok()?;
    normalise(&raw)
}

pub fn normalise(raw: &Value) -> Option<Value> {
    let doc = raw.as_object()?;
    let statements = match get_ci(doc, "Statement") {
        Some(Value::Array(list)) => list.iter().map(statement).collect(),
        Some(one @ Value::Object(_)) => vec![statement(one)],
        _ => Vec::new(),
    };
    Some(json!({"version": get_ci(doc, "Version").and_then(Value::as_str), "statements": statements}))
}

fn get_ci<'a>(m: &'a Map<String, Value>, key: &str) -> Option<&'a Value> {
    m.get(key).or_else(|| m.iter().find(|(k, _)| k.eq_ignore_ascii_case(key)).map(|(_, v)| v))
}

fn strings(v: Option<&Value>) -> Vec<String> {
    match v {
        Some(Value::String(s)) => vec![s.clone()],
        Some(Value::Array(items)) => items.iter().filter_map(|i| i.as_str().map(str::to_string)).collect(),
        _ => Vec::new(),
    }
}

fn statement(raw: &Value) -> Value {
    let empty = Map::new();
    let s = raw.as_object().unwrap_or(&empty);
    let effect = match get_ci(s, "Effect").and_then(Value::as_str) {
        Some(e) if e.eq_ignore_ascii_case("deny") => "Deny",
        _ => "Allow",
    };
    json!({
        "sid": get_ci(s, "Sid").and_then(Value::as_str),
        "effect": effect,
        "actions": strings(get_ci(s, "Action")),
        "not_actions": strings(get_ci(s, "NotAction")),
        "resources": strings(get_ci(s, "Resource")),
        "not_resources": strings(get_ci(s, "NotResource")),
        "principals": get_ci(s, "Principal").map_or(Value::Null, principals),
        "not_principals": get_ci(s, "NotPrincipal").map_or(Value::Null, principals),
        "conditions": get_ci(s, "Condition").map_or_else(Vec::new, conditions),
    })
}

fn principals(raw: &Value) -> Value {
    let mut out = json!({"aws": [], "service": [], "federated": [], "canonical_user": []});
    match raw {
        Value::String(s) => out["aws"] = json!([s]),
        Value::Object(m) => {
            for (k, v) in m {
                let key = match k.to_ascii_lowercase().as_str() {
                    "aws" => "aws",
                    "service" => "service",
                    "federated" => "federated",
                    "canonicaluser" => "canonical_user",
                    _ => continue,
                };
                out[key] = json!(strings(Some(v)));
            }
        }
        _ => {}
    }
    out
}

fn conditions(raw: &Value) -> Vec<Value> {
    let Some(ops) = raw.as_object() else { return Vec::new() };
    let mut out = Vec::new();
    for (operator, keys) in ops {
        let Some(keys) = keys.as_object() else { continue };
        for (key, values) in keys {
            let values: Vec<String> = match values {
                Value::Array(items) => items.iter().map(scalar_text).collect(),
                other => vec![scalar_text(other)],
            };
            out.push(json!({"operator": operator, "key": key, "values": values}));
        }
    }
    out
}

fn scalar_text(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}
