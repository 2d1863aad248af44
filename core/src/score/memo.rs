//! A bounded memo of one rule's outcomes, keyed by the values it reads.

use std::hash::{BuildHasher, Hash, Hasher};

use hashbrown::{DefaultHashBuilder, HashTable};

use super::Outcome;
use crate::fields::Value;

/// Enough for every combination a real batch shows for one rule; past it,
/// new combinations are evaluated without being stored, so memory stays bounded.
const CAPACITY: usize = 4096;

struct Entry {
    hash: u64,
    key: Box<[Value]>,
    extra: Box<[i64]>,
    outcome: Outcome,
}

#[derive(Default)]
pub(super) struct Memo {
    table: HashTable<Entry>,
    hasher: DefaultHashBuilder,
    pub hits: u64,
    pub misses: u64,
}

impl Memo {
    pub fn hash(&self, reads: &[usize], values: &[Value], extra: &[i64]) -> u64 {
        let mut state = self.hasher.build_hasher();
        for &i in reads {
            values[i].hash(&mut state);
        }
        extra.hash(&mut state);
        state.finish()
    }

    pub fn get(
        &self,
        hash: u64,
        reads: &[usize],
        values: &[Value],
        extra: &[i64],
    ) -> Option<&Outcome> {
        self.table
            .find(hash, |e| {
                e.hash == hash
                    && *e.extra == *extra
                    && e.key.len() == reads.len()
                    && reads
                        .iter()
                        .zip(e.key.iter())
                        .all(|(&i, k)| values[i] == *k)
            })
            .map(|e| &e.outcome)
    }

    pub fn insert(
        &mut self,
        hash: u64,
        reads: &[usize],
        values: &[Value],
        extra: Vec<i64>,
        outcome: Outcome,
    ) {
        if self.table.len() >= CAPACITY {
            return;
        }
        let key = reads.iter().map(|&i| values[i].clone()).collect();
        let entry = Entry {
            hash,
            key,
            extra: extra.into_boxed_slice(),
            outcome,
        };
        self.table.insert_unique(hash, entry, |e| e.hash);
    }
}
