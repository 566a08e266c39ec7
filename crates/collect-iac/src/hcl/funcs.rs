//! Terraform's common built-in functions. An unknown argument makes the result unknown; a
//! function we do not implement (or one that reads the file system or the network) is unknown too.

use super::value::{num_text, V};
use std::collections::BTreeMap;

/// Bound on lists a function may build (`range`), so hostile input cannot exhaust memory.
const MAX_ITEMS: usize = 10_000;

pub fn call(name: &str, args: Vec<V>) -> V {
    // Lenient functions look at unknown arguments themselves.
    match name {
        "try" => return args.into_iter().find(V::is_known).unwrap_or(V::Unknown),
        "can" => return if args.iter().all(V::is_wholly_known) { V::Bool(true) } else { V::Unknown },
        "coalesce" => return coalesce(args),
        "merge" => return merge(args),
        "concat" => return concat(args),
        "length" => return length(args.first()),
        "lookup" => return lookup(args),
        "element" => return element(args),
        "tolist" | "toset" | "tomap" | "sensitive" | "nonsensitive" | "tostring" | "tonumber" | "tobool" => {
            return convert(name, args)
        }
        _ => {}
    }
    if !args.iter().all(V::is_wholly_known) {
        return V::Unknown;
    }
    pure(name, &args).unwrap_or(V::Unknown)
}

fn s(v: Option<&V>) -> Option<String> {
    v?.to_text()
}

fn n(v: Option<&V>) -> Option<f64> {
    v?.as_num()
}

fn list(v: Option<&V>) -> Option<&Vec<V>> {
    match v? {
        V::List(l) => Some(l),
        _ => None,
    }
}

fn pure(name: &str, a: &[V]) -> Option<V> {
    let first = a.first();
    Some(match name {
        "lower" => V::Str(s(first)?.to_lowercase()),
        "upper" => V::Str(s(first)?.to_uppercase()),
        "title" => V::Str(title(&s(first)?)),
        "trimspace" => V::Str(s(first)?.trim().to_string()),
        "chomp" => V::Str(s(first)?.trim_end_matches(['\n', '\r']).to_string()),
        "trim" => {
            let cut = s(a.get(1))?;
            V::Str(s(first)?.trim_matches(|c| cut.contains(c)).to_string())
        }
        "trimprefix" => {
            let t = s(first)?;
            let p = s(a.get(1))?;
            V::Str(t.strip_prefix(p.as_str()).unwrap_or(&t).to_string())
        }
        "trimsuffix" => {
            let t = s(first)?;
            let p = s(a.get(1))?;
            V::Str(t.strip_suffix(p.as_str()).unwrap_or(&t).to_string())
        }
        "format" => V::Str(format(&s(first)?, a.get(1..)?)?),
        "formatlist" => formatlist(a)?,
        "join" => {
            let sep = s(first)?;
            let mut parts = Vec::new();
            for l in a.get(1..)? {
                for x in list(Some(l))? {
                    parts.push(x.to_text()?);
                }
            }
            V::Str(parts.join(&sep))
        }
        "split" => {
            let sep = s(first)?;
            let t = s(a.get(1))?;
            if sep.is_empty() {
                return None;
            }
            V::List(t.split(sep.as_str()).map(V::str).collect())
        }
        "replace" => {
            let t = s(first)?;
            let from = s(a.get(1))?;
            if from.len() > 1 && from.starts_with('/') && from.ends_with('/') {
                return None;
            }
            V::Str(t.replace(from.as_str(), &s(a.get(2))?))
        }
        "substr" => {
            let t: Vec<char> = s(first)?.chars().collect();
            let off = n(a.get(1))? as i64;
            let len = n(a.get(2))? as i64;
            let start = if off < 0 { (t.len() as i64 + off).max(0) } else { off.min(t.len() as i64) } as usize;
            let end = if len < 0 { t.len() } else { start.saturating_add(len as usize).min(t.len()) };
            V::Str(t.get(start..end)?.iter().collect())
        }
        "strrev" => V::Str(s(first)?.chars().rev().collect()),
        "startswith" => V::Bool(s(first)?.starts_with(s(a.get(1))?.as_str())),
        "endswith" => V::Bool(s(first)?.ends_with(s(a.get(1))?.as_str())),
        "strcontains" => V::Bool(s(first)?.contains(s(a.get(1))?.as_str())),
        "jsonencode" => V::Str(serde_json::to_string(&first?.to_json()?).ok()?),
        "jsondecode" => V::from_json(&serde_json::from_str(&s(first)?).ok()?),
        "keys" => match first? {
            V::Obj(m) => V::List(m.keys().map(V::str).collect()),
            _ => return None,
        },
        "values" => match first? {
            V::Obj(m) => V::List(m.values().cloned().collect()),
            _ => return None,
        },
        "contains" => V::Bool(list(first)?.iter().any(|x| Some(x) == a.get(1))),
        "index" => V::Num(list(first)?.iter().position(|x| Some(x) == a.get(1))? as f64),
        "compact" => V::List(list(first)?.iter().filter(|x| !matches!(x, V::Null) && x.as_str() != Some("")).cloned().collect()),
        "distinct" => {
            let mut out: Vec<V> = Vec::new();
            for x in list(first)? {
                if !out.contains(x) {
                    out.push(x.clone());
                }
            }
            V::List(out)
        }
        "flatten" => V::List(flatten(first?)),
        "reverse" => V::List(list(first)?.iter().rev().cloned().collect()),
        "sort" => {
            let mut t: Vec<String> = list(first)?.iter().map(V::to_text).collect::<Option<_>>()?;
            t.sort();
            V::List(t.into_iter().map(V::Str).collect())
        }
        "slice" => {
            let l = list(first)?;
            let (from, to) = (n(a.get(1))? as usize, n(a.get(2))? as usize);
            V::List(l.get(from..to.min(l.len()))?.to_vec())
        }
        "coalescelist" => a.iter().find(|x| matches!(x, V::List(l) if !l.is_empty())).cloned()?,
        "zipmap" => {
            let k = list(first)?;
            let v = list(a.get(1))?;
            V::Obj(k.iter().zip(v).map(|(k, v)| Some((k.to_text()?, v.clone()))).collect::<Option<BTreeMap<_, _>>>()?)
        }
        "range" => range(a)?,
        "min" => V::Num(a.iter().map(V::as_num).collect::<Option<Vec<_>>>()?.into_iter().fold(f64::INFINITY, f64::min)),
        "max" => V::Num(a.iter().map(V::as_num).collect::<Option<Vec<_>>>()?.into_iter().fold(f64::NEG_INFINITY, f64::max)),
        "abs" => V::Num(n(first)?.abs()),
        "ceil" => V::Num(n(first)?.ceil()),
        "floor" => V::Num(n(first)?.floor()),
        "signum" => V::Num(n(first)?.signum()),
        "parseint" => {
            let radix = n(a.get(1))?;
            if !(2.0..=36.0).contains(&radix) {
                return None;
            }
            V::Num(i64::from_str_radix(&s(first)?, radix as u32).ok()? as f64)
        }
        "one" => match list(first)?.as_slice() {
            [] => V::Null,
            [x] => x.clone(),
            _ => return None,
        },
        "alltrue" => V::Bool(list(first)?.iter().all(|x| x.as_bool() == Some(true))),
        "anytrue" => V::Bool(list(first)?.iter().any(|x| x.as_bool() == Some(true))),
        "setunion" => {
            let mut out: Vec<V> = Vec::new();
            for l in a {
                for x in list(Some(l))? {
                    if !out.contains(x) {
                        out.push(x.clone());
                    }
                }
            }
            V::List(out)
        }
        _ => return None,
    })
}

