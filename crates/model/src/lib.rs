//! The canonical model every adapter produces and every later stage consumes.
//!
//! Invariants:
//! - `attrs` holds only what the source told us. An attribute the source could not tell is
//!   *absent*; an attribute known to be unset is JSON `null`. Rules turn absence into `unknown`.
//! - `uid` is globally unique and stable across collections of the same estate.

mod resource;
mod result;
mod severity;
mod snapshot;

pub use resource::{Origin, Relation, Resource};
pub use result::{Evidence, FindingKey, ResultState};
pub use severity::{ParseSeverityError, Severity};
pub use snapshot::{SnapshotHeader, SnapshotIssue, SNAPSHOT_FORMAT, SNAPSHOT_FORMAT_VERSION};
