//! Path definitions (`graph/paths/*.yaml`): where paths start, which edges they may take, what
//! they end at, their risk category and base severity. Entry and target are query steps.

use crate::query::parse;
use posture_model::Severity;
use serde::Serialize;
use yaml_rust2::{Yaml, YamlLoader};

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Category {
    CredentialsExposure,
    ComputeAbuse,
    DataExposure,
    AccountTakeover,
}

impl Category {
    pub const ALL: [Category; 4] =
        [Category::AccountTakeover, Category::DataExposure, Category::CredentialsExposure, Category::ComputeAbuse];

    pub fn as_str(self) -> &'static str {
        match self {
            Category::CredentialsExposure => "credentials_exposure",
            Category::ComputeAbuse => "compute_abuse",
            Category::DataExposure => "data_exposure",
            Category::AccountTakeover => "account_takeover",
        }
    }

    pub fn title(self) -> &'static str {
        match self {
            Category::CredentialsExposure => "Credentials exposure",
            Category::ComputeAbuse => "Compute abuse",
            Category::DataExposure => "Data exposure",
            Category::AccountTakeover => "Account takeover",
        }
    }

    pub fn parse(s: &str) -> Option<Category> {
        Category::ALL.into_iter().find(|c| c.as_str() == s)
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct Definition {
    pub id: String,
    pub title: String,
    pub description: String,
    pub category: Category,
    pub severity: Severity,
    pub entry: String,
    /// Prepend the Internet and the entry's exposure.
    pub from_internet: bool,
    pub hops: Vec<String>,
    pub target: String,
    pub final_edges: Vec<String>,
    pub max_depth: u32,
    pub file: String,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{file}: {message}")]
pub struct DefinitionError {
    pub file: String,
    pub message: String,
}

fn list(y: &Yaml) -> Vec<String> {
    match y {
        Yaml::Array(a) => a.iter().filter_map(|v| v.as_str().map(str::to_string)).collect(),
        Yaml::String(s) => vec![s.clone()],
        _ => Vec::new(),
    }
}

const KEYS: &[&str] = &[
    "id",
    "title",
    "description",
    "category",
    "severity",
    "entry",
    "from_internet",
    "hops",
    "target",
    "final",
    "max_depth",
];

/// Parses one definition file.
pub fn parse_definition(file: &str, text: &str) -> Result<Definition, DefinitionError> {
    let err = |message: String| DefinitionError { file: file.to_string(), message };
    let docs = YamlLoader::load_from_str(text).map_err(|e| err(e.to_string()))?;
    let doc = docs.into_iter().next().ok_or_else(|| err("empty file".into()))?;
    let Yaml::Hash(map) = &doc else {
        return Err(err("a path definition is a mapping".into()));
    };
    for k in map.keys() {
        let key = k.as_str().unwrap_or("");
        if !KEYS.contains(&key) {
            return Err(err(format!("unknown key `{key}` (expected one of: {})", KEYS.join(", "))));
        }
    }
    let get = |k: &str| doc[k].as_str().map(|s| s.trim().to_string());
    let need = |k: &str| get(k).ok_or_else(|| err(format!("missing `{k}`")));
    let category = need("category")?;
    let severity = need("severity")?;
    let d = Definition {
        id: need("id")?,
        title: need("title")?,
        description: get("description").unwrap_or_default(),
        category: Category::parse(&category).ok_or_else(|| {
            err(format!(
                "unknown category `{category}` (credentials_exposure, compute_abuse, data_exposure, account_takeover)"
            ))
        })?,
        severity: severity.parse().map_err(|e: posture_model::ParseSeverityError| err(e.to_string()))?,
        entry: need("entry")?,
        from_internet: doc["from_internet"].as_bool().unwrap_or(false),
        hops: list(&doc["hops"]),
        target: need("target")?,
        final_edges: list(&doc["final"]),
        max_depth: doc["max_depth"].as_i64().unwrap_or(4).clamp(1, 8) as u32,
        file: file.to_string(),
    };
    for (what, q) in [("entry", &d.entry), ("target", &d.target)] {
        let ast = parse(q).map_err(|e| err(format!("{what}: {e}")))?;
        if !ast.hops.is_empty() {
            return Err(err(format!("{what} must be one node step, without hops")));
        }
    }
    if d.final_edges.is_empty() {
        return Err(err("`final` must name at least one edge type".into()));
    }
    Ok(d)
}

/// The shipped definitions, plus those of `extra` files.
pub fn definitions(extra: &[(String, String)]) -> Result<Vec<Definition>, DefinitionError> {
    let mut out = Vec::new();
    for (f, t) in crate::query::PATH_DEFINITIONS {
        out.push(parse_definition(f, t)?);
    }
    for (f, t) in extra {
        out.push(parse_definition(f, t)?);
    }
    let mut ids: Vec<&str> = out.iter().map(|d| d.id.as_str()).collect();
    ids.sort_unstable();
    if let Some(w) = ids.windows(2).find(|w| w[0] == w[1]) {
        return Err(DefinitionError {
            file: "graph/paths".into(),
            message: format!("duplicate definition id `{}`", w[0]),
        });
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shipped_definitions_parse_and_cover_every_category() {
        let defs = definitions(&[]).unwrap();
        assert!(defs.len() >= 6);
        for c in Category::ALL {
            assert!(defs.iter().any(|d| d.category == c), "no definition for {}", c.as_str());
        }
    }

    #[test]
    fn bad_definitions_are_clear_errors() {
        let ok =
            "id: x\ntitle: t\ncategory: data_exposure\nseverity: high\nentry: '*'\ntarget: '*'\nfinal: [can_read]\n";
        assert!(parse_definition("f.yaml", ok).is_ok());
        let e = parse_definition("f.yaml", &ok.replace("data_exposure", "nope")).unwrap_err();
        assert!(e.to_string().starts_with("f.yaml: unknown category"), "{e}");
        let e = parse_definition("f.yaml", &format!("{ok}colour: red\n")).unwrap_err();
        assert!(e.message.contains("unknown key `colour`"));
        let e = parse_definition("f.yaml", &ok.replace("entry: '*'", "entry: '* -x-> *'")).unwrap_err();
        assert!(e.message.contains("one node step"));
        let e = parse_definition("f.yaml", &ok.replace("entry: '*'", "entry: '*['")).unwrap_err();
        assert!(e.message.starts_with("entry: column"), "{e}");
        assert!(parse_definition("f.yaml", "- a\n").is_err());
        assert!(parse_definition("f.yaml", &ok.replace("final: [can_read]\n", "")).is_err());
    }
}
