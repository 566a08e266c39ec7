//! `gen-estate N OUT [SEED]`: writes a deterministic synthetic snapshot of N resources.

use posture_bench::{accounts, load_templates, synthesize, Rng};
use posture_collect::snapshot::SnapshotWriter;
use posture_model::SnapshotHeader;
use std::path::{Path, PathBuf};

fn main() -> anyhow::Result<()> {
    let args: Vec<String> = std::env::args().collect();
    anyhow::ensure!(args.len() >= 3, "usage: gen-estate N OUT [SEED]");
    let n: usize = args[1].parse()?;
    let out = PathBuf::from(&args[2]);
    let seed: u64 = args.get(3).map(|s| s.parse()).transpose()?.unwrap_or(42);
    let repo = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let templates = load_templates(&repo)?;
    let header = SnapshotHeader::new("synthetic", "2026-11-28T00:00:00Z", accounts(&templates, n));
    let mut w = SnapshotWriter::create(&out, &header)?;
    let mut rng = Rng::new(seed);
    for i in 0..n {
        w.write(&synthesize(&templates, i, &mut rng))?;
    }
    w.finish()?;
    eprintln!("wrote {n} resources ({} templates) to {}", templates.len(), out.display());
    Ok(())
}
