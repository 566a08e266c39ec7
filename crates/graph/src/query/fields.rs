//! What a condition can test: node fields, tags, kept attributes, insights, exposure, findings,
//! and on hops the edge's type, certainty and escalation method.

use super::parser::{Lit, Op};
use crate::insight;
use crate::model::{Graph, PortRange, Why};
use crate::uids::NodeId;
use crate::walk::Step;
use posture_model::Severity;
use posture_permissions::wildcard::Pattern;
use serde_json::Value;
use std::borrow::Cow;

/// A field's value; `Missing` is unknown and fails every comparison.
#[derive(Debug, Clone)]
pub enum FVal<'a> {
    Missing,
    Bool(bool),
    Num(f64),
    Str(Cow<'a, str>),
    Json(&'a Value),
    List(Vec<String>),
    Ports(&'a [PortRange]),
}

pub const NODE_FIELDS: &str = "kind, name, uid, account, region, provider, tags.KEY, attrs.PATH, exposure.width, exposure.ports, \
exposure.certainty, findings.count, findings.max_severity, findings.critical|high|medium|low, findings.rules, or an insight";

pub const EDGE_FIELDS: &str = "type, certainty, method";

/// Checks a node field's shape when the query is compiled.
pub fn check_node_field(field: &[String]) -> Result<(), String> {
    let root = field[0].as_str();
    let ok = match (root, field.len()) {
        ("kind" | "name" | "uid" | "account" | "region" | "provider", 1) => true,
        ("tags" | "attrs", n) => n >= 2,
        ("exposure", 2) => matches!(field[1].as_str(), "width" | "ports" | "certainty"),
        ("findings", 2) => matches!(
            field[1].as_str(),
            "count" | "max_severity" | "critical" | "high" | "medium" | "low" | "informational" | "rules"
        ),
        (_, 1) => insight::by_name(root).is_some(),
        _ => false,
    };
    if ok {
        Ok(())
    } else {
        let names: Vec<&str> = insight::INSIGHTS.iter().map(|(n, _, _)| *n).collect();
        Err(format!("unknown field `{}`; fields are {NODE_FIELDS} ({})", field.join("."), names.join(", ")))
    }
}

pub fn check_edge_field(field: &[String]) -> Result<(), String> {
    match (field[0].as_str(), field.len()) {
        ("type" | "certainty" | "method", 1) => Ok(()),
        _ => Err(format!("unknown edge field `{}`; edge fields are {EDGE_FIELDS}", field.join("."))),
    }
}

pub fn node_field<'a>(g: &'a Graph, n: NodeId, field: &[String]) -> FVal<'a> {
    let s = |x: &'a str| {
        if x.is_empty() {
            FVal::Missing
        } else {
            FVal::Str(Cow::Borrowed(x))
        }
    };
    match field[0].as_str() {
        "kind" => s(g.kind(n)),
        "name" => s(g.name(n)),
        "uid" => s(g.uid(n)),
        "account" => s(g.account(n)),
        "region" => s(g.region(n)),
        "provider" => s(g.provider(n)),
        "tags" => g.tag(n, &field[1..].join(".")).map_or(FVal::Missing, |v| FVal::Str(Cow::Borrowed(v))),
        "attrs" => g.attr(n, &field[1..].join(".")).map_or(FVal::Missing, FVal::Json),
        "exposure" => exposure_field(g, n, &field[1]),
        "findings" => findings_field(g, n, &field[1]),
        name => insight::by_name(name).map_or(FVal::Missing, |i| FVal::Bool(g.has(n, i))),
    }
}

fn exposure_field<'a>(g: &'a Graph, n: NodeId, f: &str) -> FVal<'a> {
    let Some(e) = g.exposure(n) else {
        return FVal::Missing;
    };
    match f {
        "width" => FVal::Str(Cow::Borrowed(e.width.as_str())),
        "ports" => FVal::Ports(&e.ports),
        _ => FVal::Str(Cow::Borrowed(e.certainty.as_str())),
    }
}

fn findings_field<'a>(g: &'a Graph, n: NodeId, f: &str) -> FVal<'a> {
    match f {
        "count" => FVal::Num(g.findings(n).count() as f64),
        "max_severity" => g.max_severity(n).map_or(FVal::Missing, |s| FVal::Str(Cow::Borrowed(s.as_str()))),
        "rules" => FVal::List(g.findings(n).map(|x| g.sym(x.rule).to_string()).collect()),
        sev => match sev.parse::<Severity>() {
            Ok(want) => FVal::Num(g.findings(n).filter(|x| x.severity == want).count() as f64),
            Err(_) => FVal::Missing,
        },
    }
}

pub fn edge_field<'a>(g: &'a Graph, from: NodeId, step: &Step, field: &[String]) -> FVal<'a> {
    match field[0].as_str() {
        "type" => FVal::Str(Cow::Borrowed(g.edge_type(step.ty))),
        "certainty" => FVal::Str(Cow::Borrowed(step.certainty.as_str())),
        "method" => match g.step_why(from, step, step.node) {
            Some(Why::Escalation { method, .. }) => FVal::Str(Cow::Owned(method.as_str().to_string())),
            _ => FVal::Missing,
        },
        _ => FVal::Missing,
    }
}

