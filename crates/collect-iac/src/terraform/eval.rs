//! A Terraform module evaluated the way `terraform plan` would see it before apply: variables
//! (defaults, `.tfvars`, module arguments), locals, local-path modules, `count`, `for_each` and
//! dynamic blocks. What only apply can tell stays unknown.

use super::policy_doc;
use crate::hcl::ast::{Block, Body, Expr};
use crate::hcl::eval::{instance_key, iter_items, Eval, Scope, Step};
use crate::hcl::value::V;
use std::cell::RefCell;
use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::path::{Path, PathBuf};

/// A parsed `.tf` file.
pub struct TfFile {
    /// Path relative to the scan root, with `/`.
    pub rel: String,
    pub body: Body,
}

/// The `.tf` files of one directory.
pub struct ModuleSrc {
    pub dir: PathBuf,
    pub files: Vec<TfFile>,
    /// Variable values from `terraform.tfvars` and `*.auto.tfvars` (root modules only).
    pub tfvars: BTreeMap<String, V>,
}

/// A block after evaluation: attribute values with their lines, nested blocks in order.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct EBlock {
    pub line: u32,
    pub attrs: BTreeMap<String, (V, u32)>,
    pub blocks: Vec<(String, EBlock)>,
    /// Dynamic blocks whose `for_each` is unknown: how many there are cannot be told.
    pub unknown_blocks: BTreeSet<String>,
}

impl EBlock {
    pub fn attr(&self, name: &str) -> Option<&(V, u32)> {
        self.attrs.get(name)
    }

    pub fn value(&self, name: &str) -> Option<&V> {
        self.attrs.get(name).map(|(v, _)| v)
    }

    pub fn blocks<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a EBlock> + 'a {
        self.blocks.iter().filter(move |(k, _)| k == name).map(|(_, b)| b)
    }

    pub fn block(&self, name: &str) -> Option<&EBlock> {
        self.blocks.iter().find(|(k, _)| k == name).map(|(_, b)| b)
    }
}

/// One resource instance, evaluated.
#[derive(Debug, Clone)]
pub struct TfResource {
    pub rtype: String,
    /// Full address: `module.a.aws_s3_bucket.b[0]`.
    pub address: String,
    pub file: String,
    pub line: u32,
    pub end_line: u32,
    pub body: EBlock,
}

#[derive(Debug, Clone)]
pub struct TfIssue {
    pub file: String,
    pub line: u32,
    pub message: String,
}

const META: &[&str] = &["count", "for_each", "provider", "depends_on", "lifecycle", "provisioner", "connection"];
const MAX_MODULE_DEPTH: usize = 8;

/// Modules by directory, parsed once.
pub struct Project<'p> {
    pub modules: &'p HashMap<PathBuf, ModuleSrc>,
    /// Per root module directory, the modules `terraform init` downloaded.
    pub downloaded: &'p HashMap<PathBuf, super::downloaded::Calls>,
}

/// Where a module instance sits: its root module's directory and its call key (`a.b`).
struct At<'a> {
    root: &'a Path,
    key: String,
}

pub struct Output {
    pub resources: Vec<TfResource>,
    pub issues: Vec<TfIssue>,
}

