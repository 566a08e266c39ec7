//! Tables for people, CSV and JSON for machines, Markdown for documents.

use comfy_table::{presets::UTF8_FULL_CONDENSED, ContentArrangement, Table};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Table,
    Json,
    Csv,
    /// Markdown tables.
    Md,
    /// One self-contained HTML page (compliance reports).
    Html,
}

impl std::str::FromStr for Format {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        match s {
            "table" => Ok(Format::Table),
            "json" => Ok(Format::Json),
            "csv" => Ok(Format::Csv),
            "md" | "markdown" => Ok(Format::Md),
            "html" => Ok(Format::Html),
            other => Err(format!("unknown format '{other}' (table, json, csv, md, html)")),
        }
    }
}

pub fn render_table(headers: &[&str], rows: &[Vec<String>]) -> String {
    let mut t = Table::new();
    t.load_preset(UTF8_FULL_CONDENSED)
        .set_content_arrangement(ContentArrangement::Dynamic)
        .set_header(headers.to_vec());
    if let Some((w, _)) = terminal_width() {
        t.set_width(w);
    }
    for r in rows {
        t.add_row(r.clone());
    }
    t.to_string()
}

fn terminal_width() -> Option<(u16, u16)> {
    let cols = std::env::var("COLUMNS").ok()?.parse().ok()?;
    Some((cols, 0))
}

pub fn render_csv(headers: &[&str], rows: &[Vec<String>]) -> String {
    let mut w = csv::Writer::from_writer(Vec::new());
    // Writing to memory cannot fail.
    let _ = w.write_record(headers);
    for r in rows {
        let _ = w.write_record(r);
    }
    String::from_utf8(w.into_inner().unwrap_or_default()).unwrap_or_default()
}

/// `arn:aws:s3:::very-long…` shortened from the left to `max` characters.
pub fn short(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        return s.to_string();
    }
    let tail: String = s.chars().rev().take(max.saturating_sub(1)).collect::<Vec<_>>().into_iter().rev().collect();
    format!("…{tail}")
}

/// A failure's evidence in one line: the field, the value found and what was expected.
pub fn evidence_text(e: Option<&serde_json::Value>) -> String {
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

/// A GitHub-flavoured Markdown table; `|` and line breaks in cells are escaped.
pub fn render_markdown(headers: &[&str], rows: &[Vec<String>]) -> String {
    let cell = |s: &str| s.replace('|', "\\|").replace(['\n', '\r'], " ");
    let line = |cells: Vec<String>| format!("| {} |\n", cells.join(" | "));
    let mut out = line(headers.iter().map(|h| cell(h)).collect());
    out.push_str(&line(headers.iter().map(|_| "---".to_string()).collect()));
    for r in rows {
        out.push_str(&line(r.iter().map(|c| cell(c)).collect()));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_quotes_what_needs_quoting() {
        let out = render_csv(&["a", "b"], &[vec!["x,y".into(), "plain".into()]]);
        assert_eq!(out, "a,b\n\"x,y\",plain\n");
    }

    #[test]
    fn markdown_escapes_pipes_and_line_breaks() {
        let out = render_markdown(&["a", "b"], &[vec!["x|y".into(), "two\nlines".into()]]);
        assert_eq!(out, "| a | b |\n| --- | --- |\n| x\\|y | two lines |\n");
    }
}
