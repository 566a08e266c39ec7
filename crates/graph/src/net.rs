//! Network helpers for exposure: how wide a source range is, and sets of ports per protocol.

use crate::model::{PortRange, Width};
use std::net::IpAddr;

/// The width of a source: `None` when it is not on the internet (private, loopback, link-local,
/// or an Azure service tag other than `Internet`).
pub fn source_width(src: &str) -> Option<Width> {
    let s = src.trim();
    match s.to_ascii_lowercase().as_str() {
        "*" | "any" | "internet" | "0.0.0.0/0" | "::/0" | "0.0.0.0" => return Some(Width::Any),
        _ => {}
    }
    let net: ipnet::IpNet = s.parse().or_else(|_| s.parse::<IpAddr>().map(ipnet::IpNet::from)).ok()?;
    if is_private(&net.addr()) {
        return None;
    }
    let wide = match net {
        ipnet::IpNet::V4(n) => n.prefix_len() <= 8,
        ipnet::IpNet::V6(n) => n.prefix_len() <= 32,
    };
    Some(if net.prefix_len() == 0 {
        Width::Any
    } else if wide {
        Width::Wide
    } else {
        Width::Narrow
    })
}

fn is_private(ip: &IpAddr) -> bool {
    match ip {
        IpAddr::V4(v) => {
            v.is_private()
                || v.is_loopback()
                || v.is_link_local()
                || v.octets()[0] == 100 && (64..128).contains(&v.octets()[1])
        }
        IpAddr::V6(v) => {
            v.is_loopback() || (v.segments()[0] & 0xfe00) == 0xfc00 || (v.segments()[0] & 0xffc0) == 0xfe80
        }
    }
}

/// Normalises protocol names: `-1`, `all`, `*` → `all`; `6` → `tcp`; `17` → `udp`.
pub fn protocol(p: &str) -> String {
    match p.to_ascii_lowercase().as_str() {
        "-1" | "all" | "*" | "any" => "all".into(),
        "6" | "tcp" => "tcp".into(),
        "17" | "udp" => "udp".into(),
        "1" | "icmp" => "icmp".into(),
        "58" | "icmpv6" => "icmpv6".into(),
        other => other.to_string(),
    }
}

/// Parses `22`, `8000-8080`, `*`; `None` when unparseable.
pub fn port_range(s: &str) -> Option<(u16, u16)> {
    let s = s.trim();
    if s == "*" || s.is_empty() {
        return Some((0, 65535));
    }
    match s.split_once('-') {
        Some((a, b)) => {
            let (a, b) = (a.trim().parse().ok()?, b.trim().parse().ok()?);
            (a <= b).then_some((a, b))
        }
        None => s.parse().ok().map(|p| (p, p)),
    }
}

/// Port ranges per protocol, merged.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PortSet(Vec<(String, u16, u16)>);

impl PortSet {
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub fn add(&mut self, proto: &str, from: u16, to: u16) {
        if proto == "all" {
            for p in ["tcp", "udp"] {
                self.add(p, from, to);
            }
            return;
        }
        self.0.push((proto.to_string(), from, to));
        self.normalise();
    }

    fn normalise(&mut self) {
        self.0.sort();
        let mut out: Vec<(String, u16, u16)> = Vec::new();
        for (p, a, b) in self.0.drain(..) {
            match out.last_mut() {
                Some((lp, _, lb)) if *lp == p && (a as u32) <= *lb as u32 + 1 => *lb = (*lb).max(b),
                _ => out.push((p, a, b)),
            }
        }
        self.0 = out;
    }

    /// The part of `proto from..=to` not in this set.
    pub fn minus(&self, proto: &str, from: u16, to: u16) -> Vec<(u16, u16)> {
        let mut free = vec![(from, to)];
        for (p, a, b) in &self.0 {
            if p != proto {
                continue;
            }
            free = free
                .into_iter()
                .flat_map(|(x, y)| {
                    let mut parts = Vec::new();
                    if *b < x || *a > y {
                        parts.push((x, y));
                    } else {
                        if *a > x {
                            parts.push((x, *a - 1));
                        }
                        if *b < y {
                            parts.push((*b + 1, y));
                        }
                    }
                    parts
                })
                .collect();
        }
        free
    }

    pub fn intersect(&self, other: &PortSet) -> PortSet {
        let mut out = PortSet::default();
        for (p, a, b) in &self.0 {
            for (q, c, d) in &other.0 {
                if p == q && a.max(c) <= b.min(d) {
                    out.0.push((p.clone(), *a.max(c), *b.min(d)));
                }
            }
        }
        out.normalise();
        out
    }

