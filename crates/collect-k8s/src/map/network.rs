//! Services, Ingresses and NetworkPolicies.

use super::json::*;
use super::workload::label_selector;
use super::Obj;
use posture_model::Relation;
use serde_json::Value;

const PROTOCOLS: &[&str] = &["TCP", "UDP", "SCTP"];
const SERVICE_TYPES: &[&str] = &["ClusterIP", "NodePort", "LoadBalancer", "ExternalName"];
const SOURCE_RANGES_ANNOTATION: &str = "service.beta.kubernetes.io/load-balancer-source-ranges";
/// Controller annotations that attach a certificate to the cloud load balancer of an Ingress.
const LB_TLS_ANNOTATIONS: &[&str] = &[
    "alb.ingress.kubernetes.io/certificate-arn",
    "networking.gke.io/managed-certificates",
    "ingress.gcp.kubernetes.io/pre-shared-cert",
];
/// Ingress classes whose TLS is either `spec.tls` or one of the annotations above; for any
/// other class `load_balancer_tls` is unknown.
const KNOWN_INGRESS_CLASSES: &[&str] = &[
    "nginx",
    "alb",
    "gce",
    "gce-internal",
    "traefik",
    "haproxy",
    "contour",
    "kong",
    "cilium",
    "istio",
    "webapprouting.kubernetes.azure.com",
];

pub(crate) fn service(o: &Obj, a: &mut Attrs, _: &mut Vec<Relation>) {
    let spec = o.v.get("spec");
    let svc_type = enum_or(get(spec, "type"), SERVICE_TYPES, "ClusterIP");
    let type_name = svc_type.as_ref().and_then(Value::as_str).map(str::to_string);
    a.put("type", svc_type);
    a.put("cluster_ip", str_or_null(get(spec, "clusterIP")));
    a.put("external_ips", str_list(get(spec, "externalIPs")));
    a.put("external_name", str_or_null(get(spec, "externalName")));
    a.put("ports", list_of(get(spec, "ports"), |p| Some(service_port(p))));
    a.put(
        "selector",
        match get(spec, "selector") {
            v if is_unset(v) => Some(Value::Null),
            v => string_map(v),
        },
    );
    a.put("session_affinity", enum_or_null(get(spec, "sessionAffinity"), &["ClientIP", "None"]));
    a.put("external_traffic_policy", enum_or_null(get(spec, "externalTrafficPolicy"), &["Cluster", "Local"]));
    a.put("load_balancer_class", str_or_null(get(spec, "loadBalancerClass")));
    a.put("load_balancer_source_ranges", source_ranges(o, spec));
    a.put("internal_load_balancer", type_name.and_then(|t| internal_load_balancer(o, spec, &t)));
    a.put("load_balancer_ingress", lb_ingress(o.v));
}

fn service_port(p: &Value) -> Value {
    obj(|a| {
        a.put("name", str_or_null(p.get("name")));
        a.put("protocol", enum_or(p.get("protocol"), PROTOCOLS, "TCP"));
        a.put("port", int_of(p.get("port")).map(Value::from));
        a.put("target_port", int_or_string_or_null(p.get("targetPort")));
        a.put(
            "node_port",
            match p.get("nodePort") {
                v if is_unset(v) || int_of(v) == Some(0) => Some(Value::Null),
                v => int_of(v).map(Value::from),
            },
        );
    })
}

/// `spec.loadBalancerSourceRanges`, else the older annotation the cloud providers still honour.
fn source_ranges(o: &Obj, spec: Option<&Value>) -> Option<Value> {
    let ranges = str_list(get(spec, "loadBalancerSourceRanges"))?;
    if ranges.as_array().is_some_and(|r| !r.is_empty()) {
        return Some(ranges);
    }
    let from_annotation = o.annotation(SOURCE_RANGES_ANNOTATION).unwrap_or_default();
    let list = from_annotation.split(',').map(str::trim).filter(|s| !s.is_empty());
    Some(Value::Array(list.map(|s| Value::String(s.to_string())).collect()))
}

