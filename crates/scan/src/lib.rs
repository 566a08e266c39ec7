//! A scan (DESIGN §1): resources stream from a source through rule evaluation into one atomic
//! store transaction. Only the compact state needed for relations is held for the whole estate.

mod evaluate;
mod exempt;
mod pipeline;

pub use evaluate::{ControlState, Evaluator};
pub use pipeline::{scan_snapshots, ScanError, ScanOptions, ScanReport};