fn title(t: &str) -> String {
    let mut out = String::new();
    let mut start = true;
    for c in t.chars() {
        if start {
            out.extend(c.to_uppercase());
        } else {
            out.push(c);
        }
        start = c.is_whitespace();
    }
    out
}

fn coalesce(args: Vec<V>) -> V {
    for a in args {
        match a {
            V::Null => continue,
            V::Str(ref t) if t.is_empty() => continue,
            V::Unknown | V::Ref(_) => return V::Unknown,
            other => return other,
        }
    }
    V::Unknown
}

fn merge(args: Vec<V>) -> V {
    let mut out = BTreeMap::new();
    for a in args {
        match a {
            V::Obj(m) => out.extend(m),
            V::Null => {}
            _ => return V::Unknown,
        }
    }
    V::Obj(out)
}

fn concat(args: Vec<V>) -> V {
    let mut out = Vec::new();
    for a in args {
        match a {
            V::List(l) => out.extend(l),
            _ => return V::Unknown,
        }
    }
    V::List(out)
}

fn length(v: Option<&V>) -> V {
    match v {
        Some(V::List(l)) => V::Num(l.len() as f64),
        Some(V::Obj(m)) => V::Num(m.len() as f64),
        Some(V::Str(t)) => V::Num(t.chars().count() as f64),
        _ => V::Unknown,
    }
}

fn lookup(args: Vec<V>) -> V {
    let mut it = args.into_iter();
    let (Some(map), Some(key)) = (it.next(), it.next()) else { return V::Unknown };
    let default = it.next();
    let Some(key) = key.to_text() else { return V::Unknown };
    match map {
        V::Obj(mut m) => m.remove(&key).or(default).unwrap_or(V::Unknown),
        _ => V::Unknown,
    }
}

fn element(args: Vec<V>) -> V {
    match (args.first(), args.get(1).and_then(V::as_num)) {
        (Some(V::List(l)), Some(i)) if !l.is_empty() && i >= 0.0 => l.get(i as usize % l.len()).cloned().unwrap_or(V::Unknown),
        _ => V::Unknown,
    }
}

