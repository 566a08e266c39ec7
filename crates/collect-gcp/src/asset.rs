//! The envelope of a Cloud Asset Inventory asset, in both spellings: `gcloud asset export` writes
//! snake_case (`asset_type`, `iam_policy`), the REST API and `gcloud asset list` camelCase
//! (`assetType`, `iamPolicy`). Resource names and self links are turned into CAI full names.

use posture_collect_cloud::json::{get, str_at, strings_at};
use serde_json::Value;

/// Pseudo asset type of a marker line written by the live collector: the asset types in `types`
/// were listed in full under the scope in `name` (resource content), and those in
/// `iam_policy_types` had their IAM policies listed there.
pub const LISTED: &str = "posture.listed";

pub struct Asset<'a> {
    pub v: &'a Value,
    /// CAI full resource name, e.g. `//storage.googleapis.com/projects/_/buckets/b`.
    pub name: String,
    pub asset_type: String,
    /// `resource.data`, when the line carries resource content.
    pub data: Option<&'a Value>,
    pub location: Option<String>,
    /// `iamPolicy`, when the line carries one.
    pub iam: Option<&'a Value>,
    /// `projects/NUMBER`, `folders/N`, `organizations/N`, closest first.
    pub ancestors: Vec<String>,
}

fn member<'a>(v: &'a Value, snake: &str, camel: &str) -> Option<&'a Value> {
    get(v, snake).or_else(|| get(v, camel)).filter(|x| !x.is_null())
}

impl<'a> Asset<'a> {
    pub fn parse(v: &'a Value) -> Result<Asset<'a>, String> {
        if !v.is_object() {
            return Err("line is not a JSON object".into());
        }
        let name = str_at(v, &["name"]).filter(|n| !n.is_empty()).ok_or("asset has no `name`")?.to_string();
        let asset_type = member(v, "asset_type", "assetType").and_then(Value::as_str).ok_or("asset has no `asset_type`")?.to_string();
        let resource = get(v, "resource").filter(|r| r.is_object());
        let data = resource.and_then(|r| get(r, "data")).filter(|d| d.is_object());
        let location = resource.and_then(|r| str_at(r, &["location"])).filter(|l| !l.is_empty()).map(str::to_ascii_lowercase);
        let iam = member(v, "iam_policy", "iamPolicy").filter(|p| p.is_object());
        let ancestors = strings_at(v, &["ancestors"]);
        Ok(Asset { v, name, asset_type, data, location, iam, ancestors })
    }

    /// `projects/NUMBER` of the asset (itself for a project), when CAI says.
    pub fn project_ancestor(&self) -> Option<&str> {
        self.ancestors.iter().find(|a| a.starts_with("projects/")).map(String::as_str)
    }
}

/// The segment after `key/` in a resource name (`projects`, `zones`, …).
pub fn segment_after<'s>(name: &'s str, key: &str) -> Option<&'s str> {
    let mut parts = name.split('/');
    while let Some(p) = parts.next() {
        if p == key {
            return parts.next().filter(|s| !s.is_empty());
        }
    }
    None
}

pub fn last_segment(name: &str) -> &str {
    name.trim_end_matches('/').rsplit('/').next().unwrap_or_default()
}

/// A Compute Engine URL or partial name → CAI full name:
/// `https://www.googleapis.com/compute/v1/projects/p/global/networks/n` and `projects/p/global/networks/n`
/// → `//compute.googleapis.com/projects/p/global/networks/n`.
pub fn compute_name(url: &str) -> Option<String> {
    if url.starts_with("//") {
        return Some(url.to_string());
    }
    let at = url.find("projects/")?;
    Some(format!("//compute.googleapis.com/{}", &url[at..]))
}

/// A Cloud KMS key name (possibly with `/cryptoKeyVersions/N`) → the CryptoKey's CAI name.
pub fn kms_key_name(key: &str) -> Option<String> {
    let key = key.trim();
    let at = key.find("projects/")?;
    let rest = &key[at..];
    let rest = rest.split("/cryptoKeyVersions/").next().unwrap_or(rest);
    Some(format!("//cloudkms.googleapis.com/{rest}"))
}

pub fn bucket_name(bucket: &str) -> String {
    format!("//storage.googleapis.com/projects/_/buckets/{bucket}")
}

pub fn project_name(number: &str) -> String {
    format!("//cloudresourcemanager.googleapis.com/projects/{number}")
}

/// A zone (`europe-west1-b`) → its region; other locations unchanged.
pub fn region_of(location: &str) -> String {
    let parts: Vec<&str> = location.split('-').collect();
    match parts.as_slice() {
        [a, b, z] if z.len() == 1 && z.chars().all(|c| c.is_ascii_lowercase()) => format!("{a}-{b}"),
        _ => location.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn both_spellings_parse() {
        let snake = json!({"name": "//x/y", "asset_type": "t", "resource": {"data": {"a": 1}, "location": "EU"}, "iam_policy": {"bindings": []}, "ancestors": ["projects/1"]});
        let a = Asset::parse(&snake).unwrap();
        assert!(a.data.is_some() && a.iam.is_some());
        assert_eq!((a.location.as_deref(), a.project_ancestor()), (Some("eu"), Some("projects/1")));
        let camel = json!({"name": "//x/y", "assetType": "t", "iamPolicy": {"bindings": []}});
        let a = Asset::parse(&camel).unwrap();
        assert!(a.data.is_none() && a.iam.is_some());
        assert!(Asset::parse(&json!({"name": "x"})).is_err());
        assert!(Asset::parse(&json!([1])).is_err());
    }

    #[test]
    fn names() {
        assert_eq!(
            compute_name("https://www.googleapis.com/compute/v1/projects/p/global/networks/n").as_deref(),
            Some("//compute.googleapis.com/projects/p/global/networks/n")
        );
        assert_eq!(
            kms_key_name("projects/p/locations/l/keyRings/r/cryptoKeys/k/cryptoKeyVersions/3").as_deref(),
            Some("//cloudkms.googleapis.com/projects/p/locations/l/keyRings/r/cryptoKeys/k")
        );
        assert_eq!(region_of("europe-west1-b"), "europe-west1");
        assert_eq!(region_of("us-central1"), "us-central1");
        assert_eq!(region_of("eu"), "eu");
        assert_eq!(segment_after("//compute.googleapis.com/projects/p1/zones/z/instances/i", "projects"), Some("p1"));
    }
}
