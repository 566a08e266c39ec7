//! The SAM transform (`Transform: AWS::Serverless-2016-10-31`) as CloudFormation would expand
//! it, for what Posture maps: `AWS::Serverless::Function` becomes an `AWS::Lambda::Function`
//! (with `Globals.Function` merged in, `Tracing` and `DeadLetterQueue` in Lambda's shape) and,
//! when it names no `Role`, the execution role SAM creates (`<Id>Role`, trusted by Lambda, with
//! the function's `Policies`: managed policy names, inline statements, policy templates by
//! name); `AWS::Serverless::Api` becomes the `AWS::ApiGateway::Stage` it deploys (with
//! `Globals.Api`), `AWS::Serverless::HttpApi` the `AWS::ApiGatewayV2::Stage` (`$default`,
//! auto-deployed); `AWS::Serverless::SimpleTable` becomes an `AWS::DynamoDB::Table`. Expanded
//! nodes keep the lines of the SAM properties they came from.

use crate::yaml::{YNode, YVal};

const SAM: &str = "AWS::Serverless-2016-10-31";

/// Whether the template declares the SAM transform.
pub fn is_sam(doc: &YNode) -> bool {
    match doc.get("Transform") {
        Some(t) => t.as_str() == Some(SAM) || t.items().iter().any(|i| i.as_str() == Some(SAM)),
        None => false,
    }
}

/// The template's `Resources` with SAM resources expanded.
pub fn expand(doc: &YNode) -> Vec<(String, YNode)> {
    let globals = doc.get("Globals").and_then(|g| g.get("Function"));
    let api_globals = doc.get("Globals").and_then(|g| g.get("Api"));
    let http_globals = doc.get("Globals").and_then(|g| g.get("HttpApi"));
    let mut out = Vec::new();
    for (id, node) in doc.get("Resources").map(YNode::entries).unwrap_or_default() {
        match node.get("Type").and_then(YNode::as_str) {
            Some("AWS::Serverless::Function") => function(id, node, globals, &mut out),
            Some("AWS::Serverless::SimpleTable") => out.push((id.clone(), simple_table(node))),
            Some("AWS::Serverless::Api") => out.push((id.clone(), api(node, api_globals))),
            Some("AWS::Serverless::HttpApi") => out.push((id.clone(), http_api(node, http_globals))),
            _ => out.push((id.clone(), node.clone())),
        }
    }
    out
}

fn at(line: u32, value: YVal) -> YNode {
    YNode { line, key_line: line, tag: None, value }
}

fn text(line: u32, s: &str) -> YNode {
    at(line, YVal::Str(s.to_string()))
}

/// A copy of resource `node` with another type and properties.
fn retyped(node: &YNode, t: &str, props: Vec<(String, YNode)>) -> YNode {
    let line = node.key_line;
    let mut entries: Vec<(String, YNode)> = node.entries().iter().filter(|(k, _)| k != "Type" && k != "Properties").cloned().collect();
    entries.push(("Type".into(), text(line, t)));
    entries.push(("Properties".into(), at(node.get("Properties").map_or(line, |p| p.key_line), YVal::Map(props))));
    YNode { line: node.line, key_line: line, tag: None, value: YVal::Map(entries) }
}

/// Globals under the function's own properties (maps such as `Environment` merge key by key).
fn with_globals(props: &YNode, globals: Option<&YNode>, depth: usize) -> Vec<(String, YNode)> {
    let mut out: Vec<(String, YNode)> = props.entries().to_vec();
    for (k, g) in globals.map(YNode::entries).unwrap_or_default() {
        match out.iter_mut().find(|(ok, _)| ok == k) {
            None => out.push((k.clone(), g.clone())),
            Some((_, mine)) if depth < 8 && matches!(mine.value, YVal::Map(_)) && matches!(g.value, YVal::Map(_)) && mine.tag.is_none() => {
                let merged = with_globals(mine, Some(g), depth + 1);
                mine.value = YVal::Map(merged);
            }
            Some(_) => {}
        }
    }
    out
}

fn function(id: &str, node: &YNode, globals: Option<&YNode>, out: &mut Vec<(String, YNode)>) {
    let line = node.key_line;
    let empty = at(line, YVal::Map(Vec::new()));
    let props = with_globals(node.get("Properties").unwrap_or(&empty), globals, 0);
    let mut lambda: Vec<(String, YNode)> = Vec::new();
    let mut policies: Option<YNode> = None;
    for (k, v) in props {
        match k.as_str() {
            "Tracing" => lambda.push(("TracingConfig".into(), at(v.key_line, YVal::Map(vec![("Mode".into(), v.clone())])))),
            "DeadLetterQueue" => {
                let target = v.get("TargetArn").cloned().unwrap_or_else(|| at(v.key_line, YVal::Null));
                lambda.push(("DeadLetterConfig".into(), at(v.key_line, YVal::Map(vec![("TargetArn".into(), target)]))));
            }
            "Policies" => policies = Some(v),
            "Events" | "AutoPublishAlias" | "DeploymentPreference" | "CodeUri" | "InlineCode" | "ProvisionedConcurrencyConfig" => {}
            _ => lambda.push((k, v)),
        }
    }
    if !lambda.iter().any(|(k, _)| k == "Role") {
        let role = format!("{id}Role");
        lambda.push(("Role".into(), YNode { line, key_line: line, tag: Some("GetAtt".into()), value: YVal::Str(format!("{role}.Arn")) }));
        out.push((role, execution_role(node, policies.as_ref(), id)));
    }
    out.push((id.to_string(), retyped(node, "AWS::Lambda::Function", lambda)));
}

