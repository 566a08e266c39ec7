//! IAM-style wildcards: `*` matches any run of characters (including none, `:` and `/`), `?`
//! exactly one. Used for AWS actions and ARNs, Azure actions, GCP permissions and Kubernetes names.
//!
//! Besides "does the pattern match this text", policy evaluation asks two questions about a
//! family of resources sharing a prefix (the objects of a bucket): does the pattern match *some*
//! of them ([`Pattern::matches_some_under`]), and does it match *all* of them
//! ([`Pattern::matches_all_under`]). An Allow needs the first, a Deny that blocks needs the second.

use std::collections::HashSet;

#[derive(Debug, Clone, PartialEq, Eq)]
enum Shape {
    /// `*` alone.
    Any,
    /// No wildcard at all.
    Exact,
    /// Literal text then one trailing `*` (the common `arn:aws:s3:::bucket/*`).
    Prefix,
    Glob,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Tok {
    Lit(char),
    One,
    Star,
}

/// A compiled wildcard pattern.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pattern {
    text: Box<str>,
    shape: Shape,
    /// Lower-cased before matching: actions are case-insensitive, ARNs are not.
    fold_case: bool,
}

impl Pattern {
    /// A case-sensitive pattern (ARNs, resource names).
    pub fn new(text: &str) -> Pattern {
        Self::build(text.to_string(), false)
    }

    /// A case-insensitive pattern (AWS and Azure actions, GCP permissions).
    pub fn new_ci(text: &str) -> Pattern {
        Self::build(text.to_ascii_lowercase(), true)
    }

    fn build(text: String, fold_case: bool) -> Pattern {
        let wild = text.bytes().filter(|b| *b == b'*' || *b == b'?').count();
        let shape = if text == "*" {
            Shape::Any
        } else if wild == 0 {
            Shape::Exact
        } else if wild == 1 && text.ends_with('*') {
            Shape::Prefix
        } else {
            Shape::Glob
        };
        Pattern { text: text.into_boxed_str(), shape, fold_case }
    }

    pub fn as_str(&self) -> &str {
        &self.text
    }

    pub fn is_any(&self) -> bool {
        self.shape == Shape::Any
    }

    /// The literal text before the first wildcard: every match starts with it.
    pub fn literal_prefix(&self) -> &str {
        let end = self.text.find(['*', '?']).unwrap_or(self.text.len());
        &self.text[..end]
    }

    /// Whether the whole of `text` matches.
    pub fn matches(&self, text: &str) -> bool {
        let ci = self.fold_case;
        match self.shape {
            Shape::Any => true,
            Shape::Exact => eq(&self.text, text, ci),
            Shape::Prefix => {
                let lit = &self.text[..self.text.len() - 1];
                text.len() >= lit.len() && text.is_char_boundary(lit.len()) && eq(lit, &text[..lit.len()], ci)
            }
            Shape::Glob => glob_match(&self.text, text, ci),
        }
    }

    /// Whether some text starting with `prefix` matches.
    pub fn matches_some_under(&self, prefix: &str) -> bool {
        let ci = self.fold_case;
        match self.shape {
            Shape::Any => true,
            Shape::Exact => starts(&self.text, prefix, ci),
            Shape::Prefix => {
                let lit = &self.text[..self.text.len() - 1];
                starts(prefix, lit, ci) || starts(lit, prefix, ci)
            }
            Shape::Glob => {
                let toks = tokens(&self.text, ci);
                !advance(&toks, &closure(&toks, start(&toks)), prefix, ci).is_empty()
            }
        }
    }

    /// Whether every text starting with `prefix` matches.
    pub fn matches_all_under(&self, prefix: &str) -> bool {
        let ci = self.fold_case;
        match self.shape {
            Shape::Any => true,
            Shape::Exact => false,
            Shape::Prefix => starts(prefix, &self.text[..self.text.len() - 1], ci),
            Shape::Glob => {
                let toks = tokens(&self.text, ci);
                let states = advance(&toks, &closure(&toks, start(&toks)), prefix, ci);
                universal(&toks, states)
            }
        }
    }
}

fn eq(a: &str, b: &str, ci: bool) -> bool {
    if ci {
        a.eq_ignore_ascii_case(b)
    } else {
        a == b
    }
}

/// `text` starts with `lit`.
fn starts(text: &str, lit: &str, ci: bool) -> bool {
    text.len() >= lit.len() && text.is_char_boundary(lit.len()) && eq(&text[..lit.len()], lit, ci)
}

fn fold(c: char, ci: bool) -> char {
    if ci {
        c.to_ascii_lowercase()
    } else {
        c
    }
}

