//! `eval-throughput [N]`: applicable rule checks per second on one core, with the built-in rules on
//! a synthetic estate of N resources (parsing and storage excluded: this measures the rule engine).
//!
//! Two figures: `hot`, where each batch of 1,024 resources is evaluated right after it was
//! materialised, as the scan pipeline does after parsing a batch; and `cold`, one pass over the
//! whole estate in memory, where every resource is a cache miss. `PER_RULE=1` adds the slowest rules.

use posture_bench::{load_templates, synthesize, Rng};
use posture_model::{Resource, ResultState};
use posture_rules::{AppliesMemo, Lookup, RuleSet};
use rustc_hash::FxHashMap as HashMap;
use std::path::Path;
use std::time::Instant;

// The allocator `posture` ships with: evidence and unknown results allocate per check.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> anyhow::Result<()> {
    let n: usize = std::env::args().nth(1).map(|s| s.parse()).transpose()?.unwrap_or(200_000);
    let repo = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let templates = load_templates(&repo)?;
    let mut rng = Rng::new(42);
    let estate: Vec<Resource> = (0..n).map(|i| synthesize(&templates, i, &mut rng)).collect();
    let lookup: HashMap<String, Resource> = estate.iter().map(|r| (r.uid.clone(), r.clone())).collect();
    let rules = RuleSet::builtin().map_err(|e| anyhow::anyhow!("{e:?}"))?;
    let run = |batch: &[Resource], counts: &mut [u64; 5]| {
        let mut memo = AppliesMemo::default();
        for r in batch {
            memo.clear();
            for &i in rules.for_kind(&r.kind) {
                let e = rules.rules[i].evaluate_memo(r, &lookup as &dyn Lookup, None, &mut memo);
                counts[e.state as usize] += 1;
            }
        }
    };
    let mut counts = [0u64; 5];
    let (mut hot, mut cold) = (f64::MAX, f64::MAX);
    for _round in 0..5 {
        counts = [0; 5];
        let mut elapsed = 0.0;
        for chunk in estate.chunks(1024) {
            let batch = chunk.to_vec();
            let start = Instant::now();
            run(&batch, &mut counts);
            elapsed += start.elapsed().as_secs_f64();
        }
        hot = hot.min(elapsed);
        let start = Instant::now();
        run(&estate, &mut [0; 5]);
        cold = cold.min(start.elapsed().as_secs_f64());
    }
    let checks: u64 = counts.iter().sum::<u64>() - counts[ResultState::NotApplicable as usize];
    if std::env::var_os("PER_RULE").is_some() {
        per_rule(&rules, &estate, &lookup);
    }
    println!(
        "{{\"resources\": {n}, \"rules\": {}, \"applicable_checks\": {checks}, \"hot_seconds\": {hot:.3}, \"hot_checks_per_second_per_core\": {:.0}, \"cold_seconds\": {cold:.3}, \"cold_checks_per_second_per_core\": {:.0}, \"pass\": {}, \"fail\": {}, \"unknown\": {}, \"error\": {}, \"not_applicable\": {}}}",
        rules.rules.len(),
        checks as f64 / hot,
        checks as f64 / cold,
        counts[ResultState::Pass as usize],
        counts[ResultState::Fail as usize],
        counts[ResultState::Unknown as usize],
        counts[ResultState::Error as usize],
        counts[ResultState::NotApplicable as usize],
    );
    Ok(())
}

fn per_rule(rules: &RuleSet, estate: &[Resource], lookup: &HashMap<String, Resource>) {
    let mut per: Vec<(f64, u64, &str)> = rules.rules.iter().map(|r| (0.0, 0, r.meta.id.as_str())).collect();
    for chunk in estate.chunks(1024) {
        let batch = chunk.to_vec();
        for r in &batch {
            for &i in rules.for_kind(&r.kind) {
                let t = Instant::now();
                let _ = rules.rules[i].evaluate_applicable(r, lookup as &dyn Lookup);
                per[i].0 += t.elapsed().as_secs_f64();
                per[i].1 += 1;
            }
        }
    }
    per.sort_by(|a, b| b.0.total_cmp(&a.0));
    for (t, n, id) in per.iter().take(15) {
        eprintln!("{id}: {:.3}s total, {:.0} ns/check over {n}", t, t / *n as f64 * 1e9);
    }
}
