//! [`Limits`]: what one evaluation of an untrusted script may use.

use serde::Serialize;

use crate::error::Limit;

/// Execution limits for untrusted pack scripts.
///
/// The defaults are far above what a scoring sheet needs and far below what
/// would hang or exhaust the host.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Limits {
    /// Operations allowed in one evaluation of one rule.
    pub max_operations: u64,
    /// Operations allowed while a pack file's top level runs (loading).
    pub max_load_operations: u64,
    /// Nested function calls.
    pub max_call_levels: usize,
    /// Nesting of expressions (at global level; functions get half).
    pub max_expr_depth: usize,
    /// Nesting of a value a script builds: arrays and maps inside each
    /// other, closures capturing closures (each counts one level). Dropping
    /// a value recurses once per level, so this bounds the stack that takes
    /// on every platform, including WebAssembly, where the stack is small.
    pub max_nesting_depth: usize,
    /// Characters in one string.
    pub max_string_size: usize,
    /// Items in one array.
    pub max_array_size: usize,
    /// Entries in one object map.
    pub max_map_size: usize,
    /// Modules imported by one evaluation.
    pub max_modules: usize,
    /// Variables in one scope.
    pub max_variables: usize,
    /// Bytes in one source file.
    pub max_source_size: usize,
    /// Depth of the `extends` chain.
    pub max_extends_depth: usize,
    /// Milliseconds one evaluation may run: one rule on one record, or one
    /// file's top level at load. The operations limit counts a call of a
    /// built-in as one operation however long it takes (`a.contains(x)` over
    /// a large array); this bounds the time itself. It is the CPU time of the
    /// scoring thread (on wasm32, wall time). The host checks the clock
    /// between operations: the script never sees it.
    pub max_time_ms: u64,
    /// Bytes one evaluation may allocate and keep (the same evaluations as
    /// `max_time_ms`). Enforced only in a program that installs
    /// [`CountingAllocator`](crate::CountingAllocator) as its global
    /// allocator, as the `chamdiem` command does.
    pub max_memory_bytes: u64,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_operations: 100_000,
            max_load_operations: 1_000_000,
            max_call_levels: 32,
            max_expr_depth: 64,
            max_nesting_depth: 64,
            max_string_size: 64 * 1024,
            max_array_size: 10_000,
            max_map_size: 10_000,
            max_modules: 16,
            max_variables: 1_000,
            max_source_size: 1024 * 1024,
            max_extends_depth: 8,
            max_time_ms: 2_000,
            max_memory_bytes: 64 * 1024 * 1024,
        }
    }
}

impl Limits {
    pub(crate) fn value(&self, limit: Limit) -> u64 {
        match limit {
            Limit::Operations => self.max_operations,
            Limit::LoadOperations => self.max_load_operations,
            Limit::CallDepth => self.max_call_levels as u64,
            Limit::ExpressionDepth => self.max_expr_depth as u64,
            Limit::NestingDepth => self.max_nesting_depth as u64,
            Limit::StringSize => self.max_string_size as u64,
            Limit::ArraySize => self.max_array_size as u64,
            Limit::MapSize => self.max_map_size as u64,
            Limit::Modules => self.max_modules as u64,
            Limit::Variables => self.max_variables as u64,
            Limit::SourceSize => self.max_source_size as u64,
            Limit::ExtendsDepth => self.max_extends_depth as u64,
            Limit::Time => self.max_time_ms,
            Limit::Memory => self.max_memory_bytes,
        }
    }
}
