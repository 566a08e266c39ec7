//! Hard-coded secrets in any scanned file. Each one becomes an `iac.secret` resource at its
//! line, so the same rules, suppressions and outputs apply; the secret itself is never kept,
//! only a masked form (first and last characters).

use crate::{Located, SourceFile};
use posture_model::{Origin, Resource};
use regex::Regex;
use serde_json::json;
use std::collections::BTreeMap;
use std::sync::OnceLock;

struct Detector {
    id: &'static str,
    category: &'static str,
    re: Regex,
}

fn detectors() -> &'static [Detector] {
    static D: OnceLock<Vec<Detector>> = OnceLock::new();
    D.get_or_init(|| {
        let mk = |id, category, re: &str| Regex::new(re).ok().map(|re| Detector { id, category, re });
        [
            mk("aws_access_key_id", "cloud_credential", r"\b((?:AKIA|ASIA|AGPA|AIDA|AROA|ANPA)[0-9A-Z]{16})\b"),
            mk("private_key", "private_key", r"-----BEGIN ((?:RSA |EC |DSA |OPENSSH |ENCRYPTED |PGP )?PRIVATE KEY(?: BLOCK)?)-----"),
            mk("github_token", "cloud_credential", r"\b((?:ghp|gho|ghu|ghs|ghr)_[A-Za-z0-9]{36})\b"),
            mk("slack_token", "cloud_credential", r"\b(xox[baprs]-[A-Za-z0-9-]{10,})\b"),
            mk("google_api_key", "cloud_credential", r"\b(AIza[0-9A-Za-z_\-]{35})\b"),
            mk("azure_storage_key", "cloud_credential", r"AccountKey=([A-Za-z0-9+/]{86}==)"),
        ]
        .into_iter()
        .flatten()
        .collect()
    })
}

/// `name = "value"`, `name: value`, `NAME=value`: an assignment to a name that says secret.
fn assignment() -> Option<&'static Regex> {
    static R: OnceLock<Option<Regex>> = OnceLock::new();
    R.get_or_init(|| {
        Regex::new(
            r#"(?i)\b([a-z0-9_.\-]*(?:password|passwd|pwd|secret|token|api_?key|access_?key|private_?key|credential)[a-z0-9_.\-]*)["']?\s*(?:=|:)\s*["']?([^\s"'`;,]{6,})"#,
        )
        .ok()
    })
    .as_ref()
}

/// Shannon entropy in bits per character.
pub fn entropy(s: &str) -> f64 {
    let mut counts: BTreeMap<char, usize> = BTreeMap::new();
    for c in s.chars() {
        *counts.entry(c).or_default() += 1;
    }
    let n = s.chars().count() as f64;
    counts.values().map(|&c| c as f64 / n).map(|p| -p * p.log2()).sum()
}

/// `AKIA************MPLE`: enough to recognise it, never enough to use it.
pub fn mask(s: &str) -> String {
    let chars: Vec<char> = s.chars().collect();
    let keep = if chars.len() >= 16 { 4 } else if chars.len() >= 8 { 2 } else { 0 };
    let head: String = chars.iter().take(keep).collect();
    let tail: String = chars.iter().skip(chars.len().saturating_sub(keep)).collect();
    format!("{head}{}{tail}", "*".repeat(chars.len().saturating_sub(2 * keep).clamp(4, 24)))
}

/// A value that is an expression, a reference or a placeholder rather than a literal secret.
fn looks_like_reference(v: &str) -> bool {
    let l = v.to_ascii_lowercase();
    v.starts_with('$') || v.starts_with('{') || v.starts_with('!') || v.starts_with('<') || v.starts_with('%')
        || l.starts_with("var.") || l.starts_with("local.") || l.starts_with("data.") || l.starts_with("module.")
        || l.starts_with("aws_") || l.starts_with("azurerm_") || l.starts_with("google_") || l.starts_with("random_")
        || l.starts_with("ref") || l.starts_with("fn::") || l.starts_with("arn:") || l.starts_with("http")
        || l.contains("(") || l.contains("example") || l.contains("changeme") || l.contains("placeholder") || l.contains("xxxx")
        || matches!(l.as_str(), "true" | "false" | "null" | "none" | "required" | "optional" | "enabled" | "disabled")
}

