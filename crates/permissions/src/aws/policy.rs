//! An IAM policy document compiled from the canonical normalised shape
//! (`schema/kinds/aws.iam.policy.json#/$defs/policy_document`): identity, resource and trust
//! policies, SCPs and permission boundaries all use it.

use crate::wildcard::Pattern;
use serde_json::Value;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PolicyError {
    #[error("policy document is not an object")]
    NotObject,
    #[error("policy document has no `statements` list (expected the normalised shape)")]
    NoStatements,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Effect {
    Allow,
    Deny,
}

/// `Action` or `NotAction`, `Resource` or `NotResource`.
#[derive(Debug, Clone)]
pub enum Match {
    Only(Vec<Pattern>),
    Not(Vec<Pattern>),
    /// Neither written: trust policies and some resource policies name no resource.
    Implicit,
}

/// Principals of one type list; `*` in `aws` is everyone.
#[derive(Debug, Clone, Default)]
pub struct Principals {
    pub aws: Vec<Pattern>,
    pub service: Vec<String>,
    pub federated: Vec<String>,
}

#[derive(Debug, Clone)]
pub enum PrincipalMatch {
    Only(Principals),
    Not(Principals),
}

/// One flattened condition: `ForAnyValue:StringLike` → set `ForAnyValue`, operator `StringLike`.
#[derive(Debug, Clone)]
pub struct Condition {
    pub operator: String,
    pub if_exists: bool,
    pub set: SetOp,
    /// Lower case: condition keys are case-insensitive.
    pub key: String,
    pub values: Vec<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SetOp {
    Single,
    ForAnyValue,
    ForAllValues,
}

#[derive(Debug, Clone)]
pub struct Statement {
    pub sid: Option<String>,
    /// Position in the document, to name a statement without a Sid.
    pub index: usize,
    pub effect: Effect,
    pub action: Match,
    pub resource: Match,
    /// `None` for identity policies.
    pub principal: Option<PrincipalMatch>,
    pub conditions: Vec<Condition>,
}

impl Statement {
    /// `Sid` or `#N` (1-based).
    pub fn label(&self) -> String {
        match &self.sid {
            Some(s) if !s.is_empty() => s.clone(),
            _ => format!("#{}", self.index + 1),
        }
    }
}

#[derive(Debug, Clone, Default)]
pub struct Policy {
    pub statements: Vec<Statement>,
}

fn strings(v: &Value) -> Vec<String> {
    match v {
        Value::String(s) => vec![s.clone()],
        Value::Array(a) => a.iter().filter_map(|x| x.as_str().map(str::to_string)).collect(),
        _ => Vec::new(),
    }
}

fn pattern_match(only: &Value, not: &Value, ci: bool) -> Match {
    let compile = |v: &Value| -> Vec<Pattern> {
        strings(v).iter().map(|s| if ci { Pattern::new_ci(s) } else { Pattern::new(s) }).collect()
    };
    let (o, n) = (compile(only), compile(not));
    if !n.is_empty() {
        Match::Not(n)
    } else if only.is_null() && o.is_empty() {
        Match::Implicit
    } else if o.is_empty() && matches!(only, Value::Array(a) if a.is_empty()) {
        // `resources: []` with no NotResource: the statement names no resource.
        Match::Implicit
    } else {
        Match::Only(o)
    }
}

fn principals(v: &Value) -> Option<Principals> {
    let m = v.as_object()?;
    Some(Principals {
        aws: m.get("aws").map(strings).unwrap_or_default().iter().map(|s| Pattern::new(s)).collect(),
        service: m.get("service").map(strings).unwrap_or_default(),
        federated: m.get("federated").map(strings).unwrap_or_default(),
    })
}

fn condition(v: &Value) -> Option<Condition> {
    let op = v.get("operator")?.as_str()?;
    let (set, rest) = match op.split_once(':') {
        Some((q, rest)) if q.eq_ignore_ascii_case("ForAnyValue") => (SetOp::ForAnyValue, rest),
        Some((q, rest)) if q.eq_ignore_ascii_case("ForAllValues") => (SetOp::ForAllValues, rest),
        _ => (SetOp::Single, op),
    };
    let (operator, if_exists) = match rest.strip_suffix("IfExists") {
        Some(base) => (base.to_string(), true),
        None => (rest.to_string(), false),
    };
    Some(Condition {
        operator,
        if_exists,
        set,
        key: v.get("key")?.as_str()?.to_ascii_lowercase(),
        values: v.get("values").map(strings).unwrap_or_default(),
    })
}

fn statement(index: usize, s: &Value) -> Statement {
    let null = Value::Null;
    let get = |k: &str| s.get(k).unwrap_or(&null);
    let principal = match (principals(get("principals")), principals(get("not_principals"))) {
        (_, Some(n)) => Some(PrincipalMatch::Not(n)),
        (Some(p), None) => Some(PrincipalMatch::Only(p)),
        (None, None) => None,
    };
    Statement {
        sid: get("sid").as_str().map(str::to_string),
        index,
        effect: if get("effect").as_str().is_some_and(|e| e.eq_ignore_ascii_case("deny")) {
            Effect::Deny
        } else {
            Effect::Allow
        },
        action: pattern_match(get("actions"), get("not_actions"), true),
        resource: pattern_match(get("resources"), get("not_resources"), false),
        principal,
        conditions: get("conditions").as_array().map(|a| a.iter().filter_map(condition).collect()).unwrap_or_default(),
    }
}

impl Policy {
    /// Compiles a normalised policy document.
    pub fn from_json(doc: &Value) -> Result<Policy, PolicyError> {
        let m = doc.as_object().ok_or(PolicyError::NotObject)?;
        let list = m.get("statements").and_then(Value::as_array).ok_or(PolicyError::NoStatements)?;
        Ok(Policy { statements: list.iter().enumerate().map(|(i, s)| statement(i, s)).collect() })
    }

    pub fn has_deny(&self) -> bool {
        self.statements.iter().any(|s| s.effect == Effect::Deny)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn compiles_the_normalised_shape() {
        let p = Policy::from_json(&json!({"version": "2012-10-17", "statements": [
            {"sid": null, "effect": "Allow", "actions": ["s3:Get*"], "not_actions": [], "resources": ["*"], "not_resources": [],
             "principals": null, "not_principals": null,
             "conditions": [{"operator": "ForAnyValue:StringLikeIfExists", "key": "aws:PrincipalTag/Team", "values": ["a"]}]},
            {"sid": "T", "effect": "Deny", "actions": [], "not_actions": ["iam:*"], "resources": [], "not_resources": [],
             "principals": {"aws": ["*"], "service": [], "federated": [], "canonical_user": []}, "not_principals": null, "conditions": []}
        ]}))
        .unwrap();
        let s = &p.statements[0];
        assert!(matches!(&s.action, Match::Only(a) if a[0].matches("s3:GETOBJECT")));
        let c = &s.conditions[0];
        assert_eq!(
            (c.operator.as_str(), c.if_exists, c.set, c.key.as_str()),
            ("StringLike", true, SetOp::ForAnyValue, "aws:principaltag/team")
        );
        let t = &p.statements[1];
        assert_eq!(t.effect, Effect::Deny);
        assert!(matches!(t.action, Match::Not(_)));
        assert!(matches!(t.resource, Match::Implicit));
        assert!(matches!(&t.principal, Some(PrincipalMatch::Only(p)) if p.aws[0].is_any()));
        assert_eq!(t.label(), "T");
        assert_eq!(s.label(), "#1");
        assert!(p.has_deny());
    }

    #[test]
    fn rejects_what_is_not_a_normalised_document() {
        assert_eq!(Policy::from_json(&json!([1])).unwrap_err(), PolicyError::NotObject);
        assert_eq!(Policy::from_json(&json!({"Statement": []})).unwrap_err(), PolicyError::NoStatements);
    }
}
