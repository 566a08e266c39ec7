//! Plan files from `terraform show -json`: planned values, with `after_unknown` values and
//! references from the configuration section, into the same evaluated form as HCL.

use super::eval::{EBlock, TfResource};
use crate::hcl::value::V;
use serde_json::Value;
use std::collections::HashMap;

/// Whether a JSON document is a Terraform plan.
pub fn is_plan(doc: &Value) -> bool {
    doc.get("planned_values").is_some() && doc.get("format_version").is_some()
}

pub fn resources(doc: &Value, file: &str) -> Vec<TfResource> {
    let unknown = after_unknown(doc);
    let refs = references(doc);
    let mut out = Vec::new();
    if let Some(root) = doc.get("planned_values").and_then(|p| p.get("root_module")) {
        walk(root, file, &unknown, &refs, &mut out, 0);
    }
    out
}

fn walk(module: &Value, file: &str, unknown: &HashMap<String, Value>, refs: &HashMap<String, Vec<(String, String)>>, out: &mut Vec<TfResource>, depth: usize) {
    if depth > 16 {
        return;
    }
    for r in module.get("resources").and_then(Value::as_array).into_iter().flatten() {
        if r.get("mode").and_then(Value::as_str) != Some("managed") {
            continue;
        }
        let (Some(addr), Some(rtype)) = (r.get("address").and_then(Value::as_str), r.get("type").and_then(Value::as_str)) else { continue };
        let empty = Value::Null;
        let values = r.get("values").unwrap_or(&empty);
        let mut body = block(values, unknown.get(addr), 1);
        // A reference in the configuration tells which resource an unknown value comes from.
        let config_addr = strip_index(addr);
        for (attr, target) in refs.get(&config_addr).into_iter().flatten() {
            let known = body.attrs.get(attr).is_some_and(|(v, _)| v.is_known());
            if !known {
                body.attrs.insert(attr.clone(), (V::Ref(target.clone()), 1));
            }
        }
        out.push(TfResource { rtype: rtype.to_string(), address: addr.to_string(), file: file.to_string(), line: 1, end_line: 1, body });
    }
    for child in module.get("child_modules").and_then(Value::as_array).into_iter().flatten() {
        walk(child, file, unknown, refs, out, depth + 1);
    }
}

fn strip_index(addr: &str) -> String {
    addr.strip_suffix(']').and_then(|x| x.rsplit_once('[')).map_or(addr.to_string(), |(a, _)| a.to_string())
}

/// A JSON object of planned values as a block: lists of objects are nested blocks.
fn block(values: &Value, unknown: Option<&Value>, line: u32) -> EBlock {
    let mut b = EBlock { line, ..EBlock::default() };
    let Some(m) = values.as_object() else { return b };
    for (k, v) in m {
        let unk = unknown.and_then(|u| u.get(k));
        if unk == Some(&Value::Bool(true)) {
            b.attrs.insert(k.clone(), (V::Unknown, line));
            continue;
        }
        match v {
            Value::Array(items) if !items.is_empty() && items.iter().all(Value::is_object) => {
                for (i, item) in items.iter().enumerate() {
                    b.blocks.push((k.clone(), block(item, unk.and_then(|u| u.get(i)), line)));
                }
            }
            other => {
                b.attrs.insert(k.clone(), (V::from_json(other), line));
            }
        }
    }
    // Unknown attributes that have no planned value at all.
    if let Some(Value::Object(u)) = unknown {
        for (k, flag) in u {
            if flag == &Value::Bool(true) && !b.attrs.contains_key(k) {
                b.attrs.insert(k.clone(), (V::Unknown, line));
            }
        }
    }
    b
}

fn after_unknown(doc: &Value) -> HashMap<String, Value> {
    let mut out = HashMap::new();
    for rc in doc.get("resource_changes").and_then(Value::as_array).into_iter().flatten() {
        if let (Some(a), Some(u)) = (rc.get("address").and_then(Value::as_str), rc.get("change").and_then(|c| c.get("after_unknown"))) {
            out.insert(a.to_string(), u.clone());
        }
    }
    out
}

/// Root-module configuration: resource address → (attribute, referenced resource address).
fn references(doc: &Value) -> HashMap<String, Vec<(String, String)>> {
    let mut out: HashMap<String, Vec<(String, String)>> = HashMap::new();
    let resources = doc.get("configuration").and_then(|c| c.get("root_module")).and_then(|m| m.get("resources")).and_then(Value::as_array);
    for r in resources.into_iter().flatten() {
        let Some(addr) = r.get("address").and_then(Value::as_str) else { continue };
        let Some(exprs) = r.get("expressions").and_then(Value::as_object) else { continue };
        for (attr, e) in exprs {
            let target = e.get("references").and_then(Value::as_array).and_then(|refs| {
                refs.iter().filter_map(Value::as_str).find(|s| s.split('.').count() == 2 && !s.starts_with("var.") && !s.starts_with("local."))
            });
            if let Some(t) = target {
                out.entry(addr.to_string()).or_default().push((attr.clone(), t.to_string()));
            }
        }
    }
    out
}
