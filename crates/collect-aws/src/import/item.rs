//! One AWS Config configuration item: its envelope (type, ARN, account, region, tags) and
//! case-insensitive access to its `configuration` and `supplementaryConfiguration`, which AWS
//! writes in the describe API's camelCase for older types, CloudFormation's PascalCase for newer
//! ones, and often as JSON inside strings.

use posture_model::{Origin, Resource};
use serde_json::{Map, Value};

pub struct Item {
    pub resource_type: String,
    pub arn: Option<String>,
    pub id: Option<String>,
    pub name: Option<String>,
    pub account: String,
    pub region: Option<String>,
    pub tags: Vec<(String, String)>,
    pub conf: Value,
    pub sup: Value,
}

impl Item {
    pub fn parse(v: &Value) -> Result<Item, String> {
        if !v.is_object() {
            return Err("a configuration item is a JSON object".into());
        }
        let resource_type = text(v, "resourceType").ok_or("the item has no resourceType")?.to_string();
        let conf = match field(v, "configuration") {
            Some(c) => decoded(c),
            None => return Err(format!("{resource_type} item has no configuration (select it, e.g. SELECT *)")),
        };
        if !conf.is_object() {
            return Err(format!("{resource_type} item's configuration is not an object"));
        }
        let region = text(v, "awsRegion").filter(|r| *r != "global").map(str::to_string);
        Ok(Item {
            arn: text(v, "arn").map(str::to_string),
            id: text(v, "resourceId").map(str::to_string),
            name: text(v, "resourceName").map(str::to_string),
            account: text(v, "awsAccountId").or_else(|| text(v, "accountId")).unwrap_or_default().to_string(),
            region,
            tags: tags(field(v, "tags")),
            sup: field(v, "supplementaryConfiguration").map_or(Value::Null, decoded),
            conf,
            resource_type,
        })
    }

    /// A resource of this item with its envelope filled in.
    pub fn resource(&self, uid: String, kind: &str, name: &str, file: &str) -> Resource {
        let mut r = Resource::new(uid, kind);
        r.account = self.account.clone();
        r.region = self.region.clone();
        r.name = name.to_string();
        r.tags.extend(self.tags.iter().cloned());
        r.origin = Some(Origin::Snapshot { file: file.to_string() });
        r
    }

    /// The resource's name: `resourceName`, else `resourceId`.
    pub fn display_name(&self) -> String {
        self.name.clone().or_else(|| self.id.clone()).unwrap_or_default()
    }

    /// `arn:aws:SERVICE:REGION:ACCOUNT:RESOURCE` for types whose items may lack an ARN.
    pub fn arn_or(&self, service: &str, resource: &str) -> String {
        self.arn.clone().unwrap_or_else(|| format!("arn:aws:{service}:{}:{}:{resource}", self.region.as_deref().unwrap_or(""), self.account))
    }

    /// A supplementary configuration entry, decoded; `None` when the item has none.
    pub fn supplementary(&self, key: &str) -> Option<Value> {
        field(&self.sup, key).map(decoded)
    }
}

/// A field by name, whatever its case (`dBInstanceIdentifier`, `DBInstanceIdentifier`).
pub fn field<'a>(v: &'a Value, key: &str) -> Option<&'a Value> {
    let m = v.as_object()?;
    m.get(key).or_else(|| m.iter().find(|(k, _)| k.eq_ignore_ascii_case(key)).map(|(_, v)| v)).filter(|v| !v.is_null())
}

/// A field along a path of names.
pub fn path<'a>(v: &'a Value, keys: &[&str]) -> Option<&'a Value> {
    keys.iter().try_fold(v, |v, k| field(v, k))
}

pub fn text<'a>(v: &'a Value, key: &str) -> Option<&'a str> {
    field(v, key).and_then(Value::as_str)
}

/// A boolean, also when written as `"true"`.
pub fn flag(v: &Value, key: &str) -> Option<bool> {
    match field(v, key)? {
        Value::Bool(b) => Some(*b),
        Value::String(s) => s.parse().ok(),
        _ => None,
    }
}

/// An integer, also when written as a string.
pub fn int(v: &Value, key: &str) -> Option<i64> {
    match field(v, key)? {
        Value::Number(n) => n.as_i64(),
        Value::String(s) => s.parse().ok(),
        _ => None,
    }
}

pub fn list<'a>(v: &'a Value, key: &str) -> &'a [Value] {
    field(v, key).and_then(Value::as_array).map_or(&[], Vec::as_slice)
}

pub fn strings<'a>(v: &'a Value, key: &str) -> Vec<&'a str> {
    list(v, key).iter().filter_map(Value::as_str).collect()
}

/// JSON that AWS Config wrote inside a string (sometimes twice) as the value it stands for.
pub fn decoded(v: &Value) -> Value {
    let mut v = v.clone();
    for _ in 0..3 {
        let Value::String(s) = &v else { break };
        let t = s.trim_start();
        if !(t.starts_with('{') || t.starts_with('[') || t.starts_with('"')) {
            break;
        }
        match serde_json::from_str::<Value>(s) {
            Ok(inner) => v = inner,
            Err(_) => break,
        }
    }
    v
}

/// Tags as an object (`{"k": "v"}`) or a list (`[{"key": "k", "value": "v"}]`, `[{"tag": "k=v"}]`).
fn tags(v: Option<&Value>) -> Vec<(String, String)> {
    match v {
        Some(Value::Object(m)) => m.iter().filter_map(|(k, v)| v.as_str().map(|v| (k.clone(), v.to_string()))).collect(),
        Some(Value::Array(items)) => items
            .iter()
            .filter_map(|t| match (text(t, "key"), text(t, "value"), text(t, "tag")) {
                (Some(k), Some(v), _) => Some((k.to_string(), v.to_string())),
                (_, _, Some(kv)) => kv.split_once('=').map(|(k, v)| (k.to_string(), v.to_string())),
                _ => None,
            })
            .collect(),
        _ => Vec::new(),
    }
}

/// A map of text values keyed like the `Get*Attributes` APIs (`KmsMasterKeyId`), for the
/// mappings that take an attribute map (SNS, SQS); Config may write the keys in camelCase.
pub fn text_map(v: &Value) -> std::collections::HashMap<String, String> {
    let empty = Map::new();
    v.as_object()
        .unwrap_or(&empty)
        .iter()
        .filter(|(_, v)| !v.is_null())
        .map(|(k, v)| (pascal(k), v.as_str().map_or_else(|| v.to_string(), str::to_string)))
        .collect()
}

fn pascal(k: &str) -> String {
    let mut c = k.chars();
    c.next().map_or_else(String::new, |f| f.to_ascii_uppercase().to_string() + c.as_str())
}
