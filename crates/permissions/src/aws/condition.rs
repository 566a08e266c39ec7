//! Condition blocks, judged from an attacker's point of view: keys the caller controls
//! (`aws:SecureTransport`, `aws:RequestedRegion`, request tags) are chosen to satisfy an Allow and to
//! avoid a Deny; keys we know (principal account, org, tags, MFA of a user without a device) are
//! evaluated; keys we cannot know (`aws:SourceIp`, `sts:ExternalId`, …) make the result unknown,
//! which the evaluator reports as `conditional`.

use super::policy::{Condition, Effect, SetOp};
use crate::wildcard::Pattern;
use std::net::IpAddr;

/// What the request context holds for a key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum KeyValue {
    Known(Vec<String>),
    /// Not in the request context at all (e.g. MFA for long-term access keys).
    Absent,
    /// The caller picks it.
    Chosen,
    Unknown,
}

/// Three-valued truth.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tri {
    True,
    False,
    Unknown,
}

impl Tri {
    pub fn and(self, o: Tri) -> Tri {
        match (self, o) {
            (Tri::False, _) | (_, Tri::False) => Tri::False,
            (Tri::True, Tri::True) => Tri::True,
            _ => Tri::Unknown,
        }
    }
}

pub trait ConditionContext {
    /// The value of a (lower-case) condition key.
    fn value(&self, key: &str) -> KeyValue;
}

/// The keys a caller sets on its own request.
pub fn is_chosen_by_caller(key: &str) -> bool {
    const CHOSEN: &[&str] = &[
        "aws:securetransport",
        "aws:requestedregion",
        "aws:tagkeys",
        "aws:useragent",
        "aws:referer",
        "aws:viaawsservice",
        "aws:calledvia",
        "aws:calledviafirst",
        "aws:calledvialast",
        "s3:x-amz-acl",
        "s3:x-amz-server-side-encryption",
        "s3:x-amz-server-side-encryption-aws-kms-key-id",
        "s3:prefix",
        "s3:delimiter",
        "s3:max-keys",
        "kms:encryptioncontextkeys",
        "ec2:instancetype",
        "iam:passedtoservice",
    ];
    CHOSEN.contains(&key) || key.starts_with("aws:requesttag/") || key.starts_with("kms:encryptioncontext:")
}

/// Every condition of a statement holds.
pub fn all_hold(conds: &[Condition], ctx: &dyn ConditionContext, effect: Effect) -> (Tri, Vec<String>) {
    let mut result = Tri::True;
    let mut unknown_keys = Vec::new();
    for c in conds {
        let r = holds(c, ctx, effect);
        if r == Tri::Unknown {
            unknown_keys.push(c.key.clone());
        }
        result = result.and(r);
        if result == Tri::False {
            return (Tri::False, Vec::new());
        }
    }
    (result, unknown_keys)
}

/// One condition.
pub fn holds(c: &Condition, ctx: &dyn ConditionContext, effect: Effect) -> Tri {
    let op = c.operator.to_ascii_lowercase();
    let value = if is_chosen_by_caller(&c.key) { KeyValue::Chosen } else { ctx.value(&c.key) };
    match value {
        KeyValue::Chosen => {
            if effect == Effect::Allow {
                Tri::True
            } else {
                Tri::False
            }
        }
        KeyValue::Unknown => Tri::Unknown,
        KeyValue::Absent => absent(&op, c),
        KeyValue::Known(vals) => known(&op, c, &vals),
    }
}

fn absent(op: &str, c: &Condition) -> Tri {
    if op == "null" {
        return bool_tri(c.values.iter().any(|v| v.eq_ignore_ascii_case("true")));
    }
    if c.if_exists || c.set == SetOp::ForAllValues || is_negated(op) {
        Tri::True
    } else {
        Tri::False
    }
}

fn is_negated(op: &str) -> bool {
    op.contains("not")
}

fn bool_tri(b: bool) -> Tri {
    if b {
        Tri::True
    } else {
        Tri::False
    }
}

fn known(op: &str, c: &Condition, vals: &[String]) -> Tri {
    if op == "null" {
        return bool_tri(c.values.iter().any(|v| v.eq_ignore_ascii_case("false")));
    }
    if c.values.iter().any(|v| v.contains("${")) {
        // Policy variables in condition values: not resolved here.
        return Tri::Unknown;
    }
    let negated = is_negated(op);
    let base = positive_form(op);
    let mut per_value = Vec::with_capacity(vals.len());
    for v in vals {
        match matches_any(&base, v, &c.values) {
            Some(m) => per_value.push(m),
            None => return Tri::Unknown,
        }
    }
    let satisfied = |m: bool| if negated { !m } else { m };
    match c.set {
        SetOp::ForAllValues => bool_tri(per_value.iter().all(|m| satisfied(*m))),
        SetOp::ForAnyValue => bool_tri(per_value.iter().any(|m| satisfied(*m))),
        // A negated single-valued operator holds when no value matches.
        SetOp::Single if negated => bool_tri(!per_value.iter().any(|m| *m)),
        SetOp::Single => bool_tri(per_value.iter().any(|m| *m)),
    }
}

fn positive_form(op: &str) -> String {
    match op {
        "stringnotequals" => "stringequals".into(),
        "stringnotequalsignorecase" => "stringequalsignorecase".into(),
        "stringnotlike" => "stringlike".into(),
        "numericnotequals" => "numericequals".into(),
        "datenotequals" => "dateequals".into(),
        "notipaddress" => "ipaddress".into(),
        "arnnotequals" => "arnequals".into(),
        "arnnotlike" => "arnlike".into(),
        other => other.to_string(),
    }
}

