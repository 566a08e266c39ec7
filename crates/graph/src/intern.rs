//! Interned strings: kinds, accounts, regions, tag keys and values, edge types, attribute paths.

use rustc_hash::FxHashMap;

/// An interned string id.
pub type Sym = u32;

#[derive(Default, Debug)]
pub struct Interner {
    map: FxHashMap<Box<str>, Sym>,
    list: Vec<Box<str>>,
}

impl Interner {
    pub fn intern(&mut self, s: &str) -> Sym {
        if let Some(id) = self.map.get(s) {
            return *id;
        }
        let id = self.list.len() as Sym;
        self.list.push(s.into());
        self.map.insert(s.into(), id);
        id
    }

    pub fn get(&self, s: &str) -> Option<Sym> {
        self.map.get(s).copied()
    }

    pub fn resolve(&self, id: Sym) -> &str {
        self.list.get(id as usize).map_or("", |s| s)
    }

    pub fn len(&self) -> usize {
        self.list.len()
    }
}
