//! The 12 control domains of the Microsoft Cloud Security Benchmark, which organise the default
//! benchmark.

/// (code, name) of every domain, in the benchmark's order.
pub const DOMAINS: [(&str, &str); 12] = [
    ("NS", "Network security"),
    ("IM", "Identity management"),
    ("PA", "Privileged access"),
    ("DP", "Data protection"),
    ("AM", "Asset management"),
    ("LT", "Logging and threat detection"),
    ("IR", "Incident response"),
    ("PV", "Posture and vulnerability management"),
    ("ES", "Endpoint security"),
    ("BR", "Backup and recovery"),
    ("DS", "DevOps security"),
    ("GS", "Governance and strategy"),
];

/// The name of a domain code (`NS` → `Network security`).
pub fn domain_name(code: &str) -> Option<&'static str> {
    DOMAINS.iter().find(|(c, _)| *c == code).map(|(_, n)| *n)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_every_domain_once() {
        assert_eq!(domain_name("DP"), Some("Data protection"));
        assert_eq!(domain_name("dp"), None, "codes are upper case");
        let mut codes: Vec<&str> = DOMAINS.iter().map(|(c, _)| *c).collect();
        codes.sort_unstable();
        codes.dedup();
        assert_eq!(codes.len(), 12);
    }
}
