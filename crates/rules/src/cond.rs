//! The condition compiler: a YAML condition becomes a tree of native closures, once per rule.

use crate::ops::{self, COUNT_OPERATORS, FIELD_OPERATORS, FIELD_REF_OPERATORS, TIME_OPERATORS};
use crate::outcome::{Failure, Outcome};
use crate::path::{parse_path, resolve, Path, Root, Scope, Seg, Val};
use crate::yaml::Node;
use posture_model::Resource;
use serde_json::{json, Value};
use std::borrow::Cow;
use std::sync::Arc;

/// Resolves relation targets during evaluation. A lookup may build the resource on demand
/// (the scan keeps targets serialised to bound its memory), hence the `Cow`.
pub trait Lookup: Sync {
    fn get(&self, uid: &str) -> Option<Cow<'_, Resource>>;

    /// How many resources of an account (and region) match a `count: {within: ...}` condition,
    /// named by [`ScopeUse::key`]; `None` when the lookup keeps no such counts (unknown).
    fn scope_count(&self, _key: &str, _account: &str, _region: Option<&str>) -> Option<ScopeCount> {
        None
    }
}

/// The tally of one `count: {within: ...}` for one account (and region).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ScopeCount {
    pub matched: u64,
    /// Resources that may match (their `where` was undecided); a large number when the account
    /// was not collected in full, so that no absence is concluded.
    pub unknown: u64,
    /// A few uids of matching resources, for evidence.
    pub samples: Vec<String>,
}

/// What an account not collected in full adds to `unknown`: any number of resources may be missing.
pub const UNCOVERED: u64 = 10_000;

/// The scope of a `count: {within: ...}`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Within {
    Account,
    Region,
}

/// How one resource counts for a `count: {within: ...}`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Vote {
    Match,
    NoMatch,
    Unknown,
}

/// A `count: {within: account|region, kind, where}`: counted over the whole scan, per account.
#[derive(Clone)]
pub struct ScopeUse {
    /// Identifies the count across rules: the same scope, kinds and `where` share one tally.
    pub key: Arc<str>,
    pub within: Within,
    pub kinds: Vec<String>,
    cond: Option<Arc<Compiled>>,
}

impl ScopeUse {
    /// Whether `r` counts: of one of the kinds and satisfying `where` (undecided → unknown).
    pub fn vote(&self, r: &Resource, now: Option<i64>) -> Vote {
        if !self.kinds.contains(&r.kind) {
            return Vote::NoMatch;
        }
        let Some(cond) = &self.cond else { return Vote::Match };
        let ctx = Ctx { resource: r, element: None, lookup: &NoLookup, evidence: false, now };
        match cond.eval(&ctx) {
            Outcome::Pass => Vote::Match,
            Outcome::Fail(_) => Vote::NoMatch,
            Outcome::Unknown(_) | Outcome::Error(_) => Vote::Unknown,
        }
    }

    /// The region part of the tally's key for `r`: its region for `within: region`, else none.
    pub fn region_of<'r>(&self, r: &'r Resource) -> Option<&'r str> {
        match self.within {
            Within::Region => r.region.as_deref(),
            Within::Account => None,
        }
    }
}

/// A lookup that knows no other resource: `related` conditions on it yield unknown.
pub struct NoLookup;

impl Lookup for NoLookup {
    fn get(&self, _: &str) -> Option<Cow<'_, Resource>> {
        None
    }
}

impl<S: std::hash::BuildHasher + Sync> Lookup for std::collections::HashMap<String, Resource, S> {
    fn get(&self, uid: &str) -> Option<Cow<'_, Resource>> {
        std::collections::HashMap::get(self, uid).map(Cow::Borrowed)
    }
}

pub struct Ctx<'a> {
    pub resource: &'a Resource,
    pub element: Option<&'a Value>,
    pub lookup: &'a dyn Lookup,
    /// Whether failures must say why; off inside `count`, where only the verdict matters.
    pub evidence: bool,
    /// The scan time for time operators (Unix seconds); `None` reads the wall clock when needed.
    pub now: Option<i64>,
}

impl<'a> Ctx<'a> {
    fn scope(&self) -> Scope<'a> {
        Scope {
            resource: self.resource,
            element: self.element,
        }
    }
}

type Check = Box<dyn Fn(&Ctx) -> Outcome + Send + Sync>;

