//! Shared by the adapter tests: scan a path, evaluate the built-in rules on what it produced,
//! and describe each non-passing result as `RULE state file:line`.

#![allow(dead_code)]

use posture_collect_iac::{location_for, ScanOutput};
use posture_model::{Origin, ResultState};
use posture_rules::{NoLookup, RuleSet};
use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::OnceLock;

pub fn fixture(rel: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures").join(rel)
}

pub fn rules() -> &'static RuleSet {
    static R: OnceLock<RuleSet> = OnceLock::new();
    R.get_or_init(|| match RuleSet::builtin() {
        Ok(r) => r,
        Err(e) => panic!("built-in rules: {e:?}"),
    })
}

/// The file path with the fixtures prefix cut, for readable assertions.
pub fn short(file: &str) -> String {
    file.split("tests/fixtures/").last().unwrap_or(file).to_string()
}

/// Every fail/unknown/error result: (uid tail, rule id, state, `file:line`), sorted. Rules that
/// walk relations are evaluated with the scanned resources as the estate.
pub fn results(out: &ScanOutput) -> Vec<(String, String, ResultState, String)> {
    let rules = rules();
    let by_uid: HashMap<&str, &posture_model::Resource> = out.resources.iter().map(|l| (l.resource.uid.as_str(), &l.resource)).collect();
    let lookup = Estate(by_uid);
    let mut rows = Vec::new();
    for l in &out.resources {
        let r = &l.resource;
        for &i in rules.for_kind(&r.kind) {
            let rule = &rules.rules[i];
            let ev = rule.evaluate_applicable(r, &lookup);
            if matches!(ev.state, ResultState::Pass | ResultState::NotApplicable) {
                continue;
            }
            let Some(Origin::Iac { file, line, .. }) = r.origin.as_ref() else { continue };
            let (file, at) = ev.evidence.as_ref().and_then(|e| location_for(r, &e.path, e.value.as_ref())).unwrap_or((file.clone(), *line));
            let tail = r.uid.rsplit('#').next().unwrap_or_default().to_string();
            rows.push((tail, rule.meta.id.clone(), ev.state, format!("{}:{at}", short(&file))));
        }
    }
    let key = |at: &str| {
        let (file, line) = at.rsplit_once(':').unwrap_or((at, "0"));
        (file.to_string(), line.parse::<u32>().unwrap_or(0))
    };
    rows.sort_by(|a, b| (key(&a.3), &a.1, &a.0).cmp(&(key(&b.3), &b.1, &b.0)));
    let _ = NoLookup;
    rows
}

struct Estate<'a>(HashMap<&'a str, &'a posture_model::Resource>);

impl posture_rules::Lookup for Estate<'_> {
    fn get(&self, uid: &str) -> Option<std::borrow::Cow<'_, posture_model::Resource>> {
        self.0.get(uid).map(|r| std::borrow::Cow::Borrowed(*r))
    }
}

/// Failures only, as `RULE file:line resource` lines.
pub fn failures(out: &ScanOutput) -> Vec<String> {
    results(out).into_iter().filter(|r| r.2 == ResultState::Fail).map(|(uid, rule, _, at)| format!("{rule} {at} {uid}")).collect()
}

/// Every produced resource conforms to its kind's schema.
pub fn assert_schema_valid(out: &ScanOutput) {
    let kinds = match posture_schema::KindRegistry::builtin() {
        Ok(k) => k,
        Err(e) => panic!("{e}"),
    };
    for l in &out.resources {
        let problems = kinds.validate(&l.resource);
        assert!(problems.is_empty(), "{} ({}): {problems:?}", l.resource.uid, l.resource.kind);
    }
}
