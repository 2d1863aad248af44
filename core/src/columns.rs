//! Scoring records held as columns (an Arrow table, a data frame) without
//! writing them as JSON text first: a front end hands each record over as
//! the values of the pack's declared fields, read straight from its typed
//! columns, and gets the same result the JSON line of that record gives.

use std::ops::Range;

use serde_json::Value as Json;

use crate::{Batch, ScoreResult, Scorer};

impl Scorer {
    /// Scores one record given as the values of the pack's declared fields,
    /// in the order of [`Pack::fields`](crate::Pack::fields): `None` where
    /// the record has no such key, `Some(Json::Null)` for a null value (the
    /// two are the same to the scorer, as in a JSON line). Keys the pack does
    /// not declare cannot be given here; the caller reports them.
    ///
    /// Never fails: a record the pack fails on gives an `error` result with
    /// the failure's code, like every other record.
    ///
    /// # Panics
    /// When `values` does not have one entry per declared field.
    pub fn score_fields(&mut self, values: &[Option<Json>]) -> ScoreResult {
        let fields = self.pack().fields().len();
        assert_eq!(values.len(), fields, "one value per declared field");
        let slots: Vec<Option<&Json>> = values.iter().map(Option::as_ref).collect();
        match self.score_slots(&slots) {
            Ok(result) => result,
            Err(error) => self.pack_failed(self.id_in(&slots), &error),
        }
    }

    fn id_in(&self, slots: &[Option<&Json>]) -> Option<String> {
        self.pack()
            .fields()
            .iter()
            .position(|f| f.name == "id")
            .and_then(|i| crate::score::id_of(slots[i]))
    }
}

impl Batch {
    /// Scores the records of `rows` in parallel, keeping their order: `fill`
    /// writes record `row`'s values into the slots (one per declared field,
    /// all `None` on entry; see [`Scorer::score_fields`]), and `map` turns
    /// each result into what the caller keeps, on the worker that scored it.
    ///
    /// As in [`Batch::score_map`], a panic while scoring (a bug) becomes that
    /// record's `error` result and the batch goes on.
    pub fn score_rows<T: Send>(
        &self,
        rows: Range<usize>,
        fill: impl Fn(usize, &mut [Option<Json>]) + Sync,
        map: impl Fn(ScoreResult) -> T + Sync,
    ) -> Vec<T> {
        let score_part = |part: Range<usize>| -> Vec<T> {
            self.with_scorer(|scorer| {
                let mut values = vec![None; scorer.pack().fields().len()];
                part.map(|row| {
                    values.iter_mut().for_each(|v| *v = None);
                    fill(row, &mut values);
                    map(self.score_fields_caught(scorer, &values))
                })
                .collect()
            })
        };
        #[cfg(not(target_arch = "wasm32"))]
        {
            use rayon::prelude::*;
            self.pool.install(|| {
                // Several parts per worker (see `Batch::score_map`).
                let workers = rayon::current_num_threads().max(1);
                let size = rows.len().div_ceil(workers * 8).max(64);
                let parts: Vec<Range<usize>> = rows
                    .clone()
                    .step_by(size)
                    .map(|start| start..(start + size).min(rows.end))
                    .collect();
                parts
                    .into_par_iter()
                    .map(score_part)
                    .collect::<Vec<Vec<T>>>()
                    .into_iter()
                    .flatten()
                    .collect()
            })
        }
        #[cfg(target_arch = "wasm32")]
        {
            score_part(rows)
        }
    }

    /// [`Scorer::score_fields`], a panic caught (see [`Batch::caught`]).
    fn score_fields_caught(&self, scorer: &mut Scorer, values: &[Option<Json>]) -> ScoreResult {
        self.caught(
            scorer,
            |s| s.score_fields(values),
            |s, error| {
                let slots: Vec<Option<&Json>> = values.iter().map(Option::as_ref).collect();
                s.pack_failed(s.id_in(&slots), error)
            },
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Pack, RecordInput};

    /// A record's fields as `score_fields` takes them.
    fn fields_of(pack: &Pack, record: &Json) -> Vec<Option<Json>> {
        pack.fields()
            .iter()
            .map(|f| record.get(&f.name).cloned())
            .collect()
    }

    #[test]
    fn the_same_results_as_json_lines() {
        let pack = Pack::load("vn.enterprise").unwrap();
        let period = "2024".parse().unwrap();
        let text = include_str!("../../tests/cases/vn.enterprise-2024.input.jsonl");
        let records: Vec<Json> = text
            .lines()
            .filter(|l| !l.trim().is_empty())
            .map(|l| serde_json::from_str(l).unwrap())
            .collect();
        assert!(records.len() > 100);
        let batch = Batch::new(&pack, period).unwrap();
        let inputs: Vec<RecordInput> = text
            .lines()
            .filter(|l| !l.trim().is_empty())
            .map(|l| RecordInput::JsonLine(l.to_string()))
            .collect();
        let lines = batch.score_map(&inputs, |r| r.to_json_line());
        let objects: Vec<usize> = (0..records.len())
            .filter(|&i| records[i].is_object())
            .collect();
        let by_rows = batch.score_rows(
            0..objects.len(),
            |row, values| {
                for (slot, value) in values
                    .iter_mut()
                    .zip(fields_of(&pack, &records[objects[row]]))
                {
                    *slot = value;
                }
            },
            |r| r.to_json_line(),
        );
        assert_eq!(by_rows.len(), objects.len());
        let statuses: std::collections::BTreeSet<String> = by_rows
            .iter()
            .map(|l| serde_json::from_str::<Json>(l).unwrap()["status"].to_string())
            .collect();
        assert_eq!(
            statuses.len(),
            3,
            "scored, not applicable and error records"
        );
        for (row, &i) in objects.iter().enumerate() {
            assert_eq!(by_rows[row], lines[i], "record {i}");
        }
    }

    #[test]
    #[should_panic(expected = "one value per declared field")]
    fn a_wrong_number_of_values_is_a_bug_of_the_caller() {
        let pack = Pack::load("vn.enterprise").unwrap();
        let mut scorer = Scorer::new(&pack, "2024".parse().unwrap()).unwrap();
        scorer.score_fields(&[]);
    }
}