fn tokens(p: &str, ci: bool) -> Vec<Tok> {
    p.chars()
        .map(|c| match c {
            '*' => Tok::Star,
            '?' => Tok::One,
            c => Tok::Lit(fold(c, ci)),
        })
        .collect()
}

/// Classic linear-time wildcard matching with one backtrack point; on bytes when both sides are
/// ASCII (ARNs and actions almost always are), on characters otherwise.
fn glob_match(pattern: &str, text: &str, ci: bool) -> bool {
    if pattern.is_ascii() && text.is_ascii() {
        return glob_bytes(pattern.as_bytes(), text.as_bytes(), ci);
    }
    let p: Vec<char> = pattern.chars().collect();
    let t: Vec<char> = text.chars().map(|c| fold(c, ci)).collect();
    let (mut pi, mut ti) = (0usize, 0usize);
    let mut star: Option<(usize, usize)> = None;
    while ti < t.len() {
        if pi < p.len() && (p[pi] == '?' || (p[pi] != '*' && p[pi] == t[ti])) {
            pi += 1;
            ti += 1;
        } else if pi < p.len() && p[pi] == '*' {
            star = Some((pi, ti));
            pi += 1;
        } else if let Some((sp, st)) = star {
            pi = sp + 1;
            ti = st + 1;
            star = Some((sp, st + 1));
        } else {
            return false;
        }
    }
    p[pi..].iter().all(|c| *c == '*')
}

fn glob_bytes(p: &[u8], t: &[u8], ci: bool) -> bool {
    let fold = |b: u8| if ci { b.to_ascii_lowercase() } else { b };
    let (mut pi, mut ti) = (0usize, 0usize);
    let mut star: Option<(usize, usize)> = None;
    while ti < t.len() {
        if pi < p.len() && (p[pi] == b'?' || (p[pi] != b'*' && p[pi] == fold(t[ti]))) {
            pi += 1;
            ti += 1;
        } else if pi < p.len() && p[pi] == b'*' {
            star = Some((pi, ti));
            pi += 1;
        } else if let Some((sp, st)) = star {
            pi = sp + 1;
            ti = st + 1;
            star = Some((sp, st + 1));
        } else {
            return false;
        }
    }
    p[pi..].iter().all(|c| *c == b'*')
}

// NFA over pattern positions, for the prefix questions.
type States = Vec<usize>;

fn start(_: &[Tok]) -> States {
    vec![0]
}

fn closure(toks: &[Tok], mut s: States) -> States {
    let mut i = 0;
    while i < s.len() {
        let p = s[i];
        if p < toks.len() && toks[p] == Tok::Star && !s.contains(&(p + 1)) {
            s.push(p + 1);
        }
        i += 1;
    }
    s.sort_unstable();
    s.dedup();
    s
}

fn step(toks: &[Tok], s: &[usize], c: Option<char>) -> States {
    // `c == None` stands for "a character that appears nowhere in the pattern".
    let mut next = Vec::new();
    for &p in s {
        match toks.get(p) {
            Some(Tok::Star) => next.push(p),
            Some(Tok::One) => next.push(p + 1),
            Some(Tok::Lit(l)) if Some(*l) == c => next.push(p + 1),
            _ => {}
        }
    }
    closure(toks, next)
}

fn advance(toks: &[Tok], s: &[usize], text: &str, ci: bool) -> States {
    let mut cur = s.to_vec();
    for c in text.chars() {
        if cur.is_empty() {
            break;
        }
        cur = step(toks, &cur, Some(fold(c, ci)));
    }
    cur
}

/// Whether every continuation from `s` is accepted: explores the reachable state sets over the
/// pattern's own characters plus one "other" character; bounded, answering false when too large.
fn universal(toks: &[Tok], s: States) -> bool {
    let mut alphabet: Vec<Option<char>> =
        toks.iter().filter_map(|t| if let Tok::Lit(c) = t { Some(Some(*c)) } else { None }).collect();
    alphabet.sort_unstable();
    alphabet.dedup();
    alphabet.push(None);
    let mut seen: HashSet<States> = HashSet::new();
    let mut todo = vec![s];
    while let Some(cur) = todo.pop() {
        if !cur.contains(&toks.len()) {
            return false;
        }
        if !seen.insert(cur.clone()) {
            continue;
        }
        if seen.len() > 4096 {
            return false;
        }
        for c in &alphabet {
            todo.push(step(toks, &cur, *c));
        }
    }
    true
}

