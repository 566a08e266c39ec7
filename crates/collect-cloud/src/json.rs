//! Helpers over `serde_json::Value` for mapping cloud API objects. Cloud APIs are loose about key
//! case (Azure Resource Graph and ARM disagree on `keyvaultproperties` vs `keyVaultProperties`), so
//! lookups here ignore ASCII case when the exact key is missing.

use serde_json::{Map, Value};

/// The member `key` of an object, matching exactly first, then ignoring ASCII case.
pub fn get<'a>(v: &'a Value, key: &str) -> Option<&'a Value> {
    let obj = v.as_object()?;
    obj.get(key).or_else(|| obj.iter().find(|(k, _)| k.eq_ignore_ascii_case(key)).map(|(_, v)| v))
}

/// Walks `keys` from `v`; `None` as soon as one is missing or a value is not an object.
pub fn at<'a>(v: &'a Value, keys: &[&str]) -> Option<&'a Value> {
    keys.iter().try_fold(v, |cur, k| get(cur, k))
}

/// A string member (not null, not another type).
pub fn str_at<'a>(v: &'a Value, keys: &[&str]) -> Option<&'a str> {
    at(v, keys).and_then(Value::as_str)
}

/// A boolean member; accepts `"true"`/`"false"` strings, which several APIs use.
pub fn bool_at(v: &Value, keys: &[&str]) -> Option<bool> {
    at(v, keys).and_then(as_bool)
}

pub fn as_bool(v: &Value) -> Option<bool> {
    match v {
        Value::Bool(b) => Some(*b),
        Value::String(s) if s.eq_ignore_ascii_case("true") => Some(true),
        Value::String(s) if s.eq_ignore_ascii_case("false") => Some(false),
        _ => None,
    }
}

/// An integer member; accepts integral numbers and numeric strings (Google encodes int64 as text).
pub fn int_at(v: &Value, keys: &[&str]) -> Option<i64> {
    at(v, keys).and_then(as_int)
}

pub fn as_int(v: &Value) -> Option<i64> {
    match v {
        Value::Number(n) => n.as_i64().or_else(|| n.as_f64().filter(|f| f.fract() == 0.0 && f.abs() < 9.0e15).map(|f| f as i64)),
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    }
}

pub fn as_f64(v: &Value) -> Option<f64> {
    match v {
        Value::Number(n) => n.as_f64(),
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    }
}

/// The elements of an array member; an empty slice when the member is missing, null or not an
/// array. Use [`at`] when absence must be told apart from emptiness.
pub fn arr_at<'a>(v: &'a Value, keys: &[&str]) -> &'a [Value] {
    at(v, keys).and_then(Value::as_array).map(Vec::as_slice).unwrap_or(&[])
}

/// The strings of an array member, skipping other element types.
pub fn strings_at(v: &Value, keys: &[&str]) -> Vec<String> {
    arr_at(v, keys).iter().filter_map(|s| s.as_str().map(str::to_string)).collect()
}

/// `s` as one of `allowed`, compared ignoring case and returned in the allowed spelling; `None`
/// when it is none of them (the caller then leaves the attribute out rather than write an
/// out-of-schema value).
pub fn one_of(s: &str, allowed: &[&'static str]) -> Option<&'static str> {
    allowed.iter().copied().find(|a| a.eq_ignore_ascii_case(s.trim()))
}

/// An object under construction, with the absent/null distinction the canonical model needs.
#[derive(Debug, Default, Clone)]
pub struct Attrs(pub Map<String, Value>);

impl Attrs {
    pub fn new() -> Attrs {
        Attrs(Map::new())
    }

    /// Sets `key` when the value is known; `None` leaves it absent (unknown).
    pub fn put(&mut self, key: &str, v: Option<impl Into<Value>>) -> &mut Attrs {
        if let Some(v) = v {
            self.0.insert(key.to_string(), v.into());
        }
        self
    }

    pub fn set(&mut self, key: &str, v: impl Into<Value>) -> &mut Attrs {
        self.0.insert(key.to_string(), v.into());
        self
    }

    pub fn into_value(self) -> Value {
        Value::Object(self.0)
    }

    pub fn into_map(self) -> Map<String, Value> {
        self.0
    }
}

/// What a source said about an optional setting: the member is there (`Set`), the object is there
/// but the member is not or is null (`Unset`, known-unset), or the object itself is missing (`Unknown`).
pub enum Presence<'a> {
    Set(&'a Value),
    Unset,
    Unknown,
}

/// Member `key` of `obj`, telling a missing member of a present object (known-unset) from a
/// missing object (unknown).
pub fn presence<'a>(obj: Option<&'a Value>, key: &str) -> Presence<'a> {
    match obj {
        Some(o) if o.is_object() => match get(o, key) {
            Some(Value::Null) | None => Presence::Unset,
            Some(v) => Presence::Set(v),
        },
        _ => Presence::Unknown,
    }
}

