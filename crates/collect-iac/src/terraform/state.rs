//! Terraform state (format version 4): which deployed resource each address created, for
//! code-to-cloud links.

use serde_json::Value;

/// One managed resource instance of a state file: its address and the uid the live collectors
/// give the deployed resource.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Deployed {
    pub address: String,
    pub runtime_uid: String,
}

pub fn is_state(doc: &Value) -> bool {
    doc.get("version").and_then(Value::as_u64) == Some(4) && doc.get("resources").is_some_and(Value::is_array)
}

pub fn deployed(doc: &Value) -> Vec<Deployed> {
    let mut out = Vec::new();
    for r in doc.get("resources").and_then(Value::as_array).into_iter().flatten() {
        if r.get("mode").and_then(Value::as_str) != Some("managed") {
            continue;
        }
        let (Some(t), Some(n)) = (r.get("type").and_then(Value::as_str), r.get("name").and_then(Value::as_str)) else { continue };
        let module = r.get("module").and_then(Value::as_str).map(|m| format!("{m}.")).unwrap_or_default();
        for inst in r.get("instances").and_then(Value::as_array).into_iter().flatten() {
            let key = match inst.get("index_key") {
                Some(Value::Number(n)) => format!("[{n}]"),
                Some(Value::String(s)) => format!("[\"{s}\"]"),
                _ => String::new(),
            };
            let Some(attrs) = inst.get("attributes") else { continue };
            if let Some(uid) = runtime_uid(t, attrs) {
                out.push(Deployed { address: format!("{module}{t}.{n}{key}"), runtime_uid: uid });
            }
        }
    }
    out
}

/// The canonical uid of a deployed resource: the ARN (AWS), the lower-case ARM id (Azure), the
/// full resource name (GCP).
pub fn runtime_uid(rtype: &str, attrs: &Value) -> Option<String> {
    let s = |k: &str| attrs.get(k).and_then(Value::as_str).filter(|v| !v.is_empty());
    if rtype.starts_with("aws_") {
        return s("arn").map(str::to_string);
    }
    if rtype.starts_with("azurerm_") {
        return s("id").map(str::to_ascii_lowercase);
    }
    if rtype.starts_with("google_") {
        if rtype == "google_storage_bucket" {
            return s("name").map(|n| format!("//storage.googleapis.com/projects/_/buckets/{n}"));
        }
        if let Some(link) = s("self_link") {
            if let Some(rest) = link.split_once("/compute/v1/").map(|(_, r)| r) {
                return Some(format!("//compute.googleapis.com/{rest}"));
            }
        }
        return s("id").map(str::to_string);
    }
    None
}