/// A compiled condition and what it reads (for projecting resources kept for later evaluation).
pub struct Compiled {
    check: Check,
    /// Paths read on the resource itself.
    pub paths: Vec<Path>,
    /// Relations walked, with the paths read on the related resources.
    pub related: Vec<RelatedUse>,
    /// Plain paths read on the element a `count` visits, for its evidence.
    element_paths: Vec<Path>,
    /// Counts over the resource's account or region (`count: {within: ...}`).
    pub scoped: Vec<ScopeUse>,
    /// Whether a time operator is used (examples must then fix the scan time).
    pub uses_time: bool,
    pub describe: Arc<str>,
}

#[derive(Debug, Clone)]
pub struct RelatedUse {
    pub relation: String,
    /// The kinds the relation is expected to reach; others are skipped.
    pub kinds: Vec<String>,
    pub paths: Vec<Path>,
    /// Walked from a related resource (a second hop or further), not from the resource itself.
    pub nested: bool,
}

impl Compiled {
    pub fn eval(&self, ctx: &Ctx) -> Outcome {
        (self.check)(ctx)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("line {line}: {message}")]
pub struct CondError {
    pub line: usize,
    pub message: String,
}

fn err<T>(node: &Node, message: impl Into<String>) -> Result<T, CondError> {
    Err(CondError {
        line: node.line,
        message: message.into(),
    })
}

#[derive(Clone, Copy, Default)]
struct Env<'p> {
    /// Inside `count` over `attrs.x[*]`: paths under it refer to the current element.
    element: Option<&'p Path>,
}

pub fn compile(node: &Node) -> Result<Compiled, CondError> {
    compile_in(node, Env::default())
}

const LOGICAL: &[&str] = &["allOf", "anyOf", "not", "field", "count"];

fn compile_in(node: &Node, env: Env) -> Result<Compiled, CondError> {
    let Some(map) = node.as_map() else {
        return err(node, format!("a condition must be a mapping, found {}", node.type_name()));
    };
    let keys: Vec<&str> = map.iter().map(|(k, _)| k.as_str()).collect();
    for (key, value) in map {
        let known = LOGICAL.contains(&key.as_str()) || FIELD_OPERATORS.contains(&key.as_str());
        if !known {
            return err(value, unknown_key_message(key));
        }
    }
    for logical in ["allOf", "anyOf", "not"] {
        if let Some(inner) = node.get(logical) {
            if keys.len() != 1 {
                return err(node, format!("'{logical}' must be the only key of its condition (found {})", keys.join(", ")));
            }
            return match logical {
                "not" => compile_not(inner, env),
                _ => compile_list(logical, inner, env),
            };
        }
    }
    if let Some(field) = node.get("field") {
        return compile_field(node, field, map, env);
    }
    if let Some(count) = node.get("count") {
        return compile_count(node, count, map, env);
    }
    err(node, format!("a condition needs allOf, anyOf, not, field or count (found {})", keys.join(", ")))
}

fn unknown_key_message(key: &str) -> String {
    // Field-to-field operators follow the names of the plain ones (`less` → `lessField`).
    if let Some(base) = key.strip_suffix("ThanField") {
        return format!("unknown operator '{key}' (did you mean '{base}Field'?)");
    }
    let all = LOGICAL.iter().chain(FIELD_OPERATORS);
    let best = all
        .map(|k| (edit_distance(&key.to_lowercase(), &k.to_lowercase()), *k))
        .min();
    match best {
        Some((d, k)) if d <= 2 => format!("unknown operator '{key}' (did you mean '{k}'?)"),
        _ => format!("unknown operator '{key}'"),
    }
}

fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut cur = vec![i + 1];
        for (j, cb) in b.iter().enumerate() {
            let cost = usize::from(ca != *cb);
            cur.push((prev[j] + cost).min(prev[j + 1] + 1).min(cur[j] + 1));
        }
        prev = cur;
    }
    prev[b.len()]
}

