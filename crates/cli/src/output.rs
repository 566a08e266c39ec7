//! Printing rows in the format the user asked for.

use posture_report::{render_csv, render_table, Format};
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
    if s.chars().count() <= max {
        return s.to_string();
    }
    let tail: String = s.chars().rev().take(max.saturating_sub(1)).collect::<Vec<_>>().into_iter().rev().collect();
    format!("…{tail}")
}

pub fn evidence_text(e: &Option<serde_json::Value>) -> String {
    let Some(e) = e else { return String::new() };
    let path = e.get("path").and_then(|p| p.as_str()).unwrap_or_default();
    let expected = e.get("expected").and_then(|p| p.as_str()).unwrap_or_default();
    match e.get("value") {
        Some(v) if v.get("count").is_some() => {
            let matching = v.get("matching").map(|m| m.to_string()).unwrap_or_default();
            format!("{path}: {} matching {} (expected {expected})", v["count"], short(&matching, 60))
        }
        Some(v) => format!("{path} = {} (expected {expected})", short(&v.to_string(), 60)),
        None => format!("{path}: {expected}"),
    }
}
