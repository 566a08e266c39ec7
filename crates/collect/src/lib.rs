//! Sources of canonical resources. Each source is a pure mapping from what it reads to
//! [`posture_model::Resource`]s; failures are reported with their location, never swallowed.

pub mod snapshot;