/// The role SAM creates for a function without `Role`.
fn execution_role(node: &YNode, policies: Option<&YNode>, id: &str) -> YNode {
    let line = node.key_line;
    let m = |entries: Vec<(&str, YNode)>| at(line, YVal::Map(entries.into_iter().map(|(k, v)| (k.to_string(), v)).collect()));
    let statement = m(vec![
        ("Effect", text(line, "Allow")),
        ("Principal", m(vec![("Service", text(line, "lambda.amazonaws.com"))])),
        ("Action", text(line, "sts:AssumeRole")),
    ]);
    let trust = m(vec![("Version", text(line, "2012-10-17")), ("Statement", at(line, YVal::Seq(vec![statement])))]);
    let mut managed = vec![text(line, "arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole")];
    let mut inline = Vec::new();
    let items: Vec<YNode> = match policies {
        Some(p) if matches!(p.value, YVal::Seq(_)) => p.items().to_vec(),
        Some(p) => vec![p.clone()],
        None => Vec::new(),
    };
    for (i, p) in items.iter().enumerate() {
        match (&p.value, p.get("Statement")) {
            (YVal::Str(name), _) if p.tag.is_none() => {
                let arn = if name.starts_with("arn:") { name.clone() } else { format!("arn:aws:iam::aws:policy/{name}") };
                managed.push(text(p.line, &arn));
            }
            (_, Some(_)) => inline.push(m(vec![("PolicyName", text(p.line, &format!("{id}RolePolicy{i}"))), ("PolicyDocument", p.clone())])),
            // A policy template (`SQSPollerPolicy: {…}`) or an intrinsic: the name only.
            _ => {
                let name = p.entries().first().map_or(format!("{id}RolePolicy{i}"), |(k, _)| format!("{id}Role{k}"));
                inline.push(at(p.line, YVal::Map(vec![("PolicyName".into(), text(p.line, &name))])));
            }
        }
    }
    let mut props = vec![("AssumeRolePolicyDocument", trust), ("ManagedPolicyArns", at(line, YVal::Seq(managed)))];
    if !inline.is_empty() {
        props.push(("Policies", at(line, YVal::Seq(inline))));
    }
    retyped(node, "AWS::IAM::Role", props.into_iter().map(|(k, v)| (k.to_string(), v)).collect())
}

/// A SAM REST API as the stage SAM deploys it (its settings are the stage's); `Name` is the
/// REST API's name and `EndpointConfiguration` (default `EDGE`) its endpoint types.
fn api(node: &YNode, globals: Option<&YNode>) -> YNode {
    let line = node.key_line;
    let empty = at(line, YVal::Map(Vec::new()));
    let props = with_globals(node.get("Properties").unwrap_or(&empty), globals, 0);
    let mut stage: Vec<(String, YNode)> = Vec::new();
    for (k, v) in props {
        match k.as_str() {
            "StageName" | "TracingEnabled" | "AccessLogSetting" | "MethodSettings" | "CacheClusterEnabled" | "EndpointConfiguration" => stage.push((k, v)),
            "Name" => stage.push(("RestApiName".into(), v)),
            _ => {}
        }
    }
    if !stage.iter().any(|(k, _)| k == "EndpointConfiguration") {
        stage.push(("EndpointConfiguration".into(), text(line, "EDGE")));
    }
    retyped(node, "AWS::ApiGateway::Stage", stage)
}

/// A SAM HTTP API as the stage SAM deploys (`$default` unless `StageName`, auto-deployed).
fn http_api(node: &YNode, globals: Option<&YNode>) -> YNode {
    let line = node.key_line;
    let empty = at(line, YVal::Map(Vec::new()));
    let props = with_globals(node.get("Properties").unwrap_or(&empty), globals, 0);
    let mut stage: Vec<(String, YNode)> =
        props.into_iter().filter(|(k, _)| matches!(k.as_str(), "StageName" | "AccessLogSettings" | "DefaultRouteSettings")).collect();
    if !stage.iter().any(|(k, _)| k == "StageName") {
        stage.push(("StageName".into(), text(line, "$default")));
    }
    stage.push(("ProtocolType".into(), text(line, "HTTP")));
    stage.push(("AutoDeploy".into(), at(line, YVal::Bool(true))));
    retyped(node, "AWS::ApiGatewayV2::Stage", stage)
}

fn simple_table(node: &YNode) -> YNode {
    let line = node.key_line;
    let mut props: Vec<(String, YNode)> = Vec::new();
    let given = node.get("Properties");
    for k in ["TableName", "SSESpecification", "ProvisionedThroughput", "Tags"] {
        if let Some(v) = given.and_then(|p| p.get(k)) {
            props.push((k.to_string(), v.clone()));
        }
    }
    let provisioned = given.and_then(|p| p.get("ProvisionedThroughput")).is_some();
    props.push(("BillingMode".into(), text(line, if provisioned { "PROVISIONED" } else { "PAY_PER_REQUEST" })));
    retyped(node, "AWS::DynamoDB::Table", props)
}
