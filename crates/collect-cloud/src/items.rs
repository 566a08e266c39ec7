//! Reads the items of a JSON export one at a time, so a large export is never held whole:
//!
//! - a bare array `[item, ...]` (`az graph query` before 2.x, `gcloud asset list --format=json`),
//! - an object whose `data` member is the array (`az graph query -o json`: `{"count", "data",
//!   "skip_token", "total_records"}`),
//! - one item per line (NDJSON: `gcloud asset export`, Posture's own spool files).
//!
//! Each item is handed over with its location: `FILE#data[i]` for the array forms, `FILE:LINE` for
//! lines. A syntax error ends the file there (what came before it was already handed over).

use serde::de::{DeserializeSeed, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde_json::Value;
use std::fmt;
use std::fs::File;
use std::io::{BufRead, BufReader, Read};
use std::path::Path;

#[derive(Debug, thiserror::Error)]
pub enum ItemsError {
    #[error("{file}: cannot open: {source}")]
    Open { file: String, source: std::io::Error },
    #[error("{file}: cannot read: {source}")]
    Read { file: String, source: std::io::Error },
    #[error("{file}: not valid JSON ({message}); items after this point were not read")]
    Syntax { file: String, message: String },
    #[error("{file}: neither a JSON array, an object with a `data` array, nor one JSON object per line")]
    Shape { file: String },
}

/// What the file said besides its items.
#[derive(Debug, Default, Clone, PartialEq)]
pub struct FileSummary {
    pub items: u64,
    /// `skip_token` / `$skipToken` of an `az graph query` page: more pages follow.
    pub skip_token: Option<String>,
}

/// One item and where it is.
pub struct Item {
    pub location: String,
    pub value: Value,
}

/// Calls `f` with every item of the file at `path`.
pub fn for_each_item(path: &Path, f: &mut dyn FnMut(Item)) -> Result<FileSummary, ItemsError> {
    let file = path.display().to_string();
    let open = || File::open(path).map_err(|source| ItemsError::Open { file: file.clone(), source });
    let mut reader = BufReader::with_capacity(1 << 16, open()?);
    match first_byte(&mut reader, &file)? {
        None => Ok(FileSummary::default()),
        Some(b'[') => stream(reader, &file, f),
        // Probing reads the first line, so each layout reads the file again from its start.
        Some(b'{') if first_line_is_an_item(&mut reader, &file)? => lines(BufReader::with_capacity(1 << 16, open()?), &file, f),
        Some(b'{') => stream(BufReader::with_capacity(1 << 16, open()?), &file, f),
        Some(_) => Err(ItemsError::Shape { file }),
    }
}

/// Items of an in-memory text, for tests and API responses.
pub fn for_each_item_in(name: &str, text: &str, f: &mut dyn FnMut(Item)) -> Result<FileSummary, ItemsError> {
    match text.trim_start().as_bytes().first() {
        None => Ok(FileSummary::default()),
        Some(b'[') => stream(text.as_bytes(), name, f),
        Some(b'{') if first_line_parses(text.lines().next().unwrap_or_default()) => lines(text.as_bytes(), name, f),
        Some(b'{') => stream(text.as_bytes(), name, f),
        Some(_) => Err(ItemsError::Shape { file: name.to_string() }),
    }
}

fn first_byte(r: &mut BufReader<File>, file: &str) -> Result<Option<u8>, ItemsError> {
    loop {
        let buf = r.fill_buf().map_err(|source| ItemsError::Read { file: file.to_string(), source })?;
        if buf.is_empty() {
            return Ok(None);
        }
        let skip = buf.iter().take_while(|b| b.is_ascii_whitespace()).count();
        if skip < buf.len() {
            return Ok(Some(buf[skip]));
        }
        r.consume(skip);
    }
}

/// Whether the first line alone is one complete object without a `data` array (NDJSON), as
/// opposed to the start of a pretty-printed or one-line `{"data": [...]}` page.
fn first_line_is_an_item(r: &mut BufReader<File>, file: &str) -> Result<bool, ItemsError> {
    // A first line longer than this is a one-line page, not an item.
    const LIMIT: u64 = 4 << 20;
    let mut line = Vec::new();
    let mut limited = r.by_ref().take(LIMIT);
    limited.read_until(b'\n', &mut line).map_err(|source| ItemsError::Read { file: file.to_string(), source })?;
    Ok(first_line_parses(&String::from_utf8_lossy(&line)))
}

fn first_line_parses(line: &str) -> bool {
    match serde_json::from_str::<Value>(line) {
        Ok(Value::Object(o)) => !o.get("data").is_some_and(Value::is_array),
        _ => false,
    }
}

fn lines(r: impl BufRead, file: &str, f: &mut dyn FnMut(Item)) -> Result<FileSummary, ItemsError> {
    let mut summary = FileSummary::default();
    for (i, line) in r.lines().enumerate() {
        let line = line.map_err(|source| ItemsError::Read { file: file.to_string(), source })?;
        if line.trim().is_empty() {
            continue;
        }
        let location = format!("{file}:{}", i + 1);
        let value = serde_json::from_str(&line).unwrap_or_else(|e| Value::String(format!("not JSON: {e}")));
        summary.items += 1;
        f(Item { location, value });
    }
    Ok(summary)
}

fn stream(r: impl Read, file: &str, f: &mut dyn FnMut(Item)) -> Result<FileSummary, ItemsError> {
    let mut de = serde_json::Deserializer::from_reader(r);
    let mut summary = FileSummary::default();
    let seed = Top { file, f, summary: &mut summary };
    let syntax = |e: serde_json::Error| ItemsError::Syntax { file: file.to_string(), message: e.to_string() };
    match seed.deserialize(&mut de) {
        Ok(true) => {}
        Ok(false) => return Err(ItemsError::Shape { file: file.to_string() }),
        Err(e) => return Err(syntax(e)),
    }
    de.end().map_err(syntax)?;
    Ok(summary)
}

/// The top-level value: an array of items or an object with a `data` array. Yields whether the
/// shape was one of those.
struct Top<'a, 'f> {
    file: &'a str,
    f: &'a mut (dyn FnMut(Item) + 'f),
    summary: &'a mut FileSummary,
}

