//! Field paths (`attrs.a.b`, `attrs.rules[*].port`, `tags.env`, `name`) and their resolution.

use posture_model::Resource;
use serde_json::Value;
use std::sync::Arc;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Root {
    Attrs,
    Tags,
    Uid,
    Kind,
    Provider,
    Account,
    Region,
    Name,
    /// The current element of a `count` over an array.
    Element,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Seg {
    Key(String),
    Each,
}

#[derive(Debug, Clone)]
pub struct Path {
    pub root: Root,
    pub segs: Vec<Seg>,
    /// The path as the rule wrote it, for evidence.
    pub text: Arc<str>,
}

/// A value found at a path. Envelope fields and tags are strings outside the JSON tree.
#[derive(Debug, Clone, Copy)]
pub enum Val<'a> {
    Json(&'a Value),
    Str(&'a str),
    Null,
}

impl Val<'_> {
    pub fn to_json(self) -> Value {
        match self {
            Val::Json(v) => v.clone(),
            Val::Str(s) => Value::String(s.to_string()),
            Val::Null => Value::Null,
        }
    }

    pub fn is_null(self) -> bool {
        matches!(self, Val::Null | Val::Json(Value::Null))
    }
}

pub fn parse_path(text: &str) -> Result<Path, String> {
    let segs_text = split_segments(text)?;
    let mut iter = segs_text.into_iter();
    let head = iter.next().ok_or("empty field path")?;
    let root = match head.as_str() {
        "attrs" => Root::Attrs,
        "tags" => Root::Tags,
        "uid" => Root::Uid,
        "kind" => Root::Kind,
        "provider" => Root::Provider,
        "account" => Root::Account,
        "region" => Root::Region,
        "name" => Root::Name,
        other => {
            return Err(format!(
                "field path '{text}' must start with attrs, tags, uid, kind, provider, account, region or name (found '{other}')"
            ))
        }
    };
    let segs: Vec<Seg> = iter
        .map(|s| if s == "[*]" { Seg::Each } else { Seg::Key(s) })
        .collect();
    match root {
        Root::Attrs => {}
        Root::Tags if segs.len() == 1 && matches!(segs[0], Seg::Key(_)) => {}
        Root::Tags => return Err(format!("'{text}': a tag path is tags.<key>")),
        _ if segs.is_empty() => {}
        _ => return Err(format!("'{text}': {head} has no sub-fields")),
    }
    Ok(Path {
        root,
        segs,
        text: Arc::from(text),
    })
}

/// Splits `a.b[*].c` into `["a", "b", "[*]", "c"]`.
fn split_segments(text: &str) -> Result<Vec<String>, String> {
    let mut out = Vec::new();
    for part in text.split('.') {
        let (name, mut rest) = match part.find('[') {
            Some(i) => (&part[..i], &part[i..]),
            None => (part, ""),
        };
        if name.is_empty() && (out.is_empty() || rest.is_empty()) {
            return Err(format!("'{text}' has an empty segment"));
        }
        if !name.is_empty() {
            out.push(name.to_string());
        }
        while !rest.is_empty() {
            if let Some(r) = rest.strip_prefix("[*]") {
                out.push("[*]".to_string());
                rest = r;
            } else {
                return Err(format!("'{text}': only [*] is supported inside brackets"));
            }
        }
    }
    Ok(out)
}

impl Path {
    /// A path relative to the element of an array walked by `count`:
    /// `attrs.rules[*].port` under prefix `attrs.rules[*]` becomes `<element>.port`.
    pub fn relative_to(&self, prefix: &Path) -> Option<Path> {
        if self.root != prefix.root || !self.segs.starts_with(&prefix.segs) {
            return None;
        }
        Some(Path {
            root: Root::Element,
            segs: self.segs[prefix.segs.len()..].to_vec(),
            text: self.text.clone(),
        })
    }

    pub fn has_each(&self) -> bool {
        self.segs.contains(&Seg::Each)
    }

    /// The leading object keys before the first `[*]`, used to project resources.
    pub fn key_prefix(&self) -> Vec<&str> {
        self.segs
            .iter()
            .map_while(|s| match s {
                Seg::Key(k) => Some(k.as_str()),
                Seg::Each => None,
            })
            .collect()
    }
}

/// Where a path starts: the resource, or the element `count` is visiting.
pub struct Scope<'a> {
    pub resource: &'a Resource,
    pub element: Option<&'a Value>,
}

