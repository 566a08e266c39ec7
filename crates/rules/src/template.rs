//! `{{...}}` placeholders in remediation texts, filled per finding: `{{name}}`, `{{uid}}`,
//! `{{account}}`, `{{region}}`, `{{provider}}`, `{{kind}}`, `{{tags.KEY}}` and `{{attrs.a.b}}`.

use crate::path::{parse_path, resolve, Scope, Val};
use posture_model::Resource;
use serde_json::Value;

/// The placeholders of `text` as (byte range of `{{...}}`, trimmed inner text).
fn placeholders(text: &str) -> impl Iterator<Item = (std::ops::Range<usize>, &str)> {
    let mut from = 0;
    std::iter::from_fn(move || {
        let start = from + text.get(from..)?.find("{{")?;
        let len = text.get(start + 2..)?.find("}}")?;
        let end = start + 2 + len + 2;
        from = end;
        Some((start..end, text[start + 2..start + 2 + len].trim()))
    })
}

/// Checks that every placeholder names a field a finding can fill (no `[*]`).
pub fn check_template(text: &str) -> Result<(), String> {
    for (_, inner) in placeholders(text) {
        let path = parse_path(inner).map_err(|m| format!("placeholder {{{{{inner}}}}}: {m}"))?;
        if path.has_each() {
            return Err(format!("placeholder {{{{{inner}}}}}: [*] cannot fill one value"));
        }
    }
    Ok(())
}

/// `text` with each placeholder replaced by the resource's value; a placeholder whose value is
/// absent or null stays as written, so the reader sees what to fill in.
pub fn fill_template(text: &str, resource: &Resource) -> String {
    if !text.contains("{{") {
        return text.to_string();
    }
    let mut out = String::with_capacity(text.len());
    let mut last = 0;
    for (range, inner) in placeholders(text) {
        out.push_str(&text[last..range.start]);
        match value_text(inner, resource) {
            Some(v) => out.push_str(&v),
            None => out.push_str(&text[range.clone()]),
        }
        last = range.end;
    }
    out.push_str(&text[last..]);
    out
}

fn value_text(inner: &str, resource: &Resource) -> Option<String> {
    let path = parse_path(inner).ok().filter(|p| !p.has_each())?;
    let value = resolve(&path, &path.segs, &Scope { resource, element: None })?;
    match value {
        Val::Str(s) if !s.is_empty() => Some(s.to_string()),
        Val::Json(Value::String(s)) if !s.is_empty() => Some(s.clone()),
        Val::Json(v @ (Value::Number(_) | Value::Bool(_) | Value::Array(_) | Value::Object(_))) => Some(v.to_string()),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn bucket() -> Resource {
        let mut r = Resource::new("arn:aws:s3:::logs", "aws.s3.bucket");
        r.name = "logs".into();
        r.account = "111122223333".into();
        r.attrs = json!({"kms": {"key_id": "k-1", "rotation_days": 90}, "gone": null})
            .as_object()
            .cloned()
            .unwrap_or_default();
        r.tags.insert("team".into(), "data".into());
        r
    }

    #[test]
    fn fills_envelope_attrs_and_tags_and_keeps_what_it_cannot_fill() {
        let r = bucket();
        let text = "aws s3 x --bucket {{name}} --key {{ attrs.kms.key_id }} --days {{attrs.kms.rotation_days}} \
                    --owner {{tags.team}} in {{account}}/{{region}} {{attrs.gone}} {{attrs.none}}";
        assert_eq!(
            fill_template(text, &r),
            "aws s3 x --bucket logs --key k-1 --days 90 --owner data in 111122223333/{{region}} {{attrs.gone}} {{attrs.none}}"
        );
        assert_eq!(fill_template("no placeholder", &r), "no placeholder");
        assert_eq!(fill_template("unclosed {{name", &r), "unclosed {{name");
    }

    #[test]
    fn rejects_placeholders_no_finding_can_fill() {
        assert!(check_template("{{name}} {{attrs.a.b}} {{tags.env}}").is_ok());
        assert!(check_template("{{attributes.a}}").unwrap_err().contains("must start with"));
        assert!(check_template("{{attrs.list[*].x}}").unwrap_err().contains("[*]"));
        assert!(check_template("{{ }}").is_err());
    }
}
