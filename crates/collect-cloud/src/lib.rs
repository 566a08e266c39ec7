//! What the Azure and GCP collectors share: reading JSON exports item by item without holding the
//! whole file (`items`), small helpers over `serde_json::Value` (`json`), and an HTTPS client that
//! sends bearer tokens, honours `Retry-After` on throttling within a bound, and classifies what went
//! wrong in the few ways a scan records (`http`); what an import takes and reports (`import`); a token cache (`token`).

pub mod http;
pub mod import;
pub mod items;
pub mod json;
pub mod time;
pub mod token;

pub use http::{Failure, FailureKind, Http, HttpOptions};
pub use import::{ImportOptions, ImportReport};
pub use token::TokenCache;
