//! IAM policy documents (identity, resource and trust policies) into the canonical normalised shape
//! of `schema/kinds/aws.iam.policy.json#/$defs/policy_document`: `Statement` always a list, every
//! `Action`/`Resource`/`Principal` value a list, conditions flattened to `{operator, key, values}`.

use serde_json::{json, Map, Value};

#[derive(Debug, PartialEq, Eq, thiserror::Error)]
pub enum PolicyError {
    #[error("policy document is not JSON: {0}")]
    NotJson(String),
    #[error("policy document is not an object")]
    NotObject,
}

/// Parses a policy as the APIs return it: JSON, often URL-encoded (IAM).
pub fn parse_policy(text: &str) -> Result<Value, PolicyError> {
    let decoded;
    let text = if text.trim_start().starts_with('%') || text.contains("%7B") || text.contains("%22") {
        decoded = percent_encoding::percent_decode_str(text).decode_utf8_lossy().into_owned();
        decoded.as_str()
    } else {
        text
    };
    let raw: Value = serde_json::from_str(text).map_err(|e| PolicyError::NotJson(e.to_string()))?;
    normalise(&raw)
}

pub fn normalise(raw: &Value) -> Result<Value, PolicyError> {
    let doc = raw.as_object().ok_or(PolicyError::NotObject)?;
    let statements = match get_ci(doc, "Statement") {
        Some(Value::Array(list)) => list.iter().map(statement).collect(),
        Some(one @ Value::Object(_)) => vec![statement(one)],
        _ => Vec::new(),
    };
    Ok(json!({
        "version": get_ci(doc, "Version").and_then(Value::as_str),
        "statements": statements,
    }))
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
    json!({
        "sid": get_ci(s, "Sid").and_then(Value::as_str),
        "effect": match get_ci(s, "Effect").and_then(Value::as_str) {
            Some(e) if e.eq_ignore_ascii_case("deny") => "Deny",
            _ => "Allow",
        },
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

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn normalises_single_values_principals_and_conditions() {
        let doc = parse_policy(
            r#"{"Version":"2012-10-17","Statement":{"Effect":"Allow","Principal":"*","Action":"s3:GetObject",
                "Resource":"arn:aws:s3:::b/*","Condition":{"Bool":{"aws:SecureTransport":false}}}}"#,
        )
        .unwrap();
        let s = &doc["statements"][0];
        assert_eq!(s["actions"], json!(["s3:GetObject"]));
        assert_eq!(s["principals"], json!({"aws": ["*"], "service": [], "federated": [], "canonical_user": []}));
        assert_eq!(s["conditions"], json!([{"operator": "Bool", "key": "aws:SecureTransport", "values": ["false"]}]));
        assert_eq!(s["not_principals"], Value::Null);
    }

    #[test]
    fn decodes_url_encoded_trust_policies() {
        let encoded = "%7B%22Version%22%3A%222012-10-17%22%2C%22Statement%22%3A%5B%7B%22Effect%22%3A%22Allow%22%2C%22Principal%22%3A%7B%22Service%22%3A%22ec2.amazonaws.com%22%7D%2C%22Action%22%3A%22sts%3AAssumeRole%22%7D%5D%7D";
        let doc = parse_policy(encoded).unwrap();
        assert_eq!(doc["statements"][0]["principals"]["service"], json!(["ec2.amazonaws.com"]));
        assert_eq!(doc["statements"][0]["resources"], json!([]));
    }

    #[test]
    fn rejects_what_is_not_a_policy() {
        assert!(matches!(parse_policy("{not json"), Err(PolicyError::NotJson(_))));
        assert_eq!(parse_policy("[1]"), Err(PolicyError::NotObject));
    }

    proptest! {
        #[test]
        fn never_panics(s in ".{0,300}") {
            let _ = parse_policy(&s);
        }

        #[test]
        fn any_json_object_normalises(v in proptest::collection::hash_map("[A-Za-z]{1,10}", "[a-z*:]{0,10}", 0..5)) {
            let raw = serde_json::to_value(v).unwrap();
            prop_assert!(normalise(&raw).is_ok());
        }
    }
}
