//! Deterministic synthetic estates: copies of the demo estate (a realistic mix of kinds, attributes
//! and relations across four providers) with their ids renamed per copy and a seeded share of their
//! boolean settings flipped, so every copy is consistent but not identical.

use posture_collect::snapshot::{parse_resource, SnapshotReader};
use posture_model::Resource;
use serde_json::Value;
use std::path::Path;

/// splitmix64: small, fast, and the same on every machine.
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Self {
        Rng(seed)
    }

    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// True with probability `p`.
    pub fn chance(&mut self, p: f64) -> bool {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64 <= p
    }
}

/// The demo estate, read from `demo/*.ndjson` under `repo`.
pub fn load_templates(repo: &Path) -> anyhow::Result<Vec<Resource>> {
    let mut out = Vec::new();
    let mut files: Vec<_> = std::fs::read_dir(repo.join("demo"))?.flatten().map(|e| e.path()).collect();
    files.retain(|p| p.extension().is_some_and(|e| e == "ndjson"));
    files.sort();
    for f in files {
        let mut reader = SnapshotReader::open(&f)?;
        loop {
            let batch = reader.next_batch(1024)?;
            if batch.is_empty() {
                break;
            }
            for line in batch {
                out.push(parse_resource(&line.text).map_err(|e| anyhow::anyhow!("{}:{}: {e}", f.display(), line.line))?);
            }
        }
    }
    anyhow::ensure!(!out.is_empty(), "no demo resources under {}", repo.display());
    Ok(out)
}

/// Resource `i` of a synthetic estate: copy `i / templates.len()` of template `i % templates.len()`.
pub fn synthesize(templates: &[Resource], i: usize, rng: &mut Rng) -> Resource {
    let copy = i / templates.len();
    let mut r = templates[i % templates.len()].clone();
    let suffix = format!("~{copy}");
    r.uid.push_str(&suffix);
    for rel in &mut r.relations {
        rel.target.push_str(&suffix);
    }
    // 100 copies share an account, so accounts stay realistic in number.
    r.account = format!("{}-{}", r.account, copy / 100);
    r.name = format!("{}-{copy}", r.name);
    for v in r.attrs.values_mut() {
        flip_some(v, rng);
    }
    r
}

fn flip_some(v: &mut Value, rng: &mut Rng) {
    match v {
        Value::Bool(b) if rng.chance(0.08) => *b = !*b,
        Value::Object(m) => m.values_mut().for_each(|v| flip_some(v, rng)),
        Value::Array(a) => a.iter_mut().for_each(|v| flip_some(v, rng)),
        _ => {}
    }
}

/// The accounts of an estate of `n` resources.
pub fn accounts(templates: &[Resource], n: usize) -> Vec<String> {
    let copies = n.div_ceil(templates.len().max(1));
    let mut out: Vec<String> = (0..copies.div_ceil(100))
        .flat_map(|g| templates.iter().map(move |t| format!("{}-{g}", t.account)))
        .collect();
    out.sort();
    out.dedup();
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn synthesis_is_deterministic_and_keeps_relations_inside_a_copy() {
        let repo = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
        let t = load_templates(&repo).unwrap();
        let gen = |seed| {
            let mut rng = Rng::new(seed);
            (0..t.len() * 2).map(|i| synthesize(&t, i, &mut rng)).collect::<Vec<_>>()
        };
        let (a, b) = (gen(7), gen(7));
        assert_eq!(a, b);
        let uids: std::collections::HashSet<&str> = a.iter().map(|r| r.uid.as_str()).collect();
        assert_eq!(uids.len(), a.len(), "uids are unique");
        let template_uids: std::collections::HashSet<&str> = t.iter().map(|r| r.uid.as_str()).collect();
        for r in &a {
            for rel in &r.relations {
                let base = rel.target.rsplit_once('~').unwrap().0;
                if template_uids.contains(base) {
                    assert!(uids.contains(rel.target.as_str()), "{} -> {}", r.uid, rel.target);
                }
            }
        }
    }
}
