//! The registry of canonical kinds (DESIGN §2): one JSON Schema of `attrs` per kind, embedded from
//! `schema/kinds/`. Adapters' tests validate what they produce with [`KindRegistry::validate`].

use posture_model::Resource;
use serde_json::Value;
use std::collections::BTreeMap;

mod embedded {
    include!(concat!(env!("OUT_DIR"), "/kinds.rs"));
}

#[derive(Debug, thiserror::Error)]
pub enum SchemaError {
    #[error("schema/kinds/{kind}.json: {message}")]
    BadSchema { kind: String, message: String },
}

pub struct KindRegistry {
    schemas: BTreeMap<String, Value>,
}

impl KindRegistry {
    /// The kinds shipped with Posture.
    pub fn builtin() -> Result<KindRegistry, SchemaError> {
        let mut schemas = BTreeMap::new();
        for (kind, text) in embedded::KIND_SCHEMAS {
            let schema: Value = serde_json::from_str(text).map_err(|e| SchemaError::BadSchema {
                kind: kind.to_string(),
                message: e.to_string(),
            })?;
            schemas.insert(kind.to_string(), schema);
        }
        Ok(KindRegistry { schemas })
    }

    pub fn is_known(&self, kind: &str) -> bool {
        self.schemas.contains_key(kind)
    }

    pub fn kinds(&self) -> impl Iterator<Item = &str> {
        self.schemas.keys().map(String::as_str)
    }

    pub fn schema(&self, kind: &str) -> Option<&Value> {
        self.schemas.get(kind)
    }

    /// Every way `resource` departs from the canonical model; empty when it conforms.
    pub fn validate(&self, resource: &Resource) -> Vec<String> {
        let mut problems = envelope_problems(resource);
        let Some(schema) = self.schemas.get(&resource.kind) else {
            problems.push(format!("unknown kind '{}'", resource.kind));
            return problems;
        };
        match jsonschema::validator_for(schema) {
            Ok(validator) => {
                let attrs = Value::Object(resource.attrs.clone());
                problems.extend(
                    validator
                        .iter_errors(&attrs)
                        .map(|e| format!("attrs{}: {e}", e.instance_path)),
                );
            }
            Err(e) => problems.push(format!("schema of {} does not compile: {e}", resource.kind)),
        }
        problems
    }
}

fn envelope_problems(r: &Resource) -> Vec<String> {
    let mut out = Vec::new();
    if r.uid.trim().is_empty() {
        out.push("uid is empty".to_string());
    }
    let parts: Vec<&str> = r.kind.split('.').collect();
    if parts.len() != 3 || parts.iter().any(|p| p.is_empty()) {
        out.push(format!("kind '{}' is not provider.service.type", r.kind));
    }
    if parts.first() != Some(&r.provider.as_str()) {
        out.push(format!("provider '{}' does not match kind '{}'", r.provider, r.kind));
    }
    if r.account.trim().is_empty() {
        out.push("account is empty".to_string());
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn every_schema_compiles_and_documents_its_properties() {
        let reg = KindRegistry::builtin().unwrap();
        assert!(reg.kinds().count() >= 20, "only {} kinds", reg.kinds().count());
        for kind in reg.kinds() {
            let schema = reg.schema(kind).unwrap();
            jsonschema::validator_for(schema).unwrap_or_else(|e| panic!("{kind}: {e}"));
            assert_eq!(schema["title"], json!(kind), "{kind}: title must be the kind");
            assert!(schema["properties"].is_object(), "{kind}: no properties");
        }
    }

    #[test]
    fn validation_reports_envelope_and_attribute_problems() {
        let reg = KindRegistry::builtin().unwrap();
        let mut r = Resource::new("", "aws.s3.bucket");
        r.attrs = json!({"no_such_attribute": 1}).as_object().unwrap().clone();
        let problems = reg.validate(&r);
        assert!(problems.iter().any(|p| p == "uid is empty"), "{problems:?}");
        assert!(problems.iter().any(|p| p == "account is empty"), "{problems:?}");
        assert!(problems.iter().any(|p| p.contains("no_such_attribute")), "{problems:?}");
        let unknown = Resource::new("x", "aws.s3.buckt");
        assert!(reg.validate(&unknown).iter().any(|p| p.contains("unknown kind")));
    }
}
