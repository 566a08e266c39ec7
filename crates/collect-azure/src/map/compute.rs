//! Virtual machines and managed disks.

use super::Ctx;
use crate::arm::{parent_of, ref_id, relate, Item};
use crate::index::{Disk, Index};
use posture_collect_cloud::json::{arr_at, as_bool, at, bool_at, enum_at, get, int_at, nullable_bool, nullable_str, str_at, Attrs};
use posture_model::Resource;
use serde_json::{json, Value};

pub const EXTENSIONS: &str = "microsoft.compute/virtualmachines/extensions";
pub const PATCH: &str = "microsoft.compute/virtualmachines/patchassessmentresults";
const ENCRYPTION: &[&str] =
    &["EncryptionAtRestWithPlatformKey", "EncryptionAtRestWithCustomerKey", "EncryptionAtRestWithPlatformAndCustomerKeys"];

pub fn observe(item: &Item, index: &mut Index) -> bool {
    match item.rtype.as_str() {
        "microsoft.compute/disks" => {
            let props = item.props();
            let p = props.unwrap_or(&Value::Null);
            let disk = Disk {
                encryption_type: enum_at(p, &["encryption", "type"], ENCRYPTION).map(str::to_string),
                disk_encryption_set_id: ref_id(at(p, &["encryption", "diskEncryptionSetId"])),
                azure_disk_encryption: props.map(|p| bool_at(p, &["encryptionSettingsCollection", "enabled"]).unwrap_or(false)),
            };
            index.disks.insert(item.uid.clone(), disk);
            true
        }
        EXTENSIONS => {
            if let Some(vm) = parent_of(&item.uid) {
                index.add_child(&vm, EXTENSIONS, extension(&item.name, item.props().unwrap_or(&Value::Null)));
            }
            true
        }
        PATCH => {
            // Rows of single patches (`…/softwarePatches/…`) are another type and are not read.
            if let Some(vm) = parent_of(&item.uid) {
                if let Some(p) = item.props() {
                    index.add_child(&vm, PATCH, pending_updates(p));
                }
            }
            true
        }
        _ => false,
    }
}

fn extension(name: &str, p: &Value) -> Value {
    let mut a = Attrs::new();
    a.set("name", name);
    a.put("publisher", str_at(p, &["publisher"]));
    a.put("type", str_at(p, &["type"]));
    a.put("type_handler_version", str_at(p, &["typeHandlerVersion"]));
    a.put("provisioning_state", str_at(p, &["provisioningState"]));
    a.put("auto_upgrade_minor_version", bool_at(p, &["autoUpgradeMinorVersion"]));
    a.into_value()
}

fn pending_updates(p: &Value) -> Value {
    let counts = get(p, "availablePatchCountByClassification").and_then(Value::as_object);
    let mut critical = 0;
    let mut security = 0;
    let mut other = 0;
    for (k, v) in counts.into_iter().flatten() {
        let n = posture_collect_cloud::json::as_int(v).unwrap_or(0).max(0);
        match k.to_ascii_lowercase().as_str() {
            "critical" => critical += n,
            "security" => security += n,
            _ => other += n,
        }
    }
    let mut a = Attrs::new();
    a.set("critical", critical).set("security", security).set("other", other);
    let when = str_at(p, &["lastModifiedDateTime"]).or_else(|| str_at(p, &["startDateTime"]));
    a.put("assessed_at", when.and_then(posture_collect_cloud::time::normalise));
    a.into_value()
}

pub fn vm(item: &Item, ctx: &Ctx) -> Vec<Resource> {
    let mut r = item.base("azure.compute.virtual_machine", ctx.origin);
    let Some(p) = item.props() else { return vec![r] };
    let mut a = Attrs::new();
    a.put("vm_size", str_at(p, &["hardwareProfile", "vmSize"]));
    a.put("os_type", enum_at(p, &["storageProfile", "osDisk", "osType"], &["Linux", "Windows"]));
    a.put(
        "power_state",
        str_at(p, &["extended", "instanceView", "powerState", "code"]).map(|c| c.trim_start_matches("PowerState/").to_string()),
    );
    let extensions = vm_extensions(item, ctx);
    if let Some(storage) = get(p, "storageProfile") {
        a.set("image_reference", image_reference(get(storage, "imageReference")));
        let ade = vm_ade(extensions.as_deref());
        if let Some(os) = get(storage, "osDisk") {
            a.set("os_disk", vm_disk(os, ctx.index, ade, None));
        }
        let data: Vec<Value> =
            arr_at(storage, &["dataDisks"]).iter().map(|d| vm_disk(d, ctx.index, ade, int_at(d, &["lun"]))).collect();
        a.set("data_disks", data);
    }
    a.set("security_profile", security_profile(get(p, "securityProfile")));
    if let Some(os) = get(p, "osProfile").filter(|o| o.is_object()) {
        a.set("os_profile", os_profile(os));
    }
    a.put("extensions", extensions.map(Value::from));
    let nics: Vec<String> = arr_at(p, &["networkProfile", "networkInterfaces"]).iter().filter_map(|n| ref_id(Some(n))).collect();
    for nic in &nics {
        relate(&mut r, "has_network_interface", nic);
    }
    if let Some((private, public)) = addresses(&nics, ctx.index) {
        a.put("private_ip_addresses", Some(private));
        a.put("public_ip_addresses", public);
    }
    a.put("identity", super::common::identity(item.v));
    a.put("boot_diagnostics_enabled", nullable_bool(at(p, &["diagnosticsProfile", "bootDiagnostics"]).or(Some(&json!({}))), "enabled"));
    if let Some(zones) = get(item.v, "zones") {
        a.set("availability_zone", zones.as_array().and_then(|z| z.first()).and_then(Value::as_str).map(Value::from).unwrap_or(Value::Null));
    }
    if let Some(found) = ctx.index.child(&item.uid, PATCH) {
        a.set("pending_updates", found.cloned().unwrap_or(Value::Null));
    }
    r.attrs = a.into_map();
    vec![r]
}

