//! ARM templates (and Bicep, through the ARM JSON `bicep build` compiles it to): parameters
//! with defaults, variables and the common template functions; child resources nested or
//! named `parent/child` fold into their parent. Functions only Azure can answer
//! (`resourceGroup().id`, `uniqueString`, `reference`, …) stay unknown. `copy` loops on resources
//! (one instance per index, `copyIndex()` in names and properties) and on properties (an array
//! of `input` evaluated per index, `copyIndex('name')`) are expanded; a count that cannot be
//! resolved is an issue for a resource loop and an unknown property for a property loop. Nested
//! deployments with an inline `template` are evaluated (outer or inner scope); linked templates
//! are issues.

use crate::hcl::value::V;
use crate::terraform::eval::{EBlock, TfResource};
use crate::terraform::map::{jv, push, Build, Conv, Target};
use crate::yaml::{parse_all, YNode, YVal};
use crate::{Issue, Located, SourceFile};
use serde_json::{json, Value};
use std::cell::RefCell;
use std::collections::{HashMap, HashSet};

mod expand;
use expand::resources_in;

pub fn scan(f: &SourceFile, account: &str) -> (Vec<Located>, Vec<Issue>) {
    // JSON is YAML: the YAML parser gives the line of every property.
    let doc = match parse_all(&f.text) {
        Ok(d) => d.into_iter().next(),
        Err(e) => return (Vec::new(), vec![Issue { file: f.rel.clone(), line: e.line, message: format!("ARM template: {}", e.message) }]),
    };
    let Some(doc) = doc else { return (Vec::new(), Vec::new()) };
    let ctx = Ctx::new(&doc, HashMap::new());
    let mut out = Vec::new();
    let mut issues = Vec::new();
    resources_in(&ctx, doc.get("resources"), f, (&mut out, &mut issues), 0);
    (crate::terraform::to_canonical(out, account), issues)
}

fn resource(ctx: &Ctx, r: &YNode, parent: Option<(&str, &str)>, f: &SourceFile, out: &mut Vec<TfResource>, depth: usize) {
    if depth > 8 {
        return;
    }
    let Some(t) = r.get("type").and_then(YNode::as_str) else { return };
    let name = r.get("name").map(|n| ctx.eval(n, 0)).and_then(|v| v.to_text()).unwrap_or_else(|| "(unresolved)".into());
    // A nested child's type and name are relative to its parent.
    let (t, name) = match parent {
        Some((pt, pn)) if !t.contains('/') => (format!("{pt}/{t}"), format!("{pn}/{name}")),
        _ => (t.to_string(), name),
    };
    let mut body = match r.get("properties") {
        Some(p) => ctx.block(p, p.key_line.max(p.line), 0),
        None => EBlock { line: r.line, ..EBlock::default() },
    };
    body.line = r.line;
    for k in ["location", "kind", "name"] {
        if let Some(n) = r.get(k) {
            body.attrs.insert(k.to_string(), (ctx.eval(n, 0), n.key_line));
        }
    }
    if let Some(tags) = r.get("tags") {
        if let V::Obj(m) = ctx.eval(tags, 0) {
            let b = EBlock { line: tags.key_line, attrs: m.into_iter().map(|(k, v)| (k, (v, tags.key_line))).collect(), ..EBlock::default() };
            body.blocks.push(("tags".into(), b));
        }
    }
    if let Some(sku) = r.get("sku").and_then(|s| s.get("name")) {
        body.attrs.insert("sku_name".into(), (ctx.eval(sku, 0), sku.key_line));
    }
    // The parent's name, for children declared at the top level as `parent/child`.
    let parent_name = name.rsplit_once('/').map(|(p, _)| p.to_string());
    if let Some(p) = parent_name {
        body.attrs.insert("parent".into(), (V::Str(p), r.line));
    }
    let end = r.last_line();
    out.push(TfResource { rtype: t.clone(), address: format!("{t}/{name}"), file: f.rel.clone(), line: r.line, end_line: end, body });
    for child in r.get("resources").map(YNode::items).unwrap_or_default() {
        resource(ctx, child, Some((&t, &name)), f, out, depth + 1);
    }
}

struct Ctx<'a> {
    params: HashMap<String, V>,
    variables: HashMap<String, &'a YNode>,
    cache: RefCell<HashMap<String, V>>,
    in_progress: RefCell<HashSet<String>>,
    /// The current index of each copy loop being expanded (`""`: the resource's own loop).
    copy: RefCell<HashMap<String, usize>>,
}

