//! Secret listings, read so that values never become data: `data` and `stringData` are parsed
//! as key names only (values skipped by the parser), and of the annotations only the service
//! account name is kept (`last-applied-configuration` repeats the values in clear text).

use super::{ListMeta, Page};
use serde::de::{Deserializer, IgnoredAny, MapAccess, Visitor};
use serde::Deserialize;
use serde_json::{json, Map, Value};
use std::collections::BTreeMap;

const SA_NAME_ANNOTATION: &str = "kubernetes.io/service-account.name";

#[derive(Deserialize)]
struct SecretList {
    #[serde(default)]
    metadata: ListMeta,
    #[serde(default)]
    items: Option<Vec<SecretItem>>,
}

#[derive(Deserialize)]
struct SecretItem {
    #[serde(default)]
    metadata: SecretMeta,
    #[serde(default, rename = "type")]
    secret_type: Option<Value>,
    #[serde(default)]
    immutable: Option<Value>,
    #[serde(default)]
    data: Option<KeyNames>,
    #[serde(default, rename = "stringData")]
    string_data: Option<KeyNames>,
}

#[derive(Deserialize, Default)]
struct SecretMeta {
    #[serde(default)]
    name: Option<String>,
    #[serde(default)]
    namespace: Option<String>,
    #[serde(default)]
    labels: Option<BTreeMap<String, String>>,
    #[serde(default, rename = "creationTimestamp")]
    created: Option<String>,
    #[serde(default)]
    annotations: Option<ServiceAccountName>,
}

/// The keys of a map whose values are skipped unread.
struct KeyNames(Vec<String>);

impl<'de> Deserialize<'de> for KeyNames {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let map = BTreeMap::<String, IgnoredAny>::deserialize(d)?;
        Ok(KeyNames(map.into_keys().collect()))
    }
}

/// The one annotation kept.
struct ServiceAccountName(Option<String>);

impl<'de> Deserialize<'de> for ServiceAccountName {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = ServiceAccountName;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("annotations")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<ServiceAccountName, A::Error> {
                let mut found = None;
                while let Some(key) = map.next_key::<String>()? {
                    if key == SA_NAME_ANNOTATION {
                        found = map.next_value::<Option<String>>()?;
                    } else {
                        map.next_value::<IgnoredAny>()?;
                    }
                }
                Ok(ServiceAccountName(found))
            }
        }
        d.deserialize_map(V)
    }
}

pub(super) fn parse_page(body: &[u8]) -> Result<Page, String> {
    let list: SecretList =
        serde_json::from_slice(body).map_err(|e| format!("the secrets list is not valid JSON: {e}"))?;
    let items = list.items.unwrap_or_default().into_iter().map(safe_object).collect();
    Ok(Page { items, next: list.metadata.next })
}

/// The Secret as the mapper reads it, with every value position empty.
fn safe_object(s: SecretItem) -> Value {
    let mut meta = Map::new();
    meta.insert("name".into(), json!(s.metadata.name));
    meta.insert("namespace".into(), json!(s.metadata.namespace));
    meta.insert("labels".into(), json!(s.metadata.labels));
    meta.insert("creationTimestamp".into(), json!(s.metadata.created));
    if let Some(sa) = s.metadata.annotations.and_then(|a| a.0) {
        meta.insert("annotations".into(), json!({ SA_NAME_ANNOTATION: sa }));
    }
    let keys =
        |k: Option<KeyNames>| k.map(|k| Value::Object(k.0.into_iter().map(|name| (name, Value::Null)).collect()));
    json!({
        "apiVersion": "v1",
        "kind": "Secret",
        "metadata": meta,
        "type": s.secret_type,
        "immutable": s.immutable,
        "data": keys(s.data),
        "stringData": keys(s.string_data),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_and_applied_configuration_never_survive_parsing() {
        let body = br#"{"kind":"SecretList","apiVersion":"v1","metadata":{"continue":"next-page"},"items":[
          {"metadata":{"name":"db","namespace":"shop","creationTimestamp":"2026-01-02T03:04:05Z",
            "annotations":{"kubectl.kubernetes.io/last-applied-configuration":"{\"data\":{\"password\":\"aHVudGVyMg==\"}}",
                           "kubernetes.io/service-account.name":"builder"}},
           "type":"kubernetes.io/service-account-token","data":{"password":"aHVudGVyMg==","token":"ZXlKaGJHY2k="}}]}"#;
        let page = parse_page(body).unwrap();
        assert_eq!(page.next.as_deref(), Some("next-page"));
        let text = serde_json::to_string(&page.items).unwrap();
        for secret in ["aHVudGVyMg", "ZXlKaGJHY2k", "last-applied"] {
            assert!(!text.contains(secret), "{secret} leaked: {text}");
        }
        assert_eq!(page.items[0]["data"], json!({"password": null, "token": null}));
        assert_eq!(page.items[0]["metadata"]["annotations"][SA_NAME_ANNOTATION], json!("builder"));
    }
}
