//! What the first pass over an export learns so that the second can map each resource alone:
//! child resources folded into their parents (blob service, firewall rules, diagnostic settings,
//! …), and the few facts one resource borrows from another (a VM's addresses from its NICs and
//! public IPs, a disk's encryption for the VM, a vault's RBAC mode for its secrets, role names).
//! Only these compact fragments are held, never the raw export.

use crate::arm::{subscription_of, subscription_uid};
use serde_json::Value;
use std::collections::{HashMap, HashSet};

/// Child types that Resource Graph returns as their own rows: when an export holds rows of such a
/// type for a subscription, the export is taken to hold all of them there, so a parent without
/// any has none. Only types whose empty answer is not the healthy one are inferred this way.
const INFERABLE: &[&str] = &[
    "microsoft.compute/virtualmachines/extensions",
    "microsoft.compute/virtualmachines/patchassessmentresults",
    "microsoft.network/networkwatchers",
    "microsoft.network/networkwatchers/flowlogs",
    "microsoft.network/bastionhosts",
    "microsoft.insights/activitylogalerts",
];

#[derive(Debug, Default, Clone)]
pub struct Nic {
    pub vm: Option<String>,
    pub private_ips: Vec<String>,
    pub public_ip_ids: Vec<String>,
}

#[derive(Debug, Default, Clone)]
pub struct Disk {
    pub encryption_type: Option<String>,
    pub disk_encryption_set_id: Option<String>,
    pub azure_disk_encryption: Option<bool>,
}

#[derive(Debug, Default)]
pub struct Index {
    children: HashMap<String, Vec<(Box<str>, Value)>>,
    listed: HashSet<(String, String)>,
    present: HashSet<(String, String)>,
    pub nics: HashMap<String, Nic>,
    /// Public IP resource → its address (`None` while a dynamic address is unallocated).
    pub public_ips: HashMap<String, Option<String>>,
    pub disks: HashMap<String, Disk>,
    /// Vault uid → `enableRbacAuthorization` as the secret attribute wants it.
    pub vault_rbac: HashMap<String, Value>,
    /// `kv-name.vault.azure.net` → vault uid, to turn key URIs into key uids.
    pub vault_by_host: HashMap<String, String>,
    /// Role definition GUID → (role name, role type).
    pub role_defs: HashMap<String, (String, String)>,
    /// Subnets exported as their own items: not emitted again from their virtual network.
    pub standalone_subnets: HashSet<String>,
}

impl Index {
    pub fn add_child(&mut self, parent: &str, ctype: &str, fragment: Value) {
        if let Some(sub) = subscription_of(parent) {
            self.present.insert((sub.to_string(), ctype.to_string()));
        }
        self.children.entry(parent.to_string()).or_default().push((ctype.into(), fragment));
    }

    /// `ctype` was listed in full under `scope` (a resource or a whole subscription).
    pub fn mark_listed(&mut self, scope: &str, ctype: &str) {
        self.listed.insert((scope.to_ascii_lowercase(), ctype.to_ascii_lowercase()));
    }

    /// The fragments of type `ctype` under `parent`; `None` when the export cannot tell (the type
    /// was neither seen nor listed there), an empty list when it is known that there are none.
    pub fn children(&self, parent: &str, ctype: &str) -> Option<Vec<&Value>> {
        let found: Vec<&Value> = self
            .children
            .get(parent)
            .map(|list| list.iter().filter(|(t, _)| &**t == ctype).map(|(_, v)| v).collect())
            .unwrap_or_default();
        if !found.is_empty() || self.is_listed(parent, ctype) {
            return Some(found);
        }
        None
    }

    /// The first fragment of type `ctype`; `Some(None)` when known to be missing.
    pub fn child(&self, parent: &str, ctype: &str) -> Option<Option<&Value>> {
        self.children(parent, ctype).map(|l| l.first().copied())
    }

    fn is_listed(&self, parent: &str, ctype: &str) -> bool {
        let key = |s: &str| (s.to_string(), ctype.to_string());
        if self.listed.contains(&key(parent)) {
            return true;
        }
        let Some(sub) = subscription_of(parent) else { return false };
        self.listed.contains(&key(&subscription_uid(sub)))
            || (INFERABLE.contains(&ctype) && self.present.contains(&(sub.to_string(), ctype.to_string())))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn unknown_known_empty_and_found() {
        let mut ix = Index::default();
        let srv = "/subscriptions/s/resourcegroups/r/providers/microsoft.sql/servers/a";
        let other = "/subscriptions/s/resourcegroups/r/providers/microsoft.sql/servers/b";
        ix.add_child(srv, "microsoft.sql/servers/firewallrules", json!({"name": "x"}));
        assert_eq!(ix.children(srv, "microsoft.sql/servers/firewallrules").unwrap().len(), 1);
        // Firewall rules elsewhere say nothing about server b: an empty list would look healthy.
        assert!(ix.children(other, "microsoft.sql/servers/firewallrules").is_none());
        ix.mark_listed(other, "microsoft.sql/servers/firewallrules");
        assert_eq!(ix.children(other, "microsoft.sql/servers/firewallrules").unwrap().len(), 0);

        let vm = "/subscriptions/s/resourcegroups/r/providers/microsoft.compute/virtualmachines/v";
        let vm2 = "/subscriptions/s/resourcegroups/r/providers/microsoft.compute/virtualmachines/w";
        let ext = "microsoft.compute/virtualmachines/extensions";
        assert!(ix.children(vm2, ext).is_none());
        ix.add_child(vm, ext, json!({}));
        assert_eq!(ix.children(vm2, ext).unwrap().len(), 0, "extension rows in the subscription mean the export has them all");
        ix.mark_listed("/subscriptions/t", "microsoft.network/bastionhosts");
        assert!(ix.children("/subscriptions/t", "microsoft.network/bastionhosts").is_some());
    }
}
