//! Views over stored results: the secure score and the renderings shared by every command.

mod render;
mod score;

pub use render::{render_csv, render_table, Format};
pub use score::{secure_score, ControlScore, SecureScore};
