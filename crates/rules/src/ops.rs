//! Field operators: each compiles its argument once into a predicate over a value.

use crate::path::Val;
use crate::time::{parse_time, DAY};
use crate::yaml::{Node, NodeValue};
use ipnet::IpNet;
use regex::Regex;
use serde_json::Value;
use std::cmp::Ordering;
use std::net::IpAddr;

/// `Ok(true)` holds, `Ok(false)` does not, `Err` the value cannot be compared.
pub type Pred = Box<dyn Fn(Val) -> Result<bool, String> + Send + Sync>;

pub const FIELD_OPERATORS: &[&str] = &[
    "equals",
    "notEquals",
    "in",
    "notIn",
    "exists",
    "contains",
    "notContains",
    "like",
    "notLike",
    "match",
    "notMatch",
    "regex",
    "greater",
    "greaterOrEquals",
    "less",
    "lessOrEquals",
    "cidrWithin",
    "cidrOverlaps",
    "portInRange",
    "olderThanDays",
    "newerThanDays",
    "inMoreThanDays",
    "inLessThanDays",
    "equalsField",
    "notEqualsField",
    "greaterField",
    "greaterOrEqualsField",
    "lessField",
    "lessOrEqualsField",
];

/// Operators comparing a timestamp with the scan time.
pub const TIME_OPERATORS: &[&str] = &["olderThanDays", "newerThanDays", "inMoreThanDays", "inLessThanDays"];

/// Operators comparing the field with another field of the same resource (or array element).
pub const FIELD_REF_OPERATORS: &[&str] =
    &["equalsField", "notEqualsField", "greaterField", "greaterOrEqualsField", "lessField", "lessOrEqualsField"];

/// A predicate that also reads the scan time (Unix seconds).
pub type TimePred = Box<dyn Fn(Val, i64) -> Result<bool, String> + Send + Sync>;

/// A predicate over the field's value and the other field's value.
pub type PairPred = Box<dyn Fn(Val, Val) -> Result<bool, String> + Send + Sync>;

pub const COUNT_OPERATORS: &[&str] = &[
    "equals",
    "notEquals",
    "greater",
    "greaterOrEquals",
    "less",
    "lessOrEquals",
];

/// Compiles `op: arg` into a predicate; the error says what is wrong with `arg`.
pub fn compile(op: &str, arg: &Node) -> Result<Pred, String> {
    let json = arg.to_json();
    Ok(match op {
        "equals" => Box::new(move |v| Ok(loose_eq(v, &json))),
        "notEquals" => Box::new(move |v| Ok(!loose_eq(v, &json))),
        "in" | "notIn" => {
            let list = json.as_array().cloned().ok_or(format!("{op} takes a list"))?;
            let want = op == "in";
            Box::new(move |v| Ok(list.iter().any(|x| loose_eq(v, x)) == want))
        }
        "exists" => {
            let want = json.as_bool().ok_or("exists takes true or false")?;
            Box::new(move |v| Ok(!v.is_null() == want))
        }
        "contains" | "notContains" => {
            let want = op == "contains";
            Box::new(move |v| contains(v, &json).map(|c| c == want))
        }
        "like" | "notLike" => {
            let pattern = Glob::new(str_arg(op, &json)?);
            let want = op == "like";
            let op = op.to_string();
            Box::new(move |v| match text_of(v) {
                Some(s) => Ok(pattern.matches(s) == want),
                None if v.is_null() => Ok(!want),
                None => Err(format!("{op} needs a string, found {}", type_of(v))),
            })
        }
        "match" | "notMatch" => text_pred(op, match_regex(str_arg(op, &json)?)?, op == "match"),
        "regex" => {
            let re = Regex::new(str_arg(op, &json)?).map_err(|e| format!("invalid regex: {e}"))?;
            text_pred(op, re, true)
        }
        "greater" | "greaterOrEquals" | "less" | "lessOrEquals" => {
            if !(json.is_number() || json.is_string()) {
                return Err(format!("{op} takes a number or a string"));
            }
            let accept = ordering_accepts(op);
            Box::new(move |v| compare(v, &json).map(|o| o.is_some_and(|o| accept(o))))
        }
        "cidrWithin" | "cidrOverlaps" => {
            let ranges = parse_cidr_list(&json)?;
            let within = op == "cidrWithin";
            Box::new(move |v| cidr_test(v, &ranges, within))
        }
        "portInRange" => {
            let ports = parse_ports(&json)?;
            Box::new(move |v| port_test(v, &ports))
        }
        other => return Err(format!("unknown operator '{other}'")),
    })
}

