//! Inline suppressions: `# posture:ignore RULE-ID reason` (or `//`, or `<!-- … -->`) on a line
//! of a resource, or in the comment lines right above it, mutes that rule for that resource.

use crate::{Located, SourceFile};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Suppression {
    pub uid: String,
    pub rule_id: String,
    pub reason: String,
    pub file: String,
    pub line: u32,
}

const MARK: &str = "posture:ignore";

/// (line, rule ids, reason) of every suppression comment in `text`.
pub fn comments(text: &str) -> Vec<(u32, Vec<String>, String)> {
    let mut out = Vec::new();
    for (i, l) in text.lines().enumerate() {
        let Some(at) = l.find(MARK) else { continue };
        let before = l[..at].trim_end();
        if !(before.ends_with('#') || before.ends_with("//") || before.ends_with("<!--") || before.ends_with("/*")) {
            continue;
        }
        let rest = l[at + MARK.len()..].trim().trim_end_matches("-->").trim_end_matches("*/").trim();
        let (ids, reason) = rest.split_once(char::is_whitespace).unwrap_or((rest, ""));
        let ids: Vec<String> = ids.split(',').map(str::trim).filter(|s| !s.is_empty()).map(str::to_string).collect();
        if ids.is_empty() {
            continue;
        }
        let reason = reason.trim().trim_start_matches(['-', ':']).trim();
        out.push((i as u32 + 1, ids, if reason.is_empty() { "no reason given".to_string() } else { reason.to_string() }));
    }
    out
}

fn is_comment_or_blank(l: &str) -> bool {
    let t = l.trim_start();
    t.is_empty() || t.starts_with('#') || t.starts_with("//") || t.starts_with("/*") || t.starts_with('*') || t.starts_with("<!--")
}

pub fn find(files: &[SourceFile], resources: &[Located]) -> Vec<Suppression> {
    let mut out = Vec::new();
    for f in files {
        if !f.text.contains(MARK) {
            continue;
        }
        let here: Vec<Span> = resources
            .iter()
            .flat_map(|r| {
                let own = (r.file == f.rel).then_some((r, r.start, r.end));
                own.into_iter().chain(r.spans.iter().filter(|s| s.0 == f.rel).map(move |s| (r, s.1, s.2)))
            })
            .collect();
        let lines: Vec<&str> = f.text.lines().collect();
        for (line, ids, reason) in comments(&f.text) {
            for r in target(&here, &lines, line) {
                for id in &ids {
                    out.push(Suppression { uid: r.resource.uid.clone(), rule_id: id.clone(), reason: reason.clone(), file: f.rel.clone(), line });
                }
            }
        }
    }
    out
}

/// A resource and the lines of one file it spans.
type Span<'a> = (&'a Located, u32, u32);

/// The resources a comment on `line` applies to: the innermost one spanning it, else the one
/// starting right after a run of comment lines.
fn target<'a>(here: &[Span<'a>], lines: &[&str], line: u32) -> Vec<&'a Located> {
    let spanning: Vec<&Span> = here.iter().filter(|(_, s, e)| *s <= line && line <= *e).collect();
    if let Some(min) = spanning.iter().map(|(_, s, e)| e - s).min() {
        return spanning.into_iter().filter(|(_, s, e)| e - s == min).map(|(r, _, _)| *r).collect();
    }
    let mut next = line as usize;
    while next < lines.len() && is_comment_or_blank(lines[next]) {
        next += 1;
    }
    let start = next as u32 + 1;
    here.iter().filter(|(_, s, _)| *s == start).map(|(r, _, _)| *r).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_ids_and_reasons() {
        let c = comments("a\n# posture:ignore AWS.S3.5,AWS.S3.4 logs are elsewhere\n  // posture:ignore X\nx = \"posture:ignore Y\"\n");
        assert_eq!(c, vec![
            (2, vec!["AWS.S3.5".to_string(), "AWS.S3.4".into()], "logs are elsewhere".to_string()),
            (3, vec!["X".to_string()], "no reason given".to_string()),
        ]);
    }
}
