//! The time and memory budget of one evaluation, checked by the host from
//! Rhai's progress callback: the script never sees the clock.

use rhai::{Dynamic, INT};

use super::Limits;

/// What `on_progress` returns to stop a script that ran out of time.
pub(super) const OUT_OF_TIME: INT = 1;
/// What `on_progress` returns to stop a script that built too much.
pub(super) const OUT_OF_MEMORY: INT = 2;

/// The time and memory one evaluation may use, checked by the host between
/// operations. Rhai starts counting operations afresh for every evaluation,
/// so operation 1 marks its start; the start is kept per thread because one
/// engine serves every thread of a batch.
#[derive(Clone, Copy)]
pub(super) struct Budget {
    time: web_time::Duration,
    memory: isize,
}

/// The time an evaluation has taken: the CPU time of its thread where the
/// system gives it (a suspended process, ctrl-Z, is then not a slow rule),
/// else the time on the wall clock (wasm32).
#[derive(Clone, Copy)]
enum Clock {
    #[cfg(not(target_arch = "wasm32"))]
    Cpu(cpu_time::ThreadTime),
    Wall(web_time::Instant),
}

impl Clock {
    fn now() -> Self {
        #[cfg(not(target_arch = "wasm32"))]
        if let Ok(now) = cpu_time::ThreadTime::try_now() {
            return Clock::Cpu(now);
        }
        Clock::Wall(web_time::Instant::now())
    }

    fn elapsed(&self) -> web_time::Duration {
        match self {
            #[cfg(not(target_arch = "wasm32"))]
            Clock::Cpu(start) => start.try_elapsed().unwrap_or_default(),
            Clock::Wall(start) => start.elapsed(),
        }
    }
}

thread_local! {
    static STARTED: std::cell::Cell<Option<(Option<Clock>, isize)>> =
        const { std::cell::Cell::new(None) };
}

impl Budget {
    /// The clock is read once every this many operations (reading it costs
    /// more than an operation).
    const CLOCK_EVERY: u64 = 256;
    /// Memory is checked every this many operations: one operation builds
    /// at most one string, array or map within the size limits.
    const MEMORY_EVERY: u64 = 16;

    pub(super) fn new(limits: &Limits) -> Self {
        Budget {
            time: web_time::Duration::from_millis(limits.max_time_ms),
            memory: isize::try_from(limits.max_memory_bytes).unwrap_or(isize::MAX),
        }
    }

    pub(super) fn check(&self, operations: u64) -> Option<Dynamic> {
        // Operation 1 starts an evaluation: note the memory in use. The
        // clock is read only once an evaluation has run a while (reading the
        // thread's CPU time is a system call, dearer than many operations),
        // so the short evaluations of a scoring sheet never pay for it.
        if operations <= 1 {
            STARTED.set(Some((None, crate::alloc::live_bytes().unwrap_or(0))));
            return None;
        }
        if operations % Self::MEMORY_EVERY != 0 {
            return None;
        }
        let (clock, base) = STARTED.get().unwrap_or((None, 0));
        if crate::alloc::live_bytes().is_some_and(|now| now.wrapping_sub(base) > self.memory) {
            return Some(OUT_OF_MEMORY.into());
        }
        if operations % Self::CLOCK_EVERY != 0 {
            return None;
        }
        match clock {
            None => STARTED.set(Some((Some(Clock::now()), base))),
            Some(start) if start.elapsed() > self.time => return Some(OUT_OF_TIME.into()),
            Some(_) => {}
        }
        None
    }
}