impl<'a> Ctx<'a> {
    /// A template's context; `passed` parameters (lower case) win over `defaultValue`.
    fn new(doc: &'a YNode, passed: HashMap<String, V>) -> Self {
        let mut c = Ctx { params: HashMap::new(), variables: HashMap::new(), cache: RefCell::default(), in_progress: RefCell::default(), copy: RefCell::default() };
        for (k, p) in doc.get("parameters").map(YNode::entries).unwrap_or_default() {
            let key = k.to_ascii_lowercase();
            let v = match passed.get(&key) {
                Some(v) => v.clone(),
                None => p.get("defaultValue").map_or(V::Unknown, |d| c.eval(d, 0)),
            };
            c.params.insert(key, v);
        }
        for (k, v) in doc.get("variables").map(YNode::entries).unwrap_or_default() {
            c.variables.insert(k.to_ascii_lowercase(), v);
        }
        c
    }

    fn variable(&self, name: &str) -> V {
        let key = name.to_ascii_lowercase();
        if let Some(v) = self.cache.borrow().get(&key) {
            return v.clone();
        }
        let Some(node) = self.variables.get(&key) else { return V::Unknown };
        if !self.in_progress.borrow_mut().insert(key.clone()) {
            return V::Unknown;
        }
        let v = self.eval(node, 1);
        self.in_progress.borrow_mut().remove(&key);
        self.cache.borrow_mut().insert(key, v.clone());
        v
    }

    fn eval(&self, n: &YNode, depth: usize) -> V {
        if depth > 64 {
            return V::Unknown;
        }
        match &n.value {
            YVal::Str(s) if s.starts_with('[') && !s.starts_with("[[") && s.ends_with(']') => {
                let inner = &s[1..s.len() - 1];
                Expr { s: inner.as_bytes(), src: inner, pos: 0, ctx: self, depth }.run()
            }
            YVal::Str(s) if s.starts_with("[[") => V::Str(s[1..].to_string()),
            YVal::Map(m) => V::Obj(m.iter().map(|(k, v)| (k.clone(), self.eval(v, depth + 1))).collect()),
            YVal::Seq(items) => V::List(items.iter().map(|i| self.eval(i, depth + 1)).collect()),
            YVal::Null => V::Null,
            YVal::Bool(b) => V::Bool(*b),
            YVal::Num(x) => V::Num(*x),
            YVal::Str(s) => V::Str(s.clone()),
        }
    }

    /// Properties as a block (objects are nested blocks, arrays of objects repeated blocks).
    fn block(&self, node: &YNode, line: u32, depth: usize) -> EBlock {
        let mut b = EBlock { line, ..EBlock::default() };
        if depth > 32 {
            return b;
        }
        for (k, v) in node.entries() {
            if k == "copy" && matches!(v.value, YVal::Seq(_)) {
                self.property_copies(v, &mut b, depth);
                continue;
            }
            match &v.value {
                YVal::Map(_) => b.blocks.push((k.clone(), self.block(v, v.key_line, depth + 1))),
                YVal::Seq(items) if !items.is_empty() && items.iter().all(|i| matches!(i.value, YVal::Map(_))) => {
                    for i in items {
                        b.blocks.push((k.clone(), self.block(i, i.line, depth + 1)));
                    }
                }
                _ => {
                    b.attrs.insert(k.clone(), (self.eval(v, depth + 1), v.key_line));
                }
            }
        }
        b
    }
}

/// A template language expression (the text between `[` and `]`).
struct Expr<'c, 'a> {
    s: &'c [u8],
    src: &'c str,
    pos: usize,
    ctx: &'c Ctx<'a>,
    depth: usize,
}

impl Expr<'_, '_> {
    fn run(&mut self) -> V {
        self.expr().unwrap_or(V::Unknown)
    }

    fn ws(&mut self) {
        while self.s.get(self.pos).is_some_and(u8::is_ascii_whitespace) {
            self.pos += 1;
        }
    }

    fn expr(&mut self) -> Option<V> {
        self.depth += 1;
        if self.depth > 64 {
            return None;
        }
        self.ws();
        let mut v = match *self.s.get(self.pos)? {
            b'\'' => V::Str(self.string()?),
            c if c.is_ascii_digit() || c == b'-' => self.number()?,
            c if c.is_ascii_alphabetic() => self.call()?,
            _ => return None,
        };
        // Property access and indexing: `.name`, `[0]`, `['key']`.
        loop {
            self.ws();
            match self.s.get(self.pos) {
                Some(b'.') => {
                    self.pos += 1;
                    let name = self.ident();
                    v = match v {
                        V::Obj(mut m) => m.remove(&name).or_else(|| m.into_iter().find(|(k, _)| k.eq_ignore_ascii_case(&name)).map(|(_, x)| x)).unwrap_or(V::Unknown),
                        _ => V::Unknown,
                    };
                }
                Some(b'[') => {
                    self.pos += 1;
                    let idx = self.expr()?;
                    self.ws();
                    if self.s.get(self.pos) != Some(&b']') {
                        return None;
                    }
                    self.pos += 1;
                    v = crate::hcl::eval::apply_steps(v, &[crate::hcl::eval::Step::Index(idx)]);
                }
                _ => break,
            }
        }
        self.depth -= 1;
        Some(v)
    }

