//! Effective permissions, evaluated rather than guessed from names: AWS IAM (identity, resource
//! and trust policies, boundaries, SCPs, conditions), Azure RBAC, GCP IAM and Kubernetes RBAC.
//! Pure functions over compiled policies; the graph decides whom to ask about what.
//!
//! Invariant: unknown is honest. A decision that depends on something not collected (a policy
//! document, a condition key) comes back `conditional` or `unknown`, never silently yes or no.

pub mod aws;
pub mod azure;
pub mod azure_deny;
mod data;
pub mod gcp;
pub mod k8s;
mod level;
pub mod wildcard;

pub use data::DataError;
pub use level::{and, or, Certainty, Level, Levels, Maybe};
