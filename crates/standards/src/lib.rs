//! Standards as data (DESIGN §4): Posture's default benchmark and the regulatory standards, each a
//! YAML file of requirements under `standards/`, embedded at build time.
//!
//! A rule checks requirement R of standard S when its `frameworks[S]` lists R's id, or, for the
//! default benchmark, when its `benchmark` list does. Standards hold no rule ids: the mapping lives
//! in the rule files, and [`check_rules`] proves that every id a rule names exists.

mod catalog;
mod domain;
mod mapping;
mod standard;

pub use catalog::Standards;
pub use domain::{domain_name, DOMAINS};
pub use mapping::{check_manual, check_rules, requirement_rules, rule_requirement_ids, MappingError};
pub use standard::{parse_standard, Requirement, Standard, StandardError, BENCHMARK_ID};