/// Extensions from the export's extension rows, or from `resources` of an ARM GET of the VM.
fn vm_extensions(item: &Item, ctx: &Ctx) -> Option<Vec<Value>> {
    if let Some(list) = get(item.v, "resources").and_then(Value::as_array) {
        let exts = list
            .iter()
            .filter(|e| str_at(e, &["type"]).is_some_and(|t| t.eq_ignore_ascii_case("Microsoft.Compute/virtualMachines/extensions")))
            .map(|e| {
                let name = str_at(e, &["name"]).unwrap_or_default();
                extension(name, get(e, "properties").unwrap_or(&Value::Null))
            })
            .collect();
        return Some(exts);
    }
    ctx.index.children(&item.uid, EXTENSIONS).map(|l| l.into_iter().cloned().collect())
}

/// Whether Azure Disk Encryption runs in the guest, from the extensions: `None` when unknown.
fn vm_ade(extensions: Option<&[Value]>) -> Option<bool> {
    let exts = extensions?;
    Some(exts.iter().any(|e| {
        str_at(e, &["type"]).is_some_and(|t| t.starts_with("AzureDiskEncryption"))
            && str_at(e, &["provisioning_state"]).is_some_and(|s| s.eq_ignore_ascii_case("Succeeded"))
    }))
}

fn image_reference(img: Option<&Value>) -> Value {
    let Some(img) = img.filter(|i| i.is_object()) else { return Value::Null };
    let s = |k: &str| str_at(img, &[k]).map(Value::from).unwrap_or(Value::Null);
    let gallery = ref_id(get(img, "id")).map(Value::from).unwrap_or(Value::Null);
    json!({"publisher": s("publisher"), "offer": s("offer"), "sku": s("sku"),
           "version": str_at(img, &["exactVersion"]).or_else(|| str_at(img, &["version"])).map(Value::from).unwrap_or(Value::Null),
           "gallery_image_id": gallery})
}

fn vm_disk(d: &Value, index: &Index, guest_ade: Option<bool>, lun: Option<i64>) -> Value {
    let mut a = Attrs::new();
    a.put("name", str_at(d, &["name"]));
    let managed = get(d, "managedDisk").filter(|m| m.is_object());
    a.set("managed", managed.is_some());
    let disk_id = managed.and_then(|m| ref_id(get(m, "id")));
    let known: Option<&Disk> = disk_id.as_ref().and_then(|id| index.disks.get(id));
    a.set("disk_id", disk_id.clone().map(Value::from).unwrap_or(Value::Null));
    match (managed, known) {
        (None, _) => {
            a.set("encryption_type", Value::Null);
        }
        (Some(_), Some(k)) => {
            a.put("encryption_type", k.encryption_type.clone());
        }
        (Some(_), None) => {}
    }
    let des = managed
        .and_then(|m| ref_id(at(m, &["diskEncryptionSet"])))
        .or_else(|| known.and_then(|k| k.disk_encryption_set_id.clone()));
    if managed.is_none() || des.is_some() || known.is_some() {
        a.set("disk_encryption_set_id", des.map(Value::from).unwrap_or(Value::Null));
    }
    let on_vm = bool_at(d, &["encryptionSettings", "enabled"]) == Some(true);
    let on_disk = known.and_then(|k| k.azure_disk_encryption);
    let ade = if on_vm || on_disk == Some(true) || guest_ade == Some(true) {
        Some(true)
    } else if on_disk.is_some() || guest_ade.is_some() {
        Some(false)
    } else {
        None
    };
    a.put("azure_disk_encryption", ade);
    if let Some(l) = lun {
        a.set("lun", l.max(0));
    }
    a.into_value()
}

