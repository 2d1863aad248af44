//! How deep a value a script builds may nest: arrays and maps inside each
//! other, closures capturing closures. Dropping such a value recurses in
//! Rhai's code once per level; 20,000 chained closures overflow any normal
//! stack (on native threads chamdiem runs scripts on a deep stack, but
//! WebAssembly has only the JavaScript engine's). Rhai bounds the size of
//! arrays and maps, not what closures capture, so the depth is checked here.
//!
//! A value can only grow one level deeper by being read: a closure captures
//! a variable, an array or map literal or a call takes one. So every read
//! of a variable checks the depth of its value (scalars at once), and a
//! script fails with [`Limit::NestingDepth`](crate::Limit) at the line of
//! the read that would nest deeper, on every platform alike.
//!
//! The walk looks into everything: skipping large arrays, or stopping after
//! some number of items, would let a chain of closures hide behind them.
//! Its cost is bounded by Rhai's own size limits (10,000 items an array or
//! map by default), so a rule that reads a large array in a loop is slower
//! (each read looks at every item), never unbounded: the time budget holds.

use hashbrown::HashMap;
use rhai::{Array, Dynamic, Engine, EvalAltResult, FnPtr, Map, Position, INT};

/// What the variable resolver stops a script with (uncatchable, like the
/// operations limit), mapped to [`Limit::NestingDepth`](crate::Limit).
pub(super) const TOO_DEEP: INT = 3;

/// Checks the depth of every variable's value when it is read.
pub(super) fn bound_nesting(engine: &mut Engine, max: usize) {
    // `on_var` is marked deprecated as "volatile", not as going away.
    #[allow(deprecated)]
    engine.on_var(move |name, _, context| {
        match context.scope().get(name) {
            Some(value) if depth(value, max).is_none() => {
                Err(EvalAltResult::ErrorTerminated(TOO_DEEP.into(), Position::NONE).into())
            }
            // Not resolved here: Rhai reads the variable as usual.
            _ => Ok(None),
        }
    });
}

/// The depth of `value` (a scalar 0; an array, a map or a closure one more
/// than its deepest part), or `None` when it is deeper than `max`.
pub(super) fn depth(value: &Dynamic, max: usize) -> Option<usize> {
    if !can_nest(value) {
        return Some(0);
    }
    let mut walk = Walk {
        max,
        cells: HashMap::new(),
    };
    // A cell met again deeper down reports the depth found first: the
    // total is checked against `max` once more here.
    walk.depth(value, 0).filter(|&depth| depth <= max)
}

/// Whether `value` can hold other values: scalars (most reads) cannot.
#[inline]
fn can_nest(value: &Dynamic) -> bool {
    value.is_shared() || value.is_array() || value.is_map() || value.is_fnptr()
}

struct Walk {
    max: usize,
    /// Shared cells (captured variables) met so far, by address: their
    /// depth, or `None` while being walked. A closure's captured cells may
    /// be reached by many paths; each is walked once.
    cells: HashMap<usize, Option<usize>>,
}

impl Walk {
    /// The depth of `value` found `level` containers down, or `None` past
    /// `max` (the walk itself never recurses deeper than `max`).
    fn depth(&mut self, value: &Dynamic, level: usize) -> Option<usize> {
        if value.is_shared() {
            // A cell locked for writing is being changed or run right now
            // and was reached again from inside: a cycle, nesting without end.
            let inner = value.read_lock::<Dynamic>()?;
            let key = &*inner as *const Dynamic as usize;
            match self.cells.get(&key) {
                Some(Some(depth)) => return Some(*depth),
                // A closure that captures itself: a cycle.
                Some(None) => return None,
                None => {}
            }
            self.cells.insert(key, None);
            let depth = self.depth(&inner, level)?;
            self.cells.insert(key, Some(depth));
            return Some(depth);
        }
        if !can_nest(value) {
            return Some(0);
        }
        let level = level + 1;
        if level > self.max {
            return None;
        }
        let deepest = if value.is_array() {
            self.deepest(value.read_lock::<Array>()?.iter(), level)
        } else if value.is_map() {
            self.deepest(value.read_lock::<Map>()?.values(), level)
        } else {
            self.deepest(value.read_lock::<FnPtr>()?.curry().iter(), level)
        }?;
        Some(deepest + 1)
    }

