//! A stand-in Kubernetes API server for tests: plain HTTP/1.1 on a local port, one thread per
//! connection, answers from a handler, every request recorded.

use std::collections::HashMap;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::{Arc, Mutex};

pub struct Reply {
    pub status: u16,
    pub headers: Vec<(&'static str, String)>,
    pub body: String,
}

impl Reply {
    pub fn json(status: u16, body: serde_json::Value) -> Reply {
        Reply { status, headers: Vec::new(), body: body.to_string() }
    }
}

/// One request as the handler sees it.
pub struct Seen<'a> {
    /// Path and query, e.g. `/api/v1/pods?limit=2&continue=p2`.
    pub target: &'a str,
    pub authorization: Option<&'a str>,
    /// How many times this exact target was requested before (0 the first time).
    pub repeat: usize,
}

pub struct FakeApi {
    pub url: String,
    pub requests: Arc<Mutex<Vec<String>>>,
}

impl FakeApi {
    pub fn start(handler: impl Fn(&Seen) -> Reply + Send + Sync + 'static) -> FakeApi {
        FakeApi::start_wrapped("http", handler, Some)
    }

    /// Serves every connection through `wrap` (TLS in the TLS tests); `None` drops it.
    pub fn start_wrapped<S: Read + Write + 'static>(
        scheme: &str,
        handler: impl Fn(&Seen) -> Reply + Send + Sync + 'static,
        wrap: impl Fn(TcpStream) -> Option<S> + Send + Sync + 'static,
    ) -> FakeApi {
        let listener = TcpListener::bind("127.0.0.1:0").expect("a local port");
        let url = format!("{scheme}://{}", listener.local_addr().expect("bound"));
        let requests = Arc::new(Mutex::new(Vec::new()));
        let counts = Arc::new(Mutex::new(HashMap::<String, usize>::new()));
        let handler = Arc::new(handler);
        let wrap = Arc::new(wrap);
        let log = requests.clone();
        std::thread::spawn(move || {
            for stream in listener.incoming().flatten() {
                let (handler, log, counts, wrap) = (handler.clone(), log.clone(), counts.clone(), wrap.clone());
                std::thread::spawn(move || {
                    if let Some(stream) = wrap(stream) {
                        serve(stream, &*handler, &log, &counts);
                    }
                });
            }
        });
        FakeApi { url, requests }
    }

    pub fn count(&self, prefix: &str) -> usize {
        self.requests.lock().unwrap().iter().filter(|r| r.starts_with(prefix)).count()
    }
}

/// One request, one reply, then the connection closes.
fn serve<S: Read + Write>(
    stream: S,
    handler: &dyn Fn(&Seen) -> Reply,
    log: &Mutex<Vec<String>>,
    counts: &Mutex<HashMap<String, usize>>,
) {
    let mut reader = BufReader::new(stream);
    let mut request_line = String::new();
    if reader.read_line(&mut request_line).unwrap_or(0) == 0 {
        return;
    }
    let mut authorization = None;
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line).unwrap_or(0) == 0 || line == "\r\n" {
            break;
        }
        if let Some((k, v)) = line.split_once(':') {
            if k.eq_ignore_ascii_case("authorization") {
                authorization = Some(v.trim().to_string());
            }
        }
    }
    let target = request_line.split_whitespace().nth(1).unwrap_or("/").to_string();
    let repeat = {
        let mut c = counts.lock().unwrap();
        let n = c.entry(target.clone()).or_default();
        *n += 1;
        *n - 1
    };
    log.lock().unwrap().push(target.clone());
    let reply = handler(&Seen { target: &target, authorization: authorization.as_deref(), repeat });
    let mut head = format!(
        "HTTP/1.1 {} X\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n",
        reply.status,
        reply.body.len()
    );
    for (k, v) in &reply.headers {
        head.push_str(&format!("{k}: {v}\r\n"));
    }
    head.push_str("\r\n");
    let stream = reader.get_mut();
    let _ = stream.write_all(head.as_bytes());
    let _ = stream.write_all(reply.body.as_bytes());
    let _ = stream.flush();
}

/// A kubeconfig for `url` with a bearer token.
pub fn kubeconfig(dir: &std::path::Path, url: &str, token: &str) -> std::path::PathBuf {
    let path = dir.join("kubeconfig");
    let text = format!(
        "apiVersion: v1\nkind: Config\ncurrent-context: test\nclusters:\n- name: lab\n  cluster: {{server: '{url}'}}\nusers:\n- name: scanner\n  user: {{token: '{token}'}}\ncontexts:\n- name: test\n  context: {{cluster: lab, user: scanner}}\n"
    );
    std::fs::write(&path, text).expect("kubeconfig written");
    path
}
