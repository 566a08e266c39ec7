//! What a grant gives (read, write, admin, execute) and how sure we are of it.

use serde::Serialize;
use std::fmt;

/// How sure an edge is. Ordered: combining two facts keeps the weaker (`min`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Certainty {
    /// Depends on data that was not collected (a missing policy, an unknown role).
    Unknown,
    /// Depends on the request context: a condition key we cannot evaluate (source IP, MFA, …).
    Conditional,
    Certain,
}

impl Certainty {
    pub fn as_str(self) -> &'static str {
        match self {
            Certainty::Unknown => "unknown",
            Certainty::Conditional => "conditional",
            Certainty::Certain => "certain",
        }
    }

    pub fn parse(s: &str) -> Option<Certainty> {
        Some(match s {
            "unknown" => Certainty::Unknown,
            "conditional" => Certainty::Conditional,
            "certain" => Certainty::Certain,
            _ => return None,
        })
    }
}

impl fmt::Display for Certainty {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A possibility: `None` is "no", `Some(c)` is "yes, with certainty c".
pub type Maybe = Option<Certainty>;

/// Both must hold.
pub fn and(a: Maybe, b: Maybe) -> Maybe {
    Some(a?.min(b?))
}

/// Either may hold.
pub fn or(a: Maybe, b: Maybe) -> Maybe {
    match (a, b) {
        (Some(x), Some(y)) => Some(x.max(y)),
        (x, None) => x,
        (None, y) => y,
    }
}

/// An access level on a target.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Level {
    /// Read the data (objects, secret values, decrypt).
    Read,
    /// Change the data.
    Write,
    /// Change who has access (policies, role assignments, key policies) or delete.
    Admin,
    /// Run code on it or as it (SSM commands, pods/exec, function code, VM run command).
    Execute,
}

impl Level {
    pub const ALL: [Level; 4] = [Level::Read, Level::Write, Level::Admin, Level::Execute];

    pub fn as_str(self) -> &'static str {
        match self {
            Level::Read => "read",
            Level::Write => "write",
            Level::Admin => "admin",
            Level::Execute => "execute",
        }
    }

    /// The edge type of a permission at this level.
    pub fn edge(self) -> &'static str {
        match self {
            Level::Read => "can_read",
            Level::Write => "can_write",
            Level::Admin => "can_admin",
            Level::Execute => "can_execute",
        }
    }

    fn bit(self) -> u8 {
        1 << (self as u8)
    }
}

/// A set of levels.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub struct Levels(u8);

impl Levels {
    pub fn insert(&mut self, l: Level) {
        self.0 |= l.bit();
    }

    pub fn contains(self, l: Level) -> bool {
        self.0 & l.bit() != 0
    }

    pub fn is_empty(self) -> bool {
        self.0 == 0
    }

    pub fn iter(self) -> impl Iterator<Item = Level> {
        Level::ALL.into_iter().filter(move |l| self.contains(*l))
    }
}
