//! `docs/coverage.md` is generated from the rule and standard files and must match them.

use posture_report::{coverage_markdown, REGENERATE};
use posture_rules::RuleSet;
use posture_standards::Standards;

#[test]
fn docs_coverage_md_is_up_to_date() {
    let rules = RuleSet::builtin().unwrap_or_else(|e| panic!("built-in rules do not load: {e:?}"));
    let standards = Standards::builtin().unwrap_or_else(|e| panic!("built-in standards do not load: {e:?}"));
    let want = coverage_markdown(&rules, &standards);
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../../docs/coverage.md");
    let have = std::fs::read_to_string(path).unwrap_or_default();
    assert!(
        have == want,
        "docs/coverage.md is out of date with rules/ and standards/. Regenerate it from the repository root:\n\n    {REGENERATE}\n"
    );
}
