//! A bounded memo of one rule's outcomes, keyed on what the rule read.
//!
//! Each evaluation leaves a trace: the slots it read, first read first (see
//! [`super::view`]). The memo is a decision tree over those traces: a branch
//! names the slot the rule read next, its children are keyed by that slot's
//! value, and a leaf holds the outcome. A lookup replays the reads the rule
//! would make; because the rule is a pure function of what it reads, the
//! same values along the path mean the same outcome. A record that differs
//! from every stored path in some value the rule would read finds no leaf and
//! runs the rule: a different branch reads a different key.

use std::borrow::Cow;

use hashbrown::HashMap;

use super::view::Step;
use super::Outcome;
use crate::fields::Value;

/// Memory one memo may use, roughly (keys, outcomes and nodes). Past it new
/// paths are evaluated without being stored, so memory follows the limit,
/// not the data.
pub(super) const BYTES: usize = 2 * 1024 * 1024;
/// A key value larger than this is not stored: such a rule is re-evaluated.
const LARGEST_KEY: usize = 1024;

enum Node {
    Leaf(Outcome),
    Branch { step: Step, children: Children },
}

/// A branch's children by the value read. Most rules read yes/no fields or
/// small choices, so a short list searched in order comes first: cheaper
/// than hashing the value. Past [`FEW`] entries the list becomes a map.
/// Both find a child by the same exact equality (`Value`'s, which agrees
/// with its hash).
enum Children {
    Few(Vec<(Value, u32)>),
    Many(HashMap<Value, u32>),
}

const FEW: usize = 8;

impl Children {
    fn get(&self, value: &Value) -> Option<u32> {
        match self {
            Children::Few(list) => list.iter().find(|(v, _)| v == value).map(|&(_, c)| c),
            Children::Many(map) => map.get(value).copied(),
        }
    }

    fn insert(&mut self, value: Value, child: u32) {
        match self {
            Children::Few(list) if list.len() < FEW => list.push((value, child)),
            Children::Few(list) => {
                let mut map: HashMap<Value, u32> = std::mem::take(list).into_iter().collect();
                map.insert(value, child);
                *self = Children::Many(map);
            }
            Children::Many(map) => {
                map.insert(value, child);
            }
        }
    }
}

#[derive(Default)]
pub(super) struct Memo {
    nodes: Vec<Node>,
    bytes: usize,
    pub hits: u64,
    pub misses: u64,
    /// Paths that disagreed with the tree (a rule that read differently for
    /// the same values): never expected; such outcomes are not stored.
    pub conflicts: u64,
}

/// Roughly how many bytes a value keeps alive.
fn size_of(value: &Value) -> usize {
    std::mem::size_of::<Value>()
        + match value {
            Value::String(s) => s.len(),
            Value::List(items) => items.iter().map(size_of).sum(),
            _ => 0,
        }
}

fn outcome_size(outcome: &Outcome) -> usize {
    std::mem::size_of::<Node>()
        + match outcome {
            Outcome::Bool(_) => 0,
            Outcome::Award(_, reason) => reason.text.len() + reason.json.len(),
        }
}

impl Memo {
    /// The stored outcome for a record whose slots have these values.
    pub fn get<'v>(&self, mut value_of: impl FnMut(Step) -> Cow<'v, Value>) -> Option<&Outcome> {
        let mut node = self.nodes.first()?;
        loop {
            match node {
                Node::Leaf(outcome) => return Some(outcome),
                Node::Branch { step, children } => {
                    let next = children.get(value_of(*step).as_ref())?;
                    node = &self.nodes[next as usize];
                }
            }
        }
    }

    /// Stores the outcome of an evaluation that read `trace` (in order).
    pub fn insert<'v>(
        &mut self,
        trace: &[Step],
        mut value_of: impl FnMut(Step) -> Cow<'v, Value>,
        outcome: Outcome,
    ) {
        let keys: Vec<Value> = trace.iter().map(|&s| value_of(s).into_owned()).collect();
        let key_bytes: usize = keys.iter().map(size_of).sum();
        if keys.iter().any(|k| size_of(k) > LARGEST_KEY) {
            return;
        }
        let cost = key_bytes + outcome_size(&outcome) + trace.len() * 48;
        if self.bytes + cost > BYTES {
            return;
        }
        if self.nodes.is_empty() {
            let Some(&step) = trace.first() else {
                self.nodes.push(Node::Leaf(outcome));
                self.bytes += cost;
                return;
            };
            self.nodes.push(Node::Branch {
                step,
                children: Children::Few(Vec::new()),
            });
        }
        let mut at = 0usize;
        for (depth, key) in keys.into_iter().enumerate() {
            let next_step = trace.get(depth + 1).copied();
            let fresh = self.nodes.len() as u32;
            let Node::Branch { step, children } = &mut self.nodes[at] else {
                self.conflicts += 1;
                return;
            };
            if *step != trace[depth] {
                self.conflicts += 1;
                return;
            }
            match children.get(&key) {
                Some(child) => at = child as usize,
                None => {
                    children.insert(key, fresh);
                    self.nodes.push(match next_step {
                        Some(step) => Node::Branch {
                            step,
                            children: Children::Few(Vec::new()),
                        },
                        None => Node::Leaf(outcome.clone()),
                    });
                    at = fresh as usize;
                }
            }
        }
        match &self.nodes[at] {
            Node::Leaf(_) => self.bytes += cost,
            Node::Branch { .. } => self.conflicts += 1,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::score::view::Read;

    fn outcome() -> Outcome {
        Outcome::Bool(true)
    }

    /// A key is found by exact equality, in a short list as in a map:
    /// `-0.0` is not `0.0` (a script prints them differently).
    #[test]
    fn keys_match_exactly_in_lists_and_maps() {
        for distinct in [1, FEW + 5] {
            let mut memo = Memo::default();
            let step = (0, Read::Raw);
            for i in 0..distinct {
                let key = Value::Number(i as f64);
                let reason = Outcome::Bool(i % 2 == 0);
                memo.insert(&[step], |_| Cow::Borrowed(&key), reason);
            }
            for i in 0..distinct {
                let found = memo.get(|_| Cow::Owned(Value::Number(i as f64)));
                assert!(matches!(found, Some(Outcome::Bool(b)) if *b == (i % 2 == 0)));
            }
            assert!(memo.get(|_| Cow::Owned(Value::Number(-0.0))).is_none());
            assert!(memo.get(|_| Cow::Owned(Value::Int(0))).is_none());
            assert_eq!(memo.conflicts, 0);
        }
    }

    #[test]
    fn memory_follows_the_limit_not_the_data() {
        let mut memo = Memo::default();
        // A 100 KB value is never kept.
        let big = Value::String("x".repeat(100_000).into());
        memo.insert(&[(0, Read::Raw)], |_| Cow::Borrowed(&big), outcome());
        assert!(memo.get(|_| Cow::Borrowed(&big)).is_none());
        // A million distinct small keys: the memo stops growing at its budget.
        for i in 0..1_000_000i64 {
            let key = Value::Int(i);
            memo.insert(&[(0, Read::Raw)], |_| Cow::Borrowed(&key), outcome());
        }
        assert!(memo.bytes <= BYTES, "{}", memo.bytes);
        assert!(memo.nodes.len() < 100_000, "{}", memo.nodes.len());
        // What was kept is still answered; what was not is evaluated again.
        assert!(memo.get(|_| Cow::Owned(Value::Int(0))).is_some());
        assert!(memo.get(|_| Cow::Owned(Value::Int(999_999))).is_none());
        assert_eq!(memo.conflicts, 0);
    }
}