/// Compiles a time operator: its argument is a number of days (0 or more, fractions allowed).
/// A null value has no time and does not hold; a value that is not a date is an error.
pub fn compile_time(op: &str, arg: &Value) -> Result<TimePred, String> {
    let days = arg
        .as_f64()
        .filter(|d| d.is_finite() && *d >= 0.0)
        .ok_or(format!("{op} takes a number of days (0 or more)"))?;
    let span = (days * DAY as f64).round() as i64;
    // Ages are `now - t`: positive in the past. Distances ahead are `t - now`.
    let test: fn(i64, i64, i64) -> bool = match op {
        "olderThanDays" => |t, now, span| now.saturating_sub(t) > span,
        "newerThanDays" => |t, now, span| now.saturating_sub(t) < span,
        "inMoreThanDays" => |t, now, span| t.saturating_sub(now) > span,
        "inLessThanDays" => |t, now, span| t.saturating_sub(now) < span,
        other => return Err(format!("unknown time operator '{other}'")),
    };
    Ok(Box::new(move |v, now| Ok(time_of(v)?.is_some_and(|t| test(t, now, span)))))
}

/// The instant of a timestamp value; `None` for null.
fn time_of(v: Val) -> Result<Option<i64>, String> {
    if v.is_null() {
        return Ok(None);
    }
    match text_of(v) {
        Some(s) => parse_time(s)
            .map(Some)
            .ok_or_else(|| format!("'{s}' is not an RFC 3339 date-time or a YYYY-MM-DD date")),
        None => Err(format!("expected a date-time string, found {}", type_of(v))),
    }
}

/// Compiles a field-to-field operator: `equalsField` and `notEqualsField` compare like `equals`;
/// the orderings compare numbers, dates (when both values are dates) or strings.
pub fn compile_pair(op: &str) -> Result<PairPred, String> {
    Ok(match op {
        "equalsField" => Box::new(|a, b| Ok(loose_eq(a, &b.to_json()))),
        "notEqualsField" => Box::new(|a, b| Ok(!loose_eq(a, &b.to_json()))),
        "greaterField" | "greaterOrEqualsField" | "lessField" | "lessOrEqualsField" => {
            let accept = ordering_accepts(op.trim_end_matches("Field"));
            Box::new(move |a, b| compare_pair(a, b).map(|o| o.is_some_and(&accept)))
        }
        other => return Err(format!("unknown field operator '{other}'")),
    })
}

/// Orders two field values: null has no order; two dates compare as instants.
fn compare_pair(a: Val, b: Val) -> Result<Option<Ordering>, String> {
    if a.is_null() || b.is_null() {
        return Ok(None);
    }
    if let (Some(x), Some(y)) = (text_of(a), text_of(b)) {
        if let (Some(tx), Some(ty)) = (parse_time(x), parse_time(y)) {
            return Ok(Some(tx.cmp(&ty)));
        }
    }
    compare(a, &b.to_json())
}

/// The accepting orderings of `field OP argument`.
pub fn ordering_accepts(op: &str) -> fn(Ordering) -> bool {
    match op {
        "greater" => |o| o == Ordering::Greater,
        "greaterOrEquals" => |o| o != Ordering::Less,
        "less" => |o| o == Ordering::Less,
        "lessOrEquals" => |o| o != Ordering::Greater,
        "equals" => |o| o == Ordering::Equal,
        _ => |o| o != Ordering::Equal,
    }
}

