//! Rules as data (DESIGN §3): YAML rule files with line-accurate errors, compiled once into
//! closures, evaluated to pass / fail / unknown / error / not_applicable with evidence.

mod cond;
mod context;
mod controls;
mod examples;
mod ops;
mod outcome;
mod path;
mod rule;
mod ruleset;
mod template;
mod time;
pub mod yaml;

pub use cond::{Compiled, Lookup, NoLookup, RelatedUse, ScopeCount, ScopeUse, Vote, Within, UNCOVERED};
pub use context::related_context;
pub use controls::Control;
pub use examples::{run_examples, ExampleFailure};
pub use path::{Path, Root, Seg};
pub use rule::{AppliesMemo, Evaluation, MappingRef, Remediation, Rule, RuleError, RuleMeta};
pub use ruleset::RuleSet;
pub use template::fill_template;
pub use time::parse_time;
