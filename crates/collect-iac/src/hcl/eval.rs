//! Expression evaluation. Anything the files cannot tell evaluates to `Unknown` (or `Ref` for
//! another resource's attribute) and stays so through operators and functions.

use super::ast::*;
use super::funcs;
use super::value::{num_text, V};
use std::collections::BTreeMap;

/// One step of a traversal after a root name: `.name` or `[index]`.
#[derive(Debug, Clone, PartialEq)]
pub enum Step {
    Attr(String),
    Index(V),
}

/// Where root names (`var`, `local`, `aws_s3_bucket`, …) come from.
pub trait Scope {
    /// The value of `root` followed by `steps`, and how many steps it consumed.
    fn lookup(&self, root: &str, steps: &[Step]) -> (V, usize);
}

const MAX_DEPTH: usize = 64;

pub struct Eval<'s> {
    scope: &'s dyn Scope,
    env: Vec<(String, V)>,
    depth: usize,
}

impl<'s> Eval<'s> {
    pub fn new(scope: &'s dyn Scope) -> Self {
        Eval { scope, env: Vec::new(), depth: 0 }
    }

    /// Evaluates with extra names bound (e.g. `count`, `each`, a dynamic block's iterator).
    pub fn with(scope: &'s dyn Scope, env: Vec<(String, V)>) -> Self {
        Eval { scope, env, depth: 0 }
    }

    pub fn eval(&mut self, e: &Expr) -> V {
        self.depth += 1;
        let v = if self.depth > MAX_DEPTH { V::Unknown } else { self.eval_inner(e) };
        self.depth -= 1;
        v
    }

    fn eval_inner(&mut self, e: &Expr) -> V {
        match e {
            Expr::Null => V::Null,
            Expr::Bool(b) => V::Bool(*b),
            Expr::Num(n) => V::Num(*n),
            Expr::Template(parts) => self.template(parts),
            Expr::Tuple(items) => V::List(items.iter().map(|i| self.eval(i)).collect()),
            Expr::Object(items) => self.object(items),
            Expr::Var(_) | Expr::GetAttr(..) | Expr::Index(..) => self.traversal(e),
            Expr::Splat(src, travs) => self.splat(src, travs),
            Expr::Call(name, args, expand) => self.call(name, args, *expand),
            Expr::Not(x) => match self.eval(x).as_bool() {
                Some(b) => V::Bool(!b),
                None => V::Unknown,
            },
            Expr::Neg(x) => match self.eval(x).as_num() {
                Some(n) => V::Num(-n),
                None => V::Unknown,
            },
            Expr::Bin(op, a, b) => self.binary(*op, a, b),
            Expr::Cond(c, a, b) => match self.eval(c).as_bool() {
                Some(true) => self.eval(a),
                Some(false) => self.eval(b),
                None => {
                    let (a, b) = (self.eval(a), self.eval(b));
                    if a == b && a.is_known() {
                        a
                    } else {
                        V::Unknown
                    }
                }
            },
            Expr::For(f) => self.for_expr(f),
        }
    }

    fn object(&mut self, items: &[(Expr, Expr, u32)]) -> V {
        let mut m = BTreeMap::new();
        for (k, v, _) in items {
            let Some(key) = self.eval(k).to_text() else { return V::Unknown };
            let val = self.eval(v);
            m.insert(key, val);
        }
        V::Obj(m)
    }

    fn template(&mut self, parts: &[Part]) -> V {
        // `"${x}"` alone keeps x's type (and a reference stays a reference).
        if let [Part::Interp(e)] = parts {
            return self.eval(e);
        }
        let mut out = String::new();
        if self.template_into(parts, &mut out) {
            V::Str(out)
        } else {
            V::Unknown
        }
    }

    fn template_into(&mut self, parts: &[Part], out: &mut String) -> bool {
        for p in parts {
            match p {
                Part::Lit(s) => out.push_str(s),
                Part::Interp(e) => match self.eval(e).to_text() {
                    Some(t) => out.push_str(&t),
                    None => return false,
                },
                Part::If(c, a, b) => match self.eval(c).as_bool() {
                    Some(true) => {
                        if !self.template_into(a, out) {
                            return false;
                        }
                    }
                    Some(false) => {
                        if !self.template_into(b, out) {
                            return false;
                        }
                    }
                    None => return false,
                },
                Part::For { key_var, val_var, coll, body } => {
                    let Some(items) = iter_items(&self.eval(coll)) else { return false };
                    for (k, v) in items {
                        let n = self.bind(key_var, val_var, k, v);
                        let ok = self.template_into(body, out);
                        self.env.truncate(self.env.len() - n);
                        if !ok {
                            return false;
                        }
                    }
                }
            }
        }
        true
    }