pub fn truthy(v: &FVal) -> bool {
    match v {
        FVal::Missing => false,
        FVal::Bool(b) => *b,
        FVal::Num(n) => *n != 0.0,
        FVal::Str(s) => !s.is_empty(),
        FVal::List(l) => !l.is_empty(),
        FVal::Ports(p) => !p.is_empty(),
        FVal::Json(j) => match j {
            Value::Null => false,
            Value::Bool(b) => *b,
            Value::Number(n) => n.as_f64() != Some(0.0),
            Value::String(s) => !s.is_empty(),
            Value::Array(a) => !a.is_empty(),
            Value::Object(_) => true,
        },
    }
}

/// A rank for values with a natural order: severities and certainties.
fn rank(s: &str) -> Option<i32> {
    if let Ok(sev) = s.parse::<Severity>() {
        return Some(sev as i32);
    }
    posture_permissions::Certainty::parse(s).map(|c| 10 + c as i32)
}

fn scalar(v: &FVal) -> Option<Lit> {
    Some(match v {
        FVal::Bool(b) => Lit::Bool(*b),
        FVal::Num(n) => Lit::Num(*n),
        FVal::Str(s) => Lit::Str(s.to_string()),
        FVal::Json(Value::Bool(b)) => Lit::Bool(*b),
        FVal::Json(Value::Number(n)) => Lit::Num(n.as_f64()?),
        FVal::Json(Value::String(s)) => Lit::Str(s.clone()),
        FVal::Json(Value::Null) => Lit::Null,
        _ => return None,
    })
}

fn lit_eq(a: &Lit, b: &Lit) -> bool {
    match (a, b) {
        (Lit::Str(x), Lit::Str(y)) => x.eq_ignore_ascii_case(y),
        (Lit::Num(x), Lit::Num(y)) => x == y,
        (Lit::Str(x), Lit::Num(y)) | (Lit::Num(y), Lit::Str(x)) => x.parse::<f64>().ok() == Some(*y),
        (Lit::Bool(x), Lit::Bool(y)) => x == y,
        (Lit::Null, Lit::Null) => true,
        _ => false,
    }
}

fn order(a: &Lit, b: &Lit) -> Option<std::cmp::Ordering> {
    match (a, b) {
        (Lit::Num(x), Lit::Num(y)) => x.partial_cmp(y),
        (Lit::Str(x), Lit::Num(y)) => x.parse::<f64>().ok()?.partial_cmp(y),
        (Lit::Str(x), Lit::Str(y)) => match (rank(x), rank(y)) {
            (Some(p), Some(q)) => Some(p.cmp(&q)),
            _ => Some(x.to_ascii_lowercase().cmp(&y.to_ascii_lowercase())),
        },
        _ => None,
    }
}

fn list_items(v: &FVal) -> Option<Vec<Lit>> {
    match v {
        FVal::List(l) => Some(l.iter().map(|s| Lit::Str(s.clone())).collect()),
        FVal::Json(Value::Array(a)) => Some(a.iter().filter_map(|x| scalar(&FVal::Json(x))).collect()),
        _ => None,
    }
}

/// `field op value`.
pub fn compare(v: &FVal, op: Op, lit: &Lit) -> bool {
    if matches!(v, FVal::Missing) {
        return false;
    }
    match op {
        Op::Contains => contains(v, lit),
        Op::In => match lit {
            Lit::List(items) => scalar(v).is_some_and(|s| items.iter().any(|i| lit_eq(&s, i))),
            other => scalar(v).is_some_and(|s| lit_eq(&s, other)),
        },
        Op::Glob => match (scalar(v), lit) {
            (Some(Lit::Str(s)), Lit::Str(p)) => Pattern::new_ci(p).matches(&s),
            _ => false,
        },
        Op::Eq => scalar(v).is_some_and(|s| lit_eq(&s, lit)),
        Op::Ne => scalar(v).is_some_and(|s| !lit_eq(&s, lit)),
        Op::Lt | Op::Le | Op::Gt | Op::Ge => {
            let Some(o) = scalar(v).and_then(|s| order(&s, lit)) else {
                return false;
            };
            match op {
                Op::Lt => o.is_lt(),
                Op::Le => o.is_le(),
                Op::Gt => o.is_gt(),
                _ => o.is_ge(),
            }
        }
    }
}

fn contains(v: &FVal, lit: &Lit) -> bool {
    if let FVal::Ports(ports) = v {
        let Lit::Num(n) = lit else { return false };
        return ports.iter().any(|p| (p.from as f64) <= *n && *n <= p.to as f64);
    }
    if let Some(items) = list_items(v) {
        return items.iter().any(|i| lit_eq(i, lit));
    }
    match (scalar(v), lit) {
        (Some(Lit::Str(s)), Lit::Str(x)) => s.to_ascii_lowercase().contains(&x.to_ascii_lowercase()),
        _ => false,
    }
}
