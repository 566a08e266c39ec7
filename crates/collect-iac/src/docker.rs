//! Dockerfiles into one `iac.docker.dockerfile` resource each: base images, the user the final
//! stage runs as, `ADD` from URLs, secrets in `ENV`/`ARG`, `HEALTHCHECK`, exposed ports.

use crate::secrets::{entropy, mask};
use crate::{Located, SourceFile};
use posture_model::{Origin, Resource};
use serde_json::{json, Value};
use std::collections::BTreeMap;

/// One instruction: keyword (upper case), arguments, first line.
struct Instr {
    op: String,
    args: String,
    line: u32,
}

fn instructions(text: &str) -> Vec<Instr> {
    let mut out = Vec::new();
    let mut cur: Option<Instr> = None;
    for (i, raw) in text.lines().enumerate() {
        let line = raw.trim();
        if cur.is_none() && (line.is_empty() || line.starts_with('#')) {
            continue;
        }
        let (content, cont) = match line.strip_suffix('\\') {
            Some(c) => (c.trim_end(), true),
            None => (line, false),
        };
        match cur.as_mut() {
            Some(c) => {
                if !content.starts_with('#') {
                    c.args.push(' ');
                    c.args.push_str(content);
                }
            }
            None => {
                let (op, args) = content.split_once(char::is_whitespace).unwrap_or((content, ""));
                cur = Some(Instr { op: op.to_ascii_uppercase(), args: args.trim().to_string(), line: i as u32 + 1 });
            }
        }
        if !cont {
            out.extend(cur.take());
        }
    }
    out.extend(cur);
    out
}

const SECRET_WORDS: &[&str] = &["PASSWORD", "PASSWD", "SECRET", "TOKEN", "API_KEY", "APIKEY", "ACCESS_KEY", "PRIVATE_KEY", "CREDENTIAL"];

/// `NAME=value` pairs of ENV/ARG (also the legacy `ENV NAME value`).
fn pairs(args: &str, legacy: bool) -> Vec<(String, Option<String>)> {
    if legacy && !args.split_whitespace().next().unwrap_or_default().contains('=') {
        let (k, v) = args.split_once(char::is_whitespace).unwrap_or((args, ""));
        return vec![(k.to_string(), Some(v.trim().trim_matches('"').to_string()).filter(|v| !v.is_empty()))];
    }
    args.split_whitespace()
        .map(|kv| match kv.split_once('=') {
            Some((k, v)) => (k.to_string(), Some(v.trim_matches('"').to_string())),
            None => (kv.to_string(), None),
        })
        .collect()
}

