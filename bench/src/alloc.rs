//! A counting global allocator: allocations and live bytes, per thread.
//!
//! The workspace forbids unsafe code; a [`GlobalAlloc`] can only be
//! implemented with `unsafe impl`, so this module, and nothing else in the
//! bench, allows it (see `[lints]` in this crate's Cargo.toml). Each method
//! forwards to [`System`] unchanged and only adds to thread-local counters.
//!
//! Counting is per thread and off until [`track_this_thread`] is called, so
//! the loopback server (on its own thread) does not count against the client
//! being measured.
#![allow(unsafe_code)]

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;

/// The allocator the bench binary installs.
pub(crate) struct Counting;

thread_local! {
    static TRACKED: Cell<bool> = const { Cell::new(false) };
    static ALLOCATIONS: Cell<u64> = const { Cell::new(0) };
    static LIVE: Cell<i64> = const { Cell::new(0) };
    static PEAK: Cell<i64> = const { Cell::new(0) };
}

/// Adds `delta` live bytes (and one allocation if `new`) on a tracked thread.
/// The thread-locals are `const`-initialised `Cell`s without destructors, so
/// touching them never allocates; `try_with` covers thread teardown.
fn note(delta: i64, new: bool) {
    let _ = TRACKED.try_with(|tracked| {
        if !tracked.get() {
            return;
        }
        if new {
            ALLOCATIONS.set(ALLOCATIONS.get() + 1);
        }
        let live = LIVE.get() + delta;
        LIVE.set(live);
        if live > PEAK.get() {
            PEAK.set(live);
        }
    });
}

fn size(layout: Layout) -> i64 {
    i64::try_from(layout.size()).unwrap_or(i64::MAX)
}

// SAFETY: every method forwards its arguments to `System` as received, and
// returns what `System` returned; the counters never touch the memory.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        note(size(layout), true);
        // SAFETY: the caller upholds `GlobalAlloc::alloc`'s contract.
        unsafe { System.alloc(layout) }
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        note(size(layout), true);
        // SAFETY: as for `alloc`.
        unsafe { System.alloc_zeroed(layout) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        note(-size(layout), false);
        // SAFETY: `ptr` was allocated by `System` with `layout`.
        unsafe { System.dealloc(ptr, layout) }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        note(
            i64::try_from(new_size).unwrap_or(i64::MAX) - size(layout),
            true,
        );
        // SAFETY: the caller upholds `GlobalAlloc::realloc`'s contract.
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

/// Starts counting the allocations of the calling thread.
pub(crate) fn track_this_thread() {
    TRACKED.with(|t| t.set(true));
}

/// Allocator calls (`alloc`, `alloc_zeroed`, `realloc`) on this thread since
/// tracking began.
pub(crate) fn allocations() -> u64 {
    ALLOCATIONS.with(Cell::get)
}

/// Starts a new high-water mark at the bytes live now, and returns them.
pub(crate) fn reset_peak() -> i64 {
    let live = LIVE.with(Cell::get);
    PEAK.with(|p| p.set(live));
    live
}

/// The most bytes live on this thread since the last [`reset_peak`].
pub(crate) fn peak() -> i64 {
    PEAK.with(Cell::get)
}
