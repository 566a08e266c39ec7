//! Per-resource evaluation: which rules run now, which wait for related resources, and how each
//! resource counts for the secure-score controls.

use posture_model::{Resource, ResultState, Severity};
use posture_rules::{AppliesMemo, Lookup, NoLookup, Path, Root, RuleSet, ScopeCount, ScopeUse, Vote, UNCOVERED};
use posture_store::ResultRow;
use serde_json::{Map, Value};
use std::borrow::Cow;
use std::collections::{BTreeSet, HashMap, HashSet};
use std::sync::Arc;

/// How one resource stands for one control, across the control's rules that apply to it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum ControlState {
    Healthy,
    Unknown,
    Unhealthy,
}

impl ControlState {
    pub(crate) fn from_result(state: ResultState) -> Option<ControlState> {
        match state {
            ResultState::Pass => Some(ControlState::Healthy),
            ResultState::Fail => Some(ControlState::Unhealthy),
            ResultState::Unknown | ResultState::Error => Some(ControlState::Unknown),
            ResultState::NotApplicable => None,
        }
    }
}

/// Per-control states of one resource; the worst state of a control wins.
#[derive(Debug, Clone, Default)]
pub struct ControlStates(pub Vec<(u16, ControlState)>);

impl ControlStates {
    pub fn add(&mut self, control: u16, state: ControlState) {
        match self.0.iter_mut().find(|(c, _)| *c == control) {
            Some((_, s)) => *s = (*s).max(state),
            None => self.0.push((control, state)),
        }
    }
}

/// Everything one rule run on one resource contributes.
#[derive(Default)]
pub struct ResourceOutcome {
    pub results: Vec<ResultRow>,
    /// (rule index, state) for the scan's per-rule statistics.
    pub states: Vec<(usize, ResultState)>,
    pub controls: ControlStates,
}

pub struct Evaluator<'r> {
    pub rules: &'r RuleSet,
    control_of: Vec<u16>,
    deferred: Vec<bool>,
    /// Kinds that related conditions may reach.
    target_kinds: HashSet<String>,
    target_paths: Vec<Path>,
    /// Relation types walked from a resource: the only edges kept on deferred resources.
    relation_types: HashSet<String>,
    /// Relation types walked from a related resource: the only edges kept on targets.
    nested_types: HashSet<String>,
    /// `count: {within: ...}` conditions of all rules, each tallied once, by the kinds they count.
    scopes: Vec<ScopeUse>,
    scopes_by_kind: HashMap<String, Vec<u32>>,
    /// The scan time time operators compare with (Unix seconds); `None`: the wall clock.
    pub now: Option<i64>,
}

impl<'r> Evaluator<'r> {
    pub fn new(rules: &'r RuleSet) -> Self {
        let control_of = rules
            .rules
            .iter()
            .map(|r| rules.controls.iter().position(|c| c.id == r.meta.control).unwrap_or(0) as u16)
            .collect();
        // Rules that walk relations or count within accounts are decided once everything is read.
        let deferred = rules.rules.iter().map(|r| r.uses_related() || r.uses_scope()).collect();
        let mut scopes: Vec<ScopeUse> = Vec::new();
        for u in rules.rules.iter().flat_map(|r| r.check.scoped.iter()) {
            if !scopes.iter().any(|s| s.key == u.key) {
                scopes.push(u.clone());
            }
        }
        let mut scopes_by_kind: HashMap<String, Vec<u32>> = HashMap::new();
        for (i, u) in scopes.iter().enumerate() {
            for k in &u.kinds {
                scopes_by_kind.entry(k.clone()).or_default().push(i as u32);
            }
        }
        let mut target_kinds = HashSet::new();
        let mut target_paths = Vec::new();
        let mut relation_types = HashSet::new();
        let mut nested_types = HashSet::new();
        for rule in &rules.rules {
            let uses = rule.check.related.iter().chain(rule.applies_if.iter().flat_map(|a| a.related.iter()));
            for u in uses {
                target_kinds.extend(u.kinds.iter().cloned());
                target_paths.extend(u.paths.iter().cloned());
                relation_types.insert(u.relation.clone());
                if u.nested {
                    nested_types.insert(u.relation.clone());
                }
            }
        }
        Evaluator {
            rules,
            control_of,
            deferred,
            target_kinds,
            target_paths,
            relation_types,
            nested_types,
            scopes,
            scopes_by_kind,
            now: None,
        }
    }