fn compile_list(op: &str, node: &Node, env: Env) -> Result<Compiled, CondError> {
    let Some(items) = node.as_seq() else {
        return err(node, format!("'{op}' takes a list of conditions"));
    };
    if items.is_empty() {
        return err(node, format!("'{op}' needs at least one condition"));
    }
    let children = items
        .iter()
        .map(|i| compile_in(i, env))
        .collect::<Result<Vec<_>, _>>()?;
    let paths = children.iter().flat_map(|c| c.paths.clone()).collect();
    let related = children.iter().flat_map(|c| c.related.clone()).collect();
    let element_paths = children.iter().flat_map(|c| c.element_paths.clone()).collect();
    let scoped = children.iter().flat_map(|c| c.scoped.clone()).collect();
    let uses_time = children.iter().any(|c| c.uses_time);
    let describe: Arc<str> = Arc::from(format!(
        "{op}({})",
        children.iter().map(|c| &*c.describe).collect::<Vec<_>>().join("; ")
    ));
    let checks: Vec<Check> = children.into_iter().map(|c| c.check).collect();
    let check: Check = if op == "allOf" {
        Box::new(move |ctx| {
            let mut acc = Outcome::Pass;
            for c in &checks {
                acc = acc.and(c(ctx));
                if matches!(acc, Outcome::Fail(_)) {
                    break;
                }
            }
            acc
        })
    } else {
        Box::new(move |ctx| {
            if !ctx.evidence {
                let mut acc: Option<Outcome> = None;
                for c in &checks {
                    let o = c(ctx);
                    if o.is_pass() {
                        return o;
                    }
                    acc = Some(match acc {
                        None => o,
                        Some(a) => a.or(o),
                    });
                }
                return acc.unwrap_or(Outcome::Pass);
            }
            // The first non-pass is kept inline: most `anyOf`s are decided by their second member.
            let mut first: Option<Outcome> = None;
            let mut more = Vec::new();
            for c in &checks {
                let o = c(ctx);
                if o.is_pass() {
                    return o;
                }
                if first.is_none() {
                    first = Some(o);
                } else {
                    more.push(o);
                }
            }
            let outcomes: Vec<Outcome> = first.into_iter().chain(more).collect();
            if outcomes.iter().all(|o| matches!(o, Outcome::Fail(Some(_)))) && outcomes.len() > 1 {
                let failures = outcomes
                    .into_iter()
                    .filter_map(|o| match o {
                        Outcome::Fail(f) => f,
                        _ => None,
                    })
                    .collect();
                return Outcome::Fail(Some(Box::new(merge_failures(failures))));
            }
            outcomes.into_iter().reduce(Outcome::or).unwrap_or(Outcome::Pass)
        })
    };
    Ok(Compiled {
        check,
        paths,
        related,
        element_paths,
        scoped,
        uses_time,
        describe,
    })
}

fn compile_not(node: &Node, env: Env) -> Result<Compiled, CondError> {
    let inner = compile_in(node, env)?;
    let describe: Arc<str> = Arc::from(format!("not({})", inner.describe));
    // Evidence for a failed `not`: the first plain field the inner condition read.
    let witness = inner.paths.iter().find(|p| !p.has_each()).cloned();
    let path_text: Arc<str> = inner
        .paths
        .first()
        .map_or_else(|| Arc::from("(condition)"), |p| p.text.clone());
    let expected = describe.clone();
    let Compiled {
        check: inner_check,
        paths,
        related,
        element_paths,
        scoped,
        uses_time,
        ..
    } = inner;
    let check: Check = Box::new(move |ctx| match inner_check(ctx) {
        Outcome::Pass if !ctx.evidence => Outcome::Fail(None),
        Outcome::Pass => {
            let value = witness
                .as_ref()
                .and_then(|p| resolve(p, &p.segs, &ctx.scope()))
                .map(Val::to_json);
            Outcome::fail(&path_text, value, &expected)
        }
        Outcome::Fail(_) => Outcome::Pass,
        other => other,
    });
    Ok(Compiled {
        check,
        paths,
        related,
        element_paths,
        scoped,
        uses_time,
        describe,
    })
}

/// Finds the single operator key of a `field` or `count` condition.
fn single_operator<'n>(
    node: &'n Node,
    map: &'n [(String, Node)],
    head: &str,
    allowed: &[&str],
) -> Result<(&'n str, &'n Node), CondError> {
    let ops: Vec<&(String, Node)> = map.iter().filter(|(k, _)| k != head).collect();
    match ops.as_slice() {
        [(op, arg)] if allowed.contains(&op.as_str()) => Ok((op, arg)),
        [(op, arg)] => err(arg, format!("'{op}' cannot be used with '{head}' (use one of: {})", allowed.join(", "))),
        [] => err(node, format!("'{head}' needs an operator (one of: {})", allowed.join(", "))),
        _ => err(node, format!("'{head}' takes exactly one operator, found {}", ops.iter().map(|(k, _)| k.as_str()).collect::<Vec<_>>().join(", "))),
    }
}

