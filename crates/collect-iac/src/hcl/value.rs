//! Values of evaluated expressions. `Unknown` is a value the files cannot tell (a variable without
//! default, a data source, a computed attribute); `Ref` is such a value known to come from another
//! resource, which is what links resources together.

use serde_json::{Map, Number, Value};
use std::collections::BTreeMap;

#[derive(Debug, Clone, PartialEq)]
pub enum V {
    Unknown,
    /// An attribute of another resource (by address), unknown before apply.
    Ref(String),
    Null,
    Bool(bool),
    Num(f64),
    Str(String),
    List(Vec<V>),
    Obj(BTreeMap<String, V>),
}

impl V {
    pub fn str(s: impl Into<String>) -> V {
        V::Str(s.into())
    }

    pub fn is_known(&self) -> bool {
        !matches!(self, V::Unknown | V::Ref(_))
    }

    /// Known all the way down.
    pub fn is_wholly_known(&self) -> bool {
        match self {
            V::Unknown | V::Ref(_) => false,
            V::List(l) => l.iter().all(V::is_wholly_known),
            V::Obj(m) => m.values().all(V::is_wholly_known),
            _ => true,
        }
    }

    pub fn as_str(&self) -> Option<&str> {
        match self {
            V::Str(s) => Some(s),
            _ => None,
        }
    }

    /// Terraform's string conversion of primitives.
    pub fn to_text(&self) -> Option<String> {
        match self {
            V::Str(s) => Some(s.clone()),
            V::Num(n) => Some(num_text(*n)),
            V::Bool(b) => Some(b.to_string()),
            _ => None,
        }
    }

    pub fn as_bool(&self) -> Option<bool> {
        match self {
            V::Bool(b) => Some(*b),
            V::Str(s) if s == "true" => Some(true),
            V::Str(s) if s == "false" => Some(false),
            _ => None,
        }
    }

    pub fn as_num(&self) -> Option<f64> {
        match self {
            V::Num(n) => Some(*n),
            V::Str(s) => s.trim().parse().ok(),
            _ => None,
        }
    }

    pub fn get(&self, key: &str) -> Option<&V> {
        match self {
            V::Obj(m) => m.get(key),
            _ => None,
        }
    }

    /// The JSON form; `None` when unknown. Unknown object members are left out (absent = unknown);
    /// a list with an unknown element is unknown as a whole, since any element could decide a rule.
    pub fn to_json(&self) -> Option<Value> {
        Some(match self {
            V::Unknown | V::Ref(_) => return None,
            V::Null => Value::Null,
            V::Bool(b) => Value::Bool(*b),
            V::Num(n) => num_json(*n),
            V::Str(s) => Value::String(s.clone()),
            V::List(l) => Value::Array(l.iter().map(V::to_json).collect::<Option<Vec<_>>>()?),
            V::Obj(m) => Value::Object(m.iter().filter_map(|(k, v)| Some((k.clone(), v.to_json()?))).collect::<Map<_, _>>()),
        })
    }

    pub fn from_json(v: &Value) -> V {
        match v {
            Value::Null => V::Null,
            Value::Bool(b) => V::Bool(*b),
            Value::Number(n) => V::Num(n.as_f64().unwrap_or(0.0)),
            Value::String(s) => V::Str(s.clone()),
            Value::Array(a) => V::List(a.iter().map(V::from_json).collect()),
            Value::Object(m) => V::Obj(m.iter().map(|(k, v)| (k.clone(), V::from_json(v))).collect()),
        }
    }

    pub fn type_name(&self) -> &'static str {
        match self {
            V::Unknown | V::Ref(_) => "unknown",
            V::Null => "null",
            V::Bool(_) => "bool",
            V::Num(_) => "number",
            V::Str(_) => "string",
            V::List(_) => "list",
            V::Obj(_) => "object",
        }
    }
}

pub fn num_text(n: f64) -> String {
    if n.fract() == 0.0 && n.abs() < 1e15 {
        format!("{}", n as i64)
    } else {
        format!("{n}")
    }
}

pub fn num_json(n: f64) -> Value {
    if n.fract() == 0.0 && n.abs() < 9.0e15 {
        Value::Number((n as i64).into())
    } else {
        Number::from_f64(n).map_or(Value::Null, Value::Number)
    }
}
