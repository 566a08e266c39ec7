//! One rule file: metadata, the compiled `applies_if` and `check`, and its examples.

use crate::cond::{compile, Compiled, Ctx, Lookup};
use crate::outcome::Outcome;
use crate::template::{check_template, fill_template};
use crate::yaml::{parse, Node, NodeValue};
use posture_model::{Evidence, Resource, ResultState, Severity};
use serde::Serialize;
use std::collections::BTreeMap;
use std::sync::{Arc, LazyLock};

#[derive(Debug, Clone, Serialize)]
pub struct Remediation {
    pub text: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cli: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub terraform: Option<String>,
}

/// The descriptive part of a rule, shown to users and stored with findings.
#[derive(Debug, Clone, Serialize)]
pub struct RuleMeta {
    pub id: String,
    pub title: String,
    pub severity: Severity,
    pub kinds: Vec<String>,
    pub control: String,
    pub benchmark: Vec<String>,
    pub frameworks: BTreeMap<String, Vec<String>>,
    pub description: String,
    pub risk: String,
    pub remediation: Remediation,
    /// The file the rule was read from.
    pub source: String,
}

pub struct Examples {
    pub healthy: Vec<Node>,
    pub unhealthy: Vec<Node>,
    pub unknown: Vec<Node>,
    pub not_applicable: Vec<Node>,
    /// The scan time the examples are evaluated at (`examples.now`), Unix seconds.
    pub now: Option<i64>,
}

pub struct Rule {
    pub meta: RuleMeta,
    /// Lines of `id` and `control`, for errors found when rules are checked together.
    pub(crate) id_line: usize,
    pub(crate) control_line: usize,
    /// Every requirement id in `benchmark` and `frameworks`, with its line.
    pub(crate) refs: Vec<MappingRef>,
    pub applies_if: Option<Compiled>,
    /// `applies_if` as canonical JSON: rules with the same text share one verdict per resource.
    pub(crate) applies_text: Option<String>,
    /// Index of `applies_text` among the distinct ones of a [`crate::RuleSet`] (set by it).
    pub(crate) applies_id: Option<u32>,
    pub check: Compiled,
    pub examples: Examples,
}

/// One requirement a rule claims to check: `framework` is a key of `frameworks`, or `None` for an
/// id of the `benchmark` list (the default benchmark).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MappingRef {
    pub framework: Option<String>,
    pub id: String,
    pub line: usize,
}

