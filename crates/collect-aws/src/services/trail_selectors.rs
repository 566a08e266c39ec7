//! CloudTrail event selectors into the canonical `management_events` and `data_events`, and which
//! S3 buckets a trail's data events cover. Basic and advanced selectors give one shape.

use serde_json::{json, Value};

/// One advanced field selector in a source-neutral shape: (field, operator, values), the operator
/// being `Equals`, `StartsWith`, `EndsWith`, `NotEquals`, `NotStartsWith` or `NotEndsWith`.
pub(crate) type Field<'a> = (&'a str, &'a str, Vec<&'a str>);

/// What the advanced selectors select: data event entries, and the management events
/// (`Some(read_write_type)` when some selector records them).
pub(crate) fn advanced(selectors: &[Vec<Field>]) -> (Vec<Value>, Option<&'static str>) {
    let mut data = Vec::new();
    let mut management: Option<&'static str> = None;
    for fields in selectors {
        let category = equals(fields, "eventCategory");
        let rw = read_write(fields);
        match category.as_deref() {
            Some(["Management"]) => {
                let rw = rw.unwrap_or("All");
                management = Some(match management {
                    Some(m) if m != rw => "All",
                    _ => rw,
                });
            }
            Some(["Data"]) => data.extend(data_entries(fields, rw)),
            _ => {}
        }
    }
    (data, management)
}

fn equals<'a>(fields: &[Field<'a>], name: &str) -> Option<Vec<&'a str>> {
    fields.iter().find(|(f, op, _)| *f == name && *op == "Equals").map(|(_, _, v)| v.clone())
}

/// `readOnly`: `true` is ReadOnly, `false` WriteOnly, absent All; `None` for a form it cannot be
/// (the selector then counts as filtered).
fn read_write(fields: &[Field]) -> Option<&'static str> {
    match fields.iter().find(|(f, ..)| *f == "readOnly") {
        None => Some("All"),
        Some((_, op, v)) if *op == "Equals" && v.len() == 1 && v[0] == "true" => Some("ReadOnly"),
        Some((_, op, v)) if *op == "Equals" && v.len() == 1 && v[0] == "false" => Some("WriteOnly"),
        Some(_) => None,
    }
}

/// One entry per resource type of a data event selector. `resources` are the ARN prefixes
/// selected (the type's whole service prefix when the selector names none); `filtered` when
/// other fields narrow the events further, so that it covers no whole resource.
fn data_entries(fields: &[Field], rw: Option<&'static str>) -> Vec<Value> {
    let types = equals(fields, "resources.type").unwrap_or_default();
    let mut filtered = rw.is_none();
    let mut prefixes: Option<Vec<String>> = None;
    for (f, op, values) in fields {
        match (*f, *op) {
            ("eventCategory", _) | ("resources.type", "Equals") | ("readOnly", _) => {}
            ("resources.ARN", "StartsWith") => prefixes.get_or_insert_with(Vec::new).extend(values.iter().map(|v| v.to_string())),
            _ => filtered = true,
        }
    }
    types
        .iter()
        .map(|t| {
            let resources = prefixes.clone().unwrap_or_else(|| vec![service_prefix(t)]);
            let mut e = json!({"resource_type": t, "read_write_type": rw.unwrap_or("All"), "resources": resources});
            if filtered {
                e["filtered"] = json!(true);
            }
            e
        })
        .collect()
}

/// `AWS::S3::Object` → `arn:aws:s3`: the prefix of every resource of the type's service.
fn service_prefix(resource_type: &str) -> String {
    let service = resource_type.split("::").nth(1).unwrap_or_default().to_ascii_lowercase();
    format!("arn:aws:{service}")
}

/// Whether a `data_events` list records the (read, write) data events of every object of
/// `bucket`: an `AWS::S3::Object` entry, not filtered, with a resource that is a prefix of the
/// bucket's object ARNs (`arn:aws:s3` for all buckets, `arn:aws:s3:::bucket/`).
pub(crate) fn covers(data_events: &Value, bucket: &str) -> (bool, bool) {
    let objects = format!("arn:aws:s3:::{bucket}/");
    let mut cover = (false, false);
    for e in data_events.as_array().map(Vec::as_slice).unwrap_or_default() {
        let s3 = e.get("resource_type").and_then(Value::as_str) == Some("AWS::S3::Object");
        let filtered = e.get("filtered").and_then(Value::as_bool).unwrap_or(false);
        let whole = e
            .get("resources")
            .and_then(Value::as_array)
            .is_some_and(|r| r.iter().filter_map(Value::as_str).any(|p| !p.is_empty() && objects.starts_with(p)));
        if !s3 || filtered || !whole {
            continue;
        }
        match e.get("read_write_type").and_then(Value::as_str) {
            Some("ReadOnly") => cover.0 = true,
            Some("WriteOnly") => cover.1 = true,
            Some("All") => cover = (true, true),
            _ => {}
        }
    }
    cover
}

