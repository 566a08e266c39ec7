//! Azure (issue 4): ARM resource JSON, as Azure Resource Graph and ARM return it, mapped into the
//! canonical `azure.*` kinds. `import` reads `az graph query -o json` exports (and Posture's own
//! spool of a live collection) in two streaming passes; `live` collects through Resource Graph and
//! the ARM calls for what Resource Graph lacks, into that same spool.
//!
//! Conventions: uid = lower-cased ARM id; account = subscription id; an attribute the source did
//! not show is left out (unknown), one it showed as unset is `null`.

pub mod arm;
pub mod import;
pub mod index;
pub mod live;
pub mod map;

pub use import::{import_files, map_values, ImportOptions, ImportReport};
