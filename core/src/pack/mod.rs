//! Rule packs: loading (built-in, from disk, from a string), resolving
//! `extends`, compiling once under the limits, and the immutable [`Pack`]
//! that scoring shares between threads.
//!
//! One job a file:
//! - `model`: what a loaded pack is ([`Pack`], [`Group`], [`Criterion`],
//!   [`Band`], [`Gate`]) and its accessors;
//! - `source`: where sources come from (built-in, disk, memory) and imports;
//! - `loader`: [`PackLoader`], the `extends` chain and the fingerprint;
//! - `extends`: what a file extends and where that file is;
//! - `builder`: the declarations a pack's top level calls (`criterion`, …);
//! - `validate`: what the declarations must satisfy;
//! - `compile`: declared rules to compiled ones, captured values frozen;
//! - `assemble`: the finished draft to a [`Pack`];
//! - `layout`: the shape every result of the pack shares;
//! - `describe`: what the pack declares, as data.

mod assemble;
mod builder;
mod compile;
mod describe;
mod extends;
mod layout;
mod loader;
mod model;
pub(crate) mod source;
mod validate;

pub use builder::Deadline;
pub use describe::{
    BandDescription, CriterionDescription, FieldDescription, GateDescription, PackDescription,
};
pub(crate) use layout::Layout;
pub use loader::PackLoader;
pub use model::{Band, Criterion, Gate, Group, Pack};
pub(crate) use model::{PackInner, Rule};
