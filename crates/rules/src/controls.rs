//! Security controls of the secure score, as data (`standards/controls.yaml`).

use crate::yaml::{parse, Node};
use serde::Serialize;

#[derive(Debug, Clone, Serialize)]
pub struct Control {
    pub id: String,
    pub title: String,
    pub max_points: f64,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{file}:{line}: {message}")]
pub struct ControlsError {
    pub file: String,
    pub line: usize,
    pub message: String,
}

pub fn parse_controls(file: &str, text: &str) -> Result<Vec<Control>, ControlsError> {
    let at = |line, message: &str| ControlsError {
        file: file.to_string(),
        line,
        message: message.to_string(),
    };
    let root = parse(text).map_err(|e| at(e.line, &e.message))?;
    let list = root
        .get("controls")
        .and_then(Node::as_seq)
        .ok_or_else(|| at(root.line, "expected a 'controls' list"))?;
    let mut out: Vec<Control> = Vec::new();
    for item in list {
        let text = |k: &str| item.get(k).and_then(Node::as_str).map(str::to_string);
        let (Some(id), Some(title)) = (text("id"), text("title")) else {
            return Err(at(item.line, "a control needs an id and a title"));
        };
        let max_points = match item.get("max_points").map(Node::to_json) {
            Some(v) if v.as_f64().is_some_and(|p| p >= 0.0) => v.as_f64().unwrap_or_default(),
            _ => return Err(at(item.line, "max_points must be a number >= 0")),
        };
        if out.iter().any(|c| c.id == id) {
            return Err(at(item.line, &format!("duplicate control '{id}'")));
        }
        out.push(Control { id, title, max_points });
    }
    Ok(out)
}
