//! Reading AWS Config exports: files or directories, plain or gzip, in the three shapes AWS
//! produces (a `ConfigSnapshot`/history file, `select-resource-config` JSON output, one item per
//! line). Items are handed over one at a time; a whole file is never held as a JSON tree.

use serde::de::{DeserializeSeed, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde_json::{Map, Value};
use std::fmt;
use std::io::Read;
use std::path::{Path, PathBuf};

/// The files to read under `path`, in a stable order: the path itself, or every export file of a
/// directory tree.
pub fn files(path: &Path) -> std::io::Result<Vec<PathBuf>> {
    if !path.is_dir() {
        std::fs::metadata(path)?;
        return Ok(vec![path.to_path_buf()]);
    }
    let mut out = Vec::new();
    let mut dirs = vec![path.to_path_buf()];
    while let Some(dir) = dirs.pop() {
        for entry in std::fs::read_dir(&dir)? {
            let p = entry?.path();
            if p.is_dir() {
                dirs.push(p);
            } else if is_export(&p) {
                out.push(p);
            }
        }
    }
    out.sort();
    Ok(out)
}

fn is_export(p: &Path) -> bool {
    let name = p.file_name().map(|n| n.to_string_lossy().to_ascii_lowercase()).unwrap_or_default();
    [".json", ".json.gz", ".ndjson", ".jsonl", ".ndjson.gz", ".jsonl.gz"].iter().any(|e| name.ends_with(e))
}

/// The file's bytes, gunzipped when they start with the gzip magic.
pub fn contents(path: &Path) -> std::io::Result<Vec<u8>> {
    let raw = std::fs::read(path)?;
    if raw.starts_with(&[0x1f, 0x8b]) {
        let mut out = Vec::new();
        flate2::read::MultiGzDecoder::new(raw.as_slice()).read_to_end(&mut out)?;
        return Ok(out);
    }
    Ok(raw)
}

/// Calls `each` with every item of an export (or the reason one item could not be read). Fails
/// when the file is not an export at all or its JSON breaks off; items before the break were
/// already handed over.
pub fn items(bytes: &[u8], each: &mut dyn FnMut(Result<Value, String>)) -> Result<(), String> {
    let text = std::str::from_utf8(bytes).map_err(|e| format!("not UTF-8 text: {e}"))?;
    if is_line_delimited(text) {
        for line in text.lines().map(str::trim).filter(|l| !l.is_empty()) {
            each(serde_json::from_str::<Value>(line).map_err(|e| format!("not JSON: {e}")).and_then(unwrap_string));
        }
        return Ok(());
    }
    let mut de = serde_json::Deserializer::from_str(text);
    let found = de.deserialize_map(Top { each: &mut *each }).map_err(|e| format!("JSON error: {e}"))?;
    de.end().map_err(|e| format!("JSON error: {e}"))?;
    match found {
        Found::Lists => Ok(()),
        Found::Other(item) if item.contains_key("resourceType") => {
            each(Ok(Value::Object(item)));
            Ok(())
        }
        Found::Other(_) => Err("neither a configuration snapshot (configurationItems), select-resource-config output (Results) nor a configuration item".into()),
    }
}

/// One JSON value per line: the first non-empty line is a whole value and more lines follow.
fn is_line_delimited(text: &str) -> bool {
    let mut lines = text.lines().map(str::trim).filter(|l| !l.is_empty());
    let Some(first) = lines.next() else { return false };
    lines.next().is_some() && serde_json::from_str::<IgnoredAny>(first).is_ok()
}

/// `select-resource-config` gives each item as a JSON string.
fn unwrap_string(v: Value) -> Result<Value, String> {
    match v {
        Value::String(s) => serde_json::from_str(&s).map_err(|e| format!("result is not a JSON object: {e}")),
        other => Ok(other),
    }
}

enum Found {
    /// An item list was read (its items went to the callback).
    Lists,
    /// No item list: the object's own fields, in case it is a single item.
    Other(Map<String, Value>),
}

struct Top<'a> {
    each: &'a mut dyn FnMut(Result<Value, String>),
}

