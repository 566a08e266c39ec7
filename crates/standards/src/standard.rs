//! One standard file: its identity and its requirements, validated with line-accurate errors.

use crate::domain::{domain_name, DOMAINS};
use posture_rules::yaml::{parse, Node, NodeValue};
use serde::Serialize;

/// The id of the default benchmark; rules name its requirements in their `benchmark` list.
pub const BENCHMARK_ID: &str = "posture-benchmark";

const PROVIDERS: &[&str] = &["aws", "azure", "gcp", "k8s"];
const KEYS: &[&str] = &["id", "title", "version", "publisher", "providers", "description", "requirements"];
const REQUIREMENT_KEYS: &[&str] = &["id", "title", "section", "domain", "providers", "manual", "description"];

#[derive(Debug, Clone, Serialize)]
pub struct Standard {
    /// The key rules use in their `frameworks` map, e.g. `cis-aws-3.0`.
    pub id: String,
    pub title: String,
    pub version: String,
    pub publisher: String,
    pub providers: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    pub requirements: Vec<Requirement>,
    /// The file it was read from.
    pub source: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct Requirement {
    /// The standard's own control id (`1.4`, `AC-3`, `A.8.24`), or `NS-1` for the benchmark.
    pub id: String,
    pub title: String,
    /// The chapter it belongs to; for the benchmark, its domain's name unless given.
    pub section: String,
    /// Benchmark domain code (`NS`, `IM`, …).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub domain: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// The providers it has (or is meant to have) automated checks for, when the file says so;
    /// empty for a requirement no configuration data can show.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub providers: Option<Vec<String>>,
    /// No automated check is possible: someone must assess it.
    pub manual: bool,
    /// Line of the requirement in its file.
    #[serde(skip)]
    pub line: usize,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{file}:{line}: {message}")]
pub struct StandardError {
    pub file: String,
    pub line: usize,
    pub message: String,
}

type Located<T> = Result<T, (usize, String)>;

/// Parses and validates one standard file; `file` names it in errors.
pub fn parse_standard(file: &str, text: &str) -> Result<Standard, StandardError> {
    let at = |(line, message): (usize, String)| StandardError { file: file.to_string(), line, message };
    let root = parse(text).map_err(|e| at((e.line, e.message)))?;
    parse_root(&root, file).map_err(at)
}

fn parse_root(root: &Node, file: &str) -> Located<Standard> {
    let map = root.as_map().ok_or((root.line, "a standard file must be a mapping".to_string()))?;
    check_keys(map, KEYS, "")?;
    let id = text(root, "id")?;
    if !id.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || matches!(c, '-' | '.')) {
        return Err((line_of(root, "id"), format!("standard id '{id}' must be lower case letters, digits, '-' and '.'")));
    }
    let providers = providers(required(root, "providers")?, false)?;
    let list = required(root, "requirements")?;
    let items = list
        .as_seq()
        .filter(|s| !s.is_empty())
        .ok_or((list.line, "requirements must be a non-empty list".to_string()))?;
    let benchmark = id == BENCHMARK_ID;
    let mut requirements: Vec<Requirement> = Vec::with_capacity(items.len());
    for item in items {
        let req = requirement(item, benchmark)?;
        if let Some(first) = requirements.iter().find(|r| r.id == req.id) {
            return Err((req.line, format!("requirement id '{}' is already defined on line {}", req.id, first.line)));
        }
        requirements.push(req);
    }
    Ok(Standard {
        title: text(root, "title")?,
        version: text(root, "version")?,
        publisher: text(root, "publisher")?,
        description: optional_text(root, "description")?,
        providers,
        requirements,
        source: file.to_string(),
        id,
    })
}

fn requirement(item: &Node, benchmark: bool) -> Located<Requirement> {
    let map = item.as_map().ok_or((item.line, format!("a requirement must be a mapping, found {}", item.type_name())))?;
    check_keys(map, REQUIREMENT_KEYS, "requirement ")?;
    let domain = optional_text(item, "domain")?;
    if let Some(code) = &domain {
        if domain_name(code).is_none() {
            let codes: Vec<&str> = DOMAINS.iter().map(|(c, _)| *c).collect();
            return Err((line_of(item, "domain"), format!("unknown domain '{code}' (one of {})", codes.join(", "))));
        }
    } else if benchmark {
        return Err((item.line, "a requirement of the default benchmark needs a domain".to_string()));
    }
    let section = match optional_text(item, "section")? {
        Some(s) => s,
        None => domain.as_deref().and_then(domain_name).unwrap_or("General").to_string(),
    };
    let manual = match item.get("manual").map(|n| (n.line, &n.value)) {
        None => false,
        Some((_, NodeValue::Bool(b))) => *b,
        Some((line, _)) => return Err((line, "manual must be true or false".to_string())),
    };
    let providers = item.get("providers").map(|p| providers(p, true)).transpose()?;
    Ok(Requirement {
        id: text(item, "id")?,
        title: text(item, "title")?,
        section,
        domain,
        providers,
        description: optional_text(item, "description")?,
        manual,
        line: item.line,
    })
}

fn check_keys(map: &[(String, Node)], known: &[&str], what: &str) -> Located<()> {
    match map.iter().find(|(k, _)| !known.contains(&k.as_str())) {
        Some((key, node)) => Err((node.line, format!("unknown {what}key '{key}' (expected one of: {})", known.join(", ")))),
        None => Ok(()),
    }
}

fn line_of(node: &Node, key: &str) -> usize {
    node.get(key).map_or(node.line, |n| n.line)
}

fn required<'n>(node: &'n Node, key: &str) -> Located<&'n Node> {
    node.get(key).ok_or_else(|| (node.line, format!("missing required key '{key}'")))
}

