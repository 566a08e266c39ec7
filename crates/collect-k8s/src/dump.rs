//! `kubectl get … -o json` output: a `List` (with `items`), a single object, or several such
//! documents one after another (plain or gzip). Read as a stream: each item is parsed, mapped and
//! dropped before the next, so a dump of a large cluster never sits in memory as one JSON tree.

use crate::map::{map_object, MapError};
use posture_model::{Origin, Resource, SnapshotIssue};
use serde::de::{DeserializeSeed, Deserializer, MapAccess, SeqAccess, Visitor};
use serde_json::{Map, Value};
use std::io::{BufRead, BufReader, Read};

#[derive(Debug, thiserror::Error)]
pub enum DumpError {
    #[error("cannot read: {0}")]
    Io(#[from] std::io::Error),
    #[error("not valid JSON after {objects} object(s): {source}")]
    Syntax { objects: usize, source: serde_json::Error },
}

/// What one dump held.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct DumpStats {
    /// Objects read (list items and single documents).
    pub objects: usize,
    /// Canonical resources produced.
    pub resources: usize,
    /// Objects of kinds Posture does not model (ConfigMaps, Events, ReplicaSets, CRDs, …).
    pub skipped: usize,
    /// Objects that could not be mapped (each one is an issue).
    pub failed: usize,
}

/// Calls `sink(index, object)` for every object of the dump, in file order; `index` counts
/// objects across all documents of the input. Stops at the first JSON syntax error.
pub fn read_dump(input: impl Read, mut sink: impl FnMut(usize, Value)) -> Result<usize, DumpError> {
    let mut buffered = BufReader::with_capacity(1 << 16, input);
    let gzip = buffered.fill_buf()?.starts_with(&[0x1f, 0x8b]);
    let reader: Box<dyn Read> = if gzip {
        Box::new(BufReader::with_capacity(1 << 16, flate2::read::MultiGzDecoder::new(buffered)))
    } else {
        Box::new(buffered)
    };
    let mut de = serde_json::Deserializer::from_reader(reader);
    let mut count = 0usize;
    // `end` succeeds only at the end of input (after whitespace); otherwise another document follows.
    while de.end().is_err() {
        let seed = Document { sink: &mut sink, count: &mut count };
        seed.deserialize(&mut de).map_err(|source| match source.io_error_kind() {
            Some(kind) => DumpError::Io(std::io::Error::new(kind, source.to_string())),
            None => DumpError::Syntax { objects: count, source },
        })?;
    }
    Ok(count)
}

/// Reads a dump of `cluster` and maps every object, passing resources to `emit`. Objects that
/// cannot be mapped become issues located `file#items[i]`; a syntax error ends the file with an
/// issue located `file`. The caller decides what issues mean for coverage.
pub fn import_dump(
    input: impl Read,
    file: &str,
    cluster: &str,
    mut emit: impl FnMut(Resource),
    issues: &mut Vec<SnapshotIssue>,
) -> DumpStats {
    let origin = Origin::Snapshot { file: file.to_string() };
    let mut stats = DumpStats::default();
    let result = read_dump(input, |index, object| {
        stats.objects += 1;
        match map_object(cluster, &object, &origin) {
            Ok(rs) if rs.is_empty() => stats.skipped += 1,
            Ok(rs) => {
                stats.resources += rs.len();
                rs.into_iter().for_each(&mut emit);
            }
            Err(e) => {
                stats.failed += 1;
                issues
                    .push(SnapshotIssue { location: format!("{file}#items[{index}]"), message: describe(&object, &e) });
            }
        }
    });
    if let Err(e) = result {
        issues.push(SnapshotIssue { location: file.to_string(), message: e.to_string() });
    }
    stats
}

/// The error, with the object's kind and name when it has them (never any other content).
fn describe(object: &Value, e: &MapError) -> String {
    let kind = object.get("kind").and_then(Value::as_str);
    let name = object.pointer("/metadata/name").and_then(Value::as_str);
    match (kind, name) {
        (Some(k), Some(n)) => format!("{k} {n}: {e}"),
        (Some(k), None) => format!("{k}: {e}"),
        _ => e.to_string(),
    }
}

type Sink<'a> = &'a mut dyn FnMut(usize, Value);

/// One top-level JSON document.
struct Document<'a> {
    sink: Sink<'a>,
    count: &'a mut usize,
}

impl<'de> DeserializeSeed<'de> for Document<'_> {
    type Value = ();

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for Document<'_> {
    type Value = ();

    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("a Kubernetes object, a List of objects, or an array of objects")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        let mut fields = Map::new();
        let mut held = Vec::new();
        let mut is_list = false;
        while let Some(key) = map.next_key::<String>()? {
            if key == "items" {
                is_list = true;
                let defaults = ListDefaults::of(&fields);
                map.next_value_seed(Items {
                    sink: &mut *self.sink,
                    count: &mut *self.count,
                    defaults,
                    held: &mut held,
                })?;
            } else {
                fields.insert(key, map.next_value()?);
            }
        }
        if !is_list {
            (self.sink)(next(self.count), Value::Object(fields));
            return Ok(());
        }
        // Items that came before the list's own kind/apiVersion (rare: kubectl sorts keys).
        let defaults = ListDefaults::of(&fields);
        for (index, item) in held {
            (self.sink)(index, defaults.apply(item));
        }
        Ok(())
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        while let Some(item) = seq.next_element::<Value>()? {
            (self.sink)(next(self.count), item);
        }
        Ok(())
    }
}