impl Project<'_> {
    /// Evaluates `dir` as a root module.
    pub fn eval_root(&self, dir: &Path) -> Output {
        let mut out = Output { resources: Vec::new(), issues: Vec::new() };
        if let Some(m) = self.modules.get(dir) {
            let inputs = m.tfvars.clone();
            self.eval_module(m, inputs, "", &At { root: dir, key: String::new() }, &mut out);
        }
        out
    }

    fn eval_module(&self, m: &ModuleSrc, inputs: BTreeMap<String, V>, prefix: &str, at: &At, out: &mut Output) -> BTreeMap<String, V> {
        let ctx = ModCtx::new(m, inputs, prefix, self.path_module(m));
        // Module calls first, so that their outputs are known to this module's resources.
        for f in &m.files {
            for b in f.body.blocks.iter().filter(|b| b.kind == "module") {
                self.eval_call(&ctx, (m, f, b), at, out);
            }
        }
        for f in &m.files {
            for b in &f.body.blocks {
                match (b.kind.as_str(), b.labels.as_slice()) {
                    ("resource", [t, n]) => expand(&ctx, f, b, t, n, out),
                    ("resource", _) => out.issues.push(TfIssue { file: f.rel.clone(), line: b.line, message: "a resource block needs a type and a name".into() }),
                    _ => {}
                }
            }
        }
        ctx.outputs()
    }

    fn path_module(&self, m: &ModuleSrc) -> String {
        m.files.first().map(|f| f.rel.rsplit_once('/').map_or(".", |(d, _)| d).to_string()).unwrap_or_else(|| ".".into())
    }

    /// A module's directory: a local path, or where `terraform init` downloaded a remote
    /// source; `Err` says why a remote module cannot be scanned.
    fn module_dir(&self, m: &ModuleSrc, source: &str, at: &At) -> Result<PathBuf, String> {
        if source.starts_with("./") || source.starts_with("../") {
            return Ok(normalize(&m.dir.join(source)));
        }
        let recorded = self.downloaded.get(at.root).and_then(|calls| calls.get(&at.key));
        match recorded {
            Some((src, dir)) if super::downloaded::same_source(src, source) => Ok(dir.clone()),
            Some((src, _)) => Err(format!("was downloaded from '{src}', not '{source}' (run terraform init again)")),
            None => Err("is not downloaded (no .terraform/modules/modules.json entry; run terraform init to scan it)".into()),
        }
    }

    fn eval_call(&self, ctx: &ModCtx, (m, f, b): (&ModuleSrc, &TfFile, &Block), at: &At, out: &mut Output) {
        let Some(name) = b.labels.first() else { return };
        let mut ev = Eval::new(ctx);
        let source = b.body.attrs.iter().find(|a| a.name == "source").map(|a| ev.eval(&a.expr));
        let Some(V::Str(source)) = source else { return };
        let depth = if at.key.is_empty() { 0 } else { at.key.matches('.').count() + 1 };
        let key = if at.key.is_empty() { name.clone() } else { format!("{}.{name}", at.key) };
        let child_at = At { root: at.root, key };
        let dir = match self.module_dir(m, &source, &child_at) {
            Ok(d) => d,
            Err(why) => {
                out.issues.push(TfIssue {
                    file: f.rel.clone(),
                    line: b.line,
                    message: format!("module '{name}' from '{source}' {why}: its resources are not scanned and its outputs are unknown"),
                });
                return;
            }
        };
        let Some(child) = self.modules.get(&dir) else {
            out.issues.push(TfIssue { file: f.rel.clone(), line: b.line, message: format!("module '{name}': no Terraform files in {source}") });
            return;
        };
        if depth >= MAX_MODULE_DEPTH {
            out.issues.push(TfIssue { file: f.rel.clone(), line: b.line, message: format!("module '{name}': modules nested too deep") });
            return;
        }
        for (key, env) in instances(ctx, &b.body) {
            let mut ev = Eval::with(ctx, env);
            let inputs: BTreeMap<String, V> = b
                .body
                .attrs
                .iter()
                .filter(|a| !matches!(a.name.as_str(), "source" | "version" | "count" | "for_each" | "providers" | "depends_on"))
                .map(|a| (a.name.clone(), ev.eval(&a.expr)))
                .collect();
            let child_prefix = format!("{}module.{name}{key}.", ctx.prefix);
            let outputs = self.eval_module(child, inputs, &child_prefix, &child_at, out);
            ctx.module_outputs.borrow_mut().insert(format!("{name}{key}"), V::Obj(outputs));
        }
    }
}

/// `a/./b/../c` → `a/c`, without touching the file system.
pub fn normalize(p: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for c in p.components() {
        match c {
            std::path::Component::CurDir => {}
            std::path::Component::ParentDir => {
                if !out.pop() {
                    out.push("..");
                }
            }
            other => out.push(other.as_os_str()),
        }
    }
    out
}

