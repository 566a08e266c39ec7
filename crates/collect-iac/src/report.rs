//! Pull-request and CI outputs of IaC findings: SARIF 2.1.0 (GitHub code scanning), GitHub
//! Actions workflow commands, GitLab code quality, JUnit XML.

use posture_model::{ResultState, Severity};
use serde_json::{json, Value};
use std::collections::BTreeMap;
use std::fmt::Write as _;

/// One finding at a place in the code.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Annotation {
    pub rule_id: String,
    pub title: String,
    pub severity: Severity,
    pub state: ResultState,
    /// Relative to the repository root, with `/`.
    pub file: String,
    pub line: u32,
    /// The resource (`aws_s3_bucket.logs`) and what decided the result.
    pub message: String,
    pub uid: String,
    /// The suppression's reason, when suppressed.
    pub suppressed: Option<String>,
}

/// What a report says about a rule.
#[derive(Debug, Clone, PartialEq)]
pub struct RuleDoc {
    pub id: String,
    pub title: String,
    pub severity: Severity,
    pub description: String,
    pub remediation: String,
}

/// GitHub's `security-severity` (CVSS-like, 0–10) for a severity.
fn security_severity(s: Severity) -> &'static str {
    match s {
        Severity::Critical => "9.5",
        Severity::High => "8.0",
        Severity::Medium => "5.5",
        Severity::Low => "3.0",
        Severity::Informational => "0.0",
    }
}

fn level(a: &Annotation) -> &'static str {
    if a.state != ResultState::Fail {
        return "note";
    }
    match a.severity {
        Severity::Critical | Severity::High => "error",
        Severity::Medium => "warning",
        Severity::Low | Severity::Informational => "note",
    }
}

/// Stable across scans and line moves: rule, resource.
pub fn fingerprint(a: &Annotation) -> String {
    // FNV-1a, 64 bits, twice with different seeds: stable without a hashing dependency.
    let h = |seed: u64| {
        let mut x = seed;
        for b in a.rule_id.bytes().chain([0]).chain(a.uid.bytes()) {
            x ^= u64::from(b);
            x = x.wrapping_mul(0x100000001b3);
        }
        x
    };
    format!("{:016x}{:016x}", h(0xcbf29ce484222325), h(0x84222325cbf29ce4))
}

pub fn sarif(annotations: &[Annotation], rules: &[RuleDoc], version: &str) -> String {
    let used: BTreeMap<&str, usize> = {
        let mut ids: Vec<&str> = annotations.iter().map(|a| a.rule_id.as_str()).collect();
        ids.sort();
        ids.dedup();
        ids.into_iter().enumerate().map(|(i, id)| (id, i)).collect()
    };
    let rule_list: Vec<Value> = used
        .keys()
        .map(|id| {
            let doc = rules.iter().find(|r| r.id == *id);
            let (title, desc, fix, sev) = doc.map_or((*id, "", "", Severity::Informational), |d| (&d.title, &d.description, &d.remediation, d.severity));
            json!({
                "id": id,
                "name": id.replace('.', ""),
                "shortDescription": {"text": title},
                "fullDescription": {"text": if desc.is_empty() { title } else { desc }},
                "help": {"text": fix, "markdown": format!("**{title}**\n\n{desc}\n\n**Remediation:** {fix}")},
                "defaultConfiguration": {"level": match sev { Severity::Critical | Severity::High => "error", Severity::Medium => "warning", _ => "note" }},
                "properties": {"security-severity": security_severity(sev), "tags": ["security", "iac"]},
            })
        })
        .collect();
    let results: Vec<Value> = annotations
        .iter()
        .map(|a| {
            let mut r = json!({
                "ruleId": a.rule_id,
                "ruleIndex": used.get(a.rule_id.as_str()).copied().unwrap_or(0),
                "level": level(a),
                "message": {"text": a.message},
                "locations": [{"physicalLocation": {
                    "artifactLocation": {"uri": a.file},
                    "region": {"startLine": a.line.max(1)},
                }}],
                "partialFingerprints": {"postureFinding/v1": fingerprint(a)},
            });
            if let Some(reason) = &a.suppressed {
                r["suppressions"] = json!([{"kind": "inSource", "justification": reason}]);
            }
            r
        })
        .collect();
    let doc = json!({
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {"name": "Posture", "informationUri": "https://posture.dev", "version": version, "semanticVersion": version, "rules": rule_list}},
            "results": results,
        }],
    });
    serde_json::to_string_pretty(&doc).unwrap_or_default()
}

