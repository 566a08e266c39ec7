use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::fmt;
use std::sync::Arc;

/// Outcome of one rule on one resource (DESIGN §3).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, PartialOrd, Ord)]
#[serde(rename_all = "snake_case")]
pub enum ResultState {
    Pass,
    Fail,
    /// The data the rule needs was missing; never counts as healthy.
    Unknown,
    /// Evaluation itself failed (e.g. a value of the wrong type).
    Error,
    NotApplicable,
}

impl ResultState {
    pub fn as_str(self) -> &'static str {
        match self {
            ResultState::Pass => "pass",
            ResultState::Fail => "fail",
            ResultState::Unknown => "unknown",
            ResultState::Error => "error",
            ResultState::NotApplicable => "not_applicable",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Some(match s {
            "pass" => ResultState::Pass,
            "fail" => ResultState::Fail,
            "unknown" => ResultState::Unknown,
            "error" => ResultState::Error,
            "not_applicable" => ResultState::NotApplicable,
            _ => return None,
        })
    }
}

impl fmt::Display for ResultState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// What decided a non-passing result: the field path and the value found there
/// (`None` when the field was absent, i.e. unknown).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Evidence {
    pub path: Arc<str>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub value: Option<Value>,
    /// What the rule expected, in words: `equals true`, `count equals 0`, …
    pub expected: Arc<str>,
}

/// The stable identity of a finding across scans.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct FindingKey {
    pub rule_id: String,
    pub uid: String,
}
