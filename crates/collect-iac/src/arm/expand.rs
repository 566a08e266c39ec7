//! What ARM expands before mapping: nested deployments (inline templates, outer or inner
//! scope), resource `copy` loops and property `copy` arrays, with `copyIndex()`.

use super::{resource, Ctx};
use crate::hcl::value::V;
use crate::terraform::eval::{EBlock, TfResource};
use crate::yaml::{YNode, YVal};
use crate::{Issue, SourceFile};
use std::collections::HashMap;

pub(super) fn resources_in(ctx: &Ctx, list: Option<&YNode>, f: &SourceFile, (out, issues): (&mut Vec<TfResource>, &mut Vec<Issue>), depth: usize) {
    for r in list.map(YNode::items).unwrap_or_default() {
        let deployment = r.get("type").and_then(YNode::as_str).is_some_and(|t| t.eq_ignore_ascii_case("Microsoft.Resources/deployments"));
        match (deployment, r.get("copy")) {
            (true, _) => nested(ctx, r, f, (&mut *out, &mut *issues), depth),
            (false, Some(c)) => copies(ctx, r, c, f, (&mut *out, &mut *issues)),
            (false, None) => resource(ctx, r, None, f, out, 0),
        }
    }
}

const MAX_NESTING: usize = 4;

/// A nested deployment: an inline `template` is evaluated in the parent's scope (`outer`, the
/// default) or, with `expressionEvaluationOptions.scope: inner`, with the `parameters` it
/// passes; a linked template (`templateLink`) is an issue naming it, its resources not scanned.
fn nested(ctx: &Ctx, r: &YNode, f: &SourceFile, (out, issues): (&mut Vec<TfResource>, &mut Vec<Issue>), depth: usize) {
    let props = r.get("properties");
    let name = r.get("name").map(|n| ctx.eval(n, 0)).and_then(|v| v.to_text()).unwrap_or_else(|| "(unresolved)".into());
    let mut issue = |m: &str| issues.push(Issue { file: f.rel.clone(), line: r.line, message: format!("nested deployment {name}: {m}; its resources are not scanned") });
    let Some(tpl) = props.and_then(|p| p.get("template")) else {
        if props.and_then(|p| p.get("templateLink")).is_some() {
            issue("the linked template (templateLink) is not fetched");
        }
        return;
    };
    if depth >= MAX_NESTING {
        return issue("deployments nested too deep");
    }
    let scope = props.and_then(|p| p.get("expressionEvaluationOptions")).and_then(|e| e.get("scope")).and_then(YNode::as_str);
    if !scope.is_some_and(|s| s.eq_ignore_ascii_case("inner")) {
        return resources_in(ctx, tpl.get("resources"), f, (out, issues), depth + 1);
    }
    let mut passed = HashMap::new();
    for (k, v) in props.and_then(|p| p.get("parameters")).map(YNode::entries).unwrap_or_default() {
        passed.insert(k.to_ascii_lowercase(), v.get("value").map_or(V::Unknown, |x| ctx.eval(x, 0)));
    }
    let inner = Ctx::new(tpl, passed);
    resources_in(&inner, tpl.get("resources"), f, (out, issues), depth + 1);
}

/// The most instances a copy loop expands to (ARM's own limit is 800).
pub(super) const MAX_COPIES: usize = 800;

/// A resource `copy` loop: one instance per index, each evaluated with `copyIndex()` set.
fn copies(ctx: &Ctx, r: &YNode, c: &YNode, f: &SourceFile, (out, issues): (&mut Vec<TfResource>, &mut Vec<Issue>)) {
    let loop_name = c.get("name").map(|n| ctx.eval(n, 0)).and_then(|v| v.to_text()).unwrap_or_default().to_ascii_lowercase();
    let count = c.get("count").map(|n| ctx.eval(n, 0)).and_then(|v| v.as_num()).filter(|n| *n >= 0.0 && n.fract() == 0.0);
    let Some(count) = count.map(|n| n as usize).filter(|n| *n <= MAX_COPIES) else {
        let t = r.get("type").and_then(YNode::as_str).unwrap_or("resource");
        issues.push(Issue { file: f.rel.clone(), line: c.key_line, message: format!("{t}: the copy count cannot be resolved (or exceeds {MAX_COPIES}); its instances are not scanned") });
        return;
    };
    for i in 0..count {
        ctx.set_copy(&["", loop_name.as_str()], i);
        let before = out.len();
        resource(ctx, r, None, f, out, 0);
        // Instances whose names do not vary still get distinct addresses.
        let clash = out.get(before).is_some_and(|o| out[..before].iter().any(|p| p.address == o.address));
        if clash {
            for o in &mut out[before..] {
                o.address = format!("{}[{i}]", o.address);
            }
        }
    }
    ctx.set_copy(&["", loop_name.as_str()], usize::MAX);
}

impl Ctx<'_> {
    /// Sets (or, with `usize::MAX`, clears) the index of copy loops.
    pub(super) fn set_copy(&self, loops: &[&str], i: usize) {
        let mut c = self.copy.borrow_mut();
        for l in loops {
            if i == usize::MAX {
                c.remove(*l);
            } else {
                c.insert((*l).to_string(), i);
            }
        }
    }

    /// `copyIndex()`, `copyIndex(offset)`, `copyIndex('loop')`, `copyIndex('loop', offset)`;
    /// unknown outside the loop it names.
    pub(super) fn copy_index(&self, args: &[V]) -> V {
        let (name, offset) = match args {
            [] => (String::new(), Some(0.0)),
            [V::Str(n)] => (n.to_ascii_lowercase(), Some(0.0)),
            [V::Str(n), o] => (n.to_ascii_lowercase(), o.as_num()),
            [o] => (String::new(), o.as_num()),
            _ => return V::Unknown,
        };
        match (self.copy.borrow().get(&name), offset) {
            (Some(i), Some(o)) => V::Num(*i as f64 + o),
            _ => V::Unknown,
        }
    }

    /// A property `copy` array: each loop's `input` evaluated once per index, as repeated blocks
    /// (objects) or a list attribute (anything else); an unresolved count leaves it unknown.
    pub(super) fn property_copies(&self, loops: &YNode, b: &mut EBlock, depth: usize) {
        for l in loops.items() {
            let Some(name) = l.get("name").and_then(YNode::as_str) else { continue };
            let key = name.to_ascii_lowercase();
            let count = l.get("count").map(|n| self.eval(n, depth + 1)).and_then(|v| v.as_num()).filter(|n| *n >= 0.0 && n.fract() == 0.0 && *n <= MAX_COPIES as f64);
            let (Some(count), Some(input)) = (count, l.get("input")) else {
                b.attrs.insert(name.to_string(), (V::Unknown, l.line));
                continue;
            };
            let mut scalars = Vec::new();
            for i in 0..count as usize {
                self.set_copy(&[key.as_str()], i);
                match &input.value {
                    YVal::Map(_) => b.blocks.push((name.to_string(), self.block(input, input.key_line.max(input.line), depth + 1))),
                    _ => scalars.push(self.eval(input, depth + 1)),
                }
            }
            self.set_copy(&[key.as_str()], usize::MAX);
            if !matches!(input.value, YVal::Map(_)) {
                b.attrs.insert(name.to_string(), (V::List(scalars), l.line));
            }
        }
    }

}