fn str_arg<'a>(op: &str, json: &'a Value) -> Result<&'a str, String> {
    json.as_str().ok_or(format!("{op} takes a string"))
}

fn text_pred(op: &str, re: Regex, want: bool) -> Pred {
    let op = op.to_string();
    Box::new(move |v| match text_of(v) {
        Some(s) => Ok(re.is_match(s) == want),
        None if v.is_null() => Ok(!want),
        None => Err(format!("{op} needs a string, found {}", type_of(v))),
    })
}

/// A `like` pattern: `*` matches any run of characters, the rest compares case-insensitively.
struct Glob {
    parts: Vec<String>,
}

impl Glob {
    fn new(pattern: &str) -> Glob {
        Glob { parts: pattern.split('*').map(str::to_lowercase).collect() }
    }

    fn matches(&self, text: &str) -> bool {
        let lowered;
        let text = if text.bytes().any(|b| b.is_ascii_uppercase()) || !text.is_ascii() {
            lowered = text.to_lowercase();
            lowered.as_str()
        } else {
            text
        };
        let (first, rest) = match self.parts.split_first() {
            Some(x) => x,
            None => return text.is_empty(),
        };
        let Some(mut tail) = text.strip_prefix(first.as_str()) else { return false };
        let Some((last, middle)) = rest.split_last() else { return tail.is_empty() };
        for part in middle {
            match tail.find(part.as_str()) {
                Some(i) => tail = &tail[i + part.len()..],
                None => return false,
            }
        }
        tail.len() >= last.len() && tail.ends_with(last.as_str())
    }
}

/// Azure Policy `match`: `#` a digit, `?` a letter, `.` any character.
fn match_regex(pattern: &str) -> Result<Regex, String> {
    let mut re = String::from("(?s)^");
    for c in pattern.chars() {
        match c {
            '#' => re.push_str("[0-9]"),
            '?' => re.push_str("[A-Za-z]"),
            '.' => re.push('.'),
            c => re.push_str(&regex::escape(&c.to_string())),
        }
    }
    re.push('$');
    Regex::new(&re).map_err(|e| e.to_string())
}

pub fn text_of(v: Val<'_>) -> Option<&str> {
    match v {
        Val::Str(s) => Some(s),
        Val::Json(Value::String(s)) => Some(s),
        _ => None,
    }
}

pub fn type_of(v: Val) -> &'static str {
    match v {
        Val::Str(_) => "a string",
        Val::Null => "null",
        Val::Json(j) => match j {
            Value::Null => "null",
            Value::Bool(_) => "a boolean",
            Value::Number(_) => "a number",
            Value::String(_) => "a string",
            Value::Array(_) => "an array",
            Value::Object(_) => "an object",
        },
    }
}

/// Equality as rule authors expect it: strings case-insensitively, numbers by value.
pub fn loose_eq(v: Val, want: &Value) -> bool {
    match (v, want) {
        (Val::Null, Value::Null) => true,
        (Val::Null, _) => false,
        (Val::Str(s), Value::String(w)) => eq_text(s, w),
        (Val::Str(_), _) => false,
        (Val::Json(j), w) => json_eq(j, w),
    }
}

fn json_eq(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::String(x), Value::String(y)) => eq_text(x, y),
        (Value::Number(x), Value::Number(y)) => x.as_f64() == y.as_f64(),
        (Value::Array(x), Value::Array(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|(a, b)| json_eq(a, b))
        }
        (Value::Object(x), Value::Object(y)) => {
            x.len() == y.len() && x.iter().all(|(k, v)| y.get(k).is_some_and(|w| json_eq(v, w)))
        }
        _ => a == b,
    }
}

fn eq_text(a: &str, b: &str) -> bool {
    a.eq_ignore_ascii_case(b) || (!a.is_ascii() && a.to_lowercase() == b.to_lowercase())
}