fn compile_path(node: &Node, env: Env) -> Result<Path, CondError> {
    let Some(text) = node.as_str() else {
        return err(node, format!("a field path must be a string, found {}", node.type_name()));
    };
    let path = parse_path(text).map_err(|m| CondError {
        line: node.line,
        message: m,
    })?;
    Ok(match env.element.and_then(|prefix| path.relative_to(prefix)) {
        Some(rel) => rel,
        None => path,
    })
}

fn compile_field(node: &Node, field: &Node, map: &[(String, Node)], env: Env) -> Result<Compiled, CondError> {
    let path = compile_path(field, env)?;
    let (op, arg) = single_operator(node, map, "field", FIELD_OPERATORS)?;
    if !ops::is_scalar_or_list(arg) {
        return err(arg, format!("'{op}' takes a value, not a mapping"));
    }
    if TIME_OPERATORS.contains(&op) {
        return time_field(path, op, arg, env);
    }
    if FIELD_REF_OPERATORS.contains(&op) {
        return field_ref(path, op, arg, env);
    }
    let pred = ops::compile(op, arg).map_err(|m| CondError {
        line: arg.line,
        message: format!("{op}: {m}"),
    })?;
    let expected: Arc<str> = Arc::from(format!("{op} {}", arg.to_json()));
    let check: Check = if path.has_each() {
        let p = path.clone();
        let e = expected.clone();
        Box::new(move |ctx| each_field(&p, &*pred, &e, ctx))
    } else {
        let p = path.clone();
        let e = expected.clone();
        Box::new(move |ctx| match resolve(&p, &p.segs, &ctx.scope()) {
            None => Outcome::Unknown(p.text.clone()),
            Some(v) => judge(&*pred, v, &p.text, &e, ctx.evidence),
        })
    };
    Ok(field_compiled(check, &[&path], env, &expected, false))
}

/// The bookkeeping of a `field` condition reading `paths` (the field first).
fn field_compiled(check: Check, paths: &[&Path], env: Env, expected: &Arc<str>, uses_time: bool) -> Compiled {
    let mut recorded = Vec::new();
    let mut element_paths = Vec::new();
    for path in paths {
        if path.root == Root::Element {
            recorded.extend(env.element.cloned());
            if !path.has_each() {
                element_paths.push((*path).clone());
            }
        } else {
            recorded.push((*path).clone());
        }
    }
    let describe = paths.first().map_or_else(String::new, |p| format!("{} {expected}", p.text));
    Compiled {
        check,
        paths: recorded,
        related: Vec::new(),
        element_paths,
        scoped: Vec::new(),
        uses_time,
        describe: Arc::from(describe),
    }
}

/// A predicate that needs something known only at evaluation time (the scan time, another field).
type DynPred<'a> = dyn Fn(Val) -> Result<bool, String> + 'a;

/// Applies `pred` to the field, walking `[*]` like a plain condition does.
fn run_field(path: &Path, pred: &DynPred, expected: &Arc<str>, ctx: &Ctx) -> Outcome {
    if path.has_each() {
        return each_field(path, pred, expected, ctx);
    }
    match resolve(path, &path.segs, &ctx.scope()) {
        None => Outcome::Unknown(path.text.clone()),
        Some(v) => judge(pred, v, &path.text, expected, ctx.evidence),
    }
}

/// `{field: attrs.last_used, olderThanDays: 90}`: compares a timestamp with the scan time.
fn time_field(path: Path, op: &str, arg: &Node, env: Env) -> Result<Compiled, CondError> {
    let tp = ops::compile_time(op, &arg.to_json()).map_err(|m| CondError { line: arg.line, message: m })?;
    let expected: Arc<str> = Arc::from(format!("{op} {}", arg.to_json()));
    let (p, e) = (path.clone(), expected.clone());
    let check: Check = Box::new(move |ctx| {
        let now = ctx.now.unwrap_or_else(crate::time::wall_clock);
        run_field(&p, &|v| tp(v, now), &e, ctx)
    });
    Ok(field_compiled(check, &[&path], env, &expected, true))
}