    #[cfg(test)]
    pub fn contains(&self, proto: &str, port: u16) -> bool {
        self.0.iter().any(|(p, a, b)| p == proto && *a <= port && port <= *b)
    }

    pub fn ranges(&self) -> Vec<PortRange> {
        self.0.iter().map(|(p, a, b)| PortRange { protocol: p.clone(), from: *a, to: *b }).collect()
    }
}

/// Evaluates prioritised allow/deny rules (NSGs, GCP firewalls, network ACLs) for internet
/// sources: the first rule covering a port decides it. Returns the allowed ports and the widest
/// allowed source. Rules must be given in evaluation order.
pub struct RuleEval {
    decided: PortSet,
    pub allowed: PortSet,
    pub width: Option<Width>,
    pub steps: Vec<String>,
}

impl RuleEval {
    pub fn new() -> RuleEval {
        RuleEval { decided: PortSet::default(), allowed: PortSet::default(), width: None, steps: Vec::new() }
    }

    /// One rule: `sources` are the rule's source ranges/tags, `ports` its destination ports.
    pub fn rule(&mut self, label: &str, allow: bool, proto: &str, ports: &[(u16, u16)], sources: &[String]) {
        let width = sources.iter().filter_map(|s| source_width(s)).max();
        let Some(width) = width else { return };
        let protos: Vec<&str> = if proto == "all" { vec!["tcp", "udp"] } else { vec![proto] };
        for p in protos {
            for (a, b) in ports {
                for (x, y) in self.decided.minus(p, *a, *b) {
                    self.decided.add(p, x, y);
                    if allow {
                        self.allowed.add(p, x, y);
                        self.width = self.width.max(Some(width));
                        let shown: Vec<&str> =
                            sources.iter().map(String::as_str).filter(|s| source_width(s).is_some()).collect();
                        let range = PortRange { protocol: p.to_string(), from: x, to: y };
                        self.steps.push(format!("{label} allows {range} from {}", shown.join(", ")));
                    }
                }
            }
        }
    }
}

impl Default for RuleEval {
    fn default() -> Self {
        Self::new()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn widths() {
        assert_eq!(source_width("0.0.0.0/0"), Some(Width::Any));
        assert_eq!(source_width("::/0"), Some(Width::Any));
        assert_eq!(source_width("Internet"), Some(Width::Any));
        assert_eq!(source_width("10.0.0.0/8"), None);
        assert_eq!(source_width("192.168.1.0/24"), None);
        assert_eq!(source_width("AzureLoadBalancer"), None);
        assert_eq!(source_width("203.0.113.0/24"), Some(Width::Narrow));
        assert_eq!(source_width("203.0.113.7"), Some(Width::Narrow));
        assert_eq!(source_width("52.0.0.0/8"), Some(Width::Wide));
        assert_eq!(source_width("garbage"), None);
    }

    #[test]
    fn port_sets_merge_and_subtract() {
        let mut s = PortSet::default();
        s.add("tcp", 20, 22);
        s.add("tcp", 23, 30);
        s.add("udp", 53, 53);
        assert_eq!(s.ranges().len(), 2);
        assert_eq!(s.minus("tcp", 0, 100), vec![(0, 19), (31, 100)]);
        assert!(s.contains("tcp", 25) && !s.contains("udp", 25));
        let mut t = PortSet::default();
        t.add("all", 22, 22);
        assert_eq!(s.intersect(&t).ranges(), vec![PortRange { protocol: "tcp".into(), from: 22, to: 22 }]);
        assert_eq!(port_range("8000-8080"), Some((8000, 8080)));
        assert_eq!(port_range("*"), Some((0, 65535)));
        assert_eq!(port_range("x"), None);
        assert_eq!(port_range("9-1"), None);
    }

    #[test]
    fn first_matching_rule_decides() {
        let mut e = RuleEval::new();
        e.rule("deny-ssh", false, "tcp", &[(22, 22)], &["*".into()]);
        e.rule("allow-all", true, "tcp", &[(0, 65535)], &["0.0.0.0/0".into()]);
        e.rule("private", true, "udp", &[(53, 53)], &["10.0.0.0/8".into()]);
        assert!(!e.allowed.contains("tcp", 22));
        assert!(e.allowed.contains("tcp", 443));
        assert!(!e.allowed.contains("udp", 53));
        assert_eq!(e.width, Some(Width::Any));
    }
}
