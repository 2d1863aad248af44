//! Scoring many records: in parallel on native targets (rayon), in order,
//! and streaming, so memory stays bounded whatever the input's size.

use std::sync::Mutex;

use crate::{Error, Location, Pack, Period, RecordInput, ScoreResult, Scorer};

/// Scores batches of records for one pack and period, keeping a warm
/// [`Scorer`] (and its memo) per worker between batches.
pub struct Batch {
    pub(crate) pack: Pack,
    pub(crate) period: Period,
    idle: Mutex<Vec<Scorer>>,
    /// Workers with a stack deep enough for what a pack's scripts may build.
    #[cfg(not(target_arch = "wasm32"))]
    pub(crate) pool: rayon::ThreadPool,
}

/// Records scored together in one step of [`Batch::stream`].
pub const CHUNK: usize = 1024;

impl Batch {
    /// A batch scorer; fails when the pack is not in force during `period`.
    pub fn new(pack: &Pack, period: Period) -> Result<Self, Error> {
        let first = Scorer::new(pack, period)?;
        #[cfg(not(target_arch = "wasm32"))]
        let pool = rayon::ThreadPoolBuilder::new()
            .thread_name(|i| format!("chamdiem-{i}"))
            .stack_size(crate::script::SCRIPT_STACK_SIZE)
            .build()
            .map_err(|e| Error::Input(format!("không tạo được các luồng chấm điểm: {e}")))?;
        Ok(Batch {
            pack: pack.clone(),
            period,
            idle: Mutex::new(vec![first]),
            #[cfg(not(target_arch = "wasm32"))]
            pool,
        })
    }

    /// Scores one input on `scorer`. A panic while scoring (a bug: the engine
    /// is meant never to panic) becomes this record's `error` result, and the
    /// scorer, whose state it may have broken, is replaced.
    fn score_one(&self, scorer: &mut Scorer, input: &RecordInput) -> ScoreResult {
        let caught =
            std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| scorer.score_input(input)));
        caught.unwrap_or_else(|panic| {
            *scorer = Scorer::new(&self.pack, self.period).expect("checked in Batch::new");
            let error = Error::Script {
                location: Location::file(self.pack.id()),
                context: "chấm bản ghi".into(),
                message: format!(
                    "lỗi nội bộ của chamdiem: {}",
                    crate::script::panic_message(&*panic)
                ),
            };
            scorer.failed(input, &error)
        })
    }

    pub(crate) fn with_scorer<T>(&self, work: impl FnOnce(&mut Scorer) -> T) -> T {
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
            self.pool.install(|| {
                let workers = rayon::current_num_threads().max(1);
                let part = inputs.len().div_ceil(workers).max(64);
                inputs
                    .par_chunks(part)
                    .map(|chunk| {
                        self.with_scorer(|s| {
                            chunk
                                .iter()
                                .map(|i| map(self.score_one(s, i)))
                                .collect::<Vec<T>>()
                        })
                    })
                    .collect::<Vec<Vec<T>>>()
                    .into_iter()
                    .flatten()
                    .collect()
            })
        }
        #[cfg(target_arch = "wasm32")]
        {
            self.with_scorer(|s| inputs.iter().map(|i| map(self.score_one(s, i))).collect())
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Status;

    fn record(employees: i64) -> RecordInput {
        let path = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../rules/vn.enterprise/examples.jsonl"
        );
        let text = std::fs::read_to_string(path).unwrap();
        let first: serde_json::Value = serde_json::from_str(text.lines().next().unwrap()).unwrap();
        let mut record = first["record"].clone();
        record["employees"] = employees.into();
        RecordInput::Json(record)
    }

    #[test]
    fn a_panic_while_scoring_is_that_records_error_and_the_batch_goes_on() {
        let pack = Pack::from_source(
            "panics.rhai",
            r#"extends("vn.enterprise");
pack(#{ id: "test.panics", title: "Panics", version: "0" });
change_criterion("1.1", #{ rule: |r| { if r.employees == 13 { panic_for_tests(r.employees); } pass("") } });"#,
        )
        .unwrap();
        let batch = Batch::new(&pack, "2024".parse().unwrap()).unwrap();
        let inputs = [
            record(300),
            record(13),
            record(301),
            record(13),
            record(302),
        ];
        let results = batch.score(&inputs);
        let statuses: Vec<Status> = results.iter().map(ScoreResult::status).collect();
        use Status::{Error as E, Scored as S};
        assert_eq!(statuses, [S, E, S, E, S]);
        let message = &results[1].errors()[0].message;
        assert!(message.contains("lỗi nội bộ"), "{message}");
        assert!(message.contains("panic_for_tests"), "{message}");
    }
}