pub fn scan_file(f: &SourceFile, account: &str) -> Vec<Located> {
    let mut out = Vec::new();
    let mut in_key_block = false;
    // Terraform `variable "db_password" { default = "…" }`: the name is on another line.
    let mut secret_var: Option<String> = None;
    for (i, line) in f.text.lines().enumerate() {
        let n = i as u32 + 1;
        let t = line.trim_start();
        if let Some(rest) = t.strip_prefix("variable") {
            let name = rest.trim().trim_start_matches('"').split(['"', ' ', '{']).next().unwrap_or_default().to_ascii_lowercase();
            secret_var = ["password", "passwd", "secret", "token", "api_key", "apikey", "private_key"].iter().any(|w| name.contains(w)).then_some(name);
        } else if t.starts_with('}') && !line.starts_with(char::is_whitespace) {
            secret_var = None;
        }
        if let (Some(var), Some(v)) = (&secret_var, t.strip_prefix("default").map(str::trim_start).and_then(|r| r.strip_prefix('=')).map(str::trim)) {
            let v = v.trim_matches('"');
            if v.len() >= 6 && !looks_like_reference(v) && entropy(v) >= 2.5 && !v.contains(' ') {
                out.push(secret(f, account, n, "generic_secret", "password", Some(var), v));
                continue;
            }
        }
        if line.contains("posture:ignore-secret") {
            continue;
        }
        let mut found = false;
        for d in detectors() {
            if let Some(c) = d.re.captures(line).and_then(|c| c.get(1)) {
                if d.id == "private_key" {
                    if in_key_block {
                        continue;
                    }
                    in_key_block = true;
                }
                out.push(secret(f, account, n, d.id, d.category, None, c.as_str()));
                found = true;
            }
        }
        if line.contains("-----END") {
            in_key_block = false;
        }
        if found || in_key_block {
            continue;
        }
        let Some(c) = assignment().and_then(|re| re.captures(line)) else { continue };
        let (Some(name), Some(value)) = (c.get(1), c.get(2)) else { continue };
        let v = value.as_str().trim_end_matches(['}', ')', ']']);
        let lname = name.as_str().to_ascii_lowercase();
        // `*_key_id`, `*_token_ttl`, … name a setting, not a secret.
        if lname.ends_with("_id") || lname.ends_with("_arn") || lname.ends_with("_ttl") || lname.contains("length") || lname.contains("policy") {
            continue;
        }
        if v.len() < 6 || looks_like_reference(v) || entropy(v) < 2.5 {
            continue;
        }
        out.push(secret(f, account, n, "generic_secret", "password", Some(name.as_str()), v));
    }
    out
}

fn secret(f: &SourceFile, account: &str, line: u32, detector: &str, category: &str, name: Option<&str>, value: &str) -> Located {
    let mut r = Resource::new(format!("iac:{}#secret:{line}:{detector}", f.rel), "iac.secrets.secret");
    r.account = account.to_string();
    r.name = name.map_or_else(|| format!("{detector} at line {line}"), |n| format!("{n} at line {line}"));
    r.attrs.insert("detector".into(), json!(detector));
    r.attrs.insert("category".into(), json!(category));
    r.attrs.insert("variable".into(), json!(name));
    let masked = if detector == "private_key" { format!("{value} (key material masked)") } else { mask(value) };
    r.attrs.insert("masked".into(), json!(masked));
    let lines = ["attrs.masked", "attrs.detector"].iter().map(|k| (k.to_string(), line)).collect();
    r.origin = Some(Origin::Iac { file: f.rel.clone(), line, address: format!("secret:{line}:{detector}"), lines });
    Located { resource: r, file: f.rel.clone(), start: line, end: line, spans: Vec::new() }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scan(text: &str) -> Vec<(u32, String, String)> {
        let f = SourceFile { path: "x".into(), rel: "x.tf".into(), text: text.into() };
        scan_file(&f, "iac:t")
            .into_iter()
            .map(|l| (l.start, l.resource.attrs["detector"].as_str().unwrap_or_default().to_string(), l.resource.attrs["masked"].as_str().unwrap_or_default().to_string()))
            .collect()
    }

    #[test]
    fn finds_and_masks_secrets() {
        let found = scan("access_key = \"AKIAIOSFODNN7EXAMPLE\"\npassword = \"Aa1234321Bb\"\npassword = var.db_password\n-----BEGIN RSA PRIVATE KEY-----\nMIIabc\n-----END RSA PRIVATE KEY-----\nkms_key_id = \"abc123def456\"\n");
        assert_eq!(found, vec![
            (1, "aws_access_key_id".to_string(), "AKIA************MPLE".to_string()),
            (2, "generic_secret".to_string(), "Aa*******Bb".to_string()),
            (4, "private_key".to_string(), "RSA PRIVATE KEY (key material masked)".to_string()),
        ]);
        for (_, _, masked) in &found {
            assert!(!masked.contains("IOSFODNN7"), "{masked}");
        }
    }
}