/// `{field: attrs.a, lessField: attrs.b}`: compares two fields of the same resource, or of the
/// same array element inside a `count`.
fn field_ref(path: Path, op: &str, arg: &Node, env: Env) -> Result<Compiled, CondError> {
    let other = compile_path(arg, env)?;
    if other.has_each() {
        return err(arg, format!("{op} takes a field path without [*] (inside count, the element's own field is written with the count's [*] prefix)"));
    }
    let cmp = ops::compile_pair(op).map_err(|m| CondError { line: arg.line, message: m })?;
    let expected: Arc<str> = Arc::from(format!("{op} {}", other.text));
    let (p, o, e) = (path.clone(), other.clone(), expected.clone());
    let check: Check = Box::new(move |ctx| {
        let Some(b) = resolve(&o, &o.segs, &ctx.scope()) else {
            return Outcome::Unknown(o.text.clone());
        };
        match run_field(&p, &|a| cmp(a, b), &e, ctx) {
            // Show both sides: the value found and the one it was compared with.
            Outcome::Fail(Some(mut f)) => {
                let found = f.value.take().unwrap_or(Value::Null);
                f.value = Some(json!({ p.text.as_ref(): found, o.text.as_ref(): b.to_json() }));
                Outcome::Fail(Some(f))
            }
            outcome => outcome,
        }
    });
    Ok(field_compiled(check, &[&path, &other], env, &expected, false))
}

fn judge(pred: &DynPred, v: Val, path: &Arc<str>, expected: &Arc<str>, evidence: bool) -> Outcome {
    match pred(v) {
        Ok(true) => Outcome::Pass,
        Ok(false) if !evidence => Outcome::Fail(None),
        Ok(false) => Outcome::fail(path, Some(v.to_json()), expected),
        Err(m) => Outcome::Error(Arc::from(format!("{path}: {m}"))),
    }
}

/// A condition on `a[*].b` holds when it holds for every element (vacuously on an empty array).
fn each_field(path: &Path, pred: &DynPred, expected: &Arc<str>, ctx: &Ctx) -> Outcome {
    let first_each = path.segs.iter().position(|s| *s == Seg::Each).unwrap_or(0);
    let Some(array) = resolve(path, &path.segs[..first_each], &ctx.scope()) else {
        return Outcome::Unknown(path.text.clone());
    };
    walk_each(array, &path.segs[first_each..], pred, &path.text, expected, ctx.evidence)
}

fn walk_each(v: Val, segs: &[Seg], pred: &DynPred, text: &Arc<str>, expected: &Arc<str>, ev: bool) -> Outcome {
    let Some((seg, rest)) = segs.split_first() else {
        return judge(pred, v, text, expected, ev);
    };
    let json = match v {
        Val::Json(Value::Null) | Val::Null => {
            // Through null, a later [*] walks an empty array; a plain key yields null.
            return if segs.contains(&Seg::Each) { Outcome::Pass } else { judge(pred, Val::Null, text, expected, ev) };
        }
        Val::Json(j) => j,
        Val::Str(_) => return judge(pred, Val::Null, text, expected, ev),
    };
    match (seg, json) {
        (Seg::Each, Value::Array(items)) => {
            let mut acc = Outcome::Pass;
            for item in items {
                acc = acc.and(walk_each(Val::Json(item), rest, pred, text, expected, ev));
                if matches!(acc, Outcome::Fail(_)) {
                    break;
                }
            }
            acc
        }
        (Seg::Each, _) => Outcome::Error(Arc::from(format!("{text}: expected an array"))),
        (Seg::Key(k), Value::Object(m)) => match m.get(k) {
            Some(child) => walk_each(Val::Json(child), rest, pred, text, expected, ev),
            None => Outcome::Unknown(text.clone()),
        },
        (Seg::Key(_), _) => walk_each(Val::Null, rest, pred, text, expected, ev),
    }
}

fn compile_count(node: &Node, count: &Node, map: &[(String, Node)], env: Env) -> Result<Compiled, CondError> {
    let (op, arg) = single_operator(node, map, "count", COUNT_OPERATORS)?;
    let Some(target) = arg.to_json().as_u64() else {
        return err(arg, format!("count {op} takes a non-negative integer"));
    };
    let accept = ops::ordering_accepts(op);
    let decide = move |n: u64| accept(n.cmp(&target));
    let expected: Arc<str> = Arc::from(format!("count {op} {target}"));
    if count.as_map().is_none() {
        return err(count, "count takes a mapping with field, related or within, and an optional where");
    }
    for (k, v) in count.as_map().unwrap_or_default() {
        if !matches!(k.as_str(), "field" | "related" | "within" | "kind" | "where") {
            return err(v, format!("unknown key '{k}' in count (expected field, related, within, kind, where)"));
        }
    }
    match (count.get("field"), count.get("related"), count.get("within")) {
        (Some(field), None, None) => count_field(field, count.get("where"), env, decide, expected),
        (None, Some(rel), None) => count_related(rel, count.get("kind"), count.get("where"), decide, expected),
        (None, None, Some(within)) => count_scope(within, count.get("kind"), count.get("where"), decide, expected),
        _ => err(count, "count needs exactly one of field, related or within"),
    }
}