    fn string(&mut self) -> Option<String> {
        self.pos += 1;
        let mut out = String::new();
        loop {
            let c = *self.s.get(self.pos)?;
            if c == b'\'' {
                if self.s.get(self.pos + 1) == Some(&b'\'') {
                    out.push('\'');
                    self.pos += 2;
                    continue;
                }
                self.pos += 1;
                return Some(out);
            }
            let ch = self.src.get(self.pos..)?.chars().next()?;
            out.push(ch);
            self.pos += ch.len_utf8();
        }
    }

    fn number(&mut self) -> Option<V> {
        let start = self.pos;
        self.pos += 1;
        while self.s.get(self.pos).is_some_and(|c| c.is_ascii_digit() || *c == b'.') {
            self.pos += 1;
        }
        self.src.get(start..self.pos)?.parse().ok().map(V::Num)
    }

    fn ident(&mut self) -> String {
        let start = self.pos;
        while self.s.get(self.pos).is_some_and(|c| c.is_ascii_alphanumeric() || *c == b'_') {
            self.pos += 1;
        }
        self.src.get(start..self.pos).unwrap_or_default().to_string()
    }

    fn call(&mut self) -> Option<V> {
        let name = self.ident().to_ascii_lowercase();
        self.ws();
        if self.s.get(self.pos) != Some(&b'(') {
            return match name.as_str() {
                "true" => Some(V::Bool(true)),
                "false" => Some(V::Bool(false)),
                "null" => Some(V::Null),
                _ => None,
            };
        }
        self.pos += 1;
        let mut args = Vec::new();
        loop {
            self.ws();
            if self.s.get(self.pos) == Some(&b')') {
                self.pos += 1;
                break;
            }
            args.push(self.expr()?);
            self.ws();
            match self.s.get(self.pos) {
                Some(b',') => self.pos += 1,
                Some(b')') => {
                    self.pos += 1;
                    break;
                }
                _ => return None,
            }
        }
        Some(function(self.ctx, &name, args))
    }
}