/// Internal (private addresses only) or not, from the provider annotations; each provider's
/// default controller makes a public load balancer, the AWS Load Balancer Controller an internal
/// one. Unknown for load balancer classes we do not know.
fn internal_load_balancer(o: &Obj, spec: Option<&Value>, svc_type: &str) -> Option<Value> {
    if svc_type != "LoadBalancer" {
        return Some(Value::Null);
    }
    let ann = |k: &str| o.annotation(k).map(str::trim);
    let answer = |b: bool| Some(Value::Bool(b));
    if let Some(scheme) = ann("service.beta.kubernetes.io/aws-load-balancer-scheme") {
        return match scheme {
            "internal" => answer(true),
            "internet-facing" => answer(false),
            _ => None,
        };
    }
    if let Some(v) = ann("service.beta.kubernetes.io/aws-load-balancer-internal") {
        return answer(!v.eq_ignore_ascii_case("false"));
    }
    if let Some(v) = ann("networking.gke.io/load-balancer-type").or_else(|| ann("cloud.google.com/load-balancer-type"))
    {
        return answer(v.eq_ignore_ascii_case("internal"));
    }
    if let Some(v) = ann("service.beta.kubernetes.io/azure-load-balancer-internal") {
        return answer(v.eq_ignore_ascii_case("true"));
    }
    let class = str_of(get(spec, "loadBalancerClass"));
    let aws_lbc = class == Some("service.k8s.aws/nlb")
        || matches!(ann("service.beta.kubernetes.io/aws-load-balancer-type"), Some("external" | "nlb-ip"));
    match class {
        _ if aws_lbc => answer(true),
        None => answer(false),
        Some(_) => None,
    }
}

fn lb_ingress(v: &Value) -> Option<Value> {
    let address = |i: &Value| {
        Some(obj(|a| {
            a.put("ip", str_or_null(i.get("ip")));
            a.put("hostname", str_or_null(i.get("hostname")));
        }))
    };
    list_of(path(Some(v), &["status", "loadBalancer", "ingress"]), address)
}

pub(crate) fn ingress(o: &Obj, a: &mut Attrs, rels: &mut Vec<Relation>) {
    let spec = o.v.get("spec");
    let class = str_of(get(spec, "ingressClassName")).or_else(|| o.annotation("kubernetes.io/ingress.class"));
    a.put("ingress_class_name", Some(class.map_or(Value::Null, |c| Value::String(c.to_string()))));
    let tls_entry = |t: &Value| {
        Some(obj(|a| {
            a.put("hosts", str_list(t.get("hosts")));
            a.put("secret_name", str_or_null(t.get("secretName")));
        }))
    };
    a.put("tls", list_of(get(spec, "tls"), tls_entry));
    a.put("load_balancer_tls", load_balancer_tls(o, class));
    a.put("rules", list_of(get(spec, "rules"), |r| Some(ingress_rule(r))));
    let default = get(spec, "defaultBackend").filter(|b| !b.is_null()).or_else(|| get(spec, "backend"));
    a.put(
        "default_backend",
        object_or_null(default, |b| {
            let (service, port) = backend(b);
            Some(obj(|a| {
                a.put("service", service);
                a.put("port", port);
            }))
        }),
    );
    a.put("load_balancer_ingress", lb_ingress(o.v));
    ingress_relations(o, spec, default, rels);
}

fn load_balancer_tls(o: &Obj, class: Option<&str>) -> Option<Value> {
    if LB_TLS_ANNOTATIONS.iter().any(|k| o.annotation(k).is_some_and(|v| !v.trim().is_empty())) {
        return Some(Value::Bool(true));
    }
    match class {
        None => Some(Value::Null),
        Some(c) if KNOWN_INGRESS_CLASSES.contains(&c) => Some(Value::Null),
        Some(_) => None,
    }
}

fn ingress_rule(r: &Value) -> Value {
    let path_entry = |p: &Value| {
        let (service, port) = p.get("backend").map(backend).unwrap_or((Some(Value::Null), Some(Value::Null)));
        Some(obj(|a| {
            a.put("path", str_or_null(p.get("path")));
            a.put(
                "path_type",
                enum_or(p.get("pathType"), &["Exact", "Prefix", "ImplementationSpecific"], "ImplementationSpecific"),
            );
            a.put("backend_service", service);
            a.put("backend_port", port);
        }))
    };
    obj(|a| {
        a.put("host", str_or_null(r.get("host")));
        a.put("paths", list_of(path(Some(r), &["http", "paths"]), path_entry));
    })
}

