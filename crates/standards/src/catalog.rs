//! Every standard Posture knows: the built-in files, or any set given as (file, text) pairs.

use crate::standard::{parse_standard, Standard, StandardError, BENCHMARK_ID};

mod builtin {
    include!(concat!(env!("OUT_DIR"), "/builtin.rs"));
}

#[derive(Debug, Clone, Default)]
pub struct Standards {
    /// The default benchmark first, then the others by id.
    pub standards: Vec<Standard>,
}

impl Standards {
    /// The standards shipped in the binary (`standards/*.yaml`).
    pub fn builtin() -> Result<Standards, Vec<StandardError>> {
        Self::from_files(builtin::BUILTIN_STANDARDS.iter().map(|(f, t)| (f.to_string(), t.to_string())).collect())
    }

    /// Parses every file; collects every error instead of stopping at the first.
    pub fn from_files(files: Vec<(String, String)>) -> Result<Standards, Vec<StandardError>> {
        let mut errors = Vec::new();
        let mut standards: Vec<Standard> = Vec::new();
        for (file, text) in files {
            match parse_standard(&file, &text) {
                Ok(s) => match standards.iter().find(|o| o.id == s.id) {
                    Some(other) => errors.push(StandardError {
                        file,
                        line: 1,
                        message: format!("standard id '{}' is already defined in {}", s.id, other.source),
                    }),
                    None => standards.push(s),
                },
                Err(e) => errors.push(e),
            }
        }
        if !errors.is_empty() {
            return Err(errors);
        }
        standards.sort_by(|a, b| (a.id != BENCHMARK_ID, &a.id).cmp(&(b.id != BENCHMARK_ID, &b.id)));
        Ok(Standards { standards })
    }

    /// The standard with this id (case-insensitive).
    pub fn get(&self, id: &str) -> Option<&Standard> {
        self.standards.iter().find(|s| s.id.eq_ignore_ascii_case(id))
    }

    /// The default benchmark, once its file exists.
    pub fn benchmark(&self) -> Option<&Standard> {
        self.get(BENCHMARK_ID)
    }

    pub fn ids(&self) -> Vec<&str> {
        self.standards.iter().map(|s| s.id.as_str()).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file(id: &str) -> String {
        format!("id: {id}\ntitle: T\nversion: \"1\"\npublisher: P\nproviders: [aws]\nrequirements:\n  - {{id: NS-1, title: t, domain: NS}}\n")
    }

    #[test]
    fn puts_the_benchmark_first_and_rejects_a_standard_defined_twice() {
        let set = Standards::from_files(vec![
            ("z.yaml".into(), file("cis-aws-3.0")),
            ("b.yaml".into(), file(BENCHMARK_ID)),
        ])
        .unwrap_or_else(|e| panic!("{e:?}"));
        assert_eq!(set.ids(), vec![BENCHMARK_ID, "cis-aws-3.0"]);
        assert!(set.get("CIS-AWS-3.0").is_some());
        let errors = Standards::from_files(vec![
            ("a.yaml".into(), file("cis-aws-3.0")),
            ("b.yaml".into(), file("cis-aws-3.0")),
            ("c.yaml".into(), "id: [".into()),
        ])
        .err()
        .unwrap_or_default();
        let text: Vec<String> = errors.iter().map(ToString::to_string).collect();
        assert_eq!(text.len(), 2, "{text:?}");
        assert_eq!(text[0], "b.yaml:1: standard id 'cis-aws-3.0' is already defined in a.yaml");
        assert!(text[1].starts_with("c.yaml:"), "{}", text[1]);
    }
}
