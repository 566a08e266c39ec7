//! The scan pipeline: a producer thread reads snapshot lines and evaluates them in parallel with
//! rayon; the calling thread writes each batch into the store's open transaction.

use crate::evaluate::{uid_hash, ControlStates, Evaluator, ScopeCounts, ScoreTally, TargetIndex, WithScopes};
use posture_collect::snapshot::{parse_resource, RawLine, SnapshotReader};
use posture_model::{Resource, ResultState, Severity};
use posture_rules::RuleSet;
use posture_schema::KindRegistry;
use posture_store::{
    ControlScoreRow, ResourceRow, ResultRow, RuleInfo, RuleStats, ScanIssue, ScanMeta, ScanSummary, Store,
    StoreError,
};
use rayon::prelude::*;
use rustc_hash::FxHashSet;
use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;
use std::sync::mpsc::{sync_channel, SyncSender};

const BATCH: usize = 4096;

#[derive(Debug, thiserror::Error)]
pub enum ScanError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("no input could be read:\n{0}")]
    NoInput(String),
}

pub struct ScanOptions<'a> {
    /// Recorded on the scan: `snapshot`, `demo`, …
    pub source: String,
    /// Known kinds: a resource of another kind is stored but flagged.
    pub kinds: Option<&'a KindRegistry>,
    /// Called with the number of resources read so far.
    pub progress: Option<&'a (dyn Fn(u64) + Sync)>,
}

/// What a scan did, for the CLI and for `--fail-on`.
#[derive(Debug, Clone, Default, serde::Serialize)]
pub struct ScanReport {
    pub scan_id: i64,
    pub resources: u64,
    pub evaluations: u64,
    pub pass: u64,
    pub fail: u64,
    pub unknown: u64,
    pub error: u64,
    /// Results an exemption covers; not in the counts above, nor in the score or `--fail-on`.
    pub exempt: u64,
    pub failed_by_severity: BTreeMap<Severity, u64>,
    pub complete: bool,
    pub issues: Vec<ScanIssue>,
}

#[derive(Default)]
struct Batch {
    resources: Vec<ResourceRow>,
    results: Vec<ResultRow>,
    issues: Vec<ScanIssue>,
}

enum Msg {
    Batch(Batch),
    Done(Totals),
}

#[derive(Default)]
struct Totals {
    resources: u64,
    stats: Vec<[u64; 5]>,
    tally: ScoreTally,
    complete: bool,
    accounts: BTreeSet<String>,
    scopes: ScopeCounts,
}

/// One parsed and evaluated line.
struct LineOut {
    uid_hash: u64,
    row: Option<ResourceRow>,
    results: Vec<ResultRow>,
    states: Vec<(usize, ResultState)>,
    controls: ControlStates,
    account: String,
    deferred: Option<Box<str>>,
    target: Option<Resource>,
    /// How the resource counts for `count: {within: ...}` conditions.
    votes: Vec<(u32, Option<String>, bool)>,
    issue: Option<ScanIssue>,
    /// The line could not be read as a resource: the file no longer covers its accounts in full.
    unreadable: bool,
}

pub fn scan_snapshots(
    paths: &[PathBuf],
    rules: &RuleSet,
    store: &mut dyn Store,
    opts: &ScanOptions,
) -> Result<ScanReport, ScanError> {
    let mut readers = Vec::new();
    let mut open_issues = Vec::new();
    for p in paths {
        match SnapshotReader::open(p) {
            Ok(r) => readers.push(r),
            Err(e) => open_issues.push(ScanIssue { location: p.display().to_string(), message: e.to_string() }),
        }
    }
    if readers.is_empty() {
        let text: Vec<String> = open_issues.iter().map(|i| i.message.clone()).collect();
        return Err(ScanError::NoInput(text.join("\n")));
    }
    let meta = ScanMeta {
        source: opts.source.clone(),
        inputs: paths.iter().map(|p| p.display().to_string()).collect(),
        started_at: posture_store::now_rfc3339(),
    };
    let mut evaluator = Evaluator::new(rules);
    evaluator.now = Some(scan_time(&readers));
    let mut sink = store.begin_scan(&meta)?;
    sink.put_rules(&rule_infos(rules))?;
    let mut report = ScanReport { scan_id: sink.scan_id(), ..ScanReport::default() };
    // Problems met while collecting travel in each snapshot's header.
    for r in &readers {
        open_issues.extend(r.header.issues.iter().map(|i| ScanIssue { location: i.location.clone(), message: i.message.clone() }));
    }
    for issue in &open_issues {
        sink.put_issue(issue)?;
    }
    report.issues.extend(open_issues);

    let (tx, rx) = sync_channel::<Msg>(2);
    let totals = std::thread::scope(|s| -> Result<Totals, ScanError> {
        let ev = &evaluator;
        let producer = s.spawn(move || produce(readers, ev, opts, tx));
        let mut totals = None;
        for msg in rx {
            match msg {
                Msg::Batch(b) => {
                    sink.put_resources(&b.resources)?;
                    sink.put_results(&b.results)?;
                    for issue in &b.issues {
                        sink.put_issue(issue)?;
                    }
                    report.issues.extend(b.issues);
                }
                Msg::Done(t) => totals = Some(t),
            }
        }
        // The producer only stops early if the receiver is gone, which cannot happen here.
        producer.join().ok();
        Ok(totals.unwrap_or_default())
    })?;

    let mut summary = summarise(&evaluator, &totals);
    for (i, s) in totals.stats.iter().enumerate() {
        report.evaluations += s[0] + s[1] + s[2] + s[3];
        report.pass += s[0];
        report.fail += s[1];
        report.unknown += s[2];
        report.error += s[3];
        if s[1] > 0 {
            *report.failed_by_severity.entry(evaluator.severity(i)).or_default() += s[1];
        }
    }
    report.resources = totals.resources;
    report.complete = totals.complete;
    crate::exempt::apply(sink.as_mut(), &evaluator, &totals.scopes, &mut summary, &mut report)?;
    sink.commit(&summary)?;
    Ok(report)
}