impl<'de> Visitor<'de> for Top<'_> {
    type Value = Found;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a JSON object")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Found, A::Error> {
        let mut lists = false;
        let mut other = Map::new();
        while let Some(key) = map.next_key::<String>()? {
            match key.as_str() {
                "configurationItems" | "baseConfigurationItems" | "Results" => {
                    map.next_value_seed(List { each: &mut *self.each })?;
                    lists = true;
                }
                _ => {
                    let v: Value = map.next_value()?;
                    if !lists {
                        other.insert(key, v);
                    }
                }
            }
        }
        Ok(if lists { Found::Lists } else { Found::Other(other) })
    }
}

struct List<'a> {
    each: &'a mut dyn FnMut(Result<Value, String>),
}

impl<'de> DeserializeSeed<'de> for List<'_> {
    type Value = ();

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_seq(self)
    }
}

impl<'de> Visitor<'de> for List<'_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a list of configuration items")
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        while let Some(v) = seq.next_element::<Value>()? {
            (self.each)(unwrap_string(v));
        }
        Ok(())
    }

    fn visit_unit<E>(self) -> Result<(), E> {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn collect(text: &str) -> (Vec<Result<Value, String>>, Result<(), String>) {
        let mut seen = Vec::new();
        let done = items(text.as_bytes(), &mut |i| seen.push(i));
        (seen, done)
    }

    #[test]
    fn reads_snapshot_files_select_output_and_lines() {
        let (items, done) = collect(r#"{"fileVersion":"1.0","configurationItems":[{"resourceType":"A"},{"resourceType":"B"}]}"#);
        assert_eq!((items.len(), done), (2, Ok(())));
        let (items, done) = collect(r#"{"Results":["{\"resourceType\":\"A\"}","{broken"],"QueryInfo":{}}"#);
        assert_eq!(done, Ok(()));
        assert!(items[0].as_ref().is_ok_and(|v| v["resourceType"] == "A"));
        assert!(items[1].is_err());
        let (items, done) = collect("{\"resourceType\":\"A\"}\n\"{\\\"resourceType\\\":\\\"B\\\"}\"\nnot json\n");
        assert_eq!((items.len(), done), (3, Ok(())));
        assert!(items[1].as_ref().is_ok_and(|v| v["resourceType"] == "B"));
        assert!(items[2].is_err());
    }

    #[test]
    fn a_single_item_is_read_and_anything_else_is_refused() {
        let (items, done) = collect(r#"{"resourceType":"AWS::S3::Bucket","configuration":{}}"#);
        assert_eq!((items.len(), done), (1, Ok(())));
        assert!(collect(r#"{"hello":"world"}"#).1.is_err());
        assert!(collect("[1,2]").1.is_err());
        // A file that breaks off keeps the items read before the break.
        let (items, done) = collect(r#"{"configurationItems":[{"resourceType":"A"},{"resourceType":"#);
        assert_eq!(items.len(), 1);
        assert!(done.is_err());
    }

    #[test]
    fn gzip_is_recognised_by_its_bytes() {
        use std::io::Write;
        let dir = std::env::temp_dir().join(format!("posture-read-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("snapshot.bin");
        let mut w = flate2::write::GzEncoder::new(std::fs::File::create(&path).unwrap(), flate2::Compression::fast());
        w.write_all(b"{\"configurationItems\":[]}").unwrap();
        w.finish().unwrap();
        assert_eq!(contents(&path).unwrap(), b"{\"configurationItems\":[]}");
        std::fs::remove_dir_all(&dir).unwrap();
    }

    proptest::proptest! {
        #[test]
        fn never_panics_on_any_text(text in ".{0,400}") {
            let _ = items(text.as_bytes(), &mut |_| {});
        }

        #[test]
        fn never_panics_on_items_of_any_shape(v in proptest::collection::vec("[a-zA-Z:{}\\[\\]\",0-9 ]{0,40}", 0..6)) {
            let text = format!("{{\"configurationItems\":[{}]}}", v.join(","));
            let _ = items(text.as_bytes(), &mut |item| {
                if let Ok(v) = item {
                    if let Ok(i) = super::super::item::Item::parse(&v) {
                        let _ = super::super::map::map(&i, "f", &mut Vec::new());
                    }
                }
            });
        }
    }
}
