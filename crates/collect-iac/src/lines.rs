//! The line that decided a finding: the evidence path looked up in the resource's per-attribute
//! lines, walking up to the nearest recorded parent, then the resource's own line.
//!
//! An attribute set in another file than the resource's (a kustomize overlay's patch) is
//! recorded as `path@file` → line; [`location_for_evidence`] returns that file and line.

use posture_model::{Origin, Resource};
use serde_json::{Map, Value};
use std::collections::BTreeMap;

/// The file and line for evidence `path`: an attribute another file set (`path@file`) points
/// there, anything else at [`line_for_evidence`] in the resource's file.
pub fn location_for_evidence(origin: &Origin, path: &str, value: Option<&Value>) -> Option<(String, u32)> {
    let Origin::Iac { file, line, lines, .. } = origin else { return None };
    // A failed anyOf names its alternatives `a | b`: the one line_for_evidence picks decides.
    let (alt, alt_value) = if path.contains(" | ") {
        let decides = |p: &&str| match value.and_then(|v| v.get(*p)) {
            Some(v) => line_for_evidence(origin, p, Some(v)).is_some_and(|l| l != *line),
            None => lookup(lines, p).is_some(),
        };
        let alt = path.split(" | ").find(decides).unwrap_or(path.split(" | ").next().unwrap_or(path));
        (alt, value.and_then(|v| v.get(alt)))
    } else {
        (path, value)
    };
    let samples = alt_value.and_then(|v| v.get("matching").or(Some(v))).and_then(Value::as_array);
    let first_index = samples.and_then(|a| a.first()).and_then(|e| e.get("index")).and_then(Value::as_u64);
    let p = match first_index {
        Some(i) => alt.replacen("[*]", &format!("[{i}]"), 1),
        None => alt.to_string(),
    };
    if let Some(hit) = other_file(lines, p) {
        return Some(hit);
    }
    Some((file.clone(), line_for_evidence(origin, path, value).unwrap_or(*line)))
}

/// As [`location_for_evidence`], and a `[*]` path without element indexes (an `all` check)
/// resolves to the first element of `r.attrs` holding the evidence value, so a field a patch set
/// in one element points at the patch.
pub fn location_for(r: &Resource, path: &str, value: Option<&Value>) -> Option<(String, u32)> {
    let origin = r.origin.as_ref()?;
    let Origin::Iac { lines, .. } = origin else { return None };
    if let Some(hit) = first_element(&r.attrs, path, value).and_then(|c| other_file(lines, c)) {
        return Some(hit);
    }
    location_for_evidence(origin, path, value)
}

/// `head[*].rest` → `head[i].rest` for the first element whose `rest` equals `value`.
fn first_element(attrs: &Map<String, Value>, path: &str, value: Option<&Value>) -> Option<String> {
    let (head, rest) = path.split_once("[*]")?;
    let want = value.filter(|v| !v.is_array() && !v.is_object())?;
    let top = head.strip_prefix("attrs.")?;
    if top.contains('[') || rest.contains('[') {
        return None;
    }
    let (first, below) = top.split_once('.').unwrap_or((top, ""));
    let list = dig(attrs.get(first)?, below)?.as_array()?;
    let i = list.iter().position(|el| dig(el, rest) == Some(want))?;
    Some(format!("{head}[{i}]{rest}"))
}

/// The value at a dotted path (`a.b`, or `.a.b`) under `v`.
fn dig<'v>(v: &'v Value, dotted: &str) -> Option<&'v Value> {
    dotted.split('.').filter(|s| !s.is_empty()).try_fold(v, |cur, seg| cur.get(seg))
}

/// The file and line another file set for `path` or its nearest recorded parent (`None` when
/// the resource's own file has the nearer entry).
fn other_file(lines: &BTreeMap<String, u32>, path: String) -> Option<(String, u32)> {
    let mut p = path;
    loop {
        let key = format!("{p}@");
        if let Some((k, l)) = lines.range(key.clone()..).next().filter(|(k, _)| k.starts_with(&key)) {
            return Some((k[key.len()..].to_string(), *l));
        }
        if lines.contains_key(&p) {
            return None;
        }
        match p.rfind(['.', '[']) {
            Some(cut) if cut > 0 && &p[..cut] != "attrs" => p.truncate(cut),
            _ => return None,
        }
    }
}

