//! Reading the role catalogues shipped as YAML under `graph/permissions/`.

use yaml_rust2::{Yaml, YamlLoader};

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{file}: {message}")]
pub struct DataError {
    pub file: String,
    pub message: String,
}

/// The top-level list of mappings of a catalogue file.
pub fn entries(file: &str, text: &str) -> Result<Vec<Yaml>, DataError> {
    let err = |message: String| DataError { file: file.to_string(), message };
    let docs = YamlLoader::load_from_str(text).map_err(|e| err(e.to_string()))?;
    match docs.into_iter().next() {
        Some(Yaml::Array(items)) => Ok(items),
        Some(Yaml::Null) | None => Ok(Vec::new()),
        Some(_) => Err(err("expected a list of entries".into())),
    }
}

pub fn str_of<'a>(y: &'a Yaml, key: &str) -> Option<&'a str> {
    y[key].as_str()
}

/// A list of strings (absent → empty).
pub fn strs(y: &Yaml, key: &str) -> Vec<String> {
    match &y[key] {
        Yaml::Array(a) => a.iter().filter_map(|v| v.as_str().map(str::to_string)).collect(),
        Yaml::String(s) => vec![s.clone()],
        _ => Vec::new(),
    }
}