fn function(ctx: &Ctx, name: &str, args: Vec<V>) -> V {
    let text = |i: usize| args.get(i).and_then(V::to_text);
    match name {
        "parameters" => text(0).and_then(|p| ctx.params.get(&p.to_ascii_lowercase()).cloned()).unwrap_or(V::Unknown),
        "variables" => text(0).map_or(V::Unknown, |v| ctx.variable(&v)),
        "copyindex" => ctx.copy_index(&args),
        "concat" if args.iter().all(|a| matches!(a, V::List(_))) && !args.is_empty() => crate::hcl::funcs::call("concat", args),
        "concat" => args.iter().map(V::to_text).collect::<Option<String>>().map_or(V::Unknown, V::Str),
        "format" => {
            let Some(spec) = text(0) else { return V::Unknown };
            let mut out = spec;
            for (i, a) in args.iter().enumerate().skip(1) {
                let Some(t) = a.to_text() else { return V::Unknown };
                out = out.replace(&format!("{{{}}}", i - 1), &t);
            }
            V::Str(out)
        }
        "tolower" => text(0).map_or(V::Unknown, |t| V::Str(t.to_lowercase())),
        "toupper" => text(0).map_or(V::Unknown, |t| V::Str(t.to_uppercase())),
        "string" => args.first().and_then(|a| a.to_text().or_else(|| a.to_json().map(|j| j.to_string()))).map_or(V::Unknown, V::Str),
        "int" => args.first().and_then(V::as_num).map_or(V::Unknown, |n| V::Num(n.trunc())),
        "bool" => args.first().and_then(V::as_bool).map_or(V::Unknown, V::Bool),
        "if" => match args.first().and_then(V::as_bool) {
            Some(true) => args.get(1).cloned().unwrap_or(V::Unknown),
            Some(false) => args.get(2).cloned().unwrap_or(V::Unknown),
            None => V::Unknown,
        },
        "equals" => match (args.first(), args.get(1)) {
            (Some(a), Some(b)) if a.is_wholly_known() && b.is_wholly_known() => V::Bool(crate::hcl::eval::values_equal(a, b)),
            _ => V::Unknown,
        },
        "not" => args.first().and_then(V::as_bool).map_or(V::Unknown, |b| V::Bool(!b)),
        "and" | "or" => {
            let vals: Vec<Option<bool>> = args.iter().map(V::as_bool).collect();
            let and = name == "and";
            if vals.contains(&Some(!and)) {
                V::Bool(!and)
            } else if vals.iter().all(Option::is_some) {
                V::Bool(and)
            } else {
                V::Unknown
            }
        }
        "empty" => match args.first() {
            Some(V::Str(s)) => V::Bool(s.is_empty()),
            Some(V::List(l)) => V::Bool(l.is_empty()),
            Some(V::Obj(m)) => V::Bool(m.is_empty()),
            Some(V::Null) => V::Bool(true),
            _ => V::Unknown,
        },
        "length" => crate::hcl::funcs::call("length", args),
        "json" => text(0).and_then(|t| serde_json::from_str::<Value>(&t).ok()).map_or(V::Unknown, |j| V::from_json(&j)),
        "createarray" => V::List(args),
        "union" => crate::hcl::funcs::call("merge", args),
        "coalesce" => crate::hcl::funcs::call("coalesce", args),
        "add" | "sub" | "mul" | "div" | "mod" => match (args.first().and_then(V::as_num), args.get(1).and_then(V::as_num)) {
            (Some(a), Some(b)) => match name {
                "add" => V::Num(a + b),
                "sub" => V::Num(a - b),
                "mul" => V::Num(a * b),
                "div" if b != 0.0 => V::Num((a / b).trunc()),
                "mod" if b != 0.0 => V::Num(a % b),
                _ => V::Unknown,
            },
            _ => V::Unknown,
        },
        // resourceGroup().location and friends: only Azure knows.
        _ => V::Unknown,
    }
}

fn lower(t: &str) -> String {
    t.to_ascii_lowercase()
}

pub fn primary(t: &str, b: &EBlock) -> Option<Build> {
    let mut o = match lower(t).as_str() {
        "microsoft.storage/storageaccounts" => storage(b),
        "microsoft.network/networksecuritygroups" => {
            let mut o = Build::new("azure.network.network_security_group");
            o.put("security_rules", json!([]), None);
            for r in b.blocks("securityRules") {
                nsg_rule(r, &mut o);
            }
            // A property copy loop whose count is unknown: the rules are unknown.
            if matches!(b.value("securityRules"), Some(V::Unknown)) {
                o.attrs.remove("security_rules");
            }
            o
        }
        "microsoft.sql/servers" => {
            let mut o = Build::new("azure.sql.server");
            o.field("minimal_tls_version", b, "minimalTlsVersion", Conv::Str, None);
            o.field("public_network_access", b, "publicNetworkAccess", Conv::Str, Some(json!("Enabled")));
            o.field("administrator_login", b, "administratorLogin", Conv::Str, None);
            o.put("firewall_rules", json!([]), None);
            o
        }
        "microsoft.keyvault/vaults" => {
            let mut o = Build::new("azure.keyvault.vault");
            o.field("enable_soft_delete", b, "enableSoftDelete", Conv::Bool, Some(json!(true)));
            o.field("enable_purge_protection", b, "enablePurgeProtection", Conv::Bool, Some(json!(false)));
            o.field("enable_rbac_authorization", b, "enableRbacAuthorization", Conv::Bool, Some(json!(false)));
            o.field("public_network_access", b, "publicNetworkAccess", Conv::Str, Some(json!("Enabled")));
            match b.block("networkAcls") {
                Some(n) => o.field("network_acls.default_action", n, "defaultAction", Conv::Str, Some(json!("Allow"))),
                None => o.put("network_acls", json!({"default_action": "Allow"}), None),
            }
            o.put("private_endpoint_connections", json!([]), None);
            o
        }
        "microsoft.web/sites" => {
            let mut o = Build::new("azure.web.site");
            o.put("state", json!("Running"), None);
            o.field("https_only", b, "httpsOnly", Conv::Bool, Some(json!(false)));
            match b.block("siteConfig") {
                Some(s) => {
                    o.field("site_config.min_tls_version", s, "minTlsVersion", Conv::Str, Some(json!("1.2")));
                    o.field("site_config.ftps_state", s, "ftpsState", Conv::Str, Some(json!("AllAllowed")));
                    o.field("site_config.http20_enabled", s, "http20Enabled", Conv::Bool, Some(json!(false)));
                    o.field("site_config.remote_debugging_enabled", s, "remoteDebuggingEnabled", Conv::Bool, Some(json!(false)));
                }
                None => o.put("site_config", json!({"min_tls_version": "1.2", "ftps_state": "AllAllowed", "http20_enabled": false, "remote_debugging_enabled": false}), None),
            }
            o
        }
        _ => return None,
    };
    o.name = b.value("name").and_then(V::to_text);
    Some(o)
}

