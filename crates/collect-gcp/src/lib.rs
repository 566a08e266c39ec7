//! Google Cloud (issue 4): Cloud Asset Inventory assets mapped into the canonical `gcp.*` kinds.
//! `import` reads `gcloud asset export` output (NDJSON, snake_case) and `gcloud asset list` /
//! API answers (camelCase) in two streaming passes, merging the resource and the IAM policy of one
//! asset name; `live` lists assets through the Cloud Asset API into that same form.
//!
//! Conventions: uid = CAI full resource name; account = project id; an attribute the export does
//! not show is left out (unknown), one it shows as unset is `null`.

pub mod asset;
pub mod import;
pub mod index;
pub mod live;
pub mod map;

pub use import::{import_files, map_values, ImportOptions, ImportReport};
