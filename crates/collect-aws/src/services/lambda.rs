//! Lambda: functions with their runtime, role, network, URL and environment variable names
//! (never values).

use super::{arn, relate, resource};
use crate::error::Failure;
use crate::out::{Out, Scope};
use aws_config::SdkConfig;
use aws_sdk_lambda::Client;
use serde_json::{json, Value};

pub async fn collect(config: &SdkConfig, scope: &Scope, out: &Out) {
    let lambda = Client::new(config);
    let mut pages = lambda.list_functions().into_paginator().send();
    while let Some(page) = pages.next().await {
        let page = match page {
            Ok(p) => p,
            Err(e) => return out.list_failed(scope, "ListFunctions", &Failure::from_sdk(&e)),
        };
        for f in page.functions() {
            let name = f.function_name().unwrap_or_default();
            let uid = f.function_arn().map_or_else(|| arn(scope, "lambda", &format!("function:{name}")), str::to_string);
            let mut r = resource(scope, uid, "aws.lambda.function", name);
            let mut env: Vec<&String> = f.environment().and_then(|e| e.variables()).map(|v| v.keys().collect()).unwrap_or_default();
            env.sort();
            let vpc = f.vpc_config().filter(|v| v.vpc_id().is_some_and(|id| !id.is_empty()));
            r.attrs = json!({
                "runtime": f.runtime().map(|r| r.as_str()),
                "package_type": f.package_type().map_or("Zip", |p| p.as_str()),
                "handler": f.handler(),
                "role_arn": f.role().unwrap_or_default(),
                "memory_size": f.memory_size().unwrap_or(128),
                "timeout": f.timeout().unwrap_or(3),
                "architectures": f.architectures().iter().map(|a| a.as_str()).collect::<Vec<_>>(),
                "last_modified": f.last_modified().unwrap_or_default(),
                "environment_variable_names": env,
                "kms_key_arn": f.kms_key_arn(),
                "vpc_config": vpc.map_or(Value::Null, |v| json!({
                    "vpc_id": v.vpc_id(),
                    "subnet_ids": v.subnet_ids(),
                    "security_group_ids": v.security_group_ids(),
                })),
                "tracing_mode": f.tracing_config().and_then(|t| t.mode()).map_or("PassThrough", |m| m.as_str()),
            })
            .as_object()
            .cloned()
            .unwrap_or_default();
            match lambda.get_function_url_config().function_name(name).send().await {
                Ok(u) => {
                    let origins = u.cors().map(|c| c.allow_origins().to_vec()).unwrap_or_default();
                    r.attrs.insert("function_url".into(), json!({"url": u.function_url(), "auth_type": u.auth_type().as_str(), "cors_allow_origins": origins}));
                }
                Err(e) => {
                    let f = Failure::from_sdk(&e);
                    if f.is_absent_setting(&["ResourceNotFoundException"]) {
                        r.attrs.insert("function_url".into(), Value::Null);
                    } else {
                        out.attr_failed(scope, &format!("GetFunctionUrlConfig({name})"), &f);
                    }
                }
            }
            match lambda.get_function_concurrency().function_name(name).send().await {
                Ok(c) => {
                    r.attrs.insert("reserved_concurrent_executions".into(), json!(c.reserved_concurrent_executions()));
                }
                Err(e) => out.attr_failed(scope, &format!("GetFunctionConcurrency({name})"), &Failure::from_sdk(&e)),
            }
            r.attrs.insert("dead_letter_target_arn".into(), json!(f.dead_letter_config().and_then(|d| d.target_arn())));
            extras(&lambda, scope, out, name, &mut r).await;
            if let Some(role) = f.role() {
                relate(&mut r, "assumes_role", role);
            }
            if let Some(v) = vpc {
                for g in v.security_group_ids() {
                    relate(&mut r, "has_security_group", arn(scope, "ec2", &format!("security-group/{g}")));
                }
                if let Some(id) = v.vpc_id() {
                    relate(&mut r, "in_vpc", arn(scope, "ec2", &format!("vpc/{id}")));
                }
            }
            if let Some(k) = f.kms_key_arn() {
                relate(&mut r, "encrypted_with", k);
            }
            out.emit(r).await;
        }
    }
}

/// The on-failure destination, code signing and resource policy of a function; each "none"
/// answer is a known null, each failure leaves its attribute unknown.
async fn extras(lambda: &Client, scope: &Scope, out: &Out, name: &str, r: &mut posture_model::Resource) {
    let absent = |f: &Failure| f.is_absent_setting(&["ResourceNotFoundException"]);
    match lambda.get_function_event_invoke_config().function_name(name).send().await {
        Ok(c) => {
            let dest = c.destination_config().and_then(|d| d.on_failure()).and_then(|o| o.destination());
            r.attrs.insert("on_failure_destination_arn".into(), json!(dest));
        }
        Err(e) => match Failure::from_sdk(&e) {
            f if absent(&f) => {
                r.attrs.insert("on_failure_destination_arn".into(), Value::Null);
            }
            f => out.attr_failed(scope, &format!("GetFunctionEventInvokeConfig({name})"), &f),
        },
    }
    match lambda.get_function_code_signing_config().function_name(name).send().await {
        Ok(c) => {
            let arn = Some(c.code_signing_config_arn()).filter(|a| !a.is_empty());
            r.attrs.insert("code_signing_config_arn".into(), json!(arn));
        }
        Err(e) => out.attr_failed(scope, &format!("GetFunctionCodeSigningConfig({name})"), &Failure::from_sdk(&e)),
    }
    match lambda.get_policy().function_name(name).send().await {
        Ok(p) => {
            let mut problems = Vec::new();
            super::set(r, "policy", super::policy_value(p.policy(), &mut problems));
            super::record(out, scope, &format!("GetPolicy({name})"), problems);
        }
        Err(e) => match Failure::from_sdk(&e) {
            f if absent(&f) => {
                r.attrs.insert("policy".into(), Value::Null);
            }
            f => out.attr_failed(scope, &format!("GetPolicy({name})"), &f),
        },
    }
}
