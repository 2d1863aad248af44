//! Scoring many records: in parallel on native targets (rayon), in order,
//! and streaming, so memory stays bounded whatever the input's size.

use std::sync::Mutex;

use crate::{Error, Pack, Period, RecordInput, ScoreResult, Scorer};

/// Scores batches of records for one pack and period, keeping a warm
/// [`Scorer`] (and its memo) per worker between batches.
pub struct Batch {
    pack: Pack,
    period: Period,
    idle: Mutex<Vec<Scorer>>,
}

/// Records scored together in one step of [`Batch::stream`].
pub const CHUNK: usize = 1024;

impl Batch {
    /// A batch scorer; fails when the pack is not in force during `period`.
    pub fn new(pack: &Pack, period: Period) -> Result<Self, Error> {
        let first = Scorer::new(pack, period)?;
        Ok(Batch {
            pack: pack.clone(),
            period,
            idle: Mutex::new(vec![first]),
        })
    }

    fn with_scorer<T>(&self, work: impl FnOnce(&mut Scorer) -> T) -> T {
        let taken = self.idle.lock().expect("scorer pool").pop();
        let mut scorer = match taken {
            Some(scorer) => scorer,
            None => Scorer::new(&self.pack, self.period).expect("checked in Batch::new"),
        };
        let out = work(&mut scorer);
        self.idle.lock().expect("scorer pool").push(scorer);
        out
    }

    /// Keys of the records scored so far that the pack does not declare
    /// (ignored), sorted: see [`Scorer::unknown_fields`].
    pub fn unknown_fields(&self) -> Vec<String> {
        let idle = self.idle.lock().expect("scorer pool");
        let mut all: Vec<String> = idle
            .iter()
            .flat_map(|s| s.unknown_fields().map(String::from))
            .collect();
        all.sort_unstable();
        all.dedup();
        all
    }

    /// Scores `inputs`, one result each, in order.
    pub fn score(&self, inputs: &[RecordInput]) -> Vec<ScoreResult> {
        self.score_map(inputs, |result| result)
    }

    /// Scores `inputs` and maps each result (for example to its JSON line)
    /// on the worker that scored it; the output keeps the input order.
    pub fn score_map<T: Send>(
        &self,
        inputs: &[RecordInput],
        map: impl Fn(ScoreResult) -> T + Sync,
    ) -> Vec<T> {
        #[cfg(not(target_arch = "wasm32"))]
        {
            use rayon::prelude::*;
            let workers = rayon::current_num_threads().max(1);
            let part = inputs.len().div_ceil(workers).max(64);
            inputs
                .par_chunks(part)
                .map(|chunk| {
                    self.with_scorer(|s| {
                        chunk
                            .iter()
                            .map(|i| map(s.score_input(i)))
                            .collect::<Vec<T>>()
                    })
                })
                .collect::<Vec<Vec<T>>>()
                .into_iter()
                .flatten()
                .collect()
        }
        #[cfg(target_arch = "wasm32")]
        {
            self.with_scorer(|s| inputs.iter().map(|i| map(s.score_input(i))).collect())
        }
    }

    /// Reads, scores and hands on records chunk by chunk: `sink` gets every
    /// mapped result in input order. Returns how many records were scored.
    ///
    /// On native targets three stages overlap: a thread reads the next chunk,
    /// the pool scores (and maps) the current one, and this thread hands the
    /// previous one to `sink`. At most three chunks are in memory.
    ///
    /// Stops with the error when the input cannot be read further or the
    /// sink fails; every record read before that has had its result.
    pub fn stream<T: Send>(
        &self,
        inputs: impl Iterator<Item = Result<RecordInput, Error>> + Send,
        map: impl Fn(ScoreResult) -> T + Sync,
        mut sink: impl FnMut(T) -> Result<(), Error>,
    ) -> Result<usize, Error> {
        #[cfg(not(target_arch = "wasm32"))]
        {
            std::thread::scope(|scope| {
                let (sender, receiver) = std::sync::mpsc::sync_channel::<Chunk>(1);
                scope.spawn(move || {
                    let mut inputs = inputs.fuse();
                    loop {
                        let chunk = next_chunk(&mut inputs);
                        let last = chunk.last;
                        if sender.send(chunk).is_err() || last {
                            break;
                        }
                    }
                });
                let map = &map;
                let mut count = 0;
                let mut scored: Vec<T> = Vec::new();
                let mut failure = None;
                for chunk in receiver {
                    count += chunk.records.len();
                    failure = chunk.failure;
                    let records = chunk.records;
                    let scoring = scope.spawn(move || self.score_map(&records, map));
                    for out in std::mem::take(&mut scored) {
                        sink(out)?;
                    }
                    scored = scoring.join().expect("the scoring thread does not panic");
                    if failure.is_some() || chunk.last {
                        break;
                    }
                }
                for out in scored {
                    sink(out)?;
                }
                failure.map_or(Ok(count), Err)
            })
        }
        #[cfg(target_arch = "wasm32")]
        {
            let mut inputs = inputs.fuse();
            let mut count = 0;
            loop {
                let chunk = next_chunk(&mut inputs);
                count += chunk.records.len();
                for out in self.score_map(&chunk.records, &map) {
                    sink(out)?;
                }
                if let Some(e) = chunk.failure {
                    return Err(e);
                }
                if chunk.last {
                    return Ok(count);
                }
            }
        }
    }
}

/// Records read together, and the error that ended the input, if any.
struct Chunk {
    records: Vec<RecordInput>,
    failure: Option<Error>,
    last: bool,
}

fn next_chunk(inputs: &mut impl Iterator<Item = Result<RecordInput, Error>>) -> Chunk {
    let mut records = Vec::with_capacity(CHUNK);
    for input in inputs.by_ref() {
        match input {
            Ok(input) => records.push(input),
            Err(e) => {
                return Chunk {
                    records,
                    failure: Some(e),
                    last: true,
                }
            }
        }
        if records.len() == CHUNK {
            return Chunk {
                records,
                failure: None,
                last: false,
            };
        }
    }
    Chunk {
        records,
        failure: None,
        last: true,
    }
}