impl<'de> DeserializeSeed<'de> for Top<'_, '_> {
    type Value = bool;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<bool, D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for Top<'_, '_> {
    type Value = bool;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("an array of items or an object with a `data` array")
    }

    fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<bool, A::Error> {
        Elements { file: self.file, f: self.f, summary: self.summary }.visit_seq(seq)?;
        Ok(true)
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<bool, A::Error> {
        let mut saw_data = false;
        while let Some(key) = map.next_key::<String>()? {
            match key.as_str() {
                "data" => {
                    map.next_value_seed(Elements { file: self.file, f: &mut *self.f, summary: &mut *self.summary })?;
                    saw_data = true;
                }
                "skip_token" | "skipToken" | "$skipToken" => {
                    self.summary.skip_token = map.next_value::<Option<String>>()?.filter(|t| !t.is_empty());
                }
                _ => {
                    map.next_value::<IgnoredAny>()?;
                }
            }
        }
        Ok(saw_data)
    }
}

struct Elements<'a, 'f> {
    file: &'a str,
    f: &'a mut (dyn FnMut(Item) + 'f),
    summary: &'a mut FileSummary,
}

impl<'de> DeserializeSeed<'de> for Elements<'_, '_> {
    type Value = ();
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_seq(self)
    }
}

impl<'de> Visitor<'de> for Elements<'_, '_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("an array of items")
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        let mut i = 0u64;
        while let Some(value) = seq.next_element::<Value>()? {
            (self.f)(Item { location: format!("{}#data[{i}]", self.file), value });
            i += 1;
            self.summary.items += 1;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn collect(text: &str) -> (Result<FileSummary, ItemsError>, Vec<(String, Value)>) {
        let mut got = Vec::new();
        let r = for_each_item_in("x.json", text, &mut |i| got.push((i.location, i.value)));
        (r, got)
    }

    #[test]
    fn reads_the_three_layouts() {
        let (r, items) = collect(r#"[{"id":"a"},{"id":"b"}]"#);
        assert_eq!(r.unwrap().items, 2);
        assert_eq!(items[1].0, "x.json#data[1]");

        let page = "{\n  \"count\": 1,\n  \"data\": [\n    {\"id\": \"a\"}\n  ],\n  \"skip_token\": \"tok\",\n  \"total_records\": 9\n}\n";
        let (r, items) = collect(page);
        assert_eq!(r.unwrap().skip_token.as_deref(), Some("tok"));
        assert_eq!(items.len(), 1);

        let (r, items) = collect("{\"name\":\"a\"}\n\n{\"name\":\"b\"}\nnot json\n");
        assert_eq!(r.unwrap().items, 3);
        assert_eq!(items[1].0, "x.json:3");
        assert!(items[2].1.is_string(), "a bad line is handed over as a non-object");
    }

    #[test]
    fn a_syntax_error_keeps_what_was_read_before_it() {
        let (r, items) = collect(r#"{"data":[{"id":"a"},{"id":"b"},{"id":"#);
        assert!(matches!(r, Err(ItemsError::Syntax { .. })), "{r:?}");
        assert_eq!(items.len(), 2);
        // One object on one line is one item; a pretty-printed object must carry `data`.
        assert_eq!(collect(r#"{"value":[]}"#).0.unwrap().items, 1);
        assert!(matches!(collect("{\n  \"value\": []\n}").0, Err(ItemsError::Shape { .. })));
        assert!(matches!(collect("42").0, Err(ItemsError::Shape { .. })));
        assert_eq!(collect("  ").0.unwrap().items, 0);
    }

    #[test]
    fn files_are_read_the_same_way() {
        let dir = std::env::temp_dir().join(format!("posture-items-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let p = dir.join("page.json");
        std::fs::write(&p, "{\"data\": [{\"id\": \"a\"}], \"skip_token\": null}").unwrap();
        let mut n = 0;
        assert_eq!(for_each_item(&p, &mut |_| n += 1).unwrap().skip_token, None);
        assert_eq!(n, 1);
        let p = dir.join("lines.ndjson");
        std::fs::write(&p, "{\"name\":\"a\"}\n{\"name\":\"b\"}\n").unwrap();
        let mut locs = Vec::new();
        for_each_item(&p, &mut |i| locs.push(i.location)).unwrap();
        assert_eq!(locs.len(), 2);
        assert!(locs[1].ends_with("lines.ndjson:2"));
        let _ = std::fs::remove_dir_all(&dir);
    }
}
