//! Kubernetes into canonical resources (docs/kubernetes.md).
//!
//! Three layers, usable on their own:
//!
//! 1. **Mapping** ([`map_object`], [`map_object_with`]): one API object — from the API server, a
//!    `kubectl` dump or a manifest file — to canonical resources of the `k8s.*` kinds. Pure: no
//!    I/O, no clock. Kinds not modelled give no resource; ReplicaSets are skipped (their pods and
//!    Deployments carry what matters).
//! 2. **Linking** ([`Linker`], [`link`]): relations that need several objects (`selects`,
//!    `manages`, `has_network_policy`, `bound_by`), computed from a compact index so resources can
//!    stream.
//! 3. **Sources**: [`dump`] reads `kubectl get -o json` output as a stream; `live` (feature
//!    `live`, on by default) lists a cluster's API with kubeconfig or in-cluster credentials.
//!    Each cluster collected also gets one `k8s.core.cluster` resource ([`cluster_resource`]).
//!
//! Uids are `cluster/namespace/Kind/name` (`cluster/_cluster/Kind/name` for cluster-scoped
//! objects, [`object_uid`]); container images are `image:<normalised reference>` ([`image_uid`]).
//! Secrets keep their type and key names, never their values.

mod cluster;
pub mod dump;
mod image;
mod link;
mod map;
mod selector;

#[cfg(feature = "live")]
pub mod live;

pub use cluster::{cluster_resource, ClusterFacts};
pub use image::{image_uid, normalize_image};
pub use link::{link, Linker, Links};
pub use map::{canonical_kind, map_object, map_object_with, object_uid, MapContext, MapError};