fn contains(v: Val, want: &Value) -> Result<bool, String> {
    match v {
        Val::Null | Val::Json(Value::Null) => Ok(false),
        Val::Json(Value::Array(items)) => Ok(items.iter().any(|i| json_eq(i, want))),
        _ => match (text_of(v), want.as_str()) {
            (Some(s), Some(w)) => Ok(contains_text(s, w)),
            _ => Err(format!("contains needs a string or an array, found {}", type_of(v))),
        },
    }
}

/// Case-insensitive substring test; ASCII text (nearly all of it) without allocating.
fn contains_text(s: &str, w: &str) -> bool {
    if s.is_ascii() && w.is_ascii() {
        let (s, w) = (s.as_bytes(), w.as_bytes());
        return w.is_empty() || s.windows(w.len()).any(|win| win.eq_ignore_ascii_case(w));
    }
    s.to_lowercase().contains(&w.to_lowercase())
}

/// `None` when the value is null (no ordering); `Err` when it cannot be compared.
fn compare(v: Val, want: &Value) -> Result<Option<Ordering>, String> {
    if v.is_null() {
        return Ok(None);
    }
    if let Some(w) = want.as_f64() {
        let n = match v {
            Val::Json(Value::Number(n)) => n.as_f64(),
            _ => text_of(v).and_then(|s| s.trim().parse::<f64>().ok()),
        };
        return n
            .map(|n| n.partial_cmp(&w))
            .ok_or_else(|| format!("expected a number, found {}", type_of(v)));
    }
    match (text_of(v), want.as_str()) {
        (Some(s), Some(w)) => Ok(Some(s.cmp(w))),
        _ => Err(format!("expected a string, found {}", type_of(v))),
    }
}

fn parse_net(s: &str) -> Option<Vec<IpNet>> {
    let t = s.trim();
    if matches!(t.to_ascii_lowercase().as_str(), "*" | "any" | "internet") {
        return Some(vec!["0.0.0.0/0".parse().ok()?, "::/0".parse().ok()?]);
    }
    if let Ok(n) = t.parse::<IpNet>() {
        return Some(vec![n.trunc()]);
    }
    t.parse::<IpAddr>().ok().map(|a| vec![IpNet::from(a)])
}

fn parse_cidr_list(json: &Value) -> Result<Vec<IpNet>, String> {
    let items: Vec<&Value> = match json {
        Value::Array(a) => a.iter().collect(),
        other => vec![other],
    };
    let mut out = Vec::new();
    for item in items {
        let s = item.as_str().ok_or("CIDR ranges must be strings")?;
        out.extend(parse_net(s).ok_or(format!("'{s}' is not an IP address or CIDR range"))?);
    }
    Ok(out)
}

/// Addresses of a field value. Named tags (`VirtualNetwork`) are not addresses: they match nothing.
fn field_nets(v: Val) -> Result<Vec<IpNet>, String> {
    let mut out = Vec::new();
    let mut push = |s: &str| {
        if let Some(n) = parse_net(s) {
            out.extend(n)
        }
    };
    match v {
        Val::Null | Val::Json(Value::Null) => {}
        Val::Json(Value::Array(items)) => {
            for i in items {
                match i.as_str() {
                    Some(s) => push(s),
                    None => return Err("CIDR list must hold strings".into()),
                }
            }
        }
        _ => match text_of(v) {
            Some(s) => push(s),
            None => return Err(format!("expected an IP or CIDR, found {}", type_of(v))),
        },
    }
    Ok(out)
}

fn cidr_test(v: Val, ranges: &[IpNet], within: bool) -> Result<bool, String> {
    let nets = field_nets(v)?;
    if within {
        return Ok(!nets.is_empty() && nets.iter().all(|n| ranges.iter().any(|r| r.contains(n))));
    }
    Ok(nets
        .iter()
        .any(|n| ranges.iter().any(|r| r.contains(n) || n.contains(r))))
}