/// Instances of a resource or module block: (address suffix, names bound while evaluating it).
fn instances(ctx: &ModCtx, body: &Body) -> Vec<(String, Vec<(String, V)>)> {
    let attr = |n: &str| body.attrs.iter().find(|a| a.name == n);
    if let Some(c) = attr("count") {
        return match Eval::new(ctx).eval(&c.expr).as_num() {
            Some(n) if n >= 0.0 => (0..(n as usize).min(1000))
                .map(|i| (format!("[{i}]"), vec![("count".to_string(), obj(&[("index", V::Num(i as f64))]))]))
                .collect(),
            _ => vec![(String::new(), vec![("count".to_string(), obj(&[("index", V::Unknown)]))])],
        };
    }
    if let Some(fe) = attr("for_each") {
        let v = Eval::new(ctx).eval(&fe.expr);
        // A set of strings iterates with key = value.
        let items = match &v {
            V::List(l) => Some(l.iter().map(|x| (x.clone(), x.clone())).collect::<Vec<_>>()),
            other => iter_items(other),
        };
        return match items {
            Some(items) => items
                .into_iter()
                .map(|(k, val)| (instance_key(&k), vec![("each".to_string(), obj(&[("key", k), ("value", val)]))]))
                .collect(),
            None => vec![(String::new(), vec![("each".to_string(), obj(&[("key", V::Unknown), ("value", V::Unknown)]))])],
        };
    }
    vec![(String::new(), Vec::new())]
}

fn obj(items: &[(&str, V)]) -> V {
    V::Obj(items.iter().map(|(k, v)| (k.to_string(), v.clone())).collect())
}

fn expand(ctx: &ModCtx, f: &TfFile, b: &Block, rtype: &str, name: &str, out: &mut Output) {
    for (key, env) in instances(ctx, &b.body) {
        let body = eval_block(ctx, &b.body, env, b.line, 0);
        out.resources.push(TfResource {
            rtype: rtype.to_string(),
            address: format!("{}{rtype}.{name}{key}", ctx.prefix),
            file: f.rel.clone(),
            line: b.line,
            end_line: b.end_line,
            body,
        });
    }
}

fn eval_block(ctx: &ModCtx, body: &Body, env: Vec<(String, V)>, line: u32, depth: usize) -> EBlock {
    let mut out = EBlock { line, ..EBlock::default() };
    if depth > 32 {
        return out;
    }
    let mut ev = Eval::with(ctx, env.clone());
    for a in body.attrs.iter().filter(|a| depth > 0 || !META.contains(&a.name.as_str())) {
        out.attrs.insert(a.name.clone(), (ev.eval(&a.expr), a.line));
    }
    for b in &body.blocks {
        if depth == 0 && META.contains(&b.kind.as_str()) {
            continue;
        }
        if b.kind == "dynamic" {
            dynamic(ctx, b, &env, depth, &mut out);
        } else {
            out.blocks.push((b.kind.clone(), eval_block(ctx, &b.body, env.clone(), b.line, depth + 1)));
        }
    }
    out
}

fn dynamic(ctx: &ModCtx, b: &Block, env: &[(String, V)], depth: usize, out: &mut EBlock) {
    let Some(name) = b.labels.first() else { return };
    let mut ev = Eval::with(ctx, env.to_vec());
    let attr = |n: &str| b.body.attrs.iter().find(|a| a.name == n);
    let iterator = attr("iterator").and_then(|a| match &a.expr {
        Expr::Var(v) => Some(v.clone()),
        _ => None,
    });
    let Some(content) = b.body.blocks.iter().find(|c| c.kind == "content") else { return };
    let items = attr("for_each").map(|a| ev.eval(&a.expr)).and_then(|v| match &v {
        V::List(l) => Some(l.iter().enumerate().map(|(i, x)| (V::Num(i as f64), x.clone())).collect::<Vec<_>>()),
        other => iter_items(other),
    });
    let Some(items) = items else {
        out.unknown_blocks.insert(name.clone());
        return;
    };
    let var = iterator.unwrap_or_else(|| name.clone());
    for (k, v) in items {
        let mut env = env.to_vec();
        env.push((var.clone(), obj(&[("key", k), ("value", v)])));
        out.blocks.push((name.clone(), eval_block(ctx, &content.body, env, content.line, depth + 1)));
    }
}

/// What root names mean inside one module instance.
struct ModCtx<'m> {
    m: &'m ModuleSrc,
    vars: BTreeMap<String, V>,
    locals: HashMap<String, &'m Expr>,
    local_cache: RefCell<HashMap<String, V>>,
    in_progress: RefCell<HashSet<String>>,
    resources: HashSet<String>,
    data: HashMap<String, &'m Block>,
    prefix: String,
    path_module: String,
    module_outputs: RefCell<BTreeMap<String, V>>,
}

