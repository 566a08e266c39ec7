//! The line that decided a finding: the evidence path looked up in the resource's per-attribute
//! lines, walking up to the nearest recorded parent, then the resource's own line.

use posture_model::Origin;
use serde_json::Value;
use std::collections::BTreeMap;

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
}