/// Any of `patterns` matches `text`.
pub fn any_matches(patterns: &[Pattern], text: &str) -> bool {
    patterns.iter().any(|p| p.matches(text))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn star_and_question_mark() {
        assert!(Pattern::new("*").matches(""));
        assert!(Pattern::new("arn:aws:s3:::b/*").matches("arn:aws:s3:::b/x/y"));
        assert!(!Pattern::new("arn:aws:s3:::b/*").matches("arn:aws:s3:::bb/x"));
        assert!(Pattern::new("arn:aws:iam::*:role/a?c").matches("arn:aws:iam::1:role/abc"));
        assert!(!Pattern::new("arn:aws:iam::*:role/a?c").matches("arn:aws:iam::1:role/ac"));
        assert!(Pattern::new("a*b*c").matches("aXXbYYc"));
        assert!(!Pattern::new("a*b*c").matches("aXXbYY"));
    }

    #[test]
    fn actions_are_case_insensitive_arns_are_not() {
        assert!(Pattern::new_ci("S3:Get*").matches("s3:GetObject"));
        assert!(Pattern::new_ci("iam:passrole").matches("iam:PassRole"));
        assert!(!Pattern::new("arn:aws:s3:::Bucket").matches("arn:aws:s3:::bucket"));
    }

    #[test]
    fn some_and_all_under_a_prefix() {
        let objects = "arn:aws:s3:::b/";
        assert!(Pattern::new("arn:aws:s3:::b/*").matches_all_under(objects));
        assert!(Pattern::new("*").matches_all_under(objects));
        assert!(Pattern::new("arn:aws:s3:::b*").matches_all_under(objects));
        let private = Pattern::new("arn:aws:s3:::b/private/*");
        assert!(private.matches_some_under(objects));
        assert!(!private.matches_all_under(objects));
        assert!(!Pattern::new("arn:aws:s3:::other/*").matches_some_under(objects));
        assert!(!Pattern::new("arn:aws:s3:::b").matches_some_under(objects));
        assert!(!Pattern::new("arn:aws:s3:::b/?").matches_all_under(objects));
    }

    #[test]
    fn literal_prefix_stops_at_the_first_wildcard() {
        assert_eq!(Pattern::new("arn:aws:s3:::acme-*").literal_prefix(), "arn:aws:s3:::acme-");
        assert_eq!(Pattern::new("*").literal_prefix(), "");
        assert_eq!(Pattern::new("abc").literal_prefix(), "abc");
    }

    /// Brute force: a pattern as a regex.
    fn naive(p: &str, t: &str) -> bool {
        fn go(p: &[char], t: &[char]) -> bool {
            match p.first() {
                None => t.is_empty(),
                Some('*') => (0..=t.len()).any(|i| go(&p[1..], &t[i..])),
                Some('?') => !t.is_empty() && go(&p[1..], &t[1..]),
                Some(c) => t.first() == Some(c) && go(&p[1..], &t[1..]),
            }
        }
        go(&p.chars().collect::<Vec<_>>(), &t.chars().collect::<Vec<_>>())
    }

    proptest! {
        #[test]
        fn agrees_with_brute_force(p in "[ab*?/]{0,8}", t in "[ab/]{0,8}") {
            prop_assert_eq!(Pattern::new(&p).matches(&t), naive(&p, &t));
        }

        #[test]
        fn some_and_all_under_agree_with_enumeration(p in "[ab*?]{0,6}", prefix in "[ab]{0,3}") {
            let pat = Pattern::new(&p);
            // Every suffix of up to 4 characters over {a, b, c}.
            let mut suffixes = vec![String::new()];
            for _ in 0..4 {
                let more: Vec<String> = suffixes.iter().flat_map(|s| ["a", "b", "c"].map(|c| format!("{s}{c}"))).collect();
                suffixes.extend(more);
            }
            suffixes.sort();
            suffixes.dedup();
            let hits: Vec<bool> = suffixes.iter().map(|s| naive(&p, &format!("{prefix}{s}"))).collect();
            if pat.matches_all_under(&prefix) {
                prop_assert!(hits.iter().all(|h| *h), "{} claims all under {}", p, prefix);
            }
            if !pat.matches_some_under(&prefix) {
                prop_assert!(hits.iter().all(|h| !*h), "{} claims none under {}", p, prefix);
            }
            if hits.iter().any(|h| *h) {
                prop_assert!(pat.matches_some_under(&prefix));
            }
        }

        #[test]
        fn never_panics(p in ".{0,40}", t in ".{0,40}") {
            let pat = Pattern::new(&p);
            let _ = pat.matches(&t);
            let _ = pat.matches_some_under(&t);
            let _ = pat.matches_all_under(&t);
            let _ = Pattern::new_ci(&p).matches(&t);
        }
    }
}
