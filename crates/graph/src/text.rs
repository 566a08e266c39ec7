//! Edges and nodes in words, for tables, explanations and JSON.

use crate::model::{Cite, Graph, Why};
use crate::uids::NodeId;
use crate::walk::Step;

fn cite_text(g: &Graph, c: &Cite) -> String {
    let _ = g;
    format!("{} statement {}", c.what, c.statement)
}

/// One line saying why an edge holds.
pub fn why_text(g: &Graph, why: &Why) -> String {
    match why {
        Why::Exposure(e) => {
            let ports: Vec<String> = e.ports.iter().map(|p| p.to_string()).collect();
            let from = match e.width {
                crate::model::Width::Any => "any address",
                crate::model::Width::Wide => "wide public ranges",
                crate::model::Width::Narrow => "specific public ranges",
            };
            format!("{} from {from} — {}", ports.join(", "), e.steps.join("; "))
        }
        Why::Identity(how) => how.clone(),
        Why::Policy { actions, cites, denies, note } => {
            let mut s = format!("{} allowed", actions.join(", "));
            if !cites.is_empty() {
                let c: Vec<String> = cites.iter().map(|c| cite_text(g, c)).collect();
                s.push_str(&format!(" by {}", c.join("; ")));
            }
            if !denies.is_empty() {
                let d: Vec<String> = denies.iter().map(|c| cite_text(g, c)).collect();
                s.push_str(&format!("; a conditional deny may apply: {}", d.join("; ")));
            }
            if let Some(n) = note {
                s.push_str(&format!(" ({n})"));
            }
            s
        }
        Why::Escalation { method, via, detail, cites } => {
            let via = via.map(|v| format!(" via {}", g.name(v))).unwrap_or_default();
            let mut s = format!("{}{via}: {detail}", method.as_str());
            if !cites.is_empty() {
                let c: Vec<String> = cites.iter().map(|c| cite_text(g, c)).collect();
                s.push_str(&format!(" (allowed by {})", c.join("; ")));
            }
            s
        }
        Why::Broad(gi) => match g.grant(*gi) {
            Some(gr) => format!("scope-wide grant on {}", g.name(gr.scope)),
            None => "scope-wide grant".into(),
        },
        Why::Binding { binding, role, note } => {
            let mut s = format!("{role} granted by {}", g.name(*binding));
            if let Some(n) = note {
                s.push_str(&format!(" ({n})"));
            }
            s
        }
        Why::Note(n) => n.clone(),
    }
}

/// Why a walk step holds (`from` is where the step starts in the walk's direction).
pub fn step_text(g: &Graph, from: NodeId, step: &Step) -> String {
    match g.step_why(from, step, step.node) {
        Some(w) => why_text(g, &w),
        None => format!("relation {}", g.edge_type(step.ty)),
    }
}

/// `name (kind)`.
pub fn node_label(g: &Graph, n: NodeId) -> String {
    format!("{} ({})", g.name(n), g.kind(n))
}
