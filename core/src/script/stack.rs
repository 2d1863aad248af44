//! Deep stacks for scripts: dropping a value nested as deep as the limits
//! let a script build recurses in Rhai's code.

/// Stack for threads that run pack scripts. Dropping a value nested deep
/// (maps in maps, closures capturing closures: as deep as the limits let a
/// script build) recurses in Rhai's code, and overflowing a thread's stack
/// aborts the whole process. Only address space is reserved: memory is used
/// as deep as a script actually goes.
///
/// [`PackLoader`](crate::PackLoader) and [`Batch`](crate::Batch) run scripts
/// on threads with this stack; [`Scorer`](crate::Scorer), called from a thread
/// with less, runs each rule on a stack of this size switched to for the call.
/// On wasm32 scripts run on the calling stack.
pub const SCRIPT_STACK_SIZE: usize = 512 * 1024 * 1024;

/// Runs `work` on a new thread with [`SCRIPT_STACK_SIZE`] of stack (on wasm32,
/// which has no threads, on this one). A panic in `work` comes back as `Err`
/// with its message.
pub(crate) fn on_script_stack<T: Send>(work: impl FnOnce() -> T + Send) -> Result<T, String> {
    #[cfg(not(target_arch = "wasm32"))]
    {
        std::thread::scope(|scope| {
            let thread = std::thread::Builder::new()
                .name("chamdiem-script".into())
                .stack_size(SCRIPT_STACK_SIZE)
                .spawn_scoped(scope, work);
            match thread {
                Ok(thread) => thread.join().map_err(|panic| panic_message(&*panic)),
                Err(e) => Err(format!("không tạo được luồng chạy kịch bản: {e}")),
            }
        })
    }
    #[cfg(target_arch = "wasm32")]
    {
        Ok(work())
    }
}

/// Runs `work` (one rule's evaluation) where at least half of
/// [`SCRIPT_STACK_SIZE`] is left: on this thread's stack when there is that
/// much (threads of a [`Batch`](crate::Batch)), else on a new stack of that
/// size switched to on this same thread. On wasm32, where that is not
/// possible, on this stack.
pub(crate) fn with_deep_stack<T>(work: impl FnOnce() -> T) -> T {
    #[cfg(not(target_arch = "wasm32"))]
    {
        stacker::maybe_grow(SCRIPT_STACK_SIZE / 2, SCRIPT_STACK_SIZE, work)
    }
    #[cfg(target_arch = "wasm32")]
    {
        work()
    }
}

/// The text of a panic's payload.
pub(crate) fn panic_message(panic: &(dyn std::any::Any + Send)) -> String {
    panic
        .downcast_ref::<&str>()
        .map(|s| s.to_string())
        .or_else(|| panic.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "không rõ nguyên nhân".into())
}
