//! Live collection: Resource Graph for the resources (paged with `$skipToken`), then the ARM calls
//! for what Resource Graph lacks (`calls`). Everything read goes to `out` as ARM items, with
//! `posture.listed` markers for what was listed in full; `crate::import` maps that spool like
//! any export, so a live scan and an import are one mapping.
//!
//! Failures are recorded as `<subscription>/<call>` problems. A failed listing (Resource Graph,
//! role assignments and definitions, Defender plans) leaves its subscription out of the covered
//! ones; a failed attribute call leaves the attribute unknown. The rest continues.

pub mod auth;
pub mod calls;

use crate::arm::{subscription_of, LISTED};
use auth::Credential;
use calls::{Call, How, LISTED_BY_GRAPH, RESOURCE_TYPES, SUBSCRIPTION};
use posture_collect_cloud::http::{Http, HttpOptions, Request};
use posture_collect_cloud::json::{arr_at, str_at};
use posture_collect_cloud::{Failure, FailureKind};
use posture_model::SnapshotIssue;
use serde_json::{json, Value};
use std::collections::BTreeSet;
use std::sync::{Arc, Mutex};
use tokio::sync::mpsc::Sender;
use tokio::sync::Semaphore;

#[derive(Debug, Clone)]
pub struct AzureOptions {
    /// Subscription ids; empty with no management group: every subscription the identity can see.
    pub subscriptions: Vec<String>,
    pub management_group: Option<String>,
    /// Azure Resource Manager base URL.
    pub arm_endpoint: String,
    pub http: HttpOptions,
    /// ARM calls in flight at once.
    pub concurrency: usize,
}

impl Default for AzureOptions {
    fn default() -> Self {
        AzureOptions {
            subscriptions: Vec::new(),
            management_group: None,
            arm_endpoint: "https://management.azure.com".into(),
            http: HttpOptions::default(),
            concurrency: 8,
        }
    }
}

#[derive(Debug, Clone, Default)]
pub struct LiveReport {
    pub subscriptions: Vec<String>,
    /// Subscriptions whose every listing succeeded.
    pub covered: Vec<String>,
    pub issues: Vec<SnapshotIssue>,
}

const GRAPH_API: &str = "2022-10-01";

struct Run {
    http: Http,
    cred: Arc<Credential>,
    arm: String,
    out: Sender<Value>,
    issues: Mutex<Vec<SnapshotIssue>>,
    uncovered: Mutex<BTreeSet<String>>,
    limit: Semaphore,
}

impl Run {
    async fn request(&self, req: Request) -> Result<Value, Failure> {
        let token = self.cred.token(&self.http).await?;
        self.http.json(&req.bearer(&token)).await
    }

    fn url(&self, path: &str, api: &str) -> String {
        let sep = if path.contains('?') { '&' } else { '?' };
        format!("{}{path}{sep}api-version={api}", self.arm)
    }

    /// Every entry of an ARM list, following `nextLink`.
    async fn list(&self, first: String) -> Result<Vec<Value>, Failure> {
        let mut out = Vec::new();
        let mut next = Some(first);
        while let Some(url) = next.take() {
            let page = self.request(Request::get(url)).await?;
            out.extend(arr_at(&page, &["value"]).iter().cloned());
            next = str_at(&page, &["nextLink"]).filter(|n| !n.is_empty()).map(str::to_string);
        }
        Ok(out)
    }

    async fn put(&self, v: Value) {
        // The receiver lives until collection ends; a send error means the scan was abandoned.
        let _ = self.out.send(v).await;
    }

    async fn mark(&self, scope: &str, types: &[&str]) {
        self.put(json!({"id": scope, "type": LISTED, "properties": {"types": types}})).await;
    }

    fn problem(&self, location: String, f: &Failure, listing_of: Option<&str>) {
        if let Ok(mut l) = self.issues.lock() {
            l.push(SnapshotIssue { location, message: f.to_string() });
        }
        if let (Some(sub), Ok(mut u)) = (listing_of, self.uncovered.lock()) {
            u.insert(sub.to_string());
        }
    }
}

/// What Resource Graph is asked, per subscription (or once for a management group).
fn queries() -> Vec<(&'static str, String)> {
    let types = RESOURCE_TYPES.iter().map(|t| format!("'{t}'")).collect::<Vec<_>>().join(", ");
    vec![
        ("resourcecontainers", "resourcecontainers | where type in~ ('microsoft.resources/subscriptions', 'microsoft.resources/subscriptions/resourcegroups')".to_string()),
        ("resources", format!("resources | where type in~ ({types})")),
        ("patchassessmentresources", "patchassessmentresources | where type =~ 'microsoft.compute/virtualmachines/patchassessmentresults'".to_string()),
    ]
}