fn next(count: &mut usize) -> usize {
    let index = *count;
    *count += 1;
    index
}

/// `kind`/`apiVersion` that items of a typed list (`PodList`) inherit.
#[derive(Clone, Default)]
struct ListDefaults {
    kind: Option<String>,
    api_version: Option<String>,
}

impl ListDefaults {
    fn of(fields: &Map<String, Value>) -> ListDefaults {
        let kind =
            fields.get("kind").and_then(Value::as_str).and_then(|k| k.strip_suffix("List")).filter(|k| !k.is_empty());
        ListDefaults {
            kind: kind.map(str::to_string),
            api_version: fields.get("apiVersion").and_then(Value::as_str).map(str::to_string),
        }
    }

    fn known(&self) -> bool {
        self.kind.is_some()
    }

    fn apply(&self, mut item: Value) -> Value {
        if let (Some(map), Some(kind)) = (item.as_object_mut(), &self.kind) {
            map.entry("kind").or_insert_with(|| Value::String(kind.clone()));
            if let Some(v) = &self.api_version {
                map.entry("apiVersion").or_insert_with(|| Value::String(v.clone()));
            }
        }
        item
    }
}

struct Items<'a> {
    sink: Sink<'a>,
    count: &'a mut usize,
    defaults: ListDefaults,
    held: &'a mut Vec<(usize, Value)>,
}

impl<'de> DeserializeSeed<'de> for Items<'_> {
    type Value = ();

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_seq(self)
    }
}

impl<'de> Visitor<'de> for Items<'_> {
    type Value = ();

    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("an array of Kubernetes objects")
    }

    fn visit_unit<E>(self) -> Result<(), E> {
        Ok(()) // "items": null
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        while let Some(item) = seq.next_element::<Value>()? {
            let index = next(self.count);
            let complete = item.get("kind").is_some() && item.get("apiVersion").is_some();
            if complete || self.defaults.known() || !item.is_object() {
                (self.sink)(index, self.defaults.apply(item));
            } else {
                self.held.push((index, item));
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn objects(text: &str) -> (Vec<(usize, Value)>, Result<usize, DumpError>) {
        let mut out = Vec::new();
        let r = read_dump(text.as_bytes(), |i, v| out.push((i, v)));
        (out, r)
    }

    #[test]
    fn lists_single_objects_and_concatenated_documents_are_read_in_order() {
        let text = r#"{"apiVersion":"v1","items":[{"apiVersion":"v1","kind":"Pod","metadata":{"name":"a"}}],"kind":"List"}
            {"apiVersion":"v1","kind":"Namespace","metadata":{"name":"ns"}}
            {"kind":"PodList","apiVersion":"v1","metadata":{},"items":[{"metadata":{"name":"b"}}]}"#;
        let (got, r) = objects(text);
        assert_eq!(r.unwrap(), 3);
        assert_eq!(got.iter().map(|(i, _)| *i).collect::<Vec<_>>(), vec![0, 1, 2]);
        assert_eq!(got[2].1["kind"], json!("Pod"), "typed list items inherit the kind");
        assert_eq!(got[2].1["apiVersion"], json!("v1"));
    }

    #[test]
    fn items_before_the_list_kind_wait_for_it() {
        let (got, r) = objects(r#"{"items":[{"metadata":{"name":"x"}}],"kind":"ServiceList","apiVersion":"v1"}"#);
        assert_eq!(r.unwrap(), 1);
        assert_eq!(got[0].1["kind"], json!("Service"));
    }

    #[test]
    fn a_syntax_error_keeps_what_came_before() {
        let (got, r) =
            objects(r#"{"kind":"List","apiVersion":"v1","items":[{"kind":"Pod","apiVersion":"v1"},{"kind": }]}"#);
        assert_eq!(got.len(), 1);
        assert!(matches!(r, Err(DumpError::Syntax { objects: 1, .. })), "{r:?}");
    }

    #[test]
    fn gzip_is_recognised() {
        use std::io::Write;
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        gz.write_all(br#"{"apiVersion":"v1","kind":"Namespace","metadata":{"name":"ns"}}"#).unwrap();
        let bytes = gz.finish().unwrap();
        let mut n = 0;
        read_dump(bytes.as_slice(), |_, _| n += 1).unwrap();
        assert_eq!(n, 1);
    }

    #[test]
    fn bad_items_become_issues_located_by_index_and_the_rest_is_mapped() {
        let text = r#"{"apiVersion":"v1","kind":"List","items":[
            {"apiVersion":"v1","kind":"Namespace","metadata":{"name":"ok"}},
            {"apiVersion":"v1","kind":"Pod","metadata":{"namespace":"ok"}},
            "not an object",
            {"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"c","namespace":"ok"}}]}"#;
        let mut out = Vec::new();
        let mut issues = Vec::new();
        let stats = import_dump(text.as_bytes(), "dump.json", "c1", |r| out.push(r), &mut issues);
        assert_eq!(stats, DumpStats { objects: 4, resources: 1, skipped: 1, failed: 2 });
        assert_eq!(out[0].uid, "c1/_cluster/Namespace/ok");
        let located: Vec<(&str, &str)> = issues.iter().map(|i| (i.location.as_str(), i.message.as_str())).collect();
        assert_eq!(
            located,
            vec![
                ("dump.json#items[1]", "Pod: metadata.name is missing or empty"),
                ("dump.json#items[2]", "not a JSON object"),
            ]
        );
    }
}
