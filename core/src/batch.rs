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

/// Records read and scored together in one step of [`Batch::stream`]:
/// small enough that workers share the work evenly, large enough that
/// handing chunks around costs nothing next to scoring them.
pub const CHUNK: usize = 256;

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

    /// Maps `items`, split in one contiguous part per worker, each part on
    /// a worker; the outputs in the parts' order. For the work scoring leaves
    /// to the caller on many results (building a table from them, dropping
    /// them), so that it uses the cores scoring did.
    pub fn map_parts<T: Send, U: Send>(
        &self,
        items: Vec<T>,
        map: impl Fn(Vec<T>) -> U + Sync,
    ) -> Vec<U> {
        #[cfg(not(target_arch = "wasm32"))]
        {
            use rayon::prelude::*;
            let mut items = items;
            let workers = self.pool.current_num_threads().max(1);
            let part = items.len().div_ceil(workers).max(1);
            let mut parts = Vec::with_capacity(workers);
            while items.len() > part {
                let rest = items.split_off(part);
                parts.push(std::mem::replace(&mut items, rest));
            }
            parts.push(items);
            self.pool
                .install(|| parts.into_par_iter().map(&map).collect())
        }
        #[cfg(target_arch = "wasm32")]
        {
            vec![map(items)]
        }
    }

    /// Scores one input on `scorer`, a panic caught (see [`Batch::caught`]).
    fn score_one(&self, scorer: &mut Scorer, input: &RecordInput) -> ScoreResult {
        self.caught(scorer, |s| s.score_input(input), |s, e| s.failed(input, e))
    }

    /// Runs `score` on `scorer`. A panic inside it (a bug: the engine is
    /// meant never to panic) becomes the record's `error` result, made by
    /// `failed`, and the scorer, whose state it may have broken, is replaced.
    pub(crate) fn caught(
        &self,
        scorer: &mut Scorer,
        score: impl FnOnce(&mut Scorer) -> ScoreResult,
        failed: impl FnOnce(&Scorer, &Error) -> ScoreResult,
    ) -> ScoreResult {
        let caught = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| score(scorer)));
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
            failed(scorer, &error)
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
                // Several tasks per worker, so one slowed by another process
                // on its core leaves its share to the others.
                let workers = rayon::current_num_threads().max(1);
                let part = inputs.len().div_ceil(workers * 8).max(64);
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
    /// On native targets, long-lived workers (one per thread of the pool,
    /// each with its own warm scorer) take the next chunk of input in turn,
    /// score and map it, and hand it to this thread, which puts chunks back
    /// in order and feeds `sink`. A worker slowed by another process on its
    /// core only takes fewer chunks; nobody waits for it but the writer. At
    /// most `WINDOW` chunks past the last one written are in memory.
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
            let workers = self.pool.current_num_threads().max(1);
            let source = Source {
                state: Mutex::new(SourceState {
                    inputs: inputs.fuse(),
                    next: 0,
                    written: 0,
                    done: false,
                }),
                room: std::sync::Condvar::new(),
            };
            let (sender, receiver) = std::sync::mpsc::channel::<(u64, Vec<T>, Chunk)>();
            std::thread::scope(|scope| {
                // However this ends (a worker that cannot start, a sink error,
                // a panic in `sink`), workers take no further chunk and none
                // waits for room.
                let _stop = StopOnDrop(&source);
                for i in 0..workers {
                    let (source, map, sender) = (&source, &map, sender.clone());
                    std::thread::Builder::new()
                        .name(format!("chamdiem-{i}"))
                        .stack_size(crate::script::SCRIPT_STACK_SIZE)
                        .spawn_scoped(scope, move || {
                            // A worker that panics (in `map`: scoring catches its
                            // own) stops the others, so nobody waits for its chunk.
                            let _stop = StopOnDrop(source);
                            self.with_scorer(|scorer| {
                                while let Some((seq, mut chunk)) = source.take() {
                                    // The inputs are dropped here; the writer needs only the end.
                                    let out: Vec<T> = std::mem::take(&mut chunk.records)
                                        .iter()
                                        .map(|input| map(self.score_one(scorer, input)))
                                        .collect();
                                    if sender.send((seq, out, chunk)).is_err() {
                                        break;
                                    }
                                }
                            })
                        })
                        .map_err(|e| {
                            Error::Input(format!("không tạo được luồng chấm điểm: {e}"))
                        })?;
                }
                drop(sender);
                (|| {
                    let mut count = 0;
                    let mut waiting = std::collections::BTreeMap::new();
                    let mut written = 0u64;
                    for (seq, out, chunk) in receiver.iter() {
                        waiting.insert(seq, (out, chunk));
                        while let Some((out, chunk)) = waiting.remove(&written) {
                            count += out.len();
                            for item in out {
                                sink(item)?;
                            }
                            written += 1;
                            source.wrote(written);
                            if let Some(failure) = chunk.failure {
                                return Err(failure);
                            }
                            if chunk.last {
                                return Ok(count);
                            }
                        }
                    }
                    // Every worker ended without the last chunk: one panicked
                    // (the scope re-raises its panic) or the input stopped.
                    Ok(count)
                })()
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

/// Stops a [`Source`] when dropped, on any way out of a worker or the writer.
#[cfg(not(target_arch = "wasm32"))]
struct StopOnDrop<'a, I: Iterator<Item = Result<RecordInput, Error>>>(&'a Source<I>);

#[cfg(not(target_arch = "wasm32"))]
impl<I: Iterator<Item = Result<RecordInput, Error>>> Drop for StopOnDrop<'_, I> {
    fn drop(&mut self) {
        self.0.stop();
    }
}