fn storage(b: &EBlock) -> Build {
    let mut o = Build::new("azure.storage.account");
    o.field("account_kind", b, "kind", Conv::Str, None);
    o.field("https_only", b, "supportsHttpsTrafficOnly", Conv::Bool, Some(json!(true)));
    o.field("minimum_tls_version", b, "minimumTlsVersion", Conv::Str, None);
    o.field("allow_blob_public_access", b, "allowBlobPublicAccess", Conv::Bool, None);
    o.field("allow_shared_key_access", b, "allowSharedKeyAccess", Conv::Bool, Some(json!(true)));
    o.field("public_network_access", b, "publicNetworkAccess", Conv::Str, Some(json!("Enabled")));
    match b.block("networkAcls") {
        Some(n) => {
            o.field("network_rule_set.default_action", n, "defaultAction", Conv::Str, Some(json!("Allow")));
            if let Some(v) = jv(n, "bypass", Conv::Str) {
                let list: Vec<String> = v.as_str().unwrap_or_default().split(',').map(|s| s.trim().to_string()).collect();
                o.put("network_rule_set.bypass", json!(list), n.attr("bypass").map(|(_, l)| *l));
            }
        }
        None => o.put("network_rule_set", json!({"default_action": "Allow", "bypass": ["AzureServices"]}), None),
    }
    match b.block("encryption") {
        Some(e) => o.field("encryption.key_source", e, "keySource", Conv::Str, Some(json!("Microsoft.Storage"))),
        None => o.put("encryption", json!({"key_source": "Microsoft.Storage"}), None),
    }
    o.put("private_endpoint_connections", json!([]), None);
    o
}

fn strs(b: &EBlock, one: &str, many: &str) -> Option<Value> {
    match (b.value(many), b.value(one)) {
        (Some(V::List(l)), _) if !l.is_empty() => V::List(l.clone()).to_json(),
        (_, Some(v)) if !matches!(v, V::Null) => v.to_text().map(|s| json!([s])),
        _ => Some(json!([])),
    }
}

fn nsg_rule(r: &EBlock, into: &mut Build) {
    let p = r.block("properties").unwrap_or(r);
    let item = (|| {
        let proto = jv(p, "protocol", Conv::Str)?;
        Some(json!({
            "name": jv(r, "name", Conv::Str),
            "priority": jv(p, "priority", Conv::Int),
            "direction": jv(p, "direction", Conv::Str)?,
            "access": jv(p, "access", Conv::Str)?,
            "protocol": proto,
            "source_address_prefixes": strs(p, "sourceAddressPrefix", "sourceAddressPrefixes")?,
            "source_port_ranges": strs(p, "sourcePortRange", "sourcePortRanges")?,
            "destination_address_prefixes": strs(p, "destinationAddressPrefix", "destinationAddressPrefixes")?,
            "destination_port_ranges": strs(p, "destinationPortRange", "destinationPortRanges")?,
        }))
    })();
    match item {
        Some(i) => push(into, "security_rules", i, r.line),
        None => {
            into.attrs.remove("security_rules");
        }
    }
}

pub fn target(t: &str) -> Option<Target> {
    let types: &'static [&'static str] = match lower(t).as_str() {
        "microsoft.sql/servers/firewallrules" => &["Microsoft.Sql/servers"],
        "microsoft.network/networksecuritygroups/securityrules" => &["Microsoft.Network/networkSecurityGroups"],
        _ => return None,
    };
    Some(Target { types, via: "parent", key: "name" })
}

pub fn augment(t: &str, b: &EBlock, into: &mut Build) {
    match lower(t).as_str() {
        "microsoft.sql/servers/firewallrules" => {
            let item = json!({"name": jv(b, "name", Conv::Str), "start_ip_address": jv(b, "startIpAddress", Conv::Str), "end_ip_address": jv(b, "endIpAddress", Conv::Str)});
            push(into, "firewall_rules", item, b.line);
        }
        "microsoft.network/networksecuritygroups/securityrules" => nsg_rule(b, into),
        _ => {}
    }
}
