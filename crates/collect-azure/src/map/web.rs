//! App Service web and function apps, with their site configuration, authentication settings,
//! publishing credential policies and app setting names folded in.

use super::common::{diagnostic_settings, identity};
use super::Ctx;
use crate::arm::{last_segment, parent_of, ref_id, relate, Item};
use crate::index::Index;
use posture_collect_cloud::json::{as_bool, at, bool_at, enum_at, get, one_of, str_at, strings_at, Attrs};
use posture_model::Resource;
use serde_json::{json, Value};

const CONFIG: &str = "microsoft.web/sites/config";
const PUBLISHING: &str = "microsoft.web/sites/basicpublishingcredentialspolicies";
const TLS: &[&str] = &["1.0", "1.1", "1.2", "1.3"];

pub fn observe(item: &Item, index: &mut Index) -> bool {
    let p = item.props().unwrap_or(&Value::Null);
    let (ctype, fragment) = match item.rtype.as_str() {
        CONFIG => match last_segment(&item.uid) {
            "web" => ("config/web", site_config(p)),
            "authsettingsv2" => ("config/auth", json!({"enabled": bool_at(p, &["platform", "enabled"])})),
            "authsettings" => ("config/auth", json!({"enabled": bool_at(p, &["enabled"])})),
            // Only the names are kept: app setting values are secrets.
            "appsettings" => {
                let names: Vec<&String> = p.as_object().map(|o| o.keys().collect()).unwrap_or_default();
                ("config/appsettings", json!({"names": names}))
            }
            _ => return true,
        },
        PUBLISHING => ("publishing", json!({"policy": last_segment(&item.uid), "allow": bool_at(p, &["allow"])})),
        _ => return false,
    };
    if let Some(site) = parent_of(&item.uid) {
        index.add_child(&site, ctype, fragment);
    }
    true
}

fn site_config(c: &Value) -> Value {
    let mut a = Attrs::new();
    a.put("min_tls_version", str_at(c, &["minTlsVersion"]).and_then(|s| one_of(s, TLS)));
    if get(c, "scmMinTlsVersion").is_some() {
        a.set("scm_min_tls_version", str_at(c, &["scmMinTlsVersion"]).and_then(|s| one_of(s, TLS)).map(Value::from).unwrap_or(Value::Null));
    }
    a.put("ftps_state", enum_at(c, &["ftpsState"], &["AllAllowed", "FtpsOnly", "Disabled"]));
    a.put("remote_debugging_enabled", bool_at(c, &["remoteDebuggingEnabled"]));
    if let Some(enabled) = bool_at(c, &["remoteDebuggingEnabled"]) {
        let version = str_at(c, &["remoteDebuggingVersion"]).filter(|_| enabled).map(Value::from).unwrap_or(Value::Null);
        a.set("remote_debugging_version", version);
    }
    a.put("http20_enabled", bool_at(c, &["http20Enabled"]));
    if get(c, "linuxFxVersion").is_some() {
        a.set("linux_fx_version", str_at(c, &["linuxFxVersion"]).filter(|s| !s.is_empty()).map(Value::from).unwrap_or(Value::Null));
    }
    a.put("always_on", bool_at(c, &["alwaysOn"]));
    if get(c, "ipSecurityRestrictionsDefaultAction").is_some() || get(c, "ipSecurityRestrictions").is_some() {
        let action = enum_at(c, &["ipSecurityRestrictionsDefaultAction"], &["Allow", "Deny"]).map(Value::from).unwrap_or(Value::Null);
        a.set("ip_security_restrictions_default_action", action);
    }
    if let Some(cors) = get(c, "cors") {
        a.set("cors_allowed_origins", if cors.is_object() { strings_at(cors, &["allowedOrigins"]) } else { Vec::new() });
    }
    a.into_value()
}

pub fn site(item: &Item, ctx: &Ctx) -> Vec<Resource> {
    let mut r = item.base("azure.web.site", ctx.origin);
    let Some(p) = item.props() else { return vec![r] };
    let ix: &Index = ctx.index;
    let uid = item.uid.as_str();
    let mut a = Attrs::new();
    a.put("site_kind", str_at(item.v, &["kind"]));
    a.put("state", str_at(p, &["state"]));
    a.put("https_only", bool_at(p, &["httpsOnly"]));
    a.put("client_cert_enabled", bool_at(p, &["clientCertEnabled"]));
    if get(p, "clientCertMode").is_some() || get(p, "clientCertEnabled").is_some() {
        let mode = enum_at(p, &["clientCertMode"], &["Required", "Optional", "OptionalInteractiveUser"]);
        a.set("client_cert_mode", mode.map(Value::from).unwrap_or(Value::Null));
    }
    let pna = str_at(p, &["publicNetworkAccess"]).filter(|s| !s.is_empty());
    a.set("public_network_access", pna.and_then(|s| one_of(s, &["Enabled", "Disabled"])).map(Value::from).unwrap_or(Value::Null));
    a.put("identity", identity(item.v));
    if let Some(found) = ix.child(uid, "config/auth") {
        a.set("auth_enabled", found.and_then(|f| get(f, "enabled")).and_then(as_bool).map(Value::Bool).unwrap_or(Value::Null));
    }
    let subnet = ref_id(get(p, "virtualNetworkSubnetId"));
    if let Some(s) = &subnet {
        relate(&mut r, "in_subnet", s);
    }
    a.set("virtual_network_subnet_id", subnet.map(Value::from).unwrap_or(Value::Null));
    let config = match ix.child(uid, "config/web") {
        Some(Some(c)) => Some(c.clone()),
        // Resource Graph carries a `siteConfig` whose unread members are null.
        _ => get(p, "siteConfig").filter(|c| c.is_object()).map(site_config).filter(|c| c.as_object().is_some_and(|o| !o.is_empty())),
    };
    a.put("site_config", config);
    a.put("diagnostic_settings", diagnostic_settings(ctx, uid));
    if let Some(policies) = ix.children(uid, "publishing").filter(|l| !l.is_empty()) {
        let mut x = Attrs::new();
        for pol in policies {
            let key = match str_at(pol, &["policy"]) {
                Some("ftp") => "ftp_allowed",
                Some("scm") => "scm_allowed",
                _ => continue,
            };
            x.put(key, at(pol, &["allow"]).and_then(as_bool));
        }
        a.set("basic_publishing_credentials", x.into_value());
    }
    if let Some(Some(settings)) = ix.child(uid, "config/appsettings") {
        let names = strings_at(settings, &["names"]);
        let configured = names.iter().any(|n| n == "APPLICATIONINSIGHTS_CONNECTION_STRING" || n == "APPINSIGHTS_INSTRUMENTATIONKEY");
        a.set("application_insights_configured", configured);
    }
    r.attrs = a.into_map();
    vec![r]
}
