//! Printing rows in the format the user asked for.

use posture_report::{render_csv, render_markdown, render_table, Format};
use serde::Serialize;

pub struct Ctx {
    pub format: Format,
}

impl Ctx {
    /// Prints `items` as JSON, or as a table/CSV with `headers` and the rows `cells` makes.
    pub fn print<T: Serialize>(&self, items: &[T], headers: &[&str], cells: impl Fn(&T) -> Vec<String>) {
        match self.format {
            Format::Json => println!("{}", json(&items)),
            Format::Csv => print!("{}", render_csv(headers, &items.iter().map(&cells).collect::<Vec<_>>())),
            Format::Table => println!("{}", render_table(headers, &items.iter().map(&cells).collect::<Vec<_>>())),
            Format::Md => print!("{}", render_markdown(headers, &items.iter().map(&cells).collect::<Vec<_>>())),
            // Refused before any command runs; only compliance writes HTML, by itself.
            Format::Html => {}
        }
    }

    pub fn is_table(&self) -> bool {
        self.format == Format::Table
    }
}

pub fn json<T: Serialize + ?Sized>(value: &T) -> String {
    serde_json::to_string_pretty(value).unwrap_or_else(|e| format!("{{\"error\": \"{e}\"}}"))
}

/// `arn:aws:s3:::very-long…` shortened for a table cell.
pub fn short(s: &str, max: usize) -> String {
    posture_report::short(s, max)
}

pub fn evidence_text(e: &Option<serde_json::Value>) -> String {
    posture_report::evidence_text(e.as_ref())
}
