//! Snapshot files (DESIGN §1): a header line, then one canonical resource per line; plain or gzip.
//! Read as a stream of raw lines so that parsing can happen on worker threads.

use flate2::read::MultiGzDecoder;
use flate2::write::GzEncoder;
use posture_model::{Resource, SnapshotHeader, SNAPSHOT_FORMAT, SNAPSHOT_FORMAT_VERSION};
use std::fs::File;
use std::io::{BufRead, BufReader, Read, Write};
use std::path::{Path, PathBuf};

#[derive(Debug, thiserror::Error)]
pub enum SnapshotError {
    #[error("{file}: cannot open: {source}")]
    Open { file: String, source: std::io::Error },
    #[error("{file}:{line}: read failed (truncated or corrupt file?): {source}")]
    Read { file: String, line: u64, source: std::io::Error },
    #[error("{file}:1: not a Posture snapshot: {message}")]
    Header { file: String, message: String },
}

/// One line of a snapshot, not yet parsed.
pub struct RawLine {
    pub line: u64,
    pub text: String,
    /// False for a last line without its newline: a malformed one there means a truncated file.
    pub terminated: bool,
}

pub struct SnapshotReader {
    file: String,
    lines: Box<dyn BufRead + Send>,
    line: u64,
    pub header: SnapshotHeader,
}

impl SnapshotReader {
    pub fn open(path: &Path) -> Result<SnapshotReader, SnapshotError> {
        let file = path.display().to_string();
        let f = File::open(path).map_err(|source| SnapshotError::Open { file: file.clone(), source })?;
        Self::from_reader(&file, f)
    }

    /// Reads from any byte stream; gzip is recognised by its magic bytes.
    pub fn from_reader(name: &str, input: impl Read + Send + 'static) -> Result<SnapshotReader, SnapshotError> {
        let mut buffered = BufReader::with_capacity(1 << 16, input);
        let is_gzip = buffered
            .fill_buf()
            .map_err(|source| SnapshotError::Read { file: name.to_string(), line: 1, source })?
            .starts_with(&[0x1f, 0x8b]);
        let lines: Box<dyn BufRead + Send> = if is_gzip {
            Box::new(BufReader::with_capacity(1 << 16, MultiGzDecoder::new(buffered)))
        } else {
            Box::new(buffered)
        };
        let mut reader = SnapshotReader {
            file: name.to_string(),
            lines,
            line: 0,
            header: SnapshotHeader::new("", "", Vec::new()),
        };
        let first = reader.next_line()?.ok_or_else(|| SnapshotError::Header {
            file: name.to_string(),
            message: "the file is empty".into(),
        })?;
        reader.header = parse_header(name, &first.text)?;
        Ok(reader)
    }

    pub fn file(&self) -> &str {
        &self.file
    }

    fn next_line(&mut self) -> Result<Option<RawLine>, SnapshotError> {
        let mut text = String::new();
        loop {
            text.clear();
            let n = self.lines.read_line(&mut text).map_err(|source| SnapshotError::Read {
                file: self.file.clone(),
                line: self.line + 1,
                source,
            })?;
            if n == 0 {
                return Ok(None);
            }
            self.line += 1;
            if !text.trim().is_empty() {
                let terminated = text.ends_with('\n');
                return Ok(Some(RawLine { line: self.line, text: std::mem::take(&mut text), terminated }));
            }
        }
    }

    /// Up to `max` lines; an empty batch means the end of the file.
    pub fn next_batch(&mut self, max: usize) -> Result<Vec<RawLine>, SnapshotError> {
        let mut out = Vec::with_capacity(max);
        while out.len() < max {
            match self.next_line()? {
                Some(l) => out.push(l),
                None => break,
            }
        }
        Ok(out)
    }
}

fn parse_header(file: &str, text: &str) -> Result<SnapshotHeader, SnapshotError> {
    let err = |message: String| SnapshotError::Header { file: file.to_string(), message };
    let header: SnapshotHeader = serde_json::from_str(text).map_err(|e| err(format!("bad header line: {e}")))?;
    if header.format != SNAPSHOT_FORMAT {
        return Err(err(format!("format is '{}', expected '{SNAPSHOT_FORMAT}'", header.format)));
    }
    if header.version > SNAPSHOT_FORMAT_VERSION {
        return Err(err(format!(
            "format version {} is newer than this Posture understands ({SNAPSHOT_FORMAT_VERSION})",
            header.version
        )));
    }
    Ok(header)
}

/// Parses one resource line; the error says what is wrong (the caller adds file and line).
pub fn parse_resource(text: &str) -> Result<Resource, String> {
    let r: Resource = serde_json::from_str(text).map_err(|e| format!("malformed resource: {e}"))?;
    if r.uid.trim().is_empty() {
        return Err("resource has an empty uid".into());
    }
    let parts: Vec<&str> = r.kind.split('.').collect();
    if parts.len() != 3 || parts.iter().any(|p| p.is_empty()) {
        return Err(format!("kind '{}' is not provider.service.type", r.kind));
    }
    if parts[0] != r.provider {
        return Err(format!("provider '{}' does not match kind '{}'", r.provider, r.kind));
    }
    Ok(r)
}