/// Whether request value `v` matches one of the policy values; `None` when the operator is not
/// understood or a value does not parse.
fn matches_any(op: &str, v: &str, policy: &[String]) -> Option<bool> {
    let mut any = false;
    for p in policy {
        any |= match op {
            "stringequals" | "binaryequals" => p == v,
            "stringequalsignorecase" => p.eq_ignore_ascii_case(v),
            "stringlike" | "arnlike" | "arnequals" => Pattern::new(p).matches(v),
            "bool" => p.eq_ignore_ascii_case(v),
            "ipaddress" => ip_in(v, p)?,
            "numericequals"
            | "numericlessthan"
            | "numericlessthanequals"
            | "numericgreaterthan"
            | "numericgreaterthanequals" => numeric(op, v, p)?,
            _ => return None,
        };
    }
    Some(any)
}

fn ip_in(ip: &str, cidr: &str) -> Option<bool> {
    let addr: IpAddr = ip.parse().ok()?;
    let net: ipnet::IpNet = cidr.parse().or_else(|_| cidr.parse::<IpAddr>().map(ipnet::IpNet::from)).ok()?;
    Some(net.contains(&addr))
}

fn numeric(op: &str, v: &str, p: &str) -> Option<bool> {
    let (a, b): (f64, f64) = (v.parse().ok()?, p.parse().ok()?);
    Some(match op {
        "numericequals" => a == b,
        "numericlessthan" => a < b,
        "numericlessthanequals" => a <= b,
        "numericgreaterthan" => a > b,
        _ => a >= b,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    struct Ctx(HashMap<&'static str, KeyValue>);
    impl ConditionContext for Ctx {
        fn value(&self, key: &str) -> KeyValue {
            self.0.get(key).cloned().unwrap_or(KeyValue::Unknown)
        }
    }

    fn cond(op: &str, key: &str, values: &[&str]) -> Condition {
        let doc = serde_json::json!({"operator": op, "key": key, "values": values});
        let p = super::super::policy::Policy::from_json(&serde_json::json!({"statements": [{"conditions": [doc]}]}))
            .unwrap();
        p.statements[0].conditions[0].clone()
    }

    fn ctx(pairs: &[(&'static str, KeyValue)]) -> Ctx {
        Ctx(pairs.iter().cloned().collect())
    }

    #[test]
    fn caller_chosen_keys_satisfy_allows_and_avoid_denies() {
        let c = cond("Bool", "aws:SecureTransport", &["false"]);
        assert_eq!(holds(&c, &ctx(&[]), Effect::Deny), Tri::False);
        assert_eq!(holds(&c, &ctx(&[]), Effect::Allow), Tri::True);
    }

    #[test]
    fn unknown_keys_stay_unknown() {
        let c = cond("IpAddress", "aws:SourceIp", &["203.0.113.0/24"]);
        assert_eq!(holds(&c, &ctx(&[]), Effect::Allow), Tri::Unknown);
        let known = ctx(&[("aws:sourceip", KeyValue::Known(vec!["203.0.113.9".into()]))]);
        assert_eq!(holds(&c, &known, Effect::Allow), Tri::True);
        let n = cond("NotIpAddress", "aws:SourceIp", &["203.0.113.0/24"]);
        assert_eq!(holds(&n, &known, Effect::Deny), Tri::False);
    }

    #[test]
    fn absent_keys_follow_aws_rules() {
        let mfa = ctx(&[("aws:multifactorauthpresent", KeyValue::Absent)]);
        assert_eq!(holds(&cond("Bool", "aws:MultiFactorAuthPresent", &["true"]), &mfa, Effect::Allow), Tri::False);
        assert_eq!(
            holds(&cond("BoolIfExists", "aws:MultiFactorAuthPresent", &["false"]), &mfa, Effect::Deny),
            Tri::True
        );
        assert_eq!(holds(&cond("Null", "aws:MultiFactorAuthPresent", &["true"]), &mfa, Effect::Deny), Tri::True);
        assert_eq!(
            holds(&cond("StringNotEquals", "aws:MultiFactorAuthPresent", &["x"]), &mfa, Effect::Deny),
            Tri::True
        );
        assert_eq!(
            holds(&cond("ForAllValues:StringEquals", "aws:MultiFactorAuthPresent", &["x"]), &mfa, Effect::Deny),
            Tri::True
        );
    }

    #[test]
    fn org_and_account_conditions_evaluate_when_known() {
        let c = cond("StringEquals", "aws:PrincipalOrgID", &["o-abc"]);
        let inside = ctx(&[("aws:principalorgid", KeyValue::Known(vec!["o-abc".into()]))]);
        let outside = ctx(&[("aws:principalorgid", KeyValue::Known(vec!["o-zzz".into()]))]);
        assert_eq!(holds(&c, &inside, Effect::Allow), Tri::True);
        assert_eq!(holds(&c, &outside, Effect::Allow), Tri::False);
        assert_eq!(holds(&c, &ctx(&[]), Effect::Allow), Tri::Unknown);
        let ne = cond("StringNotEquals", "aws:PrincipalOrgID", &["o-abc"]);
        assert_eq!(holds(&ne, &outside, Effect::Deny), Tri::True);
        assert_eq!(holds(&ne, &inside, Effect::Deny), Tri::False);
    }

    #[test]
    fn all_hold_is_a_conjunction_and_names_unknown_keys() {
        let conds =
            vec![cond("Bool", "aws:SecureTransport", &["true"]), cond("IpAddress", "aws:SourceIp", &["10.0.0.0/8"])];
        let (t, keys) = all_hold(&conds, &ctx(&[]), Effect::Allow);
        assert_eq!(t, Tri::Unknown);
        assert_eq!(keys, vec!["aws:sourceip".to_string()]);
    }
}
