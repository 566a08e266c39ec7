//! Folders and the organization: the resource hierarchy above projects, with the IAM policies that
//! every project below inherits. They belong to no project: their account is the organization
//! (`organizations/N`) when the export names it, else their own name (`folders/N`).

use super::project::parent_of;
use super::{iam_members, Ctx};
use crate::asset::{last_segment, Asset};
use posture_collect_cloud::json::{one_of, str_at, Attrs};
use posture_model::Resource;
use serde_json::Value;

pub const FOLDER: &str = "cloudresourcemanager.googleapis.com/Folder";
pub const ORGANIZATION: &str = "cloudresourcemanager.googleapis.com/Organization";

/// `folders/N` or `organizations/N` from the full name
/// `//cloudresourcemanager.googleapis.com/folders/N`.
fn own_scope(a: &Asset) -> Option<String> {
    let rest = a.name.strip_prefix("//cloudresourcemanager.googleapis.com/")?;
    let mut parts = rest.split('/');
    match (parts.next(), parts.next(), parts.next()) {
        (Some(kind @ ("folders" | "organizations")), Some(id), None) if !id.is_empty() => Some(format!("{kind}/{id}")),
        _ => None,
    }
}

/// The organization above (or at) this node, else the node itself.
fn account_of(a: &Asset, own: &str, parent: Option<&str>) -> String {
    a.ancestors
        .iter()
        .map(String::as_str)
        .chain(parent)
        .find(|s| s.starts_with("organizations/"))
        .unwrap_or(own)
        .to_string()
}

fn envelope(a: &Asset, kind: &str, ctx: &Ctx, own: &str, parent: Option<&str>) -> Resource {
    let mut r = Resource::new(a.name.clone(), kind);
    r.account = account_of(a, own, parent);
    r.region = Some("global".into());
    r.name = a
        .data
        .and_then(|d| str_at(d, &["displayName"]))
        .filter(|n| !n.is_empty())
        .map(str::to_string)
        .unwrap_or_else(|| own.to_string());
    r.origin = Some(ctx.origin.clone());
    r
}

fn lifecycle(d: &Value) -> Option<&'static str> {
    str_at(d, &["lifecycleState"]).or_else(|| str_at(d, &["state"])).and_then(|s| one_of(s, &["ACTIVE", "DELETE_REQUESTED"]))
}

fn put_iam(a: &Asset, ctx: &Ctx, x: &mut Attrs) {
    if let Some(members) = iam_members(a, ctx) {
        x.set("iam_principals", super::project::principals(&members));
        x.set("iam_members", members);
    }
}

pub fn folder(a: &Asset, ctx: &Ctx) -> Option<Resource> {
    let own = own_scope(a)?;
    // The parent from the content, else the next ancestor (a line with only the IAM policy).
    let parent = a.data.and_then(parent_of).or_else(|| a.ancestors.get(1).cloned());
    let mut r = envelope(a, "gcp.resourcemanager.folder", ctx, &own, parent.as_deref());
    let mut x = Attrs::new();
    x.set("folder_id", last_segment(&own));
    if let Some(d) = a.data {
        x.put("display_name", str_at(d, &["displayName"]));
        x.put("lifecycle_state", lifecycle(d));
    }
    x.put("parent", parent);
    put_iam(a, ctx, &mut x);
    r.attrs = x.into_map();
    Some(r)
}

pub fn organization(a: &Asset, ctx: &Ctx) -> Option<Resource> {
    let own = own_scope(a)?;
    let mut r = envelope(a, "gcp.resourcemanager.organization", ctx, &own, None);
    let mut x = Attrs::new();
    x.set("organization_id", last_segment(&own));
    if let Some(d) = a.data {
        x.put("display_name", str_at(d, &["displayName"]));
        x.put("lifecycle_state", lifecycle(d));
        x.put(
            "directory_customer_id",
            str_at(d, &["owner", "directoryCustomerId"]).or_else(|| str_at(d, &["directoryCustomerId"])),
        );
    }
    put_iam(a, ctx, &mut x);
    r.attrs = x.into_map();
    Some(r)
}

/// Whether a kind is above projects (its account is not a project).
pub fn is_hierarchy(kind: &str) -> bool {
    matches!(kind, "gcp.resourcemanager.folder" | "gcp.resourcemanager.organization")
}
