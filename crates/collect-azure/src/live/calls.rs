//! The ARM calls that complete what Resource Graph returns, as data: which call, for which
//! resource type, and which child type its answer is (so that a successful empty answer is
//! recorded as "none" rather than left unknown).

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum How {
    /// One object; 404 means there is none.
    Get,
    /// `{value: [...], nextLink}`.
    List,
    /// A list whose entries are then each read in full (Key Vault keys carry their rotation
    /// policy only when read one by one).
    ListThenGet,
    /// `POST …/list` of app settings; values are dropped before anything is kept.
    AppSettings,
}

#[derive(Debug, Clone, Copy)]
pub struct Call {
    /// Short name for problems: `<subscription>/<name>:<resource>`.
    pub name: &'static str,
    /// Path below the resource id.
    pub path: &'static str,
    pub api: &'static str,
    pub how: How,
    /// Child type the answer holds (lower case), recorded as listed when the call succeeds.
    pub child: &'static str,
    /// Path below the resource id of the parent the child type is listed under ("" = the resource).
    pub under: &'static str,
}

const DIAG: &str = "microsoft.insights/diagnosticsettings";
const DIAG_API: &str = "2021-05-01-preview";

const fn diag(under: &'static str, path: &'static str) -> Call {
    Call { name: "diagnosticSettings", path, api: DIAG_API, how: How::List, child: DIAG, under }
}

const STORAGE: &[Call] = &[
    Call { name: "blobServices", path: "blobServices/default", api: "2023-05-01", how: How::Get, child: "microsoft.storage/storageaccounts/blobservices", under: "" },
    Call { name: "queueServices", path: "queueServices", api: "2023-05-01", how: How::List, child: "microsoft.storage/storageaccounts/queueservices", under: "" },
    Call { name: "tableServices", path: "tableServices", api: "2023-05-01", how: How::List, child: "microsoft.storage/storageaccounts/tableservices", under: "" },
    diag("", "providers/microsoft.insights/diagnosticSettings"),
    diag("blobServices/default", "blobServices/default/providers/microsoft.insights/diagnosticSettings"),
    diag("queueServices/default", "queueServices/default/providers/microsoft.insights/diagnosticSettings"),
    diag("tableServices/default", "tableServices/default/providers/microsoft.insights/diagnosticSettings"),
];

const VAULT: &[Call] = &[
    diag("", "providers/microsoft.insights/diagnosticSettings"),
    Call { name: "keys", path: "keys", api: "2023-07-01", how: How::ListThenGet, child: "microsoft.keyvault/vaults/keys", under: "" },
    Call { name: "secrets", path: "secrets", api: "2023-07-01", how: How::List, child: "microsoft.keyvault/vaults/secrets", under: "" },
];

const SQL: &[Call] = &[
    Call { name: "firewallRules", path: "firewallRules", api: "2023-08-01", how: How::List, child: "microsoft.sql/servers/firewallrules", under: "" },
    Call { name: "auditingSettings", path: "auditingSettings/default", api: "2023-08-01", how: How::Get, child: "microsoft.sql/servers/auditingsettings", under: "" },
    Call { name: "encryptionProtector", path: "encryptionProtector/current", api: "2023-08-01", how: How::Get, child: "microsoft.sql/servers/encryptionprotector", under: "" },
    Call { name: "administrators", path: "administrators", api: "2023-08-01", how: How::List, child: "microsoft.sql/servers/administrators", under: "" },
    Call {
        name: "advancedThreatProtectionSettings",
        path: "advancedThreatProtectionSettings/Default",
        api: "2023-08-01",
        how: How::Get,
        child: "microsoft.sql/servers/advancedthreatprotectionsettings",
        under: "",
    },
    Call { name: "sqlVulnerabilityAssessments", path: "sqlVulnerabilityAssessments/default", api: "2023-08-01", how: How::Get, child: "microsoft.sql/servers/sqlvulnerabilityassessments", under: "" },
    Call { name: "vulnerabilityAssessments", path: "vulnerabilityAssessments/default", api: "2023-08-01", how: How::Get, child: "microsoft.sql/servers/vulnerabilityassessments", under: "" },
];

const SQL_DATABASE: &[Call] = &[Call {
    name: "transparentDataEncryption",
    path: "transparentDataEncryption/current",
    api: "2023-08-01",
    how: How::Get,
    child: "microsoft.sql/servers/databases/transparentdataencryption",
    under: "",
}];

const MYSQL: &[Call] = &[
    Call { name: "firewallRules", path: "firewallRules", api: "2023-12-30", how: How::List, child: "microsoft.dbformysql/flexibleservers/firewallrules", under: "" },
    Call { name: "configurations", path: "configurations", api: "2023-12-30", how: How::List, child: "microsoft.dbformysql/flexibleservers/configurations", under: "" },
    diag("", "providers/microsoft.insights/diagnosticSettings"),
];

const POSTGRES: &[Call] = &[
    Call { name: "firewallRules", path: "firewallRules", api: "2024-08-01", how: How::List, child: "microsoft.dbforpostgresql/flexibleservers/firewallrules", under: "" },
    Call { name: "configurations", path: "configurations", api: "2024-08-01", how: How::List, child: "microsoft.dbforpostgresql/flexibleservers/configurations", under: "" },
    diag("", "providers/microsoft.insights/diagnosticSettings"),
];