struct Tally {
    matched: u64,
    unknown: u64,
    samples: Vec<Value>,
    /// Keep up to this many matching elements as evidence.
    keep: usize,
}

impl Tally {
    fn new(evidence: bool) -> Self {
        Tally {
            matched: 0,
            unknown: 0,
            samples: Vec::new(),
            keep: if evidence { 5 } else { 0 },
        }
    }

    fn add(&mut self, outcome: Outcome, sample: impl FnOnce() -> Value) -> Result<(), Outcome> {
        match outcome {
            Outcome::Pass => {
                self.matched += 1;
                if self.samples.len() < self.keep {
                    self.samples.push(sample());
                }
            }
            Outcome::Fail(_) => {}
            Outcome::Unknown(_) => self.unknown += 1,
            e @ Outcome::Error(_) => return Err(e),
        }
        Ok(())
    }

    /// Decided only when every possible count in `matched..=matched+unknown` agrees.
    fn verdict(self, decide: impl Fn(u64) -> bool, path: &Arc<str>, expected: &Arc<str>, evidence: bool) -> Outcome {
        let first = decide(self.matched);
        // The verdict functions are comparisons, so checking a bounded span is enough.
        let span = self.unknown.min(10_000);
        if (1..=span).any(|d| decide(self.matched + d) != first) {
            return Outcome::Unknown(path.clone());
        }
        if first {
            Outcome::Pass
        } else if !evidence {
            Outcome::Fail(None)
        } else {
            let value = json!({"count": self.matched, "matching": self.samples});
            Outcome::fail(path, Some(value), expected)
        }
    }
}

fn count_field(
    field: &Node,
    where_: Option<&Node>,
    env: Env,
    decide: impl Fn(u64) -> bool + Send + Sync + 'static,
    expected: Arc<str>,
) -> Result<Compiled, CondError> {
    let path = compile_path(field, env)?;
    if path.segs.last() != Some(&Seg::Each) {
        return err(field, format!("count field '{}' must end with [*]", path.text));
    }
    let as_written = parse_path(field.as_str().unwrap_or_default()).map_err(|m| CondError {
        line: field.line,
        message: m,
    })?;
    let cond = match where_ {
        Some(w) => Some(compile_in(w, Env { element: Some(&as_written) })?),
        None => None,
    };
    let first_each = path.segs.iter().position(|s| *s == Seg::Each).unwrap_or(0);
    let mut paths = vec![if path.root == Root::Element {
        env.element.cloned().unwrap_or(as_written.clone())
    } else {
        path.clone()
    }];
    let mut related = Vec::new();
    let mut scoped = Vec::new();
    let uses_time = cond.as_ref().is_some_and(|c| c.uses_time);
    if let Some(c) = &cond {
        paths.extend(c.paths.iter().filter(|p| p.root != Root::Element).cloned());
        related.extend(c.related.iter().cloned());
        scoped.extend(c.scoped.iter().cloned());
    }
    let describe: Arc<str> = Arc::from(format!("count {} {expected}", path.text));
    let text = path.text.clone();
    let shown: Vec<Path> = cond.as_ref().map(|c| c.element_paths.clone()).unwrap_or_default();
    let check: Check = Box::new(move |ctx| {
        let mut items = Vec::new();
        let mut missing = 0;
        match resolve(&path, &path.segs[..first_each], &ctx.scope()) {
            None => return Outcome::Unknown(text.clone()),
            Some(Val::Json(v)) => {
                if let Err(m) = gather(v, &path.segs[first_each..], &mut items, &mut missing) {
                    return Outcome::Error(Arc::from(format!("{text}: {m}")));
                }
            }
            Some(_) => {}
        }
        let mut tally = Tally::new(ctx.evidence);
        // An absent nested array could hold any number of elements.
        tally.unknown = missing * 10_000;
        for (index, item) in items.into_iter().enumerate() {
            let outcome = match &cond {
                None => Outcome::Pass,
                Some(c) => c.eval(&Ctx {
                    resource: ctx.resource,
                    element: Some(item),
                    lookup: ctx.lookup,
                    evidence: false,
                    now: ctx.now,
                }),
            };
            if let Err(e) = tally.add(outcome, || element_sample(index, item, &shown, ctx.resource)) {
                return e;
            }
        }
        tally.verdict(&decide, &text, &expected, ctx.evidence)
    });
    Ok(Compiled {
        check,
        paths,
        related,
        element_paths: Vec::new(),
        scoped,
        uses_time,
        describe,
    })
}