    /// How `resource` counts for each `count: {within: ...}` of its kind: (count, region of its
    /// tally, undecided). Resources that do not match are left out.
    pub fn scope_votes(&self, resource: &Resource) -> Vec<(u32, Option<String>, bool)> {
        let Some(uses) = self.scopes_by_kind.get(&resource.kind) else { return Vec::new() };
        let mut out = Vec::new();
        for &i in uses {
            let u = &self.scopes[i as usize];
            let unknown = match u.vote(resource, self.now) {
                Vote::Match => false,
                Vote::Unknown => true,
                Vote::NoMatch => continue,
            };
            out.push((i, u.region_of(resource).map(str::to_string), unknown));
        }
        out
    }

    pub fn severity(&self, rule: usize) -> Severity {
        self.rules.rules[rule].meta.severity
    }

    pub fn control(&self, rule: usize) -> u16 {
        self.control_of[rule]
    }

    pub fn has_deferred(&self, kind: &str) -> bool {
        self.rules.for_kind(kind).iter().any(|&i| self.deferred[i])
    }

    /// Runs the rules that need no other resource; `deferred` picks the others.
    pub fn evaluate_now(&self, resource: &Resource) -> ResourceOutcome {
        self.run(resource, &NoLookup, false)
    }

    /// Runs the rules that walk relations, with every related resource available.
    pub fn evaluate_deferred(&self, resource: &Resource, lookup: &dyn Lookup) -> ResourceOutcome {
        self.run(resource, lookup, true)
    }

    fn run(&self, resource: &Resource, lookup: &dyn Lookup, deferred: bool) -> ResourceOutcome {
        let mut out = ResourceOutcome::default();
        let mut memo = AppliesMemo::default();
        for &i in self.rules.for_kind(&resource.kind) {
            if self.deferred[i] != deferred {
                continue;
            }
            let rule = &self.rules.rules[i];
            let eval = rule.evaluate_memo(resource, lookup, self.now, &mut memo);
            out.states.push((i, eval.state));
            if let Some(cs) = ControlState::from_result(eval.state) {
                out.controls.add(self.control_of[i], cs);
            }
            if !matches!(eval.state, ResultState::Pass | ResultState::NotApplicable) {
                out.results.push(ResultRow {
                    rule_id: rule.meta.id.clone(),
                    uid: resource.uid.clone(),
                    state: eval.state,
                    evidence: eval.evidence.and_then(|e| serde_json::to_string(&e).ok()),
                });
            }
        }
        out
    }

    /// Whether `resource` may be the target of a related condition.
    pub fn is_target(&self, resource: &Resource) -> bool {
        self.target_kinds.contains(&resource.kind)
    }

    /// What a related condition may read of a target: envelope, relations, and the attributes used.
    pub fn project_target(&self, resource: &Resource) -> Resource {
        project(resource, &self.target_paths, &self.nested_types)
    }

    /// What the deferred rules of `resource` read of it.
    pub fn project_source(&self, resource: &Resource) -> Resource {
        let paths: Vec<Path> = self
            .rules
            .for_kind(&resource.kind)
            .iter()
            .filter(|&&i| self.deferred[i])
            .flat_map(|&i| {
                let r = &self.rules.rules[i];
                r.check.paths.iter().chain(r.applies_if.iter().flat_map(|a| a.paths.iter())).cloned()
            })
            .collect();
        project(resource, &paths, &self.relation_types)
    }
}

/// A copy of `resource` with only what `paths` read and the edges of `relations`: these copies are
/// all that is held for the whole estate, so they stay small.
fn project(resource: &Resource, paths: &[Path], relations: &HashSet<String>) -> Resource {
    let mut attrs = Map::new();
    for p in paths.iter().filter(|p| p.root == Root::Attrs) {
        copy_subtree(&resource.attrs, &mut attrs, &p.key_prefix());
    }
    let uses = |root: Root| paths.iter().any(|p| p.root == root);
    let mut out = Resource::new(resource.uid.clone(), resource.kind.clone());
    out.account = resource.account.clone();
    if uses(Root::Provider) {
        out.provider = resource.provider.clone();
    }
    if uses(Root::Region) {
        out.region = resource.region.clone();
    }
    if uses(Root::Name) {
        out.name = resource.name.clone();
    }
    if uses(Root::Tags) {
        out.tags = resource.tags.clone();
    }
    out.attrs = attrs;
    out.relations = resource.relations.iter().filter(|r| relations.contains(&r.rel)).cloned().collect();
    out
}