/// The line in the resource's file for evidence `path` (e.g. `attrs.versioning.enabled`, or
/// `attrs.ingress_rules[*]` with the matching elements' indexes in `value`).
pub fn line_for_evidence(origin: &Origin, path: &str, value: Option<&Value>) -> Option<u32> {
    let Origin::Iac { line, lines, .. } = origin else { return None };
    // A failed anyOf names its alternatives `a | b`: the first one written in the code decides.
    if path.contains(" | ") {
        let alt = path.split(" | ").find_map(|p| value.and_then(|v| v.get(p)).map_or_else(|| lookup(lines, p), |v| line_for_evidence(origin, p, Some(v)).filter(|l| l != line)));
        return Some(alt.unwrap_or(*line));
    }
    // A count's evidence lists its matching elements (`{count, matching: [{index, …}]}`).
    let samples = value.and_then(|v| v.get("matching").or(Some(v))).and_then(Value::as_array);
    let first_index = samples.and_then(|a| a.first()).and_then(|e| e.get("index")).and_then(Value::as_u64);
    let concrete = match (first_index, path.find("[*]")) {
        (Some(i), Some(_)) => path.replacen("[*]", &format!("[{i}]"), 1),
        _ => path.to_string(),
    };
    Some(lookup(lines, &concrete).unwrap_or(*line))
}

fn lookup(lines: &BTreeMap<String, u32>, path: &str) -> Option<u32> {
    let mut p = path.to_string();
    loop {
        if let Some(l) = lines.get(&p) {
            return Some(*l);
        }
        // A parent element or object: `a.b[2].c` → `a.b[2]` → `a.b`.
        let cut = p.rfind(['.', '['])?;
        p.truncate(cut);
        if p == "attrs" || p.is_empty() {
            return None;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn finds_attribute_element_and_parent_lines() {
        let lines: BTreeMap<String, u32> = [("attrs.versioning".to_string(), 4), ("attrs.ingress_rules[1]".into(), 9), ("attrs.a.b".into(), 7)].into();
        let o = Origin::Iac { file: "m.tf".into(), line: 1, address: "x.y".into(), lines };
        assert_eq!(line_for_evidence(&o, "attrs.versioning.enabled", None), Some(4));
        assert_eq!(line_for_evidence(&o, "attrs.ingress_rules[*]", Some(&json!([{"index": 1}]))), Some(9));
        assert_eq!(line_for_evidence(&o, "attrs.ingress_rules[*]", Some(&json!([{"index": 0}]))), Some(1));
        assert_eq!(line_for_evidence(&o, "attrs.ingress_rules[*]", Some(&json!({"count": 1, "matching": [{"index": 1}]}))), Some(9));
        assert_eq!(line_for_evidence(&o, "attrs.a.b.c[*].d", None), Some(7));
        assert_eq!(line_for_evidence(&o, "attrs.logging", None), Some(1));
        assert_eq!(line_for_evidence(&o, "attrs.nope | attrs.versioning.enabled", Some(&json!({"attrs.nope": null, "attrs.versioning.enabled": false}))), Some(4));
    }

    #[test]
    fn attributes_set_in_another_file_point_there() {
        let lines: BTreeMap<String, u32> =
            [("attrs.containers[0]".to_string(), 13), ("attrs.containers[0].privileged@o/patch.yaml".into(), 11), ("attrs.host_network".into(), 5)].into();
        let o = Origin::Iac { file: "base.yaml".into(), line: 1, address: "x".into(), lines };
        assert_eq!(location_for_evidence(&o, "attrs.containers[0].privileged", None), Some(("o/patch.yaml".into(), 11)));
        assert_eq!(location_for_evidence(&o, "attrs.containers[*].privileged", Some(&json!([{"index": 0}]))), Some(("o/patch.yaml".into(), 11)));
        assert_eq!(location_for_evidence(&o, "attrs.containers[0].image", None), Some(("base.yaml".into(), 13)));
        assert_eq!(location_for_evidence(&o, "attrs.host_network", None), Some(("base.yaml".into(), 5)));
        assert_eq!(line_for_evidence(&o, "attrs.containers[0].privileged", None), Some(13));
        let mut r = Resource::new("u", "k8s.apps.deployment");
        r.attrs = json!({"containers": [{"privileged": false}, {"privileged": true}]}).as_object().cloned().unwrap_or_default();
        let lines: BTreeMap<String, u32> = [("attrs.containers".to_string(), 12), ("attrs.containers[1].privileged@o/p.yaml".into(), 7)].into();
        r.origin = Some(Origin::Iac { file: "base.yaml".into(), line: 1, address: "x".into(), lines });
        assert_eq!(location_for(&r, "attrs.containers[*].privileged", Some(&json!(true))), Some(("o/p.yaml".into(), 7)));
        assert_eq!(location_for(&r, "attrs.containers[*].privileged", Some(&json!(false))), Some(("base.yaml".into(), 12)));
    }
}