/// Collects what `opts` asks for into `out`. Fails only when no token can be obtained or the
/// subscriptions cannot be listed at all.
pub async fn collect(opts: &AzureOptions, cred: Arc<Credential>, out: Sender<Value>) -> Result<LiveReport, Failure> {
    let run = Arc::new(Run {
        http: Http::new(opts.http.clone()),
        cred,
        arm: opts.arm_endpoint.trim_end_matches('/').to_string(),
        out,
        issues: Mutex::new(Vec::new()),
        uncovered: Mutex::new(BTreeSet::new()),
        limit: Semaphore::new(opts.concurrency.max(1)),
    });
    run.cred.token(&run.http).await?;
    let mut subs: BTreeSet<String> = opts.subscriptions.iter().map(|s| s.trim().to_ascii_lowercase()).filter(|s| !s.is_empty()).collect();
    let mut followups: Vec<(String, String, String)> = Vec::new();
    if let Some(mg) = &opts.management_group {
        let scope = json!({"managementGroups": [mg]});
        let seen = graph_all(&run, &scope, mg, None, &mut followups).await;
        subs.extend(seen);
    } else {
        if subs.is_empty() {
            subs = list_subscriptions(&run).await?;
        }
        for sub in subs.clone() {
            let scope = json!({"subscriptions": [sub]});
            graph_all(&run, &scope, &sub, Some(&sub), &mut followups).await;
        }
    }
    let mut tasks = tokio::task::JoinSet::new();
    for sub in &subs {
        for call in SUBSCRIPTION {
            let (run, sub) = (run.clone(), sub.clone());
            tasks.spawn(async move { subscription_call(&run, &sub, call).await });
        }
    }
    for (sub, id, rtype) in followups {
        let name = crate::arm::last_segment(&id).to_string();
        for call in calls::for_type(&rtype, &name) {
            let (run, sub, id, name) = (run.clone(), sub.clone(), id.clone(), name.clone());
            tasks.spawn(async move { resource_call(&run, &sub, &id, &name, call).await });
        }
    }
    while tasks.join_next().await.is_some() {}
    let issues = run.issues.lock().map(|mut l| std::mem::take(&mut *l)).unwrap_or_default();
    let uncovered = run.uncovered.lock().map(|u| u.clone()).unwrap_or_default();
    Ok(LiveReport {
        subscriptions: subs.iter().cloned().collect(),
        covered: subs.iter().filter(|s| !uncovered.contains(*s)).cloned().collect(),
        issues,
    })
}

async fn list_subscriptions(run: &Run) -> Result<BTreeSet<String>, Failure> {
    let list = run.list(run.url("/subscriptions", "2022-12-01")).await?;
    Ok(list
        .iter()
        .filter(|s| str_at(s, &["state"]).is_none_or(|st| st.eq_ignore_ascii_case("Enabled") || st.eq_ignore_ascii_case("Warned")))
        .filter_map(|s| str_at(s, &["subscriptionId"]).map(str::to_ascii_lowercase))
        .collect())
}

/// Runs every Resource Graph query for one scope; returns the subscriptions seen. On success for
/// a subscription, marks its Resource Graph child types as listed.
async fn graph_all(run: &Run, scope: &Value, label: &str, sub: Option<&str>, followups: &mut Vec<(String, String, String)>) -> BTreeSet<String> {
    let mut seen = BTreeSet::new();
    let mut ok = true;
    for (name, query) in queries() {
        if let Err(f) = graph(run, scope, &query, &mut seen, followups).await {
            ok = false;
            run.problem(format!("{label}/resourcegraph:{name}"), &f, sub.or(Some(label)));
            if f.kind == FailureKind::Denied {
                break;
            }
        }
    }
    if ok {
        let subs: Vec<String> = match sub {
            Some(s) => vec![s.to_string()],
            None => seen.iter().cloned().collect(),
        };
        for s in subs {
            run.mark(&format!("/subscriptions/{s}"), LISTED_BY_GRAPH).await;
        }
    } else if sub.is_none() {
        // A failed management group query covers none of its subscriptions.
        if let Ok(mut u) = run.uncovered.lock() {
            u.extend(seen.iter().cloned());
        }
    }
    seen
}