fn text(node: &Node, key: &str) -> Located<String> {
    let value = required(node, key)?;
    optional_text(node, key)?.ok_or((value.line, format!("'{key}' must be a non-empty string")))
}

/// A string value; numbers are refused because YAML turns `1.10` into 1.1 and `2.0` into 2.
fn optional_text(node: &Node, key: &str) -> Located<Option<String>> {
    let Some(value) = node.get(key) else { return Ok(None) };
    match &value.value {
        NodeValue::Str(s) if !s.trim().is_empty() => Ok(Some(s.trim().to_string())),
        NodeValue::Int(_) | NodeValue::Float(_) => {
            Err((value.line, format!("'{key}' reads as a number: quote it (\"1.10\" stays 1.10, unquoted it becomes 1.1)")))
        }
        _ => Err((value.line, format!("'{key}' must be a non-empty string"))),
    }
}

fn providers(node: &Node, may_be_empty: bool) -> Located<Vec<String>> {
    let items = node
        .as_seq()
        .filter(|s| may_be_empty || !s.is_empty())
        .ok_or((node.line, format!("providers must be a non-empty list of {}", PROVIDERS.join(", "))))?;
    items
        .iter()
        .map(|i| match i.as_str() {
            Some(p) if PROVIDERS.contains(&p) => Ok(p.to_string()),
            _ => Err((i.line, format!("unknown provider {} (one of {})", describe(i), PROVIDERS.join(", ")))),
        })
        .collect()
}

fn describe(node: &Node) -> String {
    node.as_str().map_or_else(|| node.type_name().to_string(), |s| format!("'{s}'"))
}

#[cfg(test)]
mod tests {
    use super::*;

    const GOOD: &str = "id: cis-test-1.0
title: CIS Test Benchmark
version: 1.0.0
publisher: Center for Internet Security
providers: [aws]
requirements:
  - id: \"1.4\"
    title: No root access keys
    section: Identity and Access Management
  - id: \"1.10\"
    title: MFA for console users
    section: Identity and Access Management
  - id: \"2.1\"
    title: Maintain contact details
    section: Governance
    manual: true
";

    fn error(text: &str) -> String {
        match parse_standard("standards/t.yaml", text) {
            Ok(_) => panic!("expected an error for:\n{text}"),
            Err(e) => e.to_string(),
        }
    }

    #[test]
    fn parses_requirements_with_their_lines() {
        let s = parse_standard("t.yaml", GOOD).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!((s.id.as_str(), s.version.as_str(), s.providers.len()), ("cis-test-1.0", "1.0.0", 1));
        let ids: Vec<(&str, usize, bool)> = s.requirements.iter().map(|r| (r.id.as_str(), r.line, r.manual)).collect();
        assert_eq!(ids, vec![("1.4", 7, false), ("1.10", 10, false), ("2.1", 13, true)]);
    }

    #[test]
    fn every_error_names_file_and_line() {
        let cases = [
            (GOOD.replace("id: \"1.10\"", "id: \"1.4\""), "standards/t.yaml:10: requirement id '1.4' is already defined on line 7"),
            (GOOD.replace("id: \"1.10\"", "id: 1.10"), "standards/t.yaml:10: 'id' reads as a number"),
            (GOOD.replace("version: 1.0.0", "version: 2.0"), "standards/t.yaml:3: 'version' reads as a number"),
            (GOOD.replace("manual: true", "manual: yes please"), "standards/t.yaml:16: manual must be true or false"),
            (GOOD.replace("    section: Governance\n", "    sektion: Governance\n"), "standards/t.yaml:15: unknown requirement key 'sektion'"),
            (GOOD.replace("providers: [aws]", "providers: [aws, oracle]"), "standards/t.yaml:5: unknown provider 'oracle'"),
            (GOOD.replace("publisher: Center for Internet Security\n", ""), "standards/t.yaml:1: missing required key 'publisher'"),
            (GOOD.replace("title: CIS Test Benchmark", "title: CIS Test Benchmark\nurl: x"), "standards/t.yaml:3: unknown key 'url'"),
            (GOOD.replace("id: cis-test-1.0", "id: CIS Test"), "standards/t.yaml:1: standard id 'CIS Test' must be lower case"),
            (GOOD.replace("    title: No root access keys\n", ""), "standards/t.yaml:7: missing required key 'title'"),
            (GOOD.replace("providers: [aws]", "providers: [aws"), "standards/t.yaml:"),
        ];
        for (text, want) in cases {
            let got = error(&text);
            assert!(got.starts_with(want), "want {want}\n got {got}");
        }
    }

    #[test]
    fn benchmark_requirements_need_a_known_domain_and_default_their_section_to_it() {
        let bench = "id: posture-benchmark\ntitle: B\nversion: 1.0.0\npublisher: Posture\nproviders: [aws, gcp]\n\
                     requirements:\n  - {id: NS-1, title: Segment networks, domain: NS}\n";
        let s = parse_standard("b.yaml", bench).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(s.requirements[0].section, "Network security");
        assert!(error(&bench.replace("domain: NS", "domain: XX")).starts_with("standards/t.yaml:7: unknown domain 'XX'"));
        assert!(error(&bench.replace(", domain: NS", "")).starts_with("standards/t.yaml:7: a requirement of the default benchmark needs a domain"));
    }
}
