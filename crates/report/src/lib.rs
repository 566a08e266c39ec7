//! Views over stored results: the secure score and its history, compliance with standards, the
//! rule coverage table, and the renderings shared by every command.

pub mod compliance;
mod coverage;
mod history;
mod render;
mod score;

pub use coverage::{coverage_markdown, REGENERATE};
pub use history::{score_history, ScorePoint};
pub use render::{evidence_text, render_csv, render_markdown, render_table, short, Format};
pub use score::{secure_score, ControlScore, SecureScore};