/// What one trail, seen from one region, tells about data events: whether it is logging and its
/// `data_events`, each `None` when it could not be read.
#[derive(Debug, Clone)]
pub(crate) struct TrailView {
    pub logging: Option<bool>,
    pub data_events: Option<Value>,
}

/// The bucket's `cloudtrail_data_events` from every trail that applies to its region: true when a
/// logging trail records the events, false when every trail is known not to, unknown (left out)
/// when a trail that might record them could not be read. `None` when both are unknown.
pub(crate) fn bucket_coverage(bucket: &str, trails: &[TrailView]) -> Option<Value> {
    let judge = |pick: fn((bool, bool)) -> bool| -> Option<bool> {
        let mut unknown = false;
        for t in trails {
            let covers = t.data_events.as_ref().map(|d| pick(covers(d, bucket)));
            match (t.logging, covers) {
                (Some(true), Some(true)) => return Some(true),
                (Some(false), _) | (_, Some(false)) => {}
                _ => unknown = true,
            }
        }
        (!unknown).then_some(false)
    };
    let mut m = serde_json::Map::new();
    if let Some(r) = judge(|c| c.0) {
        m.insert("read".into(), json!(r));
    }
    if let Some(w) = judge(|c| c.1) {
        m.insert("write".into(), json!(w));
    }
    (!m.is_empty()).then_some(Value::Object(m))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn view(logging: Option<bool>, data: Option<Value>) -> TrailView {
        TrailView { logging, data_events: data }
    }

    #[test]
    fn advanced_selectors_become_data_entries_and_management_events() {
        let writes = vec![
            ("eventCategory", "Equals", vec!["Data"]),
            ("resources.type", "Equals", vec!["AWS::S3::Object"]),
            ("readOnly", "Equals", vec!["false"]),
        ];
        let one_bucket = vec![
            ("eventCategory", "Equals", vec!["Data"]),
            ("resources.type", "Equals", vec!["AWS::S3::Object"]),
            ("resources.ARN", "StartsWith", vec!["arn:aws:s3:::ledger/"]),
        ];
        let some_events = vec![
            ("eventCategory", "Equals", vec!["Data"]),
            ("resources.type", "Equals", vec!["AWS::S3::Object"]),
            ("eventName", "Equals", vec!["GetObject"]),
        ];
        let mgmt = vec![("eventCategory", "Equals", vec!["Management"]), ("readOnly", "Equals", vec!["true"])];
        let (data, management) = advanced(&[writes, one_bucket, some_events, mgmt]);
        assert_eq!(management, Some("ReadOnly"));
        assert_eq!(data[0], json!({"resource_type": "AWS::S3::Object", "read_write_type": "WriteOnly", "resources": ["arn:aws:s3"]}));
        assert_eq!(data[1], json!({"resource_type": "AWS::S3::Object", "read_write_type": "All", "resources": ["arn:aws:s3:::ledger/"]}));
        assert_eq!(data[2]["filtered"], json!(true));
        assert_eq!(covers(&Value::Array(data.clone()), "ledger"), (true, true));
        assert_eq!(covers(&Value::Array(data), "other"), (false, true));
    }

    #[test]
    fn only_prefixes_of_the_whole_bucket_cover_it() {
        let basic = |values: &[&str], rw: &str| json!([{"resource_type": "AWS::S3::Object", "read_write_type": rw, "resources": values}]);
        assert_eq!(covers(&basic(&["arn:aws:s3"], "All"), "b"), (true, true));
        assert_eq!(covers(&basic(&["arn:aws:s3:::b/"], "ReadOnly"), "b"), (true, false));
        assert_eq!(covers(&basic(&["arn:aws:s3:::b/logs/"], "All"), "b"), (false, false));
        assert_eq!(covers(&basic(&["arn:aws:s3:::bb/"], "All"), "b"), (false, false));
        let lambda = json!([{"resource_type": "AWS::Lambda::Function", "read_write_type": "All", "resources": ["arn:aws:lambda"]}]);
        assert_eq!(covers(&lambda, "b"), (false, false));
    }

    #[test]
    fn a_bucket_is_covered_only_by_logging_trails_and_unknown_stays_unknown() {
        let all = json!([{"resource_type": "AWS::S3::Object", "read_write_type": "WriteOnly", "resources": ["arn:aws:s3"]}]);
        let stopped = view(Some(false), Some(all.clone()));
        assert_eq!(bucket_coverage("b", std::slice::from_ref(&stopped)), Some(json!({"read": false, "write": false})));
        let logging = view(Some(true), Some(all.clone()));
        assert_eq!(bucket_coverage("b", &[stopped, logging]), Some(json!({"read": false, "write": true})));
        // A trail whose status could not be read might record writes: write is unknown.
        assert_eq!(bucket_coverage("b", &[view(None, Some(all))]), Some(json!({"read": false})));
        assert_eq!(bucket_coverage("b", &[view(Some(true), None)]), None);
        assert_eq!(bucket_coverage("b", &[]), Some(json!({"read": false, "write": false})));
    }
}
