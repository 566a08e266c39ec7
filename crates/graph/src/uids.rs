//! Resource uids → dense `u32` node ids, stored once in one arena (no per-uid allocation), with a
//! sorted order for prefix lookups (every ARN an IAM pattern like `arn:aws:s3:::acme-*` names).

use hashbrown::HashTable;
use std::hash::BuildHasher;

pub type NodeId = u32;

#[derive(Default)]
pub struct UidIndex {
    arena: String,
    ends: Vec<usize>,
    table: HashTable<NodeId>,
    sorted: Vec<NodeId>,
}

fn hash(s: &str) -> u64 {
    rustc_hash::FxBuildHasher.hash_one(s)
}

impl UidIndex {
    pub fn uid(&self, id: NodeId) -> &str {
        let i = id as usize;
        let end = self.ends.get(i).copied().unwrap_or(0);
        let start = if i == 0 { 0 } else { self.ends.get(i - 1).copied().unwrap_or(0) };
        self.arena.get(start..end).unwrap_or("")
    }

    pub fn get(&self, uid: &str) -> Option<NodeId> {
        self.table.find(hash(uid), |&id| self.uid(id) == uid).copied()
    }

    /// The id of `uid`, adding it when new; the flag says whether it was new.
    pub fn intern(&mut self, uid: &str) -> (NodeId, bool) {
        let h = hash(uid);
        if let Some(id) = self.table.find(h, |&id| self.uid(id) == uid) {
            return (*id, false);
        }
        let id = self.ends.len() as NodeId;
        self.arena.push_str(uid);
        self.ends.push(self.arena.len());
        let (arena, ends) = (&self.arena, &self.ends);
        let uid_of = |id: NodeId| -> &str {
            let i = id as usize;
            let start = if i == 0 { 0 } else { ends.get(i - 1).copied().unwrap_or(0) };
            arena.get(start..ends.get(i).copied().unwrap_or(0)).unwrap_or("")
        };
        self.table.insert_unique(h, id, |&other| hash(uid_of(other)));
        (id, true)
    }

    /// Builds the sorted order; call once every uid is in.
    pub fn sort(&mut self) {
        let mut ids: Vec<NodeId> = (0..self.ends.len() as NodeId).collect();
        ids.sort_unstable_by(|a, b| self.uid(*a).cmp(self.uid(*b)));
        self.sorted = ids;
    }

    /// Every id whose uid starts with `prefix`, in uid order.
    pub fn with_prefix(&self, prefix: &str) -> &[NodeId] {
        let lo = self.sorted.partition_point(|id| self.uid(*id) < prefix);
        let hi = lo + self.sorted[lo..].partition_point(|id| self.uid(*id).starts_with(prefix));
        &self.sorted[lo..hi]
    }

    pub fn heap_bytes(&self) -> usize {
        self.arena.capacity() + self.ends.capacity() * 8 + self.table.capacity() * 5 + self.sorted.capacity() * 4
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn interns_once_and_finds_prefixes() {
        let mut u = UidIndex::default();
        let uids = ["arn:aws:s3:::b", "arn:aws:s3:::acme-2", "arn:aws:s3:::acme-1", "x"];
        let ids: Vec<NodeId> = uids.iter().map(|s| u.intern(s).0).collect();
        assert_eq!(ids, vec![0, 1, 2, 3]);
        assert_eq!(u.intern("x"), (3, false));
        assert_eq!(u.get("arn:aws:s3:::acme-1"), Some(2));
        assert_eq!(u.get("nope"), None);
        assert_eq!(u.uid(1), "arn:aws:s3:::acme-2");
        u.sort();
        assert_eq!(u.with_prefix("arn:aws:s3:::acme-"), &[2, 1]);
        assert_eq!(u.with_prefix("arn:aws:s3:::"), &[2, 1, 0]);
        assert!(u.with_prefix("zzz").is_empty());
        assert_eq!(u.with_prefix("").len(), 4);
    }

    #[test]
    fn many_uids_round_trip() {
        let mut u = UidIndex::default();
        for i in 0..10_000 {
            u.intern(&format!("uid-{i}"));
        }
        for i in (0..10_000).step_by(97) {
            assert_eq!(u.get(&format!("uid-{i}")), Some(i as NodeId));
        }
    }
}
