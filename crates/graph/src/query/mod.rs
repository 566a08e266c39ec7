//! The cloud security explorer: a textual query over the graph (a start kind with conditions,
//! then hops along edges with conditions on the connected nodes), shipped templates, and the
//! shapes results are printed in. See [`parser`] for the syntax.

mod eval;
mod fields;
mod lexer;
pub mod parser;

pub use eval::{Compiled, Outcome, Row};
pub use parser::{parse, Ast};

use crate::insight;
use crate::model::Graph;
use crate::text::step_text;
use crate::uids::NodeId;
use serde::Serialize;

mod embedded {
    include!(concat!(env!("OUT_DIR"), "/embedded.rs"));
}

pub(crate) use embedded::PATH_DEFINITIONS;

/// A syntax or compile error, at a character column of the query.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("column {col}: {message}")]
pub struct ParseError {
    pub col: usize,
    pub message: String,
}

impl ParseError {
    /// The error under the query with a caret at its column.
    pub fn render(&self, src: &str) -> String {
        let pad = " ".repeat(self.col.saturating_sub(1));
        format!("error: {}\n  {src}\n  {pad}^", self.message)
    }
}

/// Attribute paths (without `attrs.`) a query's conditions read: the graph keeps only these.
pub fn attr_paths(ast: &Ast) -> Vec<String> {
    fn walk(e: &parser::Expr, out: &mut Vec<String>) {
        match e {
            parser::Expr::And(a, b) | parser::Expr::Or(a, b) => {
                walk(a, out);
                walk(b, out);
            }
            parser::Expr::Not(a) => walk(a, out),
            parser::Expr::Test { field, .. } => {
                if field.first().map(String::as_str) == Some("attrs") && field.len() > 1 {
                    out.push(field[1..].join("."));
                }
            }
        }
    }
    let mut out = Vec::new();
    for s in &ast.steps {
        if let Some(c) = &s.cond {
            walk(c, &mut out);
        }
    }
    out.sort();
    out.dedup();
    out
}

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct NodeOut {
    pub uid: String,
    pub kind: String,
    pub name: String,
    pub account: String,
    pub insights: Vec<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub max_severity: Option<posture_model::Severity>,
}

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct EdgeOut {
    pub from: String,
    pub to: String,
    #[serde(rename = "type")]
    pub ty: String,
    pub certainty: posture_permissions::Certainty,
    pub why: String,
}

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct RowOut {
    /// The nodes matched by the query's steps.
    pub nodes: Vec<NodeOut>,
    /// Every edge of the chain (repeated hops add intermediate nodes).
    pub edges: Vec<EdgeOut>,
    pub certainty: posture_permissions::Certainty,
}

pub fn node_out(g: &Graph, n: NodeId) -> NodeOut {
    NodeOut {
        uid: g.uid(n).to_string(),
        kind: g.kind(n).to_string(),
        name: g.name(n).to_string(),
        account: g.account(n).to_string(),
        insights: insight::names(g.node(n).flags),
        max_severity: g.max_severity(n),
    }
}

/// A row with its nodes and edges in words.
pub fn row_out(g: &Graph, r: &Row) -> RowOut {
    let edges = r
        .steps
        .iter()
        .enumerate()
        .map(|(i, s)| {
            let from = r.chain[i];
            EdgeOut {
                from: g.uid(from).to_string(),
                to: g.uid(s.node).to_string(),
                ty: g.edge_type(s.ty).to_string(),
                certainty: s.certainty,
                why: step_text(g, from, s),
            }
        })
        .collect();
    RowOut { nodes: r.marks.iter().map(|m| node_out(g, r.chain[*m])).collect(), edges, certainty: r.certainty() }
}

/// A saved query shipped in `graph/queries/`.
#[derive(Debug, Clone, Serialize)]
pub struct Template {
    pub name: String,
    pub title: String,
    pub description: String,
    pub query: String,
    pub file: String,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{file}: {message}")]
pub struct TemplateError {
    pub file: String,
    pub message: String,
}

fn template(file: &str, text: &str) -> Result<Template, TemplateError> {
    let err = |message: String| TemplateError { file: file.to_string(), message };
    let docs = yaml_rust2::YamlLoader::load_from_str(text).map_err(|e| err(e.to_string()))?;
    let doc = docs.into_iter().next().ok_or_else(|| err("empty file".into()))?;
    let get = |k: &str| doc[k].as_str().map(|s| s.trim().to_string());
    let t = Template {
        name: get("name").ok_or_else(|| err("missing `name`".into()))?,
        title: get("title").ok_or_else(|| err("missing `title`".into()))?,
        description: get("description").unwrap_or_default(),
        query: get("query").ok_or_else(|| err("missing `query`".into()))?,
        file: file.to_string(),
    };
    parse(&t.query).map_err(|e| err(format!("query {}", e)))?;
    Ok(t)
}

/// The shipped templates, by name.
pub fn templates() -> Result<Vec<Template>, TemplateError> {
    let mut out: Vec<Template> =
        embedded::QUERY_TEMPLATES.iter().map(|(f, t)| template(f, t)).collect::<Result<_, _>>()?;
    out.sort_by(|a, b| a.name.cmp(&b.name));
    Ok(out)
}