/// The result of one rule on one resource.
#[derive(Debug, Clone, PartialEq)]
pub struct Evaluation {
    pub state: ResultState,
    pub evidence: Option<Evidence>,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{file}:{line}: {message}")]
pub struct RuleError {
    pub file: String,
    pub line: usize,
    pub message: String,
}

const KEYS: &[&str] = &[
    "id", "title", "severity", "kinds", "control", "benchmark", "frameworks", "description", "risk",
    "remediation", "applies_if", "check", "examples",
];

impl Rule {
    /// Parses and compiles a rule file. `file` names it in errors.
    pub fn parse(file: &str, text: &str) -> Result<Rule, RuleError> {
        let at = |line: usize, message: String| RuleError {
            file: file.to_string(),
            line,
            message,
        };
        let root = parse(text).map_err(|e| at(e.line, e.message))?;
        let Some(map) = root.as_map() else {
            return Err(at(root.line, "a rule file must be a mapping".into()));
        };
        for (key, value) in map {
            if !KEYS.contains(&key.as_str()) {
                return Err(at(value.line, format!("unknown key '{key}' (expected one of: {})", KEYS.join(", "))));
            }
        }
        let req = |key: &str| root.get(key).ok_or_else(|| at(root.line, format!("missing required key '{key}'")));
        let text_of = |key: &str| -> Result<String, RuleError> {
            let n = req(key)?;
            match n.as_str() {
                Some(s) if !s.trim().is_empty() => Ok(s.trim().to_string()),
                _ => Err(at(n.line, format!("'{key}' must be a non-empty string"))),
            }
        };
        let sev_node = req("severity")?;
        let severity = sev_node
            .as_str()
            .unwrap_or_default()
            .parse::<Severity>()
            .map_err(|e| at(sev_node.line, e.to_string()))?;
        let kinds = string_list(req("kinds")?).map_err(|(l, m)| at(l, format!("kinds: {m}")))?;
        if kinds.is_empty() {
            return Err(at(req("kinds")?.line, "kinds must list at least one kind".into()));
        }
        let meta = RuleMeta {
            id: text_of("id")?,
            title: text_of("title")?,
            severity,
            kinds,
            control: text_of("control")?,
            benchmark: match root.get("benchmark") {
                Some(n) => string_list(n).map_err(|(l, m)| at(l, format!("benchmark: {m}")))?,
                None => Vec::new(),
            },
            frameworks: frameworks(root.get("frameworks")).map_err(|(l, m)| at(l, m))?,
            description: text_of("description")?,
            risk: text_of("risk")?,
            remediation: remediation(req("remediation")?).map_err(|(l, m)| at(l, m))?,
            source: file.to_string(),
        };
        let cond_err = |e: crate::cond::CondError| at(e.line, e.message);
        let applies_if = match root.get("applies_if") {
            Some(n) => Some(compile(n).map_err(cond_err)?),
            None => None,
        };
        if let (Some(n), Some(a)) = (root.get("applies_if"), &applies_if) {
            if !a.scoped.is_empty() {
                return Err(at(n.line, "applies_if cannot count within an account: put that count in check".into()));
            }
        }
        let check = compile(req("check")?).map_err(cond_err)?;
        let examples = examples(req("examples")?).map_err(|(l, m)| at(l, m))?;
        let uses_time = check.uses_time || applies_if.as_ref().is_some_and(|a| a.uses_time);
        if uses_time && examples.now.is_none() {
            let line = req("examples")?.line;
            return Err(at(line, "the rule compares dates with the scan time: set examples.now (e.g. now: 2026-11-28T09:00:00Z) so that its examples stay true".into()));
        }
        let line_of = |key: &str| root.get(key).map_or(root.line, |n| n.line);
        Ok(Rule {
            id_line: line_of("id"),
            control_line: line_of("control"),
            refs: mapping_refs(&root),
            meta,
            applies_if,
            applies_text: root.get("applies_if").map(|n| n.to_json().to_string()),
            applies_id: None,
            check,
            examples,
        })
    }

    /// True when a relation must be walked: such rules need the other resources.
    pub fn uses_related(&self) -> bool {
        !self.check.related.is_empty()
            || self.applies_if.as_ref().is_some_and(|a| !a.related.is_empty())
    }

    /// True when the check counts resources within an account (`count: {within: ...}`): such
    /// rules are decided once the whole scan has been counted.
    pub fn uses_scope(&self) -> bool {
        !self.check.scoped.is_empty()
    }

    /// The remediation with `{{name}}`, `{{attrs.x.y}}`, `{{tags.k}}` … filled in for `resource`.
    pub fn remediation_for(&self, resource: &Resource) -> Remediation {
        let r = &self.meta.remediation;
        Remediation {
            text: fill_template(&r.text, resource),
            cli: r.cli.as_deref().map(|t| fill_template(t, resource)),
            terraform: r.terraform.as_deref().map(|t| fill_template(t, resource)),
        }
    }

    /// The requirement ids of `benchmark` and `frameworks`, each with the line it is written on.
    pub fn mapping_refs(&self) -> &[MappingRef] {
        &self.refs
    }

    /// Whether the rule applies to `resource`: its kind is one of the rule's and `applies_if`, if
    /// any, holds (an undecidable `applies_if` does not).
    pub fn applies_to(&self, resource: &Resource, lookup: &dyn Lookup) -> bool {
        self.applies_to_at(resource, lookup, None)
    }

    /// [`Rule::applies_to`] with time operators judged at `now` (Unix seconds; `None`: the clock).
    pub fn applies_to_at(&self, resource: &Resource, lookup: &dyn Lookup, now: Option<i64>) -> bool {
        if !self.meta.kinds.contains(&resource.kind) {
            return false;
        }
        let Some(cond) = &self.applies_if else { return true };
        let ctx = Ctx {
            resource,
            element: None,
            lookup,
            evidence: false,
            now,
        };
        matches!(cond.eval(&ctx), Outcome::Pass)
    }

    /// Evaluates the rule, with time operators judged against the wall clock.
    pub fn evaluate(&self, resource: &Resource, lookup: &dyn Lookup) -> Evaluation {
        self.evaluate_at(resource, lookup, None)
    }

