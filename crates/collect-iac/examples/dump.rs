//! Prints what `posture scan iac` would read from the given paths, as NDJSON (for debugging).

fn main() {
    let paths: Vec<std::path::PathBuf> = std::env::args().skip(1).map(Into::into).collect();
    let out = posture_collect_iac::scan(&paths);
    for r in &out.resources {
        println!("{}", serde_json::to_string(&r.resource).unwrap_or_default());
    }
    for i in &out.issues {
        eprintln!("issue {}:{}: {}", i.file, i.line, i.message);
    }
    for s in &out.suppressions {
        eprintln!("suppressed {} on {} ({}:{}): {}", s.rule_id, s.uid, s.file, s.line, s.reason);
    }
    for l in &out.links {
        eprintln!("link {} -> {}:{} {}", l.key, l.file, l.line, l.address);
    }
}