impl<'m> ModCtx<'m> {
    fn new(m: &'m ModuleSrc, inputs: BTreeMap<String, V>, prefix: &str, path_module: String) -> Self {
        let mut ctx = ModCtx {
            m,
            vars: BTreeMap::new(),
            locals: HashMap::new(),
            local_cache: RefCell::default(),
            in_progress: RefCell::default(),
            resources: HashSet::new(),
            data: HashMap::new(),
            prefix: prefix.to_string(),
            path_module,
            module_outputs: RefCell::default(),
        };
        for f in &m.files {
            for b in &f.body.blocks {
                match (b.kind.as_str(), b.labels.as_slice()) {
                    ("variable", [n]) => {
                        let default = b.body.attrs.iter().find(|a| a.name == "default").map(|a| Eval::new(&ctx).eval(&a.expr));
                        if let Some(d) = default {
                            ctx.vars.insert(n.clone(), d);
                        }
                    }
                    ("locals", _) => ctx.locals.extend(b.body.attrs.iter().map(|a| (a.name.clone(), &a.expr))),
                    ("resource", [t, n]) => {
                        ctx.resources.insert(format!("{t}.{n}"));
                    }
                    ("data", [t, n]) => {
                        ctx.data.insert(format!("{t}.{n}"), b);
                    }
                    _ => {}
                }
            }
        }
        // Inputs override defaults; a variable with neither stays unknown.
        ctx.vars.extend(inputs);
        ctx
    }

    fn local(&self, name: &str) -> V {
        if let Some(v) = self.local_cache.borrow().get(name) {
            return v.clone();
        }
        let Some(expr) = self.locals.get(name) else { return V::Unknown };
        // A cycle between locals is a configuration error; unknown here.
        if !self.in_progress.borrow_mut().insert(name.to_string()) {
            return V::Unknown;
        }
        let v = Eval::new(self).eval(expr);
        self.in_progress.borrow_mut().remove(name);
        self.local_cache.borrow_mut().insert(name.to_string(), v.clone());
        v
    }

    fn outputs(&self) -> BTreeMap<String, V> {
        let mut out = BTreeMap::new();
        for f in &self.m.files {
            for b in f.body.blocks.iter().filter(|b| b.kind == "output") {
                if let (Some(n), Some(a)) = (b.labels.first(), b.body.attrs.iter().find(|a| a.name == "value")) {
                    out.insert(n.clone(), Eval::new(self).eval(&a.expr));
                }
            }
        }
        out
    }

    fn data_source(&self, steps: &[Step]) -> (V, usize) {
        let (Some(Step::Attr(t)), Some(Step::Attr(n))) = (steps.first(), steps.get(1)) else { return (V::Unknown, steps.len()) };
        let Some(block) = self.data.get(&format!("{t}.{n}")) else { return (V::Unknown, steps.len()) };
        if t == "aws_iam_policy_document" && matches!(steps.get(2), Some(Step::Attr(a)) if a == "json") {
            let body = eval_block(self, &block.body, Vec::new(), block.line, 1);
            return (policy_doc::render(&body), 3);
        }
        (V::Unknown, steps.len())
    }
}

impl Scope for ModCtx<'_> {
    fn lookup(&self, root: &str, steps: &[Step]) -> (V, usize) {
        let first = match steps.first() {
            Some(Step::Attr(a)) => a.as_str(),
            _ => return (V::Unknown, steps.len()),
        };
        match root {
            "var" => (self.vars.get(first).cloned().unwrap_or(V::Unknown), 1),
            "local" => (self.local(first), 1),
            "path" => (V::str(if first == "module" { self.path_module.clone() } else { ".".to_string() }), 1),
            "terraform" if first == "workspace" => (V::str("default"), 1),
            "module" => {
                let key = match steps.get(1) {
                    Some(Step::Index(k)) => format!("{first}{}", instance_key(k)),
                    _ => first.to_string(),
                };
                match self.module_outputs.borrow().get(&key) {
                    Some(v) => (v.clone(), if matches!(steps.get(1), Some(Step::Index(_))) { 2 } else { 1 }),
                    None => (V::Unknown, steps.len()),
                }
            }
            "data" => self.data_source(steps),
            t if self.resources.contains(&format!("{t}.{first}")) => match steps.get(1) {
                Some(Step::Index(k)) if k.is_known() => (V::Ref(format!("{}{t}.{first}{}", self.prefix, instance_key(k))), 2),
                _ => (V::Ref(format!("{}{t}.{first}", self.prefix)), 1),
            },
            _ => (V::Unknown, steps.len()),
        }
    }
}
