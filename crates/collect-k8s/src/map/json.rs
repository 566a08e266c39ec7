//! Small readers over Kubernetes JSON that keep the three states apart.
//!
//! Every reader returns `Option<Value>`: `Some(Null)` (or `[]`, `false`) when the object says the
//! setting is unset, `Some(v)` for a value, and `None` when the input is malformed (a string where
//! a boolean belongs): the attribute is then left out, which rules read as unknown.

use serde_json::{Map, Value};
use std::collections::BTreeMap;

/// The attributes of one resource, dropping the ones a reader could not decide.
#[derive(Default)]
pub(crate) struct Attrs(pub(crate) Map<String, Value>);

impl Attrs {
    pub(crate) fn put(&mut self, key: &str, value: Option<Value>) {
        if let Some(v) = value {
            self.0.insert(key.to_string(), v);
        }
    }

    pub(crate) fn into_value(self) -> Value {
        Value::Object(self.0)
    }
}

/// `v[key]` when `v` is an object.
pub(crate) fn get<'a>(v: Option<&'a Value>, key: &str) -> Option<&'a Value> {
    v.and_then(|v| v.get(key))
}

/// Walks `keys` through nested objects.
pub(crate) fn path<'a>(v: Option<&'a Value>, keys: &[&str]) -> Option<&'a Value> {
    keys.iter().try_fold(v?, |cur, k| cur.get(*k))
}

pub(crate) fn is_unset(v: Option<&Value>) -> bool {
    matches!(v, None | Some(Value::Null))
}

pub(crate) fn str_of(v: Option<&Value>) -> Option<&str> {
    v.and_then(Value::as_str)
}

pub(crate) fn str_or_null(v: Option<&Value>) -> Option<Value> {
    match v {
        None | Some(Value::Null) => Some(Value::Null),
        Some(Value::String(s)) => Some(Value::String(s.clone())),
        Some(_) => None,
    }
}

pub(crate) fn bool_or_null(v: Option<&Value>) -> Option<Value> {
    match v {
        None | Some(Value::Null) => Some(Value::Null),
        Some(Value::Bool(b)) => Some(Value::Bool(*b)),
        Some(_) => None,
    }
}

/// A boolean the API server defaults when it is not set (e.g. hostNetwork → false).
pub(crate) fn bool_or(v: Option<&Value>, default: bool) -> Option<Value> {
    match v {
        None | Some(Value::Null) => Some(Value::Bool(default)),
        Some(Value::Bool(b)) => Some(Value::Bool(*b)),
        Some(_) => None,
    }
}

pub(crate) fn int_of(v: Option<&Value>) -> Option<i64> {
    match v? {
        Value::Number(n) => n.as_i64().or_else(|| n.as_f64().filter(|f| f.fract() == 0.0).map(|f| f as i64)),
        _ => None,
    }
}

pub(crate) fn int_or_null(v: Option<&Value>) -> Option<Value> {
    if is_unset(v) {
        return Some(Value::Null);
    }
    int_of(v).map(Value::from)
}

/// A port given as a number or a name (IntOrString).
pub(crate) fn int_or_string_or_null(v: Option<&Value>) -> Option<Value> {
    match v {
        None | Some(Value::Null) => Some(Value::Null),
        Some(Value::String(s)) => Some(match s.parse::<i64>() {
            Ok(n) => Value::from(n),
            Err(_) => Value::String(s.clone()),
        }),
        other => int_of(other).map(Value::from),
    }
}

/// One of `allowed`, else unknown; unset is null.
pub(crate) fn enum_or_null(v: Option<&Value>, allowed: &[&str]) -> Option<Value> {
    match v {
        None | Some(Value::Null) => Some(Value::Null),
        Some(Value::String(s)) if allowed.contains(&s.as_str()) => Some(Value::String(s.clone())),
        Some(_) => None,
    }
}

/// One of `allowed`, the API default when unset, else unknown.
pub(crate) fn enum_or(v: Option<&Value>, allowed: &[&str], default: &str) -> Option<Value> {
    match v {
        None | Some(Value::Null) => Some(Value::String(default.to_string())),
        Some(Value::String(s)) if allowed.contains(&s.as_str()) => Some(Value::String(s.clone())),
        Some(_) => None,
    }
}