fn parse_ports(json: &Value) -> Result<Vec<u32>, String> {
    let items: Vec<&Value> = match json {
        Value::Array(a) => a.iter().collect(),
        other => vec![other],
    };
    items
        .into_iter()
        .map(|i| {
            i.as_u64()
                .filter(|p| *p <= 65535)
                .map(|p| p as u32)
                .ok_or_else(|| format!("'{i}' is not a port number"))
        })
        .collect()
}

/// Port ranges of a field value: `22`, `"22"`, `"20-30"`, `"*"`, `{from, to}`, or an array of these.
fn port_ranges(v: &Value, out: &mut Vec<(u32, u32)>) -> Result<(), String> {
    match v {
        Value::Null => Ok(()),
        Value::Number(n) => {
            let p = n.as_u64().ok_or("port must be a non-negative integer")? as u32;
            out.push((p, p));
            Ok(())
        }
        Value::String(s) => {
            let s = s.trim();
            if s == "*" || s.eq_ignore_ascii_case("any") || s.eq_ignore_ascii_case("all") {
                out.push((0, 65535));
                return Ok(());
            }
            let (a, b) = s.split_once('-').unwrap_or((s, s));
            let a = a.trim().parse::<u32>().map_err(|_| format!("'{s}' is not a port range"))?;
            let b = b.trim().parse::<u32>().map_err(|_| format!("'{s}' is not a port range"))?;
            out.push((a.min(b), a.max(b)));
            Ok(())
        }
        Value::Array(items) => items.iter().try_for_each(|i| port_ranges(i, out)),
        Value::Object(m) => {
            let get = |k: &str| m.get(k).and_then(Value::as_u64).map(|p| p as u32);
            match (get("from"), get("to")) {
                (Some(a), Some(b)) => {
                    out.push((a.min(b), a.max(b)));
                    Ok(())
                }
                _ => Err("a port range object needs numeric from and to".into()),
            }
        }
        Value::Bool(_) => Err("expected a port range, found a boolean".into()),
    }
}

fn port_test(v: Val, ports: &[u32]) -> Result<bool, String> {
    let mut ranges = Vec::new();
    match v {
        Val::Null => {}
        Val::Str(s) => port_ranges(&Value::String(s.to_string()), &mut ranges)?,
        Val::Json(j) => port_ranges(j, &mut ranges)?,
    }
    Ok(ranges
        .iter()
        .any(|(a, b)| ports.iter().any(|p| a <= p && p <= b)))
}