fn rule_infos(rules: &RuleSet) -> Vec<RuleInfo> {
    rules
        .rules
        .iter()
        .map(|r| RuleInfo {
            id: r.meta.id.clone(),
            title: r.meta.title.clone(),
            severity: r.meta.severity,
            control: r.meta.control.clone(),
            remediation: r.meta.remediation.text.clone(),
        })
        .collect()
}

fn summarise(ev: &Evaluator, totals: &Totals) -> ScanSummary {
    let rules = &ev.rules;
    let rule_stats = totals
        .stats
        .iter()
        .enumerate()
        .map(|(i, s)| RuleStats {
            rule_id: rules.rules[i].meta.id.clone(),
            pass: s[0],
            fail: s[1],
            unknown: s[2],
            error: s[3],
            not_applicable: s[4],
        })
        .collect();
    let mut scores: Vec<ControlScoreRow> = totals
        .tally
        .0
        .iter()
        .map(|((account, c), n)| {
            let control = &rules.controls[*c as usize];
            ControlScoreRow {
                account: account.clone(),
                control: control.id.clone(),
                max_points: control.max_points,
                healthy: n[0],
                unhealthy: n[1],
                unknown: n[2],
            }
        })
        .collect();
    scores.sort_by(|a, b| (&a.account, &a.control).cmp(&(&b.account, &b.control)));
    ScanSummary {
        resources: totals.resources,
        evaluations: totals.stats.iter().map(|s| s[0] + s[1] + s[2] + s[3]).sum(),
        complete: totals.complete,
        covered_accounts: totals.accounts.iter().cloned().collect(),
        rule_stats,
        scores,
    }
}

/// State kept by the producer across batches.
struct Producer<'e> {
    ev: &'e Evaluator<'e>,
    totals: Totals,
    seen: FxHashSet<u64>,
    /// Resources whose related rules wait for the end of the stream, as compact JSON.
    deferred: Vec<(Box<str>, ControlStates)>,
    targets: TargetIndex,
}

fn produce(readers: Vec<SnapshotReader>, ev: &Evaluator, opts: &ScanOptions, tx: SyncSender<Msg>) {
    let mut p = Producer {
        ev,
        totals: Totals { stats: vec![[0; 5]; ev.rules.rules.len()], complete: true, ..Totals::default() },
        seen: FxHashSet::default(),
        deferred: Vec::new(),
        targets: TargetIndex::default(),
    };
    for mut reader in readers {
        let file = reader.file().to_string();
        let mut file_complete = true;
        loop {
            let lines = match reader.next_batch(BATCH) {
                Ok(l) if l.is_empty() => break,
                Ok(l) => l,
                Err(e) => {
                    file_complete = false;
                    let issue = ScanIssue { location: file.clone(), message: e.to_string() };
                    if tx.send(Msg::Batch(Batch { issues: vec![issue], ..Batch::default() })).is_err() {
                        return;
                    }
                    break;
                }
            };
            let outs: Vec<LineOut> = lines.par_iter().map(|l| process_line(ev, opts, &file, l)).collect();
            let (batch, unreadable) = p.merge(outs);
            file_complete &= !unreadable;
            if let Some(progress) = opts.progress {
                progress(p.totals.resources);
            }
            if tx.send(Msg::Batch(batch)).is_err() {
                return;
            }
        }
        // A collection that met problems may lack resources anywhere: it proves no absence.
        if file_complete && reader.header.issues.is_empty() {
            p.totals.accounts.extend(reader.header.accounts.iter().cloned());
        } else {
            p.totals.complete = false;
        }
    }
    p.totals.scopes.covered = p.totals.accounts.clone();
    let batch = p.finish_deferred();
    if tx.send(Msg::Batch(batch)).is_err() {
        return;
    }
    let _ = tx.send(Msg::Done(p.totals));
}

