//! A loaded set of rules, indexed by kind, with the control catalogue they refer to.

use crate::controls::{parse_controls, Control};
use crate::rule::{Rule, RuleError};
use std::collections::HashMap;
use std::path::Path;

mod builtin {
    include!(concat!(env!("OUT_DIR"), "/builtin.rs"));
}

pub struct RuleSet {
    pub rules: Vec<Rule>,
    pub controls: Vec<Control>,
    by_kind: HashMap<String, Vec<usize>>,
}

impl RuleSet {
    /// The rules shipped in the binary.
    pub fn builtin() -> Result<RuleSet, Vec<RuleError>> {
        let files = builtin::BUILTIN_RULES
            .iter()
            .map(|(name, text)| (name.to_string(), text.to_string()))
            .collect();
        Self::from_files(files)
    }

    /// Built-in rules plus every `*.yaml`/`*.yml` under each directory (custom rules).
    pub fn load(extra_dirs: &[&Path], with_builtin: bool) -> Result<RuleSet, Vec<RuleError>> {
        let mut files: Vec<(String, String)> = if with_builtin {
            builtin::BUILTIN_RULES
                .iter()
                .map(|(n, t)| (n.to_string(), t.to_string()))
                .collect()
        } else {
            Vec::new()
        };
        let mut errors = Vec::new();
        for dir in extra_dirs {
            read_dir_files(dir, &mut files, &mut errors);
        }
        if !errors.is_empty() {
            return Err(errors);
        }
        Self::from_files(files)
    }

    /// Compiles every file; collects every error instead of stopping at the first.
    pub fn from_files(files: Vec<(String, String)>) -> Result<RuleSet, Vec<RuleError>> {
        let controls = parse_controls("standards/controls.yaml", builtin::CONTROLS_YAML).map_err(|e| {
            vec![RuleError {
                file: e.file,
                line: e.line,
                message: e.message,
            }]
        })?;
        let mut errors = Vec::new();
        let mut rules: Vec<Rule> = Vec::new();
        let mut seen: HashMap<String, String> = HashMap::new();
        for (name, text) in files {
            match Rule::parse(&name, &text) {
                Ok(rule) => {
                    if let Some(e) = check_refs(&rule, &controls, &seen) {
                        errors.push(e);
                        continue;
                    }
                    seen.insert(rule.meta.id.clone(), name);
                    rules.push(rule);
                }
                Err(e) => errors.push(e),
            }
        }
        if !errors.is_empty() {
            return Err(errors);
        }
        rules.sort_by(|a, b| natural_key(&a.meta.id).cmp(&natural_key(&b.meta.id)));
        share_applies_if(&mut rules);
        let mut by_kind: HashMap<String, Vec<usize>> = HashMap::new();
        for (i, r) in rules.iter().enumerate() {
            for k in &r.meta.kinds {
                by_kind.entry(k.clone()).or_default().push(i);
            }
        }
        Ok(RuleSet {
            rules,
            controls,
            by_kind,
        })
    }

    /// Indices of the rules that apply to `kind`.
    pub fn for_kind(&self, kind: &str) -> &[usize] {
        self.by_kind.get(kind).map_or(&[], Vec::as_slice)
    }

    pub fn get(&self, id: &str) -> Option<&Rule> {
        self.rules.iter().find(|r| r.meta.id.eq_ignore_ascii_case(id))
    }

    pub fn control(&self, id: &str) -> Option<&Control> {
        self.controls.iter().find(|c| c.id == id)
    }
}

fn check_refs(rule: &Rule, controls: &[Control], seen: &HashMap<String, String>) -> Option<RuleError> {
    let at = |line: usize, message: String| RuleError {
        file: rule.meta.source.clone(),
        line,
        message,
    };
    if let Some(other) = seen.get(&rule.meta.id) {
        return Some(at(rule.id_line, format!("rule id '{}' is already defined in {other}", rule.meta.id)));
    }
    if !controls.iter().any(|c| c.id == rule.meta.control) {
        let ids: Vec<&str> = controls.iter().map(|c| c.id.as_str()).collect();
        return Some(at(rule.control_line, format!("unknown control '{}' (known: {})", rule.meta.control, ids.join(", "))));
    }
    None
}

/// `AWS.S3.10` sorts after `AWS.S3.9`.
fn natural_key(id: &str) -> Vec<(String, u64)> {
    id.split('.')
        .map(|p| match p.parse::<u64>() {
            Ok(n) => (String::new(), n),
            Err(_) => (p.to_string(), 0),
        })
        .collect()
}

fn read_dir_files(dir: &Path, files: &mut Vec<(String, String)>, errors: &mut Vec<RuleError>) {
    let entries = match std::fs::read_dir(dir) {
        Ok(e) => e,
        Err(e) => {
            errors.push(RuleError {
                file: dir.display().to_string(),
                line: 0,
                message: format!("cannot read rule directory: {e}"),
            });
            return;
        }
    };
    let mut paths: Vec<_> = entries.flatten().map(|e| e.path()).collect();
    paths.sort();
    for path in paths {
        if path.is_dir() {
            read_dir_files(&path, files, errors);
        } else if matches!(path.extension().and_then(|e| e.to_str()), Some("yaml" | "yml")) {
            match std::fs::read_to_string(&path) {
                Ok(text) => files.push((path.display().to_string(), text)),
                Err(e) => errors.push(RuleError {
                    file: path.display().to_string(),
                    line: 0,
                    message: format!("cannot read: {e}"),
                }),
            }
        }
    }
}

/// Numbers each distinct `applies_if`; only conditions shared by two rules or more get a number
/// (one judged once per resource is not worth remembering).
fn share_applies_if(rules: &mut [Rule]) {
    let mut uses: HashMap<&str, u32> = HashMap::new();
    for r in rules.iter() {
        if let Some(t) = &r.applies_text {
            *uses.entry(t.as_str()).or_default() += 1;
        }
    }
    let shared: HashMap<String, u32> = uses
        .into_iter()
        .filter(|(_, n)| *n > 1)
        .enumerate()
        .map(|(i, (t, _))| (t.to_string(), i as u32))
        .collect();
    for r in rules.iter_mut() {
        r.applies_id = r.applies_text.as_ref().and_then(|t| shared.get(t).copied());
    }
}