/// Node → JSON for an operator argument, refusing nested conditions by mistake.
pub fn is_scalar_or_list(node: &Node) -> bool {
    !matches!(node.value, NodeValue::Map(_))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::yaml::parse;
    use serde_json::json;

    fn check(op: &str, arg: &str, v: Value) -> Result<bool, String> {
        let node = parse(arg).unwrap();
        compile(op, &node).unwrap()(Val::Json(&v))
    }

    #[test]
    fn equality_is_case_insensitive_for_strings() {
        assert_eq!(check("equals", "Enabled", json!("enabled")), Ok(true));
        assert_eq!(check("equals", "1", json!(1.0)), Ok(true));
        assert_eq!(check("equals", "'1'", json!(1)), Ok(false));
        assert_eq!(check("in", "[a, b]", json!("B")), Ok(true));
        assert_eq!(check("notIn", "[a, b]", json!("c")), Ok(true));
    }

    #[test]
    fn exists_and_contains() {
        assert_eq!(check("exists", "true", Value::Null), Ok(false));
        assert_eq!(check("exists", "false", Value::Null), Ok(true));
        assert_eq!(check("contains", "Admin", json!("arn:role/AdminAccess")), Ok(true));
        assert_eq!(check("contains", "x", json!(["a", "X"])), Ok(true));
        assert!(check("contains", "x", json!(3)).is_err());
    }

    #[test]
    fn like_is_a_case_insensitive_glob() {
        assert_eq!(check("like", "'*SECRET*'", json!("db_secret_arn")), Ok(true));
        assert_eq!(check("like", "'a*b*c'", json!("abc")), Ok(true));
        assert_eq!(check("like", "'a*b*c'", json!("acb")), Ok(false));
        assert_eq!(check("like", "'ab*ba'", json!("aba")), Ok(false));
        assert_eq!(check("like", "'*'", json!("")), Ok(true));
        assert_eq!(check("like", "'exact'", json!("EXACT")), Ok(true));
        assert_eq!(check("notLike", "'*_ARN'", json!("KEY_ARN")), Ok(false));
        assert_eq!(check("like", "'x*'", Value::Null), Ok(false));
    }

    #[test]
    fn patterns() {
        assert_eq!(check("like", "'prod-*'", json!("PROD-db")), Ok(true));
        assert_eq!(check("like", "'prod-*'", json!("dev-db")), Ok(false));
        assert_eq!(check("match", "'vm-###'", json!("vm-042")), Ok(true));
        assert_eq!(check("match", "'vm-###'", json!("vm-42a")), Ok(false));
        assert_eq!(check("regex", "'^TLS1_[23]$'", json!("TLS1_2")), Ok(true));
        assert!(compile("regex", &parse("'('").unwrap()).is_err());
    }

    #[test]
    fn comparisons() {
        assert_eq!(check("greaterOrEquals", "7", json!(7)), Ok(true));
        assert_eq!(check("less", "90", json!("30")), Ok(true));
        assert_eq!(check("greater", "7", Value::Null), Ok(false));
        assert!(check("greater", "7", json!("abc")).is_err());
        assert_eq!(check("less", "'2026-01-01'", json!("2025-12-31T00:00:00Z")), Ok(true));
    }

    #[test]
    fn cidrs() {
        let internet = "['0.0.0.0/0']";
        assert_eq!(check("cidrOverlaps", internet, json!("0.0.0.0/0")), Ok(true));
        assert_eq!(check("cidrOverlaps", internet, json!("*")), Ok(true));
        assert_eq!(check("cidrOverlaps", "['10.0.0.0/8']", json!("10.1.2.0/24")), Ok(true));
        assert_eq!(check("cidrOverlaps", "['10.0.0.0/8']", json!("192.168.0.0/16")), Ok(false));
        assert_eq!(check("cidrWithin", "['10.0.0.0/8']", json!(["10.1.0.0/16", "10.2.3.4"])), Ok(true));
        assert_eq!(check("cidrWithin", "['10.0.0.0/8']", json!(["10.1.0.0/16", "0.0.0.0/0"])), Ok(false));
        assert_eq!(check("cidrOverlaps", internet, json!("VirtualNetwork")), Ok(false));
        assert!(compile("cidrWithin", &parse("['10.0.0.0/33']").unwrap()).is_err());
    }

    #[test]
    fn ports() {
        assert_eq!(check("portInRange", "22", json!("20-30")), Ok(true));
        assert_eq!(check("portInRange", "[22, 3389]", json!([80, "3389"])), Ok(true));
        assert_eq!(check("portInRange", "22", json!("*")), Ok(true));
        assert_eq!(check("portInRange", "22", json!({"from": 0, "to": 21})), Ok(false));
        assert_eq!(check("portInRange", "22", Value::Null), Ok(false));
        assert!(check("portInRange", "22", json!("ssh")).is_err());
    }

    proptest::proptest! {
        #[test]
        fn glob_agrees_with_an_anchored_regex(pattern in "[ab*]{0,6}", text in "[abAB]{0,8}") {
            let glob = Glob::new(&pattern);
            let body: Vec<String> = pattern.split('*').map(regex::escape).collect();
            let re = Regex::new(&format!("(?is)^{}$", body.join(".*"))).unwrap();
            proptest::prop_assert_eq!(glob.matches(&text), re.is_match(&text));
        }

        #[test]
        fn contains_text_agrees_with_lowercased_search(text in "[aBcÄä ]{0,10}", want in "[AbCäÄ]{0,3}") {
            proptest::prop_assert_eq!(contains_text(&text, &want), text.to_lowercase().contains(&want.to_lowercase()));
        }
    }
}