/// Resolves a path with no `[*]`. `None` means absent (unknown).
pub fn resolve<'a>(path: &Path, segs: &[Seg], scope: &Scope<'a>) -> Option<Val<'a>> {
    let r = scope.resource;
    let start: &'a Value = match path.root {
        Root::Attrs => return walk_map(&r.attrs, segs),
        Root::Element => scope.element?,
        Root::Tags => {
            let Some(Seg::Key(k)) = segs.first() else {
                return Some(Val::Null);
            };
            return Some(r.tags.get(k).map_or(Val::Null, |v| Val::Str(v)));
        }
        Root::Uid => return Some(Val::Str(&r.uid)),
        Root::Kind => return Some(Val::Str(&r.kind)),
        Root::Provider => return Some(Val::Str(&r.provider)),
        Root::Account => return Some(Val::Str(&r.account)),
        Root::Name => return Some(Val::Str(&r.name)),
        Root::Region => return Some(r.region.as_deref().map_or(Val::Null, Val::Str)),
    };
    walk_value(start, segs)
}

fn walk_map<'a>(map: &'a serde_json::Map<String, Value>, segs: &[Seg]) -> Option<Val<'a>> {
    match segs.split_first() {
        None => Some(Val::Null),
        Some((Seg::Key(k), rest)) => walk_value(map.get(k)?, rest),
        Some((Seg::Each, _)) => Some(Val::Null),
    }
}

fn walk_value<'a>(mut v: &'a Value, segs: &[Seg]) -> Option<Val<'a>> {
    for seg in segs {
        match (v, seg) {
            (Value::Object(m), Seg::Key(k)) => v = m.get(k)?,
            // Walking through null stays null: the parent is known to be unset.
            (Value::Null, _) => return Some(Val::Null),
            _ => return Some(Val::Null),
        }
    }
    Some(Val::Json(v))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn res() -> Resource {
        let mut r = Resource::new("u1", "aws.s3.bucket");
        r.attrs = json!({"a": {"b": 1, "n": null}, "list": [{"p": 1}]})
            .as_object()
            .unwrap()
            .clone();
        r.tags.insert("env".into(), "prod".into());
        r
    }

    fn get(text: &str) -> Option<Value> {
        let r = res();
        let p = parse_path(text).unwrap();
        resolve(&p, &p.segs, &Scope { resource: &r, element: None }).map(Val::to_json)
    }

    #[test]
    fn absent_is_none_and_null_propagates() {
        assert_eq!(get("attrs.a.b"), Some(json!(1)));
        assert_eq!(get("attrs.a.missing"), None);
        assert_eq!(get("attrs.a.n.deeper"), Some(Value::Null));
        assert_eq!(get("tags.env"), Some(json!("prod")));
        assert_eq!(get("tags.team"), Some(Value::Null));
        assert_eq!(get("kind"), Some(json!("aws.s3.bucket")));
        assert_eq!(get("region"), Some(Value::Null));
    }

    #[test]
    fn parses_each_and_rejects_bad_paths() {
        let p = parse_path("attrs.list[*].p").unwrap();
        assert_eq!(p.segs, vec![Seg::Key("list".into()), Seg::Each, Seg::Key("p".into())]);
        assert!(parse_path("atrs.x").unwrap_err().contains("must start with"));
        assert!(parse_path("attrs..x").is_err());
        assert!(parse_path("attrs.x[0]").is_err());
        assert!(parse_path("name.first").is_err());
        let prefix = parse_path("attrs.list[*]").unwrap();
        let rel = p.relative_to(&prefix).unwrap();
        assert_eq!(rel.root, Root::Element);
        assert_eq!(rel.segs, vec![Seg::Key("p".into())]);
    }
}