fn security_profile(sp: Option<&Value>) -> Value {
    let Some(sp) = sp.filter(|s| s.is_object()) else { return Value::Null };
    let uefi = get(sp, "uefiSettings").filter(|u| u.is_object());
    let security_type = str_at(sp, &["securityType"])
        .and_then(|s| posture_collect_cloud::json::one_of(s, &["TrustedLaunch", "ConfidentialVM"]))
        .map(Value::from)
        .unwrap_or(Value::Null);
    json!({
        "encryption_at_host": get(sp, "encryptionAtHost").and_then(as_bool).map(Value::Bool).unwrap_or(Value::Null),
        "security_type": security_type,
        "secure_boot_enabled": uefi.and_then(|u| get(u, "secureBootEnabled")).and_then(as_bool).map(Value::Bool).unwrap_or(Value::Null),
        "vtpm_enabled": uefi.and_then(|u| get(u, "vTpmEnabled")).and_then(as_bool).map(Value::Bool).unwrap_or(Value::Null),
    })
}

fn os_profile(os: &Value) -> Value {
    let linux = get(os, "linuxConfiguration").filter(|l| l.is_object());
    let windows = get(os, "windowsConfiguration").filter(|w| w.is_object());
    let config = linux.or(windows);
    let mut a = Attrs::new();
    a.put("computer_name", str_at(os, &["computerName"]));
    a.put("admin_username", str_at(os, &["adminUsername"]));
    match linux {
        Some(l) => a.put("disable_password_authentication", nullable_bool(Some(l), "disablePasswordAuthentication")),
        None if windows.is_some() => a.set("disable_password_authentication", Value::Null),
        None => &mut a,
    };
    a.put("provision_vm_agent", config.and_then(|c| bool_at(c, &["provisionVMAgent"])));
    if let Some(c) = config {
        a.put("patch_mode", nullable_str(get(c, "patchSettings").or(Some(&json!({}))), "patchMode"));
    }
    a.into_value()
}

/// Private and public addresses of the VM from its NICs; `None` when a NIC is not in the export.
fn addresses(nics: &[String], index: &Index) -> Option<(Vec<String>, Option<Vec<String>>)> {
    let mut private = Vec::new();
    let mut public = Some(Vec::new());
    for id in nics {
        let nic = index.nics.get(id)?;
        private.extend(nic.private_ips.iter().cloned());
        for pip in &nic.public_ip_ids {
            match (index.public_ips.get(pip), public.as_mut()) {
                (Some(Some(ip)), Some(list)) => list.push(ip.clone()),
                (Some(None), _) => {}
                (None, _) => public = None,
                _ => {}
            }
        }
    }
    Some((private, public))
}

pub fn disk(item: &Item, ctx: &Ctx) -> Vec<Resource> {
    let mut r = item.base("azure.compute.disk", ctx.origin);
    let Some(p) = item.props() else { return vec![r] };
    let mut a = Attrs::new();
    a.put(
        "disk_state",
        enum_at(p, &["diskState"], &["Unattached", "Attached", "Reserved", "Frozen", "ActiveSAS", "ActiveSASFrozen", "ReadyToUpload", "ActiveUpload"]),
    );
    let managed_by = ref_id(get(item.v, "managedBy"));
    if let Some(vm) = &managed_by {
        relate(&mut r, "attached_to", vm);
    }
    if get(item.v, "managedBy").is_some() || managed_by.is_some() {
        a.set("managed_by", managed_by.map(Value::from).unwrap_or(Value::Null));
    }
    a.put("os_type", posture_collect_cloud::json::nullable_enum(Some(p), "osType", &["Linux", "Windows"]));
    a.put("disk_size_gb", int_at(p, &["diskSizeGB"]).map(|n| n.max(0)));
    a.put("sku_name", str_at(item.v, &["sku", "name"]));
    a.put("encryption_type", enum_at(p, &["encryption", "type"], ENCRYPTION));
    if get(p, "encryption").is_some() {
        a.set("disk_encryption_set_id", ref_id(at(p, &["encryption", "diskEncryptionSetId"])).map(Value::from).unwrap_or(Value::Null));
    }
    a.set("azure_disk_encryption", bool_at(p, &["encryptionSettingsCollection", "enabled"]).unwrap_or(false));
    a.put("network_access_policy", enum_at(p, &["networkAccessPolicy"], &["AllowAll", "AllowPrivate", "DenyAll"]));
    a.put("public_network_access", posture_collect_cloud::json::nullable_enum(Some(p), "publicNetworkAccess", &["Enabled", "Disabled"]));
    a.set("disk_access_id", ref_id(get(p, "diskAccessId")).map(Value::from).unwrap_or(Value::Null));
    a.put("time_created", str_at(p, &["timeCreated"]).and_then(posture_collect_cloud::time::normalise));
    r.attrs = a.into_map();
    vec![r]
}
