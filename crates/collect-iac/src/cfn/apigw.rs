//! `AWS::ApiGateway::Stage` (and SAM's `AWS::Serverless::Api`, expanded into one) → kind
//! `aws.apigateway.stage`, with API Gateway's defaults for a new stage: no tracing, no cache,
//! no access logs, no client certificate, method settings off. The web ACL is associated by a
//! separate resource, so it stays unknown; the endpoint types are the REST API's, known only
//! for a SAM API (its `EndpointConfiguration`, `EDGE` by default, is passed along).

use crate::hcl::value::V;
use crate::terraform::eval::EBlock;
use crate::terraform::map::{jv, push, Build, Conv};
use serde_json::{json, Value};

pub fn stage(b: &EBlock) -> Build {
    let mut o = Build::new("aws.apigateway.stage");
    o.name = b.value("StageName").and_then(V::to_text);
    o.field("stage_name", b, "StageName", Conv::Str, None);
    o.field("rest_api_name", b, "RestApiName", Conv::Str, None);
    o.field("tracing_enabled", b, "TracingEnabled", Conv::Bool, Some(json!(false)));
    o.field("cache_cluster_enabled", b, "CacheClusterEnabled", Conv::Bool, Some(json!(false)));
    o.field("client_certificate_id", b, "ClientCertificateId", Conv::Presence, Some(Value::Null));
    match (b.block("AccessLogSetting"), b.attr("AccessLogSetting")) {
        (Some(a), _) => match jv(a, "DestinationArn", Conv::Presence) {
            Some(arn) => o.put("access_log_settings", json!({"destination_arn": arn, "format": jv(a, "Format", Conv::Str).unwrap_or(Value::Null)}), Some(a.line)),
            None if a.attr("DestinationArn").is_none() => o.put("access_log_settings", Value::Null, Some(a.line)),
            None => {}
        },
        (None, Some(_)) => {}
        (None, None) => o.put("access_log_settings", Value::Null, None),
    }
    method_settings(&mut o, b);
    endpoint_types(&mut o, b);
    o
}

/// `MethodSettings` in the API's shape (`*/*` for the stage defaults); an item with an unknown
/// setting makes the list unknown.
fn method_settings(o: &mut Build, b: &EBlock) {
    o.put("method_settings", json!([]), None);
    for m in b.blocks("MethodSettings") {
        let path = match (jv(m, "ResourcePath", Conv::Str), jv(m, "HttpMethod", Conv::Str)) {
            (Some(Value::String(p)), Some(Value::String(h))) => Some(format!("{}/{h}", if p == "/*" { "*".to_string() } else { p.replace('/', "~1") })),
            (None, None) if m.attr("ResourcePath").is_none() && m.attr("HttpMethod").is_none() => Some("*/*".to_string()),
            _ => None,
        };
        let flag = |k: &str| if m.attr(k).is_some() { jv(m, k, Conv::Bool) } else { Some(json!(false)) };
        let item = (|| {
            Some(json!({
                "method_path": path?,
                "logging_level": if m.attr("LoggingLevel").is_some() { jv(m, "LoggingLevel", Conv::Str)? } else { json!("OFF") },
                "data_trace_enabled": flag("DataTraceEnabled")?,
                "metrics_enabled": flag("MetricsEnabled")?,
                "caching_enabled": flag("CachingEnabled")?,
                "cache_data_encrypted": flag("CacheDataEncrypted")?,
            }))
        })();
        match item {
            Some(i) => push(o, "method_settings", i, m.line),
            None => {
                o.attrs.remove("method_settings");
                return;
            }
        }
    }
}

fn endpoint_types(o: &mut Build, b: &EBlock) {
    let given = b.block("EndpointConfiguration").map(|e| (e.value("Types").or(e.value("Type")), e.line)).or_else(|| b.attr("EndpointConfiguration").map(|(v, l)| (Some(v), *l)));
    if let Some((Some(v), line)) = given {
        if let Some(t) = crate::terraform::map::convert(v, Conv::Strs) {
            o.put("endpoint_types", t, Some(line));
        }
    }
}

/// `AWS::ApiGatewayV2::Stage` (and SAM's `AWS::Serverless::HttpApi`) → `aws.apigatewayv2.stage`:
/// no access logs and no auto-deploy unless set; the protocol is the API's, known for a SAM
/// HTTP API (`ProtocolType` passed along).
pub fn stage_v2(b: &EBlock) -> Build {
    let mut o = Build::new("aws.apigatewayv2.stage");
    o.name = b.value("StageName").and_then(V::to_text);
    o.field("stage_name", b, "StageName", Conv::Str, None);
    o.field("protocol_type", b, "ProtocolType", Conv::Str, None);
    o.field("auto_deploy", b, "AutoDeploy", Conv::Bool, Some(json!(false)));
    match (b.block("AccessLogSettings"), b.attr("AccessLogSettings")) {
        (Some(a), _) => match jv(a, "DestinationArn", Conv::Presence) {
            Some(arn) => o.put("access_log_settings", json!({"destination_arn": arn, "format": jv(a, "Format", Conv::Str).unwrap_or(Value::Null)}), Some(a.line)),
            None if a.attr("DestinationArn").is_none() => o.put("access_log_settings", Value::Null, Some(a.line)),
            None => {}
        },
        (None, Some(_)) => {}
        (None, None) => o.put("access_log_settings", Value::Null, None),
    }
    if let Some(r) = b.block("DefaultRouteSettings") {
        let opt = |k: &str, conv: Conv| if r.attr(k).is_some() { jv(r, k, conv) } else { Some(Value::Null) };
        let settings = (|| {
            Some(json!({
                "logging_level": opt("LoggingLevel", Conv::Str)?,
                "data_trace_enabled": opt("DataTraceEnabled", Conv::Bool)?,
                "detailed_metrics_enabled": opt("DetailedMetricsEnabled", Conv::Bool)?,
            }))
        })();
        if let Some(s) = settings {
            o.put("default_route_settings", s, Some(r.line));
        }
    }
    o
}