/// A list of strings; unset is `[]`.
pub(crate) fn str_list(v: Option<&Value>) -> Option<Value> {
    match v {
        None | Some(Value::Null) => Some(Value::Array(Vec::new())),
        Some(Value::Array(items)) => items
            .iter()
            .map(|i| i.as_str().map(|s| Value::String(s.to_string())))
            .collect::<Option<Vec<_>>>()
            .map(Value::Array),
        Some(_) => None,
    }
}

/// A list of objects mapped one by one; unset is `[]`, and one malformed element makes the whole
/// list unknown (dropping it could hide exactly the element a rule looks for).
pub(crate) fn list_of(v: Option<&Value>, f: impl Fn(&Value) -> Option<Value>) -> Option<Value> {
    match v {
        None | Some(Value::Null) => Some(Value::Array(Vec::new())),
        Some(Value::Array(items)) => {
            items.iter().map(|i| if i.is_object() { f(i) } else { None }).collect::<Option<Vec<_>>>().map(Value::Array)
        }
        Some(_) => None,
    }
}

/// `[{name: x}, …]` (LocalObjectReference lists) → `["x", …]`.
pub(crate) fn name_list(v: Option<&Value>) -> Option<Value> {
    list_of(v, |i| str_of(i.get("name")).map(|s| Value::String(s.to_string())))
}

/// A map of strings (labels, matchLabels); unset is `{}`.
pub(crate) fn string_map(v: Option<&Value>) -> Option<Value> {
    match v {
        None | Some(Value::Null) => Some(Value::Object(Map::new())),
        Some(Value::Object(m)) => m
            .iter()
            .map(|(k, v)| v.as_str().map(|s| (k.clone(), Value::String(s.to_string()))))
            .collect::<Option<Map<_, _>>>()
            .map(Value::Object),
        Some(_) => None,
    }
}

/// Labels as tags: string values only (the API allows nothing else).
pub(crate) fn labels(v: Option<&Value>) -> BTreeMap<String, String> {
    v.and_then(Value::as_object)
        .map(|m| m.iter().filter_map(|(k, v)| v.as_str().map(|s| (k.clone(), s.to_string()))).collect())
        .unwrap_or_default()
}

/// A resource quantity ("500m", "1Gi"); manifests may write plain numbers.
pub(crate) fn quantity(v: Option<&Value>) -> Option<Value> {
    match v {
        None | Some(Value::Null) => Some(Value::Null),
        Some(Value::String(s)) => Some(Value::String(s.clone())),
        Some(Value::Number(n)) => Some(Value::String(n.to_string())),
        Some(_) => None,
    }
}

/// An object built by `f`, or null when unset.
pub(crate) fn object_or_null(v: Option<&Value>, f: impl Fn(&Value) -> Option<Value>) -> Option<Value> {
    match v {
        None | Some(Value::Null) => Some(Value::Null),
        Some(o) if o.is_object() => f(o),
        Some(_) => None,
    }
}

pub(crate) fn obj(f: impl FnOnce(&mut Attrs)) -> Value {
    let mut a = Attrs::default();
    f(&mut a);
    a.into_value()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn unset_malformed_and_set_stay_apart() {
        assert_eq!(bool_or_null(None), Some(Value::Null));
        assert_eq!(bool_or_null(Some(&json!("yes"))), None);
        assert_eq!(bool_or_null(Some(&json!(false))), Some(json!(false)));
        assert_eq!(bool_or(None, false), Some(json!(false)));
        assert_eq!(str_list(Some(&json!(["a", 1]))), None);
        assert_eq!(str_list(None), Some(json!([])));
        assert_eq!(int_or_string_or_null(Some(&json!("8080"))), Some(json!(8080)));
        assert_eq!(int_or_string_or_null(Some(&json!("http"))), Some(json!("http")));
        assert_eq!(enum_or_null(Some(&json!("Sometimes")), &["Always"]), None);
        assert_eq!(list_of(Some(&json!([{}, 3])), |_| Some(json!(1))), None);
        assert_eq!(quantity(Some(&json!(2))), Some(json!("2")));
    }
}