/// A nullable string attribute: the string when set, `null` when known-unset, absent when unknown.
pub fn nullable_str(obj: Option<&Value>, key: &str) -> Option<Value> {
    match presence(obj, key) {
        Presence::Set(v) => v.as_str().map(|s| Value::String(s.to_string())),
        Presence::Unset => Some(Value::Null),
        Presence::Unknown => None,
    }
}

/// A nullable enumerated attribute: like [`nullable_str`], but a value outside `allowed` is left out.
pub fn nullable_enum(obj: Option<&Value>, key: &str, allowed: &[&'static str]) -> Option<Value> {
    match presence(obj, key) {
        Presence::Set(v) => v.as_str().and_then(|s| one_of(s, allowed)).map(Value::from),
        Presence::Unset => Some(Value::Null),
        Presence::Unknown => None,
    }
}

/// A nullable boolean attribute.
pub fn nullable_bool(obj: Option<&Value>, key: &str) -> Option<Value> {
    match presence(obj, key) {
        Presence::Set(v) => as_bool(v).map(Value::Bool),
        Presence::Unset => Some(Value::Null),
        Presence::Unknown => None,
    }
}

/// A nullable integer attribute.
pub fn nullable_int(obj: Option<&Value>, key: &str) -> Option<Value> {
    match presence(obj, key) {
        Presence::Set(v) => as_int(v).map(Value::from),
        Presence::Unset => Some(Value::Null),
        Presence::Unknown => None,
    }
}

/// An enumerated string member (absent when missing or outside `allowed`).
pub fn enum_at(v: &Value, keys: &[&str], allowed: &[&'static str]) -> Option<&'static str> {
    str_at(v, keys).and_then(|s| one_of(s, allowed))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn lookups_ignore_case_only_as_a_fallback() {
        let v = json!({"keyVaultProperties": {"keyName": "k"}, "Exact": 1, "exact": 2});
        assert_eq!(str_at(&v, &["keyvaultproperties", "keyname"]), Some("k"));
        assert_eq!(int_at(&v, &["exact"]), Some(2));
        assert_eq!(at(&v, &["missing", "x"]), None);
    }

    #[test]
    fn scalars_accept_the_string_encodings_apis_use() {
        assert_eq!(as_bool(&json!("True")), Some(true));
        assert_eq!(as_bool(&json!(1)), None);
        assert_eq!(as_int(&json!("7776000")), Some(7_776_000));
        assert_eq!(as_int(&json!(2.5)), None);
        assert_eq!(one_of("tls1_2", &["TLS1_0", "TLS1_2"]), Some("TLS1_2"));
        assert_eq!(one_of("TLS9", &["TLS1_0"]), None);
    }

    #[test]
    fn presence_tells_unset_from_unknown() {
        let props = json!({"a": "x", "b": null});
        assert_eq!(nullable_str(Some(&props), "a"), Some(json!("x")));
        assert_eq!(nullable_str(Some(&props), "b"), Some(Value::Null));
        assert_eq!(nullable_str(Some(&props), "c"), Some(Value::Null));
        assert_eq!(nullable_str(None, "a"), None);
        assert_eq!(nullable_enum(Some(&props), "a", &["Y"]), None);
        assert_eq!(nullable_bool(Some(&json!({"x": "false"})), "x"), Some(json!(false)));
    }
}