async fn graph(run: &Run, scope: &Value, query: &str, seen: &mut BTreeSet<String>, followups: &mut Vec<(String, String, String)>) -> Result<(), Failure> {
    let url = run.url("/providers/Microsoft.ResourceGraph/resources", GRAPH_API);
    let mut skip: Option<String> = None;
    loop {
        let mut body = scope.clone();
        let mut options = json!({"resultFormat": "objectArray", "$top": 1000});
        if let Some(t) = &skip {
            options["$skipToken"] = Value::from(t.clone());
        }
        if let Some(o) = body.as_object_mut() {
            o.insert("query".into(), Value::from(query));
            o.insert("options".into(), options);
        }
        let page = run.request(Request::post_json(url.clone(), &body)).await?;
        for item in arr_at(&page, &["data"]) {
            let sub = str_at(item, &["subscriptionId"]).map(str::to_ascii_lowercase);
            let id = str_at(item, &["id"]).unwrap_or_default().to_string();
            let rtype = str_at(item, &["type"]).unwrap_or_default().to_ascii_lowercase();
            if let Some(s) = sub.clone().or_else(|| subscription_of(&id.to_ascii_lowercase()).map(str::to_string)) {
                if !calls::for_type(&rtype, crate::arm::last_segment(&id)).is_empty() {
                    followups.push((s.clone(), id.clone(), rtype.clone()));
                }
                seen.insert(s);
            }
            run.put(item.clone()).await;
        }
        skip = str_at(&page, &["$skipToken"]).or_else(|| str_at(&page, &["skipToken"])).filter(|t| !t.is_empty()).map(str::to_string);
        if skip.is_none() {
            return Ok(());
        }
    }
}

async fn subscription_call(run: &Run, sub: &str, call: &calls::SubCall) {
    let _permit = run.limit.acquire().await;
    let scope = format!("/subscriptions/{sub}");
    let url = run.url(&format!("{scope}/{}", call.path), call.api);
    let result = match call.how {
        How::Get => match run.request(Request::get(url)).await {
            Ok(v) => Ok(vec![v]),
            Err(f) if f.kind == FailureKind::NotFound => Ok(Vec::new()),
            Err(f) => Err(f),
        },
        _ => run.list(url).await,
    };
    match result {
        Ok(items) => {
            for mut item in items {
                // Assignments inherited from a management group carry no subscription in their id.
                if let Some(o) = item.as_object_mut() {
                    o.entry("subscriptionId").or_insert_with(|| Value::from(sub));
                }
                run.put(item).await;
            }
            run.mark(&scope, &[call.child]).await;
        }
        Err(f) => run.problem(format!("{sub}/{}", call.name), &f, call.listing.then_some(sub)),
    }
}

async fn resource_call(run: &Run, sub: &str, id: &str, name: &str, call: &Call) {
    let _permit = run.limit.acquire().await;
    let url = run.url(&format!("{id}/{}", call.path), call.api);
    let parent = if call.under.is_empty() { id.to_string() } else { format!("{id}/{}", call.under) };
    let result: Result<Vec<Value>, Failure> = match call.how {
        How::Get => match run.request(Request::get(url)).await {
            Ok(v) => Ok(vec![v]),
            Err(f) if f.kind == FailureKind::NotFound => Ok(Vec::new()),
            Err(f) => Err(f),
        },
        How::List => run.list(url).await,
        How::ListThenGet => match run.list(url).await {
            Ok(entries) => {
                let mut full = Vec::new();
                for e in entries {
                    let Some(eid) = str_at(&e, &["id"]) else { continue };
                    match run.request(Request::get(run.url(eid, call.api))).await {
                        Ok(v) => full.push(v),
                        // The list entry still says most of it; the rest stays unknown.
                        Err(_) => full.push(e.clone()),
                    }
                }
                Ok(full)
            }
            Err(f) => Err(f),
        },
        How::AppSettings => run.request(Request::post_json(url, &json!({}))).await.map(|v| vec![names_only(v)]),
    };
    match result {
        Ok(items) => {
            for mut item in items {
                complete(&mut item, id, call);
                run.put(item).await;
            }
            run.mark(&parent, &[call.child]).await;
        }
        Err(f) => run.problem(format!("{sub}/{}:{name}", call.name), &f, None),
    }
}

/// ARM answers for sub-resources sometimes lack `id` or `type`; the import needs both.
fn complete(item: &mut Value, parent: &str, call: &Call) {
    let Some(o) = item.as_object_mut() else { return };
    if !o.get("id").is_some_and(Value::is_string) {
        o.insert("id".into(), Value::from(format!("{parent}/{}", call.path.trim_end_matches("/list"))));
    }
    if !o.get("type").is_some_and(Value::is_string) {
        o.insert("type".into(), Value::from(call.child));
    }
}

/// App settings with their values blanked: only the names say whether Application Insights is
/// connected, and the values are secrets.
fn names_only(mut v: Value) -> Value {
    if let Some(props) = v.get_mut("properties").and_then(Value::as_object_mut) {
        for value in props.values_mut() {
            *value = Value::from("");
        }
    }
    if let Some(o) = v.as_object_mut() {
        o.insert("type".into(), Value::from("Microsoft.Web/sites/config"));
        if let Some(id) = o.get("id").and_then(Value::as_str).map(|s| s.trim_end_matches("/list").to_string()) {
            o.insert("id".into(), Value::from(id));
        }
    }
    v
}
