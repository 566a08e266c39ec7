//! ARM resource JSON → canonical `azure.*` resources. One module per service; each has `observe`
//! (first pass: fold children into the index, remember what others borrow) and one mapping
//! function per kind (second pass).

pub mod aks;
pub mod authz;
pub mod common;
pub mod compute;
pub mod db;
pub mod deny;
pub mod keyvault;
pub mod network;
pub mod resources;
pub mod sql;
pub mod storage;
pub mod web;

use crate::arm::{Item, LISTED};
use crate::index::Index;
use posture_collect_cloud::json::strings_at;
use posture_model::{Origin, Resource};
use time::OffsetDateTime;

pub struct Ctx<'a> {
    pub index: &'a Index,
    pub origin: &'a Origin,
    /// Collection time, for ages (`access_keys[*].age_days`).
    pub now: OffsetDateTime,
}

pub type MapFn = fn(&Item, &Ctx) -> Vec<Resource>;

/// The mapping of a top-level type, if Posture has a kind for it.
pub fn mapper(rtype: &str) -> Option<MapFn> {
    let f: MapFn = match rtype {
        "microsoft.compute/virtualmachines" => compute::vm,
        "microsoft.compute/disks" => compute::disk,
        "microsoft.network/networkinterfaces" => network::nic,
        "microsoft.network/networksecuritygroups" => network::nsg,
        "microsoft.network/publicipaddresses" => network::public_ip,
        "microsoft.network/virtualnetworks" => network::vnet,
        "microsoft.network/virtualnetworks/subnets" => network::subnet_item,
        "microsoft.storage/storageaccounts" => storage::account,
        "microsoft.keyvault/vaults" => keyvault::vault,
        "microsoft.keyvault/vaults/keys" => keyvault::key,
        "microsoft.keyvault/vaults/secrets" => keyvault::secret,
        "microsoft.sql/servers" => sql::server,
        "microsoft.dbformysql/flexibleservers" => db::mysql,
        "microsoft.dbforpostgresql/flexibleservers" => db::postgres,
        "microsoft.documentdb/databaseaccounts" => db::cosmos,
        "microsoft.web/sites" => web::site,
        "microsoft.containerservice/managedclusters" => aks::cluster,
        "microsoft.authorization/roleassignments" => authz::assignment,
        "microsoft.authorization/roledefinitions" => authz::definition,
        "microsoft.authorization/denyassignments" => deny::deny_assignment,
        "microsoft.resources/subscriptions" => resources::subscription,
        "microsoft.resources/subscriptions/resourcegroups" | "microsoft.resources/resourcegroups" => resources::resource_group,
        "microsoft.security/pricings" => resources::pricing,
        _ => return None,
    };
    Some(f)
}

/// First pass over one item; true when the type is one Posture reads (as a kind or folded into one).
pub fn observe(item: &Item, index: &mut Index) -> bool {
    if item.rtype == LISTED {
        for t in strings_at(item.v, &["properties", "types"]) {
            index.mark_listed(&item.uid, &t);
        }
        return true;
    }
    let observers: [fn(&Item, &mut Index) -> bool; 9] = [
        compute::observe,
        network::observe,
        storage::observe,
        keyvault::observe,
        sql::observe,
        db::observe,
        web::observe,
        authz::observe,
        resources::observe,
    ];
    observers.iter().any(|f| f(item, index))
}