    fn bind(&mut self, key_var: &Option<String>, val_var: &str, k: V, v: V) -> usize {
        let mut n = 1;
        if let Some(kv) = key_var {
            self.env.push((kv.clone(), k));
            n += 1;
        }
        self.env.push((val_var.to_string(), v));
        n
    }

    fn traversal(&mut self, e: &Expr) -> V {
        let mut steps = Vec::new();
        let mut cur = e;
        let root = loop {
            match cur {
                Expr::GetAttr(inner, name) => {
                    steps.push(Step::Attr(name.clone()));
                    cur = inner;
                }
                Expr::Index(inner, idx) => {
                    let i = self.eval(idx);
                    steps.push(Step::Index(i));
                    cur = inner;
                }
                Expr::Var(name) => break Some(name.as_str()),
                _ => break None,
            }
        };
        steps.reverse();
        let (base, used) = match root {
            Some(name) => match self.env.iter().rev().find(|(n, _)| n == name) {
                Some((_, v)) => (v.clone(), 0),
                None => self.scope.lookup(name, &steps),
            },
            None => (self.eval(cur), 0),
        };
        apply_steps(base, steps.get(used..).unwrap_or_default())
    }

    fn splat(&mut self, src: &Expr, travs: &[Trav]) -> V {
        let steps: Vec<Step> = travs
            .iter()
            .map(|t| match t {
                Trav::Attr(a) => Step::Attr(a.clone()),
                Trav::Index(e) => Step::Index(self.eval(e)),
            })
            .collect();
        match self.eval(src) {
            V::Null => V::List(Vec::new()),
            V::List(items) => V::List(items.into_iter().map(|i| apply_steps(i, &steps)).collect()),
            V::Unknown => V::Unknown,
            r @ V::Ref(_) => r,
            other => V::List(vec![apply_steps(other, &steps)]),
        }
    }

    fn call(&mut self, name: &str, args: &[Expr], expand: bool) -> V {
        let mut vals: Vec<V> = args.iter().map(|a| self.eval(a)).collect();
        if expand {
            match vals.pop() {
                Some(V::List(l)) => vals.extend(l),
                _ => return V::Unknown,
            }
        }
        funcs::call(name, vals)
    }

    fn binary(&mut self, op: BinOp, a: &Expr, b: &Expr) -> V {
        let l = self.eval(a);
        // Short-circuit: a known side can decide a logical operator alone.
        match (op, l.as_bool()) {
            (BinOp::And, Some(false)) => return V::Bool(false),
            (BinOp::Or, Some(true)) => return V::Bool(true),
            _ => {}
        }
        let r = self.eval(b);
        match op {
            BinOp::And | BinOp::Or => match (l.as_bool(), r.as_bool(), op) {
                (_, Some(false), BinOp::And) => V::Bool(false),
                (_, Some(true), BinOp::Or) => V::Bool(true),
                (Some(x), Some(y), BinOp::And) => V::Bool(x && y),
                (Some(x), Some(y), _) => V::Bool(x || y),
                _ => V::Unknown,
            },
            BinOp::Eq | BinOp::Ne => {
                if !l.is_wholly_known() || !r.is_wholly_known() {
                    return V::Unknown;
                }
                let eq = values_equal(&l, &r);
                V::Bool(if op == BinOp::Eq { eq } else { !eq })
            }
            _ => {
                let (Some(x), Some(y)) = (l.as_num(), r.as_num()) else { return V::Unknown };
                match op {
                    BinOp::Lt => V::Bool(x < y),
                    BinOp::Gt => V::Bool(x > y),
                    BinOp::Le => V::Bool(x <= y),
                    BinOp::Ge => V::Bool(x >= y),
                    BinOp::Add => V::Num(x + y),
                    BinOp::Sub => V::Num(x - y),
                    BinOp::Mul => V::Num(x * y),
                    BinOp::Div if y != 0.0 => V::Num(x / y),
                    BinOp::Mod if y != 0.0 => V::Num(x % y),
                    _ => V::Unknown,
                }
            }
        }
    }

    fn for_expr(&mut self, f: &ForExpr) -> V {
        let Some(items) = iter_items(&self.eval(&f.coll)) else { return V::Unknown };
        let mut list = Vec::new();
        let mut obj: BTreeMap<String, V> = BTreeMap::new();
        for (k, v) in items {
            let n = self.bind(&f.key_var, &f.val_var, k, v);
            let keep = match &f.cond {
                Some(c) => self.eval(c).as_bool(),
                None => Some(true),
            };
            let item = match keep {
                None => Err(()),
                Some(false) => Ok(None),
                Some(true) => match &f.key {
                    Some(ke) => match self.eval(ke).to_text() {
                        Some(key) => Ok(Some((Some(key), self.eval(&f.val)))),
                        None => Err(()),
                    },
                    None => Ok(Some((None, self.eval(&f.val)))),
                },
            };
            self.env.truncate(self.env.len() - n);
            match item {
                Err(()) => return V::Unknown,
                Ok(None) => {}
                Ok(Some((Some(key), val))) if f.group => match obj.entry(key).or_insert_with(|| V::List(Vec::new())) {
                    V::List(l) => l.push(val),
                    _ => return V::Unknown,
                },
                Ok(Some((Some(key), val))) => {
                    obj.insert(key, val);
                }
                Ok(Some((None, val))) => list.push(val),
            }
        }
        if f.key.is_some() {
            V::Obj(obj)
        } else {
            V::List(list)
        }
    }
}

