//! A global allocator wrapper that counts, per thread, the bytes allocated
//! and not yet freed, so the engine can stop a script that builds too much
//! (`Limits::max_memory_bytes`).
//!
//! Rhai bounds the length of one string, array or map, but not every way a
//! script can grow memory (map keys, entries added by `m[k] = v`). Counting
//! at the allocator bounds them all. It works only in a program that installs
//! it:
//!
//! ```ignore
//! #[global_allocator]
//! static ALLOCATOR: chamdiem::CountingAllocator<std::alloc::System> =
//!     chamdiem::CountingAllocator::new(std::alloc::System);
//! ```
//!
//! Without it the memory limit is not enforced (the other limits are).

#![allow(unsafe_code)] // the one place: implementing `GlobalAlloc` requires it

use std::alloc::{GlobalAlloc, Layout};
use std::cell::Cell;
use std::sync::atomic::{AtomicBool, Ordering};

thread_local! {
    // Const-initialised and without a destructor: reading it never allocates,
    // so the allocator may use it.
    static LIVE_BYTES: Cell<isize> = const { Cell::new(0) };
}

/// Whether the program installed the counting allocator.
static INSTALLED: AtomicBool = AtomicBool::new(false);

/// Wraps an allocator (for example `std::alloc::System` or mimalloc) and
/// counts the live bytes of each thread. Install it with `#[global_allocator]`.
pub struct CountingAllocator<A>(A);

impl<A> CountingAllocator<A> {
    /// Wraps `inner`.
    pub const fn new(inner: A) -> Self {
        CountingAllocator(inner)
    }
}

fn add(bytes: isize) {
    let _ = LIVE_BYTES.try_with(|live| live.set(live.get().wrapping_add(bytes)));
    // Written once: threads that only read it share the cache line.
    if !INSTALLED.load(Ordering::Relaxed) {
        INSTALLED.store(true, Ordering::Relaxed);
    }
}

// SAFETY: every call is passed on unchanged to the wrapped allocator; the
// counting only touches a const-initialised thread-local `Cell`.
unsafe impl<A: GlobalAlloc> GlobalAlloc for CountingAllocator<A> {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let ptr = unsafe { self.0.alloc(layout) };
        if !ptr.is_null() {
            add(layout.size() as isize);
        }
        ptr
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        let ptr = unsafe { self.0.alloc_zeroed(layout) };
        if !ptr.is_null() {
            add(layout.size() as isize);
        }
        ptr
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        unsafe { self.0.dealloc(ptr, layout) };
        add(-(layout.size() as isize));
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        let new = unsafe { self.0.realloc(ptr, layout, new_size) };
        if !new.is_null() {
            add(new_size as isize - layout.size() as isize);
        }
        new
    }
}

/// Bytes allocated and not freed by this thread so far, when the counting
/// allocator is installed (`None` otherwise). Only differences between two
/// readings mean something.
pub(crate) fn live_bytes() -> Option<isize> {
    if INSTALLED.load(Ordering::Relaxed) {
        LIVE_BYTES.try_with(Cell::get).ok()
    } else {
        None
    }
}