    /// Evaluates the rule with time operators judged at `now` (Unix seconds; `None`: the clock).
    pub fn evaluate_at(&self, resource: &Resource, lookup: &dyn Lookup, now: Option<i64>) -> Evaluation {
        if !self.meta.kinds.contains(&resource.kind) {
            return Evaluation {
                state: ResultState::NotApplicable,
                evidence: None,
            };
        }
        self.evaluate_applicable_at(resource, lookup, now)
    }

    /// [`Rule::evaluate`] for a resource already known to be of one of the rule's kinds
    /// (as [`crate::RuleSet::for_kind`] gives them).
    pub fn evaluate_applicable(&self, resource: &Resource, lookup: &dyn Lookup) -> Evaluation {
        self.evaluate_applicable_at(resource, lookup, None)
    }

    /// [`Rule::evaluate_applicable`] with time operators judged at `now`.
    pub fn evaluate_applicable_at(&self, resource: &Resource, lookup: &dyn Lookup, now: Option<i64>) -> Evaluation {
        self.evaluate_memo(resource, lookup, now, &mut AppliesMemo::default())
    }

    /// [`Rule::evaluate_applicable_at`] for one of several rules run on the same resource: an
    /// `applies_if` that another rule of the set shares is judged once (`memo` is per resource).
    pub fn evaluate_memo(&self, resource: &Resource, lookup: &dyn Lookup, now: Option<i64>, memo: &mut AppliesMemo) -> Evaluation {
        let ctx = Ctx {
            resource,
            element: None,
            lookup,
            evidence: true,
            now,
        };
        if let Some(cond) = &self.applies_if {
            // Only the verdict of `applies_if` is kept: it needs no evidence.
            let judge = || cond.eval(&Ctx { evidence: false, ..ctx });
            let verdict = match self.applies_id {
                Some(id) => memo.get_or(id, judge),
                None => judge(),
            };
            match verdict {
                Outcome::Pass => {}
                Outcome::Fail(_) => {
                    return Evaluation {
                        state: ResultState::NotApplicable,
                        evidence: None,
                    }
                }
                other => return to_evaluation(other),
            }
        }
        to_evaluation(self.check.eval(&ctx))
    }
}

/// The verdicts of the `applies_if` conditions already judged on one resource.
#[derive(Default)]
pub struct AppliesMemo {
    seen: Vec<(u32, Outcome)>,
}

impl AppliesMemo {
    /// Forgets every verdict: the next rules run on another resource.
    pub fn clear(&mut self) {
        self.seen.clear();
    }