/// (key, value) pairs of a collection: index for lists, key for objects.
pub fn iter_items(v: &V) -> Option<Vec<(V, V)>> {
    match v {
        V::List(l) => Some(l.iter().enumerate().map(|(i, x)| (V::Num(i as f64), x.clone())).collect()),
        V::Obj(m) => Some(m.iter().map(|(k, x)| (V::Str(k.clone()), x.clone())).collect()),
        V::Null => Some(Vec::new()),
        _ => None,
    }
}

pub fn apply_steps(mut v: V, steps: &[Step]) -> V {
    for s in steps {
        v = match (v, s) {
            (r @ V::Ref(_), _) => r,
            (V::Obj(mut m), Step::Attr(a)) => m.remove(a).unwrap_or(V::Unknown),
            (V::Obj(mut m), Step::Index(i)) => match i.to_text() {
                Some(k) => m.remove(&k).unwrap_or(V::Unknown),
                None => V::Unknown,
            },
            (V::List(l), Step::Index(i)) => match i.as_num() {
                Some(n) if n >= 0.0 && (n as usize) < l.len() => l.into_iter().nth(n as usize).unwrap_or(V::Unknown),
                _ => V::Unknown,
            },
            _ => V::Unknown,
        };
    }
    v
}

pub fn values_equal(a: &V, b: &V) -> bool {
    match (a, b) {
        (V::Num(x), V::Num(y)) => x == y,
        (V::List(x), V::List(y)) => x.len() == y.len() && x.iter().zip(y).all(|(p, q)| values_equal(p, q)),
        (V::Obj(x), V::Obj(y)) => x.len() == y.len() && x.iter().all(|(k, v)| y.get(k).is_some_and(|w| values_equal(v, w))),
        _ => a == b,
    }
}

/// The key Terraform gives a `for_each` instance: `["a"]` for strings, `[0]` for numbers.
pub fn instance_key(k: &V) -> String {
    match k {
        V::Num(n) => format!("[{}]", num_text(*n)),
        other => format!("[\"{}\"]", other.to_text().unwrap_or_default()),
    }
}

#[cfg(test)]
mod tests {
    use super::super::parse::parse_expr;
    use super::*;

    struct Vars;
    impl Scope for Vars {
        fn lookup(&self, root: &str, steps: &[Step]) -> (V, usize) {
            match (root, steps.first()) {
                ("var", Some(Step::Attr(a))) if a == "env" => (V::str("prod"), 1),
                ("aws_s3_bucket", Some(Step::Attr(n))) => (V::Ref(format!("aws_s3_bucket.{n}")), 1),
                _ => (V::Unknown, 0),
            }
        }
    }

    fn ev(src: &str) -> V {
        Eval::new(&Vars).eval(&parse_expr(src, 1).unwrap())
    }

    #[test]
    fn evaluates_with_unknowns() {
        assert_eq!(ev("\"a-${var.env}\""), V::str("a-prod"));
        assert_eq!(ev("\"a-${var.nope}\""), V::Unknown);
        assert_eq!(ev("var.env == \"prod\" ? 1 : 2"), V::Num(1.0));
        assert_eq!(ev("var.x ? 1 : 1"), V::Num(1.0));
        assert_eq!(ev("var.x ? 1 : 2"), V::Unknown);
        assert_eq!(ev("false && var.x"), V::Bool(false));
        assert_eq!(ev("aws_s3_bucket.b.id"), V::Ref("aws_s3_bucket.b".into()));
        assert_eq!(ev("\"${aws_s3_bucket.b.id}\""), V::Ref("aws_s3_bucket.b".into()));
        assert_eq!(ev("[for x in [1, 2, 3] : x * 2 if x > 1]"), V::List(vec![V::Num(4.0), V::Num(6.0)]));
        assert_eq!(ev("{for k, v in {a = 1} : upper(k) => v}").get("A"), Some(&V::Num(1.0)));
        assert_eq!(ev("[{a = 1}, {a = 2}][*].a"), V::List(vec![V::Num(1.0), V::Num(2.0)]));
        assert_eq!(ev("\"%{for x in [\"a\", \"b\"]}${x},%{endfor}\""), V::str("a,b,"));
    }
}