    /// The depth of the deepest of `parts`, found `level` containers down.
    fn deepest<'a>(
        &mut self,
        parts: impl Iterator<Item = &'a Dynamic>,
        level: usize,
    ) -> Option<usize> {
        let mut deepest = 0;
        for part in parts.filter(|part| can_nest(part)) {
            deepest = deepest.max(self.depth(part, level)?);
        }
        Some(deepest)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::{Error, Limit, Location};
    use crate::script::{eval_error, new_engine, Limits};

    /// Runs `script` as WebAssembly would: on a stack of 1 MiB (a debug
    /// build's frames are larger than wasm's), not the deep stack the
    /// native host gives scripts. A value nested too deep to drop there
    /// aborts this whole test process.
    fn on_small_stack(script: &'static str) -> Result<rhai::Dynamic, Error> {
        std::thread::Builder::new()
            .stack_size(1 << 20)
            .spawn(move || {
                let limits = Limits::default();
                new_engine(&limits)
                    .eval::<rhai::Dynamic>(script)
                    .map_err(|e| eval_error(&e, &Location::file("t.rhai"), "thử", &limits))
            })
            .unwrap()
            .join()
            .unwrap()
    }

    fn nesting_error_at_line(result: Result<rhai::Dynamic, Error>, line: usize) {
        match result {
            Err(Error::LimitExceeded {
                limit: Limit::NestingDepth,
                max: 64,
                location,
                ..
            }) => assert_eq!(location.line, Some(line)),
            other => panic!("expected the nesting limit, got {other:?}"),
        }
    }

    #[test]
    fn chained_closures_stop_at_the_limit_on_a_small_stack() {
        let script = "let f = |x| x;\nfor i in 0..20000 { let g = f; f = |x| g.call(x); }\n1";
        nesting_error_at_line(on_small_stack(script), 2);
    }

    #[test]
    fn nested_maps_and_arrays_stop_at_the_limit() {
        let maps = "let m = #{};\nfor i in 0..9990 { m = #{ a: m }; }\n1";
        nesting_error_at_line(on_small_stack(maps), 2);
        let arrays = "let a = [];\nloop { a = [a]; }";
        nesting_error_at_line(on_small_stack(arrays), 2);
        // Closures inside arrays inside closures: each counts.
        let mixed = "let a = [];\nloop { let b = a; a = [|| b]; }";
        nesting_error_at_line(on_small_stack(mixed), 2);
    }

    #[test]
    fn a_large_array_captured_beside_the_chain_hides_nothing() {
        // A large array captured with every link: looked into each time.
        let script = "let pad = [];\nfor i in 0..5000 { pad.push(i); }\nlet f = |x| x;\nfor i in 0..20000 { let g = f; f = |x| { pad.len(); g.call(x) }; }\n1";
        nesting_error_at_line(on_small_stack(script), 4);
        // Each link behind a new large array.
        let behind = "let pad = [];\nfor i in 0..5000 { pad.push(i); }\nlet a = [];\nloop { let b = a; a = pad + [|| b]; }";
        nesting_error_at_line(on_small_stack(behind), 4);
    }

    #[test]
    fn a_closure_that_captures_itself_is_a_cycle() {
        let script = "let f = 0;\nf = |x| f;\nlet g = f;\n1";
        nesting_error_at_line(on_small_stack(script), 3);
    }

    #[test]
    fn closures_of_ordinary_depth_run() {
        let script = "let add = |a| |b| a + b;\nlet inc = add.call(1);\nlet twice = |x| inc.call(inc.call(x));\n[#{ t: [twice] }][0].t[0].call(5)";
        assert_eq!(on_small_stack(script).unwrap().as_int().unwrap(), 7);
        // 60 levels, under the limit of 64, built and dropped (calling
        // them all would pass the call depth limit, 32).
        let deep = "let f = |x| x;\nfor i in 0..60 { let g = f; f = |x| g.call(x); }\n[f].len()";
        assert_eq!(on_small_stack(deep).unwrap().as_int().unwrap(), 1);
    }

    #[test]
    fn depth_counts_containers_and_closures() {
        let engine = new_engine(&Limits::default());
        let value = |s: &str| engine.eval::<rhai::Dynamic>(s).unwrap();
        assert_eq!(depth(&value("1"), 64), Some(0));
        assert_eq!(depth(&value("[1, 2]"), 64), Some(1));
        assert_eq!(depth(&value("#{ a: [[1]] }"), 64), Some(3));
        assert_eq!(depth(&value("#{ a: [[1]] }"), 2), None);
        // A closure capturing a map: the closure, then the map.
        assert_eq!(depth(&value("let m = #{ a: 1 }; || m"), 64), Some(2));
    }
}
