//! Runs a rule's healthy, unhealthy and unknown examples (`posture rules test`).

use crate::cond::{Lookup, ScopeCount, ScopeUse, Vote, UNCOVERED};
use crate::rule::Rule;
use crate::yaml::Node;
use posture_model::{Relation, Resource, ResultState};
use serde_json::Value;
use std::borrow::Cow;
use std::collections::HashMap;

#[derive(Debug, Clone, PartialEq)]
pub struct ExampleFailure {
    pub rule_id: String,
    pub file: String,
    pub line: usize,
    pub message: String,
}

/// Every example of `rule` that does not give its expected state.
pub fn run_examples(rule: &Rule) -> Vec<ExampleFailure> {
    let ex = &rule.examples;
    let sets = [
        (&ex.healthy, ResultState::Pass, "healthy"),
        (&ex.unhealthy, ResultState::Fail, "unhealthy"),
        (&ex.unknown, ResultState::Unknown, "unknown"),
        (&ex.not_applicable, ResultState::NotApplicable, "not_applicable"),
    ];
    let mut failures = Vec::new();
    for (nodes, want, label) in sets {
        for (i, node) in nodes.iter().enumerate() {
            let fail = |message: String| ExampleFailure {
                rule_id: rule.meta.id.clone(),
                file: rule.meta.source.clone(),
                line: node.line,
                message,
            };
            let (resource, world) = match example_resource(rule, node, i) {
                Ok(r) => r,
                Err(m) => {
                    failures.push(fail(m));
                    continue;
                }
            };
            let got = rule.evaluate_at(&resource, &world, world.now.or(ex.now));
            if got.state != want {
                let evidence = got
                    .evidence
                    .map(|e| format!(" ({}: found {}, expected {})", e.path, e.value.unwrap_or(Value::Null), e.expected))
                    .unwrap_or_default();
                failures.push(fail(format!("{label} example #{} gave {}{evidence}, expected {want}", i + 1, got.state)));
            } else if want == ResultState::Fail && got.evidence.is_none() {
                failures.push(fail(format!("{label} example #{} failed without evidence", i + 1)));
            }
        }
    }
    failures
}

/// What an example's rule can see besides the resource: the `context` resources (relation
/// targets, and the resources `count: {within: ...}` counts), whether the example's account was
/// collected in full (`covered`, default true) and its own scan time (`now`).
struct World<'r> {
    context: HashMap<String, Resource>,
    uses: &'r [ScopeUse],
    covered: bool,
    now: Option<i64>,
    default_now: Option<i64>,
}

impl Lookup for World<'_> {
    fn get(&self, uid: &str) -> Option<Cow<'_, Resource>> {
        self.context.get(uid).map(Cow::Borrowed)
    }

    fn scope_count(&self, key: &str, account: &str, region: Option<&str>) -> Option<ScopeCount> {
        let scope = self.uses.iter().find(|u| &*u.key == key)?;
        let mut count = ScopeCount { unknown: if self.covered { 0 } else { UNCOVERED }, ..ScopeCount::default() };
        let now = self.now.or(self.default_now);
        for r in self.context.values().filter(|r| r.account == account && scope.region_of(r) == region) {
            match scope.vote(r, now) {
                Vote::Match => {
                    count.matched += 1;
                    count.samples.push(r.uid.clone());
                }
                Vote::Unknown => count.unknown += 1,
                Vote::NoMatch => {}
            }
        }
        count.samples.sort();
        Some(count)
    }
}

fn example_resource<'r>(rule: &'r Rule, node: &Node, i: usize) -> Result<(Resource, World<'r>), String> {
    let json = node.to_json();
    let Some(obj) = json.as_object() else {
        return Err("an example must be a mapping (attrs, name, tags, relations, context)".into());
    };
    let default_kind = rule.meta.kinds.first().cloned().unwrap_or_default();
    let mut resource = partial_resource(obj, &format!("example:{}:{i}", rule.meta.id), &default_kind)?;
    if let Some(rels) = obj.get("relations") {
        resource.relations = serde_json::from_value::<Vec<Relation>>(rels.clone())
            .map_err(|e| format!("relations must be a list of {{type, target}}: {e}"))?;
    }
    let now = match obj.get("now") {
        None => None,
        Some(v) => Some(v.as_str().and_then(crate::time::parse_time).ok_or("now must be an RFC 3339 date-time or a YYYY-MM-DD date")?),
    };
    let covered = match obj.get("covered") {
        None => true,
        Some(v) => v.as_bool().ok_or("covered must be true or false")?,
    };
    let mut context = HashMap::new();
    if let Some(others) = obj.get("context") {
        for (j, other) in others.as_array().ok_or("context must be a list of resources")?.iter().enumerate() {
            let o = other.as_object().ok_or("each context entry must be a mapping")?;
            let uid = o.get("uid").and_then(Value::as_str).ok_or("each context resource needs a uid")?;
            let kind = o.get("kind").and_then(Value::as_str).ok_or("each context resource needs a kind")?;
            let mut r = partial_resource(o, uid, kind)?;
            if let Some(rels) = o.get("relations") {
                r.relations = serde_json::from_value(rels.clone()).map_err(|e| format!("context #{}: {e}", j + 1))?;
            }
            context.insert(r.uid.clone(), r);
        }
    }
    let world = World { context, uses: &rule.check.scoped, covered, now, default_now: rule.examples.now };
    Ok((resource, world))
}

fn partial_resource(obj: &serde_json::Map<String, Value>, uid: &str, default_kind: &str) -> Result<Resource, String> {
    for key in obj.keys() {
        if !matches!(
            key.as_str(),
            "uid" | "kind" | "name" | "account" | "region" | "tags" | "attrs" | "relations" | "context" | "covered" | "now"
        ) {
            return Err(format!("unknown example key '{key}'"));
        }
    }
    let text = |k: &str| obj.get(k).and_then(Value::as_str).map(str::to_string);
    let mut r = Resource::new(uid, text("kind").unwrap_or_else(|| default_kind.to_string()));
    r.name = text("name").unwrap_or_else(|| "example".into());
    r.account = text("account").unwrap_or_else(|| "example-account".into());
    r.region = text("region");
    if let Some(tags) = obj.get("tags") {
        r.tags = serde_json::from_value(tags.clone()).map_err(|e| format!("tags must map strings to strings: {e}"))?;
    }
    match obj.get("attrs") {
        Some(Value::Object(a)) => r.attrs = a.clone(),
        Some(Value::Null) | None => {}
        Some(_) => return Err("attrs must be a mapping".into()),
    }
    Ok(r)
}