/// Chunks read ahead of the writer, at most: bounds memory when one worker
/// is slow (a neighbour on its core, records near the time limit).
#[cfg(not(target_arch = "wasm32"))]
const WINDOW: u64 = 8;

/// The input of [`Batch::stream`], shared by its workers: each takes the
/// next chunk in turn, numbered so the writer can put them back in order.
#[cfg(not(target_arch = "wasm32"))]
struct Source<I> {
    state: Mutex<SourceState<I>>,
    room: std::sync::Condvar,
}

#[cfg(not(target_arch = "wasm32"))]
struct SourceState<I> {
    inputs: I,
    /// The number of the next chunk to read.
    next: u64,
    /// How many chunks the writer has handed on.
    written: u64,
    /// The input ended (or failed), or the stream stopped.
    done: bool,
}

#[cfg(not(target_arch = "wasm32"))]
impl<I: Iterator<Item = Result<RecordInput, Error>>> Source<I> {
    /// The next chunk and its number, once the writer is close enough behind;
    /// `None` when there is nothing more to take.
    fn take(&self) -> Option<(u64, Chunk)> {
        let mut state = self.state.lock().unwrap_or_else(|p| p.into_inner());
        while !state.done && state.next >= state.written + WINDOW {
            state = self.room.wait(state).unwrap_or_else(|p| p.into_inner());
        }
        if state.done {
            return None;
        }
        let chunk = next_chunk(&mut state.inputs);
        state.done = chunk.last;
        let seq = state.next;
        state.next += 1;
        Some((seq, chunk))
    }

    fn wrote(&self, written: u64) {
        self.state.lock().unwrap_or_else(|p| p.into_inner()).written = written;
        self.room.notify_all();
    }

    fn stop(&self) {
        self.state.lock().unwrap_or_else(|p| p.into_inner()).done = true;
        self.room.notify_all();
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

    fn numbered(n: usize) -> RecordInput {
        let RecordInput::Json(mut record) = record(10 + (n % 997) as i64) else {
            unreachable!()
        };
        record["id"] = format!("dn-{n}").into();
        RecordInput::Json(record)
    }

    #[test]
    fn stream_keeps_order_and_stops_at_a_read_error_after_every_earlier_result() {
        let pack = Pack::load("vn.enterprise").unwrap();
        let batch = Batch::new(&pack, "2024".parse().unwrap()).unwrap();
        // Longer than WINDOW chunks, with the failure deep inside a chunk.
        let fail_at = CHUNK * 11 + 17;
        let inputs = (0..CHUNK * 14).map(|n| {
            if n == fail_at {
                Err(Error::Input("đọc hỏng".into()))
            } else {
                Ok(numbered(n))
            }
        });
        let mut seen = Vec::new();
        let outcome = batch.stream(
            inputs,
            |r| r.to_json_line(),
            |line| {
                seen.push(line);
                Ok(())
            },
        );
        assert!(matches!(outcome, Err(Error::Input(m)) if m == "đọc hỏng"));
        let expected: Vec<String> = (0..fail_at)
            .map(|n| batch.score(&[numbered(n)])[0].to_json_line())
            .collect();
        assert_eq!(seen.len(), expected.len());
        assert!(seen == expected, "results out of order or different");
    }

    #[test]
    fn stream_stops_when_the_sink_fails_and_reads_no_further_than_its_window() {
        let pack = Pack::load("vn.enterprise").unwrap();
        let batch = Batch::new(&pack, "2024".parse().unwrap()).unwrap();
        let read = std::sync::atomic::AtomicUsize::new(0);
        let inputs = (0..CHUNK * 100).map(|n| {
            read.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            Ok(numbered(n))
        });
        let mut sunk = 0;
        let outcome = batch.stream(
            inputs,
            |r| r.to_json_line(),
            |_| {
                sunk += 1;
                if sunk == 700 {
                    Err(Error::Input("đĩa đầy".into()))
                } else {
                    Ok(())
                }
            },
        );
        assert!(matches!(outcome, Err(Error::Input(m)) if m == "đĩa đầy"));
        let read = read.load(std::sync::atomic::Ordering::Relaxed);
        assert!(
            read <= CHUNK * (WINDOW as usize + 4),
            "read {read} records for a sink that failed at 700"
        );
    }

    #[test]
    fn a_panic_in_map_or_sink_ends_the_stream_instead_of_hanging() {
        let pack = Pack::load("vn.enterprise").unwrap();
        let batch = Batch::new(&pack, "2024".parse().unwrap()).unwrap();
        let inputs = || (0..CHUNK * 40).map(|n| Ok(numbered(n)));
        let in_map = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            batch.stream(
                inputs(),
                |r| {
                    assert_ne!(r.id(), Some("dn-3000"), "map fails");
                    0
                },
                |_| Ok(()),
            )
        }));
        assert!(in_map.is_err());
        let mut sunk = 0;
        let in_sink = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            batch.stream(
                inputs(),
                |_| 0,
                |_| {
                    sunk += 1;
                    assert_ne!(sunk, 3000, "sink fails");
                    Ok(())
                },
            )
        }));
        assert!(in_sink.is_err());
    }

    #[test]
    fn map_parts_sees_every_item_once_in_order() {
        let pack = Pack::load("vn.enterprise").unwrap();
        let batch = Batch::new(&pack, "2024".parse().unwrap()).unwrap();
        for n in [0usize, 1, 2, 3, 7, 1000, 1001] {
            let parts = batch.map_parts((0..n).collect(), |part| part);
            assert!(!parts.is_empty() && parts.len() <= batch.pool.current_num_threads().max(1));
            let joined: Vec<usize> = parts.into_iter().flatten().collect();
            assert_eq!(joined, (0..n).collect::<Vec<_>>());
        }
    }
}