/// (service name, port) of a backend, in the v1 shape or the older `serviceName`/`servicePort`.
fn backend(b: &Value) -> (Option<Value>, Option<Value>) {
    if let Some(svc) = b.get("service").filter(|s| s.is_object()) {
        let port = get(Some(svc), "port");
        let port = match (get(port, "number"), get(port, "name")) {
            (n, _) if !is_unset(n) => int_or_string_or_null(n),
            (_, name) => str_or_null(name),
        };
        return (str_or_null(svc.get("name")), port);
    }
    (str_or_null(b.get("serviceName")), int_or_string_or_null(b.get("servicePort")))
}

fn ingress_relations(o: &Obj, spec: Option<&Value>, default: Option<&Value>, rels: &mut Vec<Relation>) {
    let rules = get(spec, "rules").and_then(Value::as_array).map(Vec::as_slice).unwrap_or_default();
    let paths = rules.iter().filter_map(|r| path(Some(r), &["http", "paths"]).and_then(Value::as_array)).flatten();
    let backends = paths.filter_map(|p| p.get("backend")).chain(default);
    for b in backends {
        if let (Some(Value::String(svc)), _) = backend(b) {
            if !svc.is_empty() && !svc.contains('/') {
                rels.push(o.relation("routes_to", o.uid(o.namespace, "Service", &svc)));
            }
        }
    }
    let tls = get(spec, "tls").and_then(Value::as_array).map(Vec::as_slice).unwrap_or_default();
    for secret in tls.iter().filter_map(|t| str_of(t.get("secretName"))) {
        if !secret.is_empty() && !secret.contains('/') {
            rels.push(o.relation("uses_secret", o.uid(o.namespace, "Secret", secret)));
        }
    }
}

pub(crate) fn network_policy(o: &Obj, a: &mut Attrs, _: &mut Vec<Relation>) {
    let spec = o.v.get("spec");
    let selector = match get(spec, "podSelector") {
        None | Some(Value::Null) => label_selector(&Value::Null),
        Some(s) if s.is_object() => label_selector(s),
        Some(_) => None,
    };
    let all = selector.as_ref().map(|s| {
        let empty = |k: &str| {
            s.get(k).is_some_and(|v| {
                v.as_object().is_some_and(|m| m.is_empty()) || v.as_array().is_some_and(|l| l.is_empty())
            })
        };
        Value::Bool(empty("match_labels") && empty("match_expressions"))
    });
    a.put("pod_selector", selector);
    a.put("selects_all_pods", all);
    a.put("policy_types", policy_types(spec));
    a.put("ingress", list_of(get(spec, "ingress"), |r| Some(policy_rule(r, "from"))));
    a.put("egress", list_of(get(spec, "egress"), |r| Some(policy_rule(r, "to"))));
}

/// `spec.policyTypes`, or the API server's default: Ingress, plus Egress when egress rules exist.
fn policy_types(spec: Option<&Value>) -> Option<Value> {
    let given = get(spec, "policyTypes");
    if !is_unset(given) {
        let list = str_list(given)?;
        let valid = list.as_array().is_some_and(|l| l.iter().all(|t| matches!(t.as_str(), Some("Ingress" | "Egress"))));
        return valid.then_some(list);
    }
    let has_egress = get(spec, "egress").and_then(Value::as_array).is_some_and(|e| !e.is_empty());
    let mut types = vec![Value::String("Ingress".into())];
    if has_egress {
        types.push(Value::String("Egress".into()));
    }
    Some(Value::Array(types))
}

fn policy_rule(r: &Value, peers: &str) -> Value {
    let peer = |p: &Value| {
        Some(obj(|a| {
            a.put("pod_selector", object_or_null(p.get("podSelector"), label_selector));
            a.put("namespace_selector", object_or_null(p.get("namespaceSelector"), label_selector));
            a.put(
                "ip_block",
                object_or_null(p.get("ipBlock"), |b| {
                    Some(obj(|a| {
                        a.put("cidr", str_of(b.get("cidr")).map(|c| Value::String(c.to_string())));
                        a.put("except", str_list(b.get("except")));
                    }))
                }),
            );
        }))
    };
    let port = |p: &Value| {
        Some(obj(|a| {
            a.put("protocol", enum_or(p.get("protocol"), PROTOCOLS, "TCP"));
            a.put("port", int_or_string_or_null(p.get("port")));
            a.put("end_port", int_or_null(p.get("endPort")));
        }))
    };
    obj(|a| {
        a.put(peers, list_of(r.get(peers), peer));
        a.put("ports", list_of(r.get("ports"), port));
    })
}