/// GitHub Actions workflow commands; values escaped as the runner expects.
pub fn github(annotations: &[Annotation]) -> String {
    let esc_data = |s: &str| s.replace('%', "%25").replace('\r', "%0D").replace('\n', "%0A");
    let esc_prop = |s: &str| esc_data(s).replace(':', "%3A").replace(',', "%2C");
    let mut out = String::new();
    for a in annotations.iter().filter(|a| a.suppressed.is_none()) {
        let cmd = match level(a) {
            "error" => "error",
            "warning" => "warning",
            _ => "notice",
        };
        let title = format!("{} {}", a.rule_id, a.title);
        let _ = writeln!(out, "::{cmd} file={},line={},title={}::{}", esc_prop(&a.file), a.line.max(1), esc_prop(&title), esc_data(&a.message));
    }
    out
}

/// GitLab code quality report (a subset of Code Climate's format).
pub fn gitlab(annotations: &[Annotation]) -> String {
    let items: Vec<Value> = annotations
        .iter()
        .filter(|a| a.suppressed.is_none())
        .map(|a| {
            let severity = match a.severity {
                Severity::Critical => "blocker",
                Severity::High => "critical",
                Severity::Medium => "major",
                Severity::Low => "minor",
                Severity::Informational => "info",
            };
            json!({
                "type": "issue",
                "check_name": a.rule_id,
                "description": format!("{}: {}", a.title, a.message),
                "categories": ["Security"],
                "fingerprint": fingerprint(a),
                "severity": severity,
                "location": {"path": a.file, "lines": {"begin": a.line.max(1)}},
            })
        })
        .collect();
    serde_json::to_string_pretty(&items).unwrap_or_default()
}

fn xml(s: &str) -> String {
    s.chars()
        .filter(|c| !c.is_control() || matches!(c, '\n' | '\t'))
        .map(|c| match c {
            '&' => "&amp;".to_string(),
            '<' => "&lt;".to_string(),
            '>' => "&gt;".to_string(),
            '"' => "&quot;".to_string(),
            '\'' => "&apos;".to_string(),
            c => c.to_string(),
        })
        .collect()
}

/// JUnit XML: one test suite per rule, one failing (or skipped, when suppressed) test case per
/// finding.
pub fn junit(annotations: &[Annotation]) -> String {
    let mut by_rule: BTreeMap<&str, Vec<&Annotation>> = BTreeMap::new();
    for a in annotations {
        by_rule.entry(&a.rule_id).or_default().push(a);
    }
    let failures = annotations.iter().filter(|a| a.suppressed.is_none()).count();
    let mut out = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    let _ = writeln!(out, "<testsuites name=\"posture iac\" tests=\"{}\" failures=\"{failures}\">", annotations.len());
    for (rule, items) in by_rule {
        let fails = items.iter().filter(|a| a.suppressed.is_none()).count();
        let skipped = items.len() - fails;
        let _ = writeln!(out, "  <testsuite name=\"{}\" tests=\"{}\" failures=\"{fails}\" skipped=\"{skipped}\">", xml(rule), items.len());
        for a in items {
            let _ = writeln!(out, "    <testcase name=\"{}\" classname=\"{}\" file=\"{}\" line=\"{}\">", xml(&a.uid), xml(rule), xml(&a.file), a.line.max(1));
            match &a.suppressed {
                Some(reason) => {
                    let _ = writeln!(out, "      <skipped message=\"suppressed: {}\"/>", xml(reason));
                }
                None => {
                    let _ = writeln!(
                        out,
                        "      <failure type=\"{}\" message=\"{}\">{}:{}: {}</failure>",
                        a.severity,
                        xml(&a.title),
                        xml(&a.file),
                        a.line.max(1),
                        xml(&a.message)
                    );
                }
            }
            out.push_str("    </testcase>\n");
        }
        out.push_str("  </testsuite>\n");
    }
    out.push_str("</testsuites>\n");
    out
}