fn count_related(
    rel: &Node,
    kind: Option<&Node>,
    where_: Option<&Node>,
    decide: impl Fn(u64) -> bool + Send + Sync + 'static,
    expected: Arc<str>,
) -> Result<Compiled, CondError> {
    let Some(relation) = rel.as_str().map(str::to_string) else {
        return err(rel, "related takes a relation type, e.g. has_security_group");
    };
    // Naming the kinds keeps the scan's index of possible targets to those kinds.
    let kinds = count_kinds(kind, rel, &format!("count over related '{relation}'"))?;
    let cond = match where_ {
        Some(w) => Some(compile_in(w, Env::default())?),
        None => None,
    };
    if let (Some(w), Some(c)) = (where_, &cond) {
        if !c.scoped.is_empty() {
            return err(w, "the where of a count over related cannot count within an account");
        }
    }
    let uses_time = cond.as_ref().is_some_and(|c| c.uses_time);
    let mut related = vec![RelatedUse {
        relation: relation.clone(),
        kinds: kinds.clone(),
        paths: cond.as_ref().map(|c| c.paths.clone()).unwrap_or_default(),
        nested: false,
    }];
    if let Some(c) = &cond {
        related.extend(c.related.iter().map(|u| RelatedUse { nested: true, ..u.clone() }));
    }
    let text: Arc<str> = Arc::from(format!("related({relation})"));
    let describe: Arc<str> = Arc::from(format!("count {text} {expected}"));
    let check: Check = Box::new(move |ctx| {
        let mut tally = Tally::new(ctx.evidence);
        for target in ctx.resource.related(&relation) {
            let Some(other) = ctx.lookup.get(target) else {
                tally.unknown += 1;
                continue;
            };
            if !kinds.iter().any(|k| *k == other.kind) {
                continue;
            }
            let outcome = match &cond {
                None => Outcome::Pass,
                Some(c) => c.eval(&Ctx {
                    resource: &other,
                    element: None,
                    lookup: ctx.lookup,
                    evidence: false,
                    now: ctx.now,
                }),
            };
            if let Err(e) = tally.add(outcome, || Value::String(other.uid.clone())) {
                return e;
            }
        }
        tally.verdict(&decide, &text, &expected, ctx.evidence)
    });
    Ok(Compiled {
        check,
        paths: Vec::new(),
        related,
        element_paths: Vec::new(),
        scoped: Vec::new(),
        uses_time,
        describe,
    })
}

/// The `kind` of a count over related resources or within an account: one kind or a list.
fn count_kinds(kind: Option<&Node>, at: &Node, what: &str) -> Result<Vec<String>, CondError> {
    match kind.map(|k| (k, k.to_json())) {
        Some((_, Value::String(k))) => Ok(vec![k]),
        Some((_, Value::Array(list))) if !list.is_empty() && list.iter().all(Value::is_string) => {
            Ok(list.iter().filter_map(|k| k.as_str().map(str::to_string)).collect())
        }
        Some((n, _)) => err(n, "kind takes a canonical kind or a list of them, e.g. aws.ec2.security_group"),
        None => err(at, format!("{what} needs kind: the kind(s) it counts")),
    }
}

