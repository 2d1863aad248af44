//! A bounded memo of one rule's outcomes, keyed by the values it reads.

use std::hash::{BuildHasher, Hash, Hasher};

use hashbrown::{DefaultHashBuilder, HashTable};

use std::borrow::Cow;

use super::Outcome;
use crate::fields::Value;
use crate::script::analysis::Use;
use crate::Period;

/// The memo key's part for one field: its value, or what the rule can see of it.
fn part<'a>(values: &'a [Value], (i, how): &(usize, Use), period: &Period) -> Cow<'a, Value> {
    match (how, &values[*i]) {
        (Use::Raw, value) => Cow::Borrowed(value),
        (Use::CountDates, Value::List(items)) => {
            let dates = items.iter().filter_map(|d| match d {
                Value::Date(d) => Some(*d),
                _ => None,
            });
            Cow::Owned(Value::Int(period.count_distinct(dates) as i64))
        }
        (Use::Contains, Value::Date(d)) => Cow::Owned(Value::Bool(period.contains(*d))),
        (Use::Contains, Value::Null) => Cow::Owned(Value::Bool(false)),
        (Use::Bracket(bounds), Value::Int(n)) => Cow::Owned(Value::Int(
            crate::script::bracket_index(bounds, *n as f64) as i64,
        )),
        (Use::Bracket(bounds), Value::Number(x)) => {
            Cow::Owned(Value::Int(crate::script::bracket_index(bounds, *x) as i64))
        }
        (_, value) => Cow::Borrowed(value),
    }
}

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
    pub fn hash(
        &self,
        reads: &[(usize, Use)],
        values: &[Value],
        period: &Period,
        extra: &[i64],
    ) -> u64 {
        let mut state = self.hasher.build_hasher();
        for read in reads {
            part(values, read, period).hash(&mut state);
        }
        extra.hash(&mut state);
        state.finish()
    }

    pub fn get(
        &self,
        hash: u64,
        reads: &[(usize, Use)],
        values: &[Value],
        period: &Period,
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
                        .all(|(read, k)| *part(values, read, period) == *k)
            })
            .map(|e| &e.outcome)
    }

    #[allow(clippy::too_many_arguments)]
    pub fn insert(
        &mut self,
        hash: u64,
        reads: &[(usize, Use)],
        values: &[Value],
        period: &Period,
        extra: Vec<i64>,
        outcome: Outcome,
    ) {
        if self.table.len() >= CAPACITY {
            return;
        }
        let key = reads
            .iter()
            .map(|read| part(values, read, period).into_owned())
            .collect();
        let entry = Entry {
            hash,
            key,
            extra: extra.into_boxed_slice(),
            outcome,
        };
        self.table.insert_unique(hash, entry, |e| e.hash);
    }
}
