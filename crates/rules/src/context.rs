//! The related resources a rule may walk to, fetched one by one from wherever resources are kept
//! (the store, when a stored resource is evaluated again).

use crate::cond::RelatedUse;
use posture_model::Resource;
use std::collections::HashMap;

/// Fetches the targets of `resource`'s relations that `uses` walk (and, for each nested use, one
/// hop further) into a map that serves as the [`crate::Lookup`] of an evaluation.
pub fn related_context<'u, E>(
    resource: &Resource,
    uses: impl IntoIterator<Item = &'u RelatedUse>,
    mut fetch: impl FnMut(&str) -> Result<Option<Resource>, E>,
) -> Result<HashMap<String, Resource>, E> {
    let uses: Vec<&RelatedUse> = uses.into_iter().collect();
    let mut out: HashMap<String, Resource> = HashMap::new();
    // Each nested use may add a hop.
    let depth = 1 + uses.iter().filter(|u| u.nested).count().min(3);
    let mut frontier: Vec<String> = vec![resource.uid.clone()];
    for _ in 0..depth {
        let mut next = Vec::new();
        for uid in &frontier {
            let from = if *uid == resource.uid { Some(resource) } else { out.get(uid) };
            let targets: Vec<String> = from
                .map(|r| {
                    r.relations
                        .iter()
                        .filter(|rel| uses.iter().any(|u| u.relation == rel.rel))
                        .map(|rel| rel.target.clone())
                        .collect()
                })
                .unwrap_or_default();
            for t in targets {
                if out.contains_key(&t) || t == resource.uid {
                    continue;
                }
                if let Some(found) = fetch(&t)? {
                    out.insert(t.clone(), found);
                    next.push(t);
                }
            }
        }
        frontier = next;
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use posture_model::Relation;

    fn with_edges(uid: &str, edges: &[(&str, &str)]) -> Resource {
        let mut r = Resource::new(uid, "aws.ec2.instance");
        r.relations = edges.iter().map(|(t, to)| Relation { rel: t.to_string(), target: to.to_string() }).collect();
        r
    }

    #[test]
    fn fetches_only_the_relations_rules_walk_and_nested_ones_one_level_further() {
        let world: HashMap<String, Resource> = [
            with_edges("sg", &[("in_vpc", "vpc")]),
            with_edges("vpc", &[]),
            with_edges("role", &[]),
        ]
        .into_iter()
        .map(|r| (r.uid.clone(), r))
        .collect();
        let start = with_edges("i", &[("has_security_group", "sg"), ("assumes_role", "role"), ("has_security_group", "gone")]);
        let fetch = |uid: &str| Ok::<_, ()>(world.get(uid).cloned());
        let flat = RelatedUse { relation: "has_security_group".into(), kinds: vec![], paths: vec![], nested: false };
        let got = related_context(&start, [&flat], fetch).unwrap_or_default();
        assert_eq!(got.keys().collect::<Vec<_>>(), vec!["sg"]);
        let nested = RelatedUse { relation: "in_vpc".into(), nested: true, ..flat.clone() };
        let mut got: Vec<String> = related_context(&start, [&flat, &nested], fetch).unwrap_or_default().into_keys().collect();
        got.sort();
        assert_eq!(got, vec!["sg", "vpc"]);
    }
}