    fn get_or(&mut self, id: u32, judge: impl FnOnce() -> Outcome) -> Outcome {
        if let Some((_, o)) = self.seen.iter().find(|(i, _)| *i == id) {
            return o.clone();
        }
        let o = judge();
        self.seen.push((id, o.clone()));
        o
    }
}

/// Shared by every unknown result: one allocation, not one per result.
static UNPROVIDED: LazyLock<Arc<str>> = LazyLock::new(|| Arc::from("a value the source did not provide"));

fn to_evaluation(outcome: Outcome) -> Evaluation {
    let (state, evidence) = match outcome {
        Outcome::Pass => (ResultState::Pass, None),
        Outcome::Fail(Some(f)) => (
            ResultState::Fail,
            Some(Evidence {
                path: f.path,
                value: f.value,
                expected: f.expected,
            }),
        ),
        Outcome::Fail(None) => (
            ResultState::Fail,
            Some(Evidence {
                path: Arc::from("(condition)"),
                value: None,
                expected: "the rule's check".into(),
            }),
        ),
        Outcome::Unknown(path) => (
            ResultState::Unknown,
            Some(Evidence {
                path,
                value: None,
                expected: UNPROVIDED.clone(),
            }),
        ),
        Outcome::Error(msg) => (
            ResultState::Error,
            Some(Evidence {
                path: Arc::from(msg.split(':').next().unwrap_or_default()),
                value: None,
                expected: msg,
            }),
        ),
    };
    Evaluation { state, evidence }
}

type Located<T> = Result<T, (usize, String)>;

/// Collects the ids of `benchmark` and `frameworks` with their lines (already validated as lists
/// of scalars by [`string_list`]; anything else is skipped here).
fn mapping_refs(root: &Node) -> Vec<MappingRef> {
    let items = |node: &Node, framework: Option<&str>| -> Vec<MappingRef> {
        node.as_seq()
            .unwrap_or_default()
            .iter()
            .filter_map(|i| {
                let id = match &i.value {
                    NodeValue::Str(s) => s.clone(),
                    NodeValue::Int(n) => n.to_string(),
                    _ => return None,
                };
                Some(MappingRef { framework: framework.map(str::to_string), id, line: i.line })
            })
            .collect()
    };
    let mut refs = root.get("benchmark").map(|b| items(b, None)).unwrap_or_default();
    for (key, list) in root.get("frameworks").and_then(Node::as_map).unwrap_or_default() {
        refs.extend(items(list, Some(key)));
    }
    refs
}

fn string_list(node: &Node) -> Located<Vec<String>> {
    let Some(items) = node.as_seq() else {
        return Err((node.line, format!("expected a list of strings, found {}", node.type_name())));
    };
    items
        .iter()
        .map(|i| match &i.value {
            NodeValue::Str(s) => Ok(s.clone()),
            NodeValue::Int(n) => Ok(n.to_string()),
            // `1.10` would read as 1.1: a control id must be written as a string.
            NodeValue::Float(f) => Err((i.line, format!("this reads as the number {f}: quote ids (\"1.10\" stays 1.10, unquoted it becomes 1.1)"))),
            _ => Err((i.line, format!("expected a string, found {}", i.type_name()))),
        })
        .collect()
}

fn frameworks(node: Option<&Node>) -> Located<BTreeMap<String, Vec<String>>> {
    let Some(node) = node else {
        return Ok(BTreeMap::new());
    };
    let Some(map) = node.as_map() else {
        return Err((node.line, "frameworks must map a framework id to a list of control ids".into()));
    };
    map.iter()
        .map(|(k, v)| string_list(v).map(|l| (k.clone(), l)))
        .collect()
}

fn remediation(node: &Node) -> Located<Remediation> {
    let Some(map) = node.as_map() else {
        return Err((node.line, "remediation must be a mapping with text, cli, terraform".into()));
    };
    let mut rem = Remediation {
        text: String::new(),
        cli: None,
        terraform: None,
    };
    for (k, v) in map {
        let s = v
            .as_str()
            .map(|s| s.trim().to_string())
            .ok_or((v.line, format!("remediation.{k} must be a string")))?;
        check_template(&s).map_err(|m| (v.line, format!("remediation.{k}: {m}")))?;
        match k.as_str() {
            "text" => rem.text = s,
            "cli" => rem.cli = Some(s),
            "terraform" => rem.terraform = Some(s),
            other => return Err((v.line, format!("unknown key 'remediation.{other}' (expected text, cli, terraform)"))),
        }
    }
    if rem.text.is_empty() {
        return Err((node.line, "remediation.text is required".into()));
    }
    Ok(rem)
}

fn examples(node: &Node) -> Located<Examples> {
    let Some(map) = node.as_map() else {
        return Err((node.line, "examples must be a mapping with healthy and unhealthy lists".into()));
    };
    let mut ex = Examples {
        healthy: Vec::new(),
        unhealthy: Vec::new(),
        unknown: Vec::new(),
        not_applicable: Vec::new(),
        now: None,
    };
    for (k, v) in map {
        if k == "now" {
            let at = v.as_str().and_then(crate::time::parse_time);
            ex.now = Some(at.ok_or((v.line, "examples.now must be an RFC 3339 date-time or a YYYY-MM-DD date".to_string()))?);
            continue;
        }
        let items = v
            .as_seq()
            .ok_or((v.line, format!("examples.{k} must be a list")))?
            .to_vec();
        match k.as_str() {
            "healthy" => ex.healthy = items,
            "unhealthy" => ex.unhealthy = items,
            "unknown" => ex.unknown = items,
            "not_applicable" => ex.not_applicable = items,
            other => return Err((v.line, format!("unknown key 'examples.{other}' (expected healthy, unhealthy, unknown, not_applicable, now)"))),
        }
    }
    if ex.healthy.is_empty() || ex.unhealthy.is_empty() {
        return Err((node.line, "examples need at least one healthy and one unhealthy resource".into()));
    }
    Ok(ex)
}