/// Writes snapshots: `--save-snapshot`, the benchmark generator, tests.
pub struct SnapshotWriter {
    out: Box<dyn Write>,
    path: PathBuf,
}

impl SnapshotWriter {
    /// Gzip when the path ends in `.gz`.
    pub fn create(path: &Path, header: &SnapshotHeader) -> std::io::Result<SnapshotWriter> {
        let file = std::io::BufWriter::with_capacity(1 << 16, File::create(path)?);
        let out: Box<dyn Write> = if path.extension().is_some_and(|e| e == "gz") {
            Box::new(GzEncoder::new(file, flate2::Compression::fast()))
        } else {
            Box::new(file)
        };
        let mut w = SnapshotWriter { out, path: path.to_path_buf() };
        w.write_json(header)?;
        Ok(w)
    }

    pub fn write(&mut self, resource: &Resource) -> std::io::Result<()> {
        self.write_json(resource)
    }

    fn write_json<T: serde::Serialize>(&mut self, value: &T) -> std::io::Result<()> {
        serde_json::to_writer(&mut self.out, value)?;
        self.out.write_all(b"\n")
    }

    pub fn finish(mut self) -> std::io::Result<PathBuf> {
        self.out.flush()?;
        drop(self.out);
        Ok(self.path)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    const HEADER: &str = r#"{"format":"posture-snapshot","version":1,"source":"test","collected_at":"2026-11-28T00:00:00Z","accounts":["a"]}"#;

    fn reader(text: &str) -> Result<SnapshotReader, SnapshotError> {
        SnapshotReader::from_reader("t.ndjson", std::io::Cursor::new(text.as_bytes().to_vec()))
    }

    #[test]
    fn reads_header_and_numbered_lines_skipping_blanks() {
        let text = format!("{HEADER}\n{{\"uid\":\"u1\",\"kind\":\"aws.s3.bucket\",\"provider\":\"aws\"}}\n\n{{}}\n");
        let mut r = reader(&text).unwrap();
        assert_eq!(r.header.accounts, vec!["a"]);
        let batch = r.next_batch(10).unwrap();
        assert_eq!(batch.iter().map(|l| l.line).collect::<Vec<_>>(), vec![2, 4]);
        assert!(parse_resource(&batch[0].text).is_ok());
        assert!(parse_resource(&batch[1].text).unwrap_err().contains("malformed"));
        assert!(r.next_batch(10).unwrap().is_empty());
    }

    #[test]
    fn rejects_bad_headers_with_the_file_name() {
        let e = reader("{\"format\":\"other\",\"version\":1,\"source\":\"x\",\"collected_at\":\"\"}\n").err().unwrap();
        assert!(e.to_string().starts_with("t.ndjson:1: not a Posture snapshot"), "{e}");
        assert!(reader("").is_err());
        assert!(reader("not json\n").is_err());
    }

    #[test]
    fn validates_kind_and_provider() {
        assert!(parse_resource(r#"{"uid":"u","kind":"aws.s3","provider":"aws"}"#).unwrap_err().contains("provider.service.type"));
        assert!(parse_resource(r#"{"uid":"u","kind":"aws.s3.bucket","provider":"gcp"}"#).unwrap_err().contains("does not match"));
        assert!(parse_resource(r#"{"uid":" ","kind":"aws.s3.bucket","provider":"aws"}"#).unwrap_err().contains("empty uid"));
    }

    #[test]
    fn gzip_round_trip_and_truncation_is_a_read_error() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("s.ndjson.gz");
        let header = SnapshotHeader::new("test", "2026-11-28T00:00:00Z", vec!["a".into()]);
        let mut w = SnapshotWriter::create(&path, &header).unwrap();
        for i in 0..2000 {
            let mut r = Resource::new(format!("u{i}"), "aws.s3.bucket");
            r.attrs.insert("n".into(), serde_json::json!(i));
            w.write(&r).unwrap();
        }
        w.finish().unwrap();
        let mut r = SnapshotReader::open(&path).unwrap();
        assert_eq!(r.next_batch(5000).unwrap().len(), 2000);
        let bytes = std::fs::read(&path).unwrap();
        let cut = dir.path().join("cut.ndjson.gz");
        std::fs::write(&cut, &bytes[..bytes.len() / 2]).unwrap();
        let mut r = SnapshotReader::open(&cut).unwrap();
        let err = loop {
            match r.next_batch(100) {
                Ok(b) if b.is_empty() => panic!("a truncated gzip must not read as a clean end"),
                Ok(_) => continue,
                Err(e) => break e,
            }
        };
        assert!(err.to_string().contains("cut.ndjson.gz:"), "{err}");
    }

    proptest! {
        #[test]
        fn parse_resource_never_panics(s in ".{0,200}") {
            let _ = parse_resource(&s);
        }

        #[test]
        fn reader_never_panics_on_arbitrary_bytes(bytes in proptest::collection::vec(any::<u8>(), 0..400)) {
            if let Ok(mut r) = SnapshotReader::from_reader("p", std::io::Cursor::new(bytes)) {
                while let Ok(b) = r.next_batch(16) {
                    if b.is_empty() { break; }
                }
            }
        }
    }
}