impl Producer<'_> {
    /// Folds a batch of evaluated lines into the totals; returns rows to store and whether a line
    /// could not be read.
    fn merge(&mut self, outs: Vec<LineOut>) -> (Batch, bool) {
        let mut batch = Batch::default();
        let mut unreadable = false;
        for out in outs {
            unreadable |= out.unreadable;
            if let Some(issue) = out.issue {
                batch.issues.push(issue);
            }
            let Some(row) = out.row else { continue };
            if !self.seen.insert(out.uid_hash) {
                batch.issues.push(ScanIssue {
                    location: row.uid.clone(),
                    message: "duplicate uid in this scan; the later copy was ignored".into(),
                });
                continue;
            }
            self.totals.resources += 1;
            for (i, s) in out.states {
                self.totals.stats[i][state_index(s)] += 1;
            }
            batch.results.extend(out.results);
            match out.deferred {
                Some(src) => self.deferred.push((src, out.controls)),
                None => self.totals.tally.add(&out.account, &out.controls),
            }
            if let Some(t) = out.target {
                self.targets.insert(&t);
            }
            for (scope, region, unknown) in out.votes {
                self.totals.scopes.add(self.ev, scope, &out.account, region, unknown, &row.uid);
            }
            batch.resources.push(row);
        }
        (batch, unreadable)
    }

    /// Evaluates the rules that walk relations, now that every target has been read.
    fn finish_deferred(&mut self) -> Batch {
        let ev = self.ev;
        let targets = &WithScopes { inner: &self.targets, scopes: &self.totals.scopes };
        let outs: Vec<_> = self
            .deferred
            .par_iter()
            .map(|(json, _)| {
                let src: Resource = serde_json::from_str(json).ok()?;
                let out = ev.evaluate_deferred(&src, targets);
                Some((src.account, out))
            })
            .collect();
        let mut batch = Batch::default();
        for ((_, mut controls), out) in std::mem::take(&mut self.deferred).into_iter().zip(outs) {
            // We serialised these ourselves, so this is a bug, not bad input; say so all the same.
            let Some((account, out)) = out else {
                batch.issues.push(ScanIssue {
                    location: "related rules".into(),
                    message: "internal error: a resource kept for related rules could not be read back".into(),
                });
                continue;
            };
            for (i, s) in out.states {
                self.totals.stats[i][state_index(s)] += 1;
            }
            for &(c, s) in &out.controls.0 {
                controls.add(c, s);
            }
            self.totals.tally.add(&account, &controls);
            batch.results.extend(out.results);
        }
        self.targets.clear();
        batch
    }
}

/// The time the scan judges dates against: when the newest input was collected (a snapshot
/// describes the estate at that time), else now.
fn scan_time(readers: &[SnapshotReader]) -> i64 {
    readers
        .iter()
        .filter_map(|r| posture_rules::parse_time(&r.header.collected_at))
        .max()
        .or_else(|| posture_rules::parse_time(&posture_store::now_rfc3339()))
        .unwrap_or_default()
}

fn state_index(s: ResultState) -> usize {
    match s {
        ResultState::Pass => 0,
        ResultState::Fail => 1,
        ResultState::Unknown => 2,
        ResultState::Error => 3,
        ResultState::NotApplicable => 4,
    }
}

fn process_line(ev: &Evaluator, opts: &ScanOptions, file: &str, line: &RawLine) -> LineOut {
    let mut out = LineOut {
        uid_hash: 0,
        row: None,
        results: Vec::new(),
        states: Vec::new(),
        controls: ControlStates::default(),
        account: String::new(),
        deferred: None,
        target: None,
        votes: Vec::new(),
        issue: None,
        unreadable: false,
    };
    let location = format!("{file}:{}", line.line);
    let resource = match parse_resource(&line.text) {
        Ok(r) => r,
        Err(message) => {
            out.unreadable = true;
            let message = if line.terminated { message } else { format!("{message} (the file ends mid-line: truncated?)") };
            out.issue = Some(ScanIssue { location, message });
            return out;
        }
    };
    if opts.kinds.is_some_and(|k| !k.is_known(&resource.kind)) {
        out.issue = Some(ScanIssue {
            location,
            message: format!("unknown kind '{}' ({}): stored in the inventory, no rule evaluated", resource.kind, resource.uid),
        });
    }
    out.uid_hash = uid_hash(&resource.uid);
    let now = ev.evaluate_now(&resource);
    out.results = now.results;
    out.states = now.states;
    out.controls = now.controls;
    if ev.has_deferred(&resource.kind) {
        out.deferred = serde_json::to_string(&ev.project_source(&resource)).ok().map(String::into_boxed_str);
    }
    if ev.is_target(&resource) {
        out.target = Some(ev.project_target(&resource));
    }
    out.votes = ev.scope_votes(&resource);
    out.account = resource.account.clone();
    out.row = Some(resource_row(resource));
    out
}

fn resource_row(r: Resource) -> ResourceRow {
    ResourceRow {
        tags: to_json(&r.tags),
        attrs: to_json(&r.attrs),
        relations: to_json(&r.relations),
        origin: r.origin.as_ref().map(to_json),
        uid: r.uid,
        kind: r.kind,
        provider: r.provider,
        account: r.account,
        region: r.region,
        name: r.name,
    }
}

/// Serialises a value that came from JSON, which cannot fail.
fn to_json<T: serde::Serialize>(v: &T) -> String {
    serde_json::to_string(v).unwrap_or_else(|_| "null".into())
}