pub fn scan(f: &SourceFile, account: &str) -> Vec<Located> {
    let ins = instructions(&f.text);
    let mut r = Resource::new(format!("iac:{}#dockerfile", f.rel), "iac.docker.dockerfile");
    r.account = account.to_string();
    r.name = f.rel.clone();
    let mut lines: BTreeMap<String, u32> = BTreeMap::new();
    let mut images: Vec<Value> = Vec::new();
    let mut stage_aliases: Vec<String> = Vec::new();
    let mut user: Option<(String, u32)> = None;
    let mut add_urls: Vec<Value> = Vec::new();
    let mut secrets: Vec<Value> = Vec::new();
    let mut healthcheck = None;
    let mut ports: Vec<Value> = Vec::new();
    let mut last_from = 1;
    for i in &ins {
        match i.op.as_str() {
            "FROM" => {
                last_from = i.line;
                let words: Vec<&str> = i.args.split_whitespace().filter(|w| !w.starts_with("--")).collect();
                let image = words.first().copied().unwrap_or_default().to_string();
                if let (Some(as_kw), Some(alias)) = (words.get(1), words.get(2)) {
                    if as_kw.eq_ignore_ascii_case("as") {
                        stage_aliases.push(alias.to_ascii_lowercase());
                    }
                }
                // A stage built from an earlier stage inherits its image; scratch has none.
                if stage_aliases.iter().rev().skip(1).any(|a| *a == image.to_ascii_lowercase()) || image == "scratch" {
                    user = None;
                    continue;
                }
                let (name, digest) = image.split_once('@').map_or((image.as_str(), None), |(n, d)| (n, Some(d)));
                let tag = name.rsplit_once(':').filter(|(_, t)| !t.contains('/')).map(|(_, t)| t.to_string());
                let variable = image.contains('$');
                lines.insert(format!("attrs.base_images[{}]", images.len()), i.line);
                images.push(json!({"image": image, "tag": tag, "digest": digest, "pinned": digest.is_some() || (tag.is_some() && tag.as_deref() != Some("latest")) || variable}));
                user = None;
            }
            "USER" => user = Some((i.args.split(':').next().unwrap_or_default().trim().to_string(), i.line)),
            "ADD" => {
                for src in i.args.split_whitespace().filter(|w| !w.starts_with("--")).rev().skip(1) {
                    if src.starts_with("http://") || src.starts_with("https://") || src.starts_with("git@") {
                        lines.insert(format!("attrs.add_from_url[{}]", add_urls.len()), i.line);
                        add_urls.push(json!(src));
                    }
                }
            }
            "ENV" | "ARG" => {
                for (k, v) in pairs(&i.args, i.op == "ENV") {
                    let upper = k.to_ascii_uppercase();
                    let Some(v) = v.filter(|v| !v.is_empty() && !v.starts_with('$')) else { continue };
                    if SECRET_WORDS.iter().any(|w| upper.contains(w)) && v.len() >= 4 && entropy(&v) >= 1.5 {
                        lines.insert(format!("attrs.secrets_in_env[{}]", secrets.len()), i.line);
                        secrets.push(json!({"instruction": i.op, "name": k, "masked": mask(&v)}));
                    }
                }
            }
            "HEALTHCHECK" => healthcheck = Some((!i.args.trim().eq_ignore_ascii_case("none"), i.line)),
            "EXPOSE" => {
                for p in i.args.split_whitespace() {
                    let port = p.split('/').next().unwrap_or_default();
                    if let Ok(n) = port.parse::<u16>() {
                        lines.insert(format!("attrs.exposed_ports[{}]", ports.len()), i.line);
                        lines.entry("attrs.exposed_ports".into()).or_insert(i.line);
                        ports.push(json!(n));
                    }
                }
            }
            _ => {}
        }
    }
    r.attrs.insert("base_images".into(), Value::Array(images));
    let runs_as = user.as_ref().map(|(u, _)| u.clone());
    if let Some((_, l)) = &user {
        lines.insert("attrs.user".into(), *l);
    }
    r.attrs.insert("user".into(), json!(runs_as));
    let root = runs_as.as_deref().is_none_or(|u| u == "root" || u == "0");
    r.attrs.insert("runs_as_root".into(), json!(root));
    // Running as root is decided by the USER line, or by its absence from the final stage.
    lines.insert("attrs.runs_as_root".into(), user.as_ref().map_or(last_from, |(_, l)| *l));
    r.attrs.insert("add_from_url".into(), Value::Array(add_urls));
    r.attrs.insert("secrets_in_env".into(), Value::Array(secrets));
    r.attrs.insert("healthcheck".into(), json!(healthcheck.map(|(h, _)| h).unwrap_or(false)));
    if let Some((_, l)) = healthcheck {
        lines.insert("attrs.healthcheck".into(), l);
    }
    r.attrs.insert("exposed_ports".into(), Value::Array(ports));
    let first = ins.first().map_or(1, |i| i.line);
    let last = f.text.lines().count().max(1) as u32;
    r.origin = Some(Origin::Iac { file: f.rel.clone(), line: first, address: "dockerfile".into(), lines });
    vec![Located { resource: r, file: f.rel.clone(), start: 1, end: last, spans: Vec::new() }]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_instructions_across_continuations() {
        let f = SourceFile {
            path: "Dockerfile".into(),
            rel: "app/Dockerfile".into(),
            text: "FROM golang:1.22 AS build\nRUN go build \\\n  ./...\nFROM alpine\nENV DB_PASSWORD=s3cr3tP4ss API_URL=https://x\nADD https://example.com/x.tgz /opt/\nUSER app\nEXPOSE 22 8080/tcp\n".into(),
        };
        let r = &scan(&f, "iac:t")[0].resource;
        assert_eq!(r.attrs["base_images"][1]["pinned"], json!(false));
        assert_eq!(r.attrs["base_images"][0]["tag"], json!("1.22"));
        assert_eq!(r.attrs["user"], json!("app"));
        assert_eq!(r.attrs["runs_as_root"], json!(false));
        assert_eq!(r.attrs["secrets_in_env"][0]["name"], json!("DB_PASSWORD"));
        assert_eq!(r.attrs["add_from_url"], json!(["https://example.com/x.tgz"]));
        assert_eq!(r.attrs["exposed_ports"], json!([22, 8080]));
        assert_eq!(r.attrs["healthcheck"], json!(false));
    }
}
