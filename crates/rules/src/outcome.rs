use serde_json::Value;
use std::sync::Arc;

/// The result of a condition: three-valued logic plus evaluation errors.
#[derive(Debug, Clone, PartialEq)]
pub enum Outcome {
    Pass,
    /// `None` where no evidence was asked for (inside a `count`, whose members only count).
    Fail(Option<Box<Failure>>),
    /// The named field was absent.
    Unknown(Arc<str>),
    Error(Arc<str>),
}

/// Why a condition failed: where, what was found, what was expected.
#[derive(Debug, Clone, PartialEq)]
pub struct Failure {
    pub path: Arc<str>,
    pub value: Option<Value>,
    pub expected: Arc<str>,
}

impl Outcome {
    pub fn fail(path: &Arc<str>, value: Option<Value>, expected: &Arc<str>) -> Outcome {
        Outcome::Fail(Some(Box::new(Failure {
            path: path.clone(),
            value,
            expected: expected.clone(),
        })))
    }

    pub fn is_pass(&self) -> bool {
        matches!(self, Outcome::Pass)
    }

    /// Rank for `allOf`: a failure decides, then an error, then an unknown.
    fn all_rank(&self) -> u8 {
        match self {
            Outcome::Pass => 0,
            Outcome::Unknown(_) => 1,
            Outcome::Error(_) => 2,
            Outcome::Fail(_) => 3,
        }
    }

    /// Rank for `anyOf`: a pass decides, then an error, then an unknown.
    fn any_rank(&self) -> u8 {
        match self {
            Outcome::Fail(_) => 0,
            Outcome::Unknown(_) => 1,
            Outcome::Error(_) => 2,
            Outcome::Pass => 3,
        }
    }

    /// Kleene conjunction, keeping the first deciding outcome.
    pub fn and(self, other: Outcome) -> Outcome {
        if other.all_rank() > self.all_rank() {
            other
        } else {
            self
        }
    }

    /// Kleene disjunction, keeping the first deciding outcome.
    pub fn or(self, other: Outcome) -> Outcome {
        if other.any_rank() > self.any_rank() {
            other
        } else {
            self
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kleene_logic() {
        let p = || Outcome::Pass;
        let f = || Outcome::fail(&Arc::from("x"), None, &Arc::from("equals 1"));
        let u = || Outcome::Unknown(Arc::from("y"));
        assert!(matches!(p().and(u()), Outcome::Unknown(_)));
        assert!(matches!(u().and(f()), Outcome::Fail(_)));
        assert!(matches!(u().or(p()), Outcome::Pass));
        assert!(matches!(f().or(u()), Outcome::Unknown(_)));
        assert!(matches!(f().or(f()), Outcome::Fail(_)));
    }
}