/// `count: {within: account|region, kind, where}`: how many resources of the kinds in the
/// resource's account (and region) satisfy `where`. The scan tallies them per account as it
/// streams and evaluates the rule at the end; an account not collected in full is unknown.
fn count_scope(
    within: &Node,
    kind: Option<&Node>,
    where_: Option<&Node>,
    decide: impl Fn(u64) -> bool + Send + Sync + 'static,
    expected: Arc<str>,
) -> Result<Compiled, CondError> {
    let scope = match within.as_str() {
        Some("account") => Within::Account,
        Some("region") => Within::Region,
        _ => return err(within, "within takes account or region"),
    };
    let kinds = count_kinds(kind, within, "count within an account")?;
    let cond = match where_ {
        Some(w) => Some(compile_in(w, Env::default())?),
        None => None,
    };
    if let (Some(w), Some(c)) = (where_, &cond) {
        if !c.related.is_empty() || !c.scoped.is_empty() {
            return err(w, "the where of a count within an account cannot walk relations or count within an account again");
        }
    }
    let scope_text = if scope == Within::Account { "account" } else { "region" };
    let where_text = cond.as_ref().map_or_else(String::new, |c| format!(" where {}", c.describe));
    let key: Arc<str> = Arc::from(format!("{scope_text}|{}|{where_text}", kinds.join(",")));
    let text: Arc<str> = Arc::from(format!("within({scope_text}: {})", kinds.join(", ")));
    let describe: Arc<str> = Arc::from(format!("count {text}{where_text} {expected}"));
    let uses_time = cond.as_ref().is_some_and(|c| c.uses_time);
    let scope_use = ScopeUse { key: key.clone(), within: scope, kinds, cond: cond.map(Arc::new) };
    let check: Check = Box::new(move |ctx| {
        let r = ctx.resource;
        let region = if scope == Within::Region { r.region.as_deref() } else { None };
        let Some(c) = ctx.lookup.scope_count(&key, &r.account, region) else {
            return Outcome::Unknown(text.clone());
        };
        let tally = Tally {
            matched: c.matched,
            unknown: c.unknown,
            samples: if ctx.evidence { c.samples.into_iter().map(Value::String).collect() } else { Vec::new() },
            keep: 0,
        };
        tally.verdict(&decide, &text, &expected, ctx.evidence)
    });
    // The region of the resource keys the tally, so a projected copy must keep it.
    let paths = match scope {
        Within::Region => parse_path("region").into_iter().collect(),
        Within::Account => Vec::new(),
    };
    Ok(Compiled {
        check,
        paths,
        related: Vec::new(),
        element_paths: Vec::new(),
        scoped: vec![scope_use],
        uses_time,
        describe,
    })
}

/// The elements a count walks: `a[*].b[*]` flattens every `b` of every `a`.
fn gather<'a>(v: &'a Value, segs: &[Seg], out: &mut Vec<&'a Value>, missing: &mut u64) -> Result<(), String> {
    let Some((seg, rest)) = segs.split_first() else {
        out.push(v);
        return Ok(());
    };
    match (seg, v) {
        (_, Value::Null) => Ok(()),
        (Seg::Each, Value::Array(items)) => items.iter().try_for_each(|i| gather(i, rest, out, missing)),
        (Seg::Each, _) => Err("expected an array".into()),
        (Seg::Key(k), Value::Object(m)) => match m.get(k) {
            Some(child) => gather(child, rest, out, missing),
            None => {
                *missing += 1;
                Ok(())
            }
        },
        (Seg::Key(_), _) => Ok(()),
    }
}

/// Every alternative of a failed `anyOf`, so the evidence shows each one that was tried.
fn merge_failures(failures: Vec<Box<Failure>>) -> Failure {
    let paths: Vec<&str> = failures.iter().map(|f| &*f.path).collect();
    let expected: Vec<String> = failures.iter().map(|f| format!("{} {}", f.path, f.expected)).collect();
    let values: serde_json::Map<String, Value> = failures
        .iter()
        .map(|f| (f.path.to_string(), f.value.clone().unwrap_or(Value::Null)))
        .collect();
    Failure {
        path: Arc::from(paths.join(" | ")),
        value: Some(Value::Object(values)),
        expected: Arc::from(format!("any of: {}", expected.join("; "))),
    }
}

/// Evidence for one matching element: its position, its name if it has one, and the values the
/// `where` condition read, rather than a copy of the whole element.
fn element_sample(index: usize, item: &Value, shown: &[Path], resource: &Resource) -> Value {
    let mut out = serde_json::Map::new();
    out.insert("index".into(), json!(index));
    match item {
        Value::Object(m) => {
            if let Some(name) = m.get("name").filter(|n| n.is_string()) {
                out.insert("name".into(), name.clone());
            }
        }
        scalar => {
            out.insert("value".into(), scalar.clone());
        }
    }
    let scope = Scope { resource, element: Some(item) };
    for p in shown {
        let v = resolve(p, &p.segs, &scope).map_or(Value::Null, Val::to_json);
        out.insert(p.text.to_string(), v);
    }
    Value::Object(out)
}