const SITE: &[Call] = &[
    Call { name: "config/web", path: "config/web", api: "2023-12-01", how: How::Get, child: "config/web", under: "" },
    Call { name: "config/authsettingsV2", path: "config/authsettingsV2", api: "2023-12-01", how: How::Get, child: "config/auth", under: "" },
    Call { name: "config/appsettings", path: "config/appsettings/list", api: "2023-12-01", how: How::AppSettings, child: "config/appsettings", under: "" },
    Call { name: "basicPublishingCredentialsPolicies", path: "basicPublishingCredentialsPolicies", api: "2023-12-01", how: How::List, child: "publishing", under: "" },
    diag("", "providers/microsoft.insights/diagnosticSettings"),
];

const DIAG_ONLY: &[Call] = &[diag("", "providers/microsoft.insights/diagnosticSettings")];

/// The calls made for one resource of `rtype` that Resource Graph returned.
pub fn for_type(rtype: &str, name: &str) -> &'static [Call] {
    match rtype {
        "microsoft.storage/storageaccounts" => STORAGE,
        "microsoft.keyvault/vaults" => VAULT,
        "microsoft.sql/servers" => SQL,
        "microsoft.sql/servers/databases" if !name.eq_ignore_ascii_case("master") => SQL_DATABASE,
        "microsoft.dbformysql/flexibleservers" => MYSQL,
        "microsoft.dbforpostgresql/flexibleservers" => POSTGRES,
        "microsoft.web/sites" => SITE,
        "microsoft.containerservice/managedclusters" | "microsoft.documentdb/databaseaccounts" => DIAG_ONLY,
        _ => &[],
    }
}

/// Resource Graph types collected from the `resources` table.
pub const RESOURCE_TYPES: &[&str] = &[
    "microsoft.compute/virtualmachines",
    "microsoft.compute/virtualmachines/extensions",
    "microsoft.compute/disks",
    "microsoft.network/networkinterfaces",
    "microsoft.network/networksecuritygroups",
    "microsoft.network/publicipaddresses",
    "microsoft.network/virtualnetworks",
    "microsoft.network/networkwatchers",
    "microsoft.network/networkwatchers/flowlogs",
    "microsoft.network/bastionhosts",
    "microsoft.storage/storageaccounts",
    "microsoft.keyvault/vaults",
    "microsoft.sql/servers",
    "microsoft.sql/servers/databases",
    "microsoft.dbformysql/flexibleservers",
    "microsoft.dbforpostgresql/flexibleservers",
    "microsoft.documentdb/databaseaccounts",
    "microsoft.web/sites",
    "microsoft.containerservice/managedclusters",
    "microsoft.insights/activitylogalerts",
];

/// Child types a successful Resource Graph listing of a subscription knows in full.
pub const LISTED_BY_GRAPH: &[&str] = &[
    "microsoft.compute/virtualmachines/extensions",
    "microsoft.compute/virtualmachines/patchassessmentresults",
    "microsoft.network/networkwatchers",
    "microsoft.network/networkwatchers/flowlogs",
    "microsoft.network/bastionhosts",
    "microsoft.insights/activitylogalerts",
    "microsoft.sql/servers/databases",
];

/// A subscription-wide ARM call.
pub struct SubCall {
    pub name: &'static str,
    pub path: &'static str,
    pub api: &'static str,
    pub how: How,
    pub child: &'static str,
    /// A listing of resources: when it fails, resources may be missing and the subscription is
    /// not covered. Otherwise only attributes are unknown.
    pub listing: bool,
}

pub const SUBSCRIPTION: &[SubCall] = &[
    SubCall { name: "roleAssignments", path: "providers/Microsoft.Authorization/roleAssignments", api: "2022-04-01", how: How::List, child: "microsoft.authorization/roleassignments", listing: true },
    SubCall { name: "roleDefinitions", path: "providers/Microsoft.Authorization/roleDefinitions", api: "2022-04-01", how: How::List, child: "microsoft.authorization/roledefinitions", listing: true },
    SubCall { name: "denyAssignments", path: "providers/Microsoft.Authorization/denyAssignments", api: "2022-04-01", how: How::List, child: "microsoft.authorization/denyassignments", listing: true },
    SubCall { name: "pricings", path: "providers/Microsoft.Security/pricings", api: "2024-01-01", how: How::List, child: "microsoft.security/pricings", listing: true },
    SubCall { name: "securityContacts", path: "providers/Microsoft.Security/securityContacts", api: "2020-01-01-preview", how: How::List, child: "microsoft.security/securitycontacts", listing: false },
    SubCall { name: "settings", path: "providers/Microsoft.Security/settings", api: "2022-05-01", how: How::List, child: "microsoft.security/settings", listing: false },
    SubCall {
        name: "serverVulnerabilityAssessmentsSettings",
        path: "providers/Microsoft.Security/serverVulnerabilityAssessmentsSettings",
        api: "2023-05-01",
        how: How::List,
        child: "microsoft.security/servervulnerabilityassessmentssettings",
        listing: false,
    },
    SubCall { name: "diagnosticSettings", path: "providers/microsoft.insights/diagnosticSettings", api: DIAG_API, how: How::List, child: DIAG, listing: false },
    SubCall { name: "locks", path: "providers/Microsoft.Authorization/locks", api: "2016-09-01", how: How::List, child: "microsoft.authorization/locks", listing: false },
    SubCall {
        name: "policyAssignments/SecurityCenterBuiltIn",
        path: "providers/Microsoft.Authorization/policyAssignments/SecurityCenterBuiltIn",
        api: "2022-06-01",
        how: How::Get,
        child: "microsoft.authorization/policyassignments",
        listing: false,
    },
];