/// Possible relation targets by uid, kept as compact JSON (a parsed resource takes several times
/// the memory) and parsed when a relation reaches them. Keyed by the uid's hash: a collision can
/// only make a lookup miss (unknown), never return the wrong resource.
#[derive(Default)]
pub struct TargetIndex(rustc_hash::FxHashMap<u64, Box<str>>);

impl TargetIndex {
    pub fn insert(&mut self, resource: &Resource) {
        if let Ok(json) = serde_json::to_string(resource) {
            self.0.insert(uid_hash(&resource.uid), json.into_boxed_str());
        }
    }

    pub fn clear(&mut self) {
        self.0 = Default::default();
    }
}

impl Lookup for TargetIndex {
    fn get(&self, uid: &str) -> Option<Cow<'_, Resource>> {
        let json = self.0.get(&uid_hash(uid))?;
        let resource: Resource = serde_json::from_str(json).ok()?;
        (resource.uid == uid).then_some(Cow::Owned(resource))
    }
}

pub fn uid_hash(uid: &str) -> u64 {
    use std::hash::{Hash, Hasher};
    let mut h = rustc_hash::FxHasher::default();
    uid.hash(&mut h);
    h.finish()
}

fn copy_subtree(from: &Map<String, Value>, to: &mut Map<String, Value>, keys: &[&str]) {
    let Some((first, rest)) = keys.split_first() else {
        return;
    };
    let Some(value) = from.get(*first) else {
        return;
    };
    match (value, rest.is_empty()) {
        (Value::Object(inner), false) => {
            let slot = to.entry(first.to_string()).or_insert_with(|| Value::Object(Map::new()));
            if let Value::Object(slot) = slot {
                copy_subtree(inner, slot, rest);
            }
        }
        _ => {
            to.insert(first.to_string(), value.clone());
        }
    }
}

/// The tallies of every `count: {within: ...}` per account (and region): counters and a few
/// sample uids, never the resources.
#[derive(Default)]
pub struct ScopeCounts {
    tallies: HashMap<(Arc<str>, String, Option<String>), ScopeCount>,
    /// Accounts collected in full: elsewhere an absence proves nothing.
    pub covered: BTreeSet<String>,
}

impl ScopeCounts {
    pub fn add(&mut self, ev: &Evaluator, scope: u32, account: &str, region: Option<String>, unknown: bool, uid: &str) {
        let Some(u) = ev.scopes.get(scope as usize) else { return };
        let slot = self.tallies.entry((u.key.clone(), account.to_string(), region)).or_default();
        if unknown {
            slot.unknown += 1;
        } else {
            slot.matched += 1;
            if slot.samples.len() < 5 {
                slot.samples.push(uid.to_string());
            }
        }
    }

    pub fn count(&self, key: &str, account: &str, region: Option<&str>) -> ScopeCount {
        let id = (Arc::from(key), account.to_string(), region.map(str::to_string));
        let mut c = self.tallies.get(&id).cloned().unwrap_or_default();
        if !self.covered.contains(account) {
            c.unknown += UNCOVERED;
        }
        c
    }
}

/// A lookup that also answers `count: {within: ...}` from the scan's tallies.
pub struct WithScopes<'a, L: Lookup> {
    pub inner: &'a L,
    pub scopes: &'a ScopeCounts,
}

impl<L: Lookup> Lookup for WithScopes<'_, L> {
    fn get(&self, uid: &str) -> Option<Cow<'_, Resource>> {
        self.inner.get(uid)
    }

    fn scope_count(&self, key: &str, account: &str, region: Option<&str>) -> Option<ScopeCount> {
        Some(self.scopes.count(key, account, region))
    }
}

/// Per-account, per-control counts of healthy, unhealthy and unknown resources.
#[derive(Default)]
pub struct ScoreTally(pub HashMap<(String, u16), [u64; 3]>);

impl ScoreTally {
    pub fn add(&mut self, account: &str, states: &ControlStates) {
        for &(control, state) in &states.0 {
            let slot = match self.0.get_mut(&(account.to_string(), control)) {
                Some(s) => s,
                None => self.0.entry((account.to_string(), control)).or_default(),
            };
            let i = match state {
                ControlState::Healthy => 0,
                ControlState::Unhealthy => 1,
                ControlState::Unknown => 2,
            };
            slot[i] += 1;
        }
    }
}