fn convert(name: &str, args: Vec<V>) -> V {
    let Some(v) = args.into_iter().next() else { return V::Unknown };
    match (name, v) {
        (_, u @ (V::Unknown | V::Ref(_))) => u,
        ("tostring", x) => x.to_text().map_or(V::Unknown, V::Str),
        ("tonumber", x) => x.as_num().map_or(V::Unknown, V::Num),
        ("tobool", x) => x.as_bool().map_or(V::Unknown, V::Bool),
        ("toset", V::List(l)) => {
            let mut out: Vec<V> = Vec::new();
            for x in l {
                if !out.contains(&x) {
                    out.push(x);
                }
            }
            V::List(out)
        }
        (_, x) => x,
    }
}

fn flatten(v: &V) -> Vec<V> {
    match v {
        V::List(l) => l.iter().flat_map(flatten).collect(),
        other => vec![other.clone()],
    }
}

fn range(a: &[V]) -> Option<V> {
    let nums: Vec<f64> = a.iter().map(V::as_num).collect::<Option<_>>()?;
    let (start, end, step) = match nums.as_slice() {
        [e] => (0.0, *e, 1.0),
        [s, e] => (*s, *e, if e >= s { 1.0 } else { -1.0 }),
        [s, e, st] => (*s, *e, *st),
        _ => return None,
    };
    if step == 0.0 || ((end - start) / step) > MAX_ITEMS as f64 {
        return None;
    }
    let mut out = Vec::new();
    let mut x = start;
    while (step > 0.0 && x < end) || (step < 0.0 && x > end) {
        out.push(V::Num(x));
        x += step;
    }
    Some(V::List(out))
}

/// `format` with the verbs configurations use: `%s %d %v %q %f %t %%` (flags and widths ignored).
fn format(spec: &str, args: &[V]) -> Option<String> {
    let mut out = String::new();
    let mut it = spec.chars().peekable();
    let mut next = args.iter();
    while let Some(c) = it.next() {
        if c != '%' {
            out.push(c);
            continue;
        }
        // Skip flags, width and precision.
        while it.peek().is_some_and(|c| c.is_ascii_digit() || matches!(c, '.' | '-' | '+' | '#' | ' ')) {
            it.next();
        }
        match it.next()? {
            '%' => out.push('%'),
            'q' => out.push_str(&format!("\"{}\"", next.next()?.to_text()?)),
            'd' => out.push_str(&num_text(next.next()?.as_num()?.trunc())),
            'v' | 's' | 't' | 'f' | 'g' | 'e' => {
                let v = next.next()?;
                out.push_str(&match v {
                    V::List(_) | V::Obj(_) => serde_json::to_string(&v.to_json()?).ok()?,
                    x => x.to_text()?,
                });
            }
            _ => return None,
        }
    }
    Some(out)
}

fn formatlist(a: &[V]) -> Option<V> {
    let spec = s(a.first())?;
    let rest = a.get(1..)?;
    let len = rest.iter().filter_map(|x| list(Some(x)).map(Vec::len)).max()?;
    let mut out = Vec::new();
    for i in 0..len {
        let row: Vec<V> = rest
            .iter()
            .map(|x| match x {
                V::List(l) => l.get(i).cloned(),
                other => Some(other.clone()),
            })
            .collect::<Option<_>>()?;
        out.push(V::Str(format(&spec, &row)?));
    }
    Some(V::List(out))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn common_functions() {
        assert_eq!(call("format", vec![V::str("%s-%03d"), V::str("a"), V::Num(7.0)]), V::str("a-7"));
        assert_eq!(call("join", vec![V::str(","), V::List(vec![V::str("a"), V::Num(1.0)])]), V::str("a,1"));
        assert_eq!(call("lookup", vec![V::Obj(BTreeMap::new()), V::str("k"), V::str("d")]), V::str("d"));
        assert_eq!(call("merge", vec![V::Obj(BTreeMap::new()), V::Unknown]), V::Unknown);
        assert_eq!(call("length", vec![V::List(vec![V::Unknown, V::Null])]), V::Num(2.0));
        assert_eq!(call("element", vec![V::List(vec![V::str("a"), V::str("b")]), V::Num(3.0)]), V::str("b"));
        assert_eq!(call("upper", vec![V::Unknown]), V::Unknown);
        assert_eq!(call("file", vec![V::str("x")]), V::Unknown);
        assert_eq!(call("jsonencode", vec![V::Obj([("a".to_string(), V::Bool(true))].into())]), V::str("{\"a\":true}"));
        assert_eq!(call("range", vec![V::Num(1e12)]), V::Unknown);
        assert_eq!(call("substr", vec![V::str("héllo"), V::Num(1.0), V::Num(3.0)]), V::str("éll"));
    }
}
