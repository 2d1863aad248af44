//! [`PackLoader`]: reads a pack and the chain of packs it `extends`,
//! compiles each file with its imports, runs their top levels parent first
//! against one draft, and fingerprints every source read.

use std::path::Path;
use std::sync::{Arc, Mutex};

use rhai::AST;
use sha2::{Digest, Sha256};

use super::assemble::{assemble, Loaded};
use super::builder::{self, Draft};
use super::extends::{find_extends, resolve_extends};
use super::source::{self, Imports, PackResolver, Root, SourceFile};
use super::{validate, Pack};
use crate::error::{Error, Limit, Location, PackProblem};
use crate::script::{self, Limits};

/// Loads packs with chosen [`Limits`].
#[derive(Clone, Debug, Default)]
pub struct PackLoader {
    limits: Limits,
}

struct Compiled {
    file: SourceFile,
    ast: AST,
    /// The modules it imported that no earlier file of the load had imported.
    modules: Vec<(String, String)>,
}

impl PackLoader {
    /// A loader with the default limits.
    pub fn new() -> Self {
        Self::default()
    }

    /// Uses these limits for loading and for every later evaluation.
    #[must_use]
    pub fn with_limits(mut self, limits: Limits) -> Self {
        self.limits = limits;
        self
    }

    /// Loads a built-in pack by id, or else the pack at a path (a folder
    /// holding `pack.rhai`, or a `.rhai` file).
    pub fn load(&self, id_or_path: &str) -> Result<Pack, Error> {
        match source::built_in(id_or_path) {
            Some(file) => self.build(file),
            None if Path::new(id_or_path).exists() => self.load_path(id_or_path),
            None => Err(Error::PackNotFound {
                name: id_or_path.into(),
                reason: format!(
                    "không phải bộ quy tắc có sẵn ({}) và không có tệp/thư mục này",
                    source::built_in_ids().join(", ")
                ),
            }),
        }
    }

    /// Loads a pack from disk.
    pub fn load_path(&self, path: impl AsRef<Path>) -> Result<Pack, Error> {
        self.build(source::from_path(path.as_ref(), &self.limits)?)
    }

    /// Loads a pack from its source text; `name` is used in messages. It may
    /// extend built-in packs, and import nothing. To load a pack with its own
    /// files (imports, `extends` of a file) from memory, use
    /// [`load_sources`](PackLoader::load_sources).
    pub fn load_source(&self, name: &str, text: &str) -> Result<Pack, Error> {
        self.build(SourceFile {
            name: name.into(),
            text: source::checked_text(name, text, &self.limits)?,
            root: Root::None,
        })
    }

    /// Loads a pack from files held in memory, for hosts without a file
    /// system (a browser) or with their own (a database, an editor).
    ///
    /// `sources` maps paths relative to the pack's folder (`pack.rhai`,
    /// `lib/util.rhai`, `base/pack.rhai`, `examples.jsonl`) to their text;
    /// `entry` names the pack file among them. Its `import "lib/util"` and
    /// `extends("base/pack.rhai")` resolve among these files exactly as they
    /// would in a folder on disk, under the same limits, and it may extend
    /// the built-in packs by id. An `examples.jsonl` among the sources
    /// becomes the pack's [examples](Pack::examples_source). Names in
    /// messages are the paths as normalised (`lib/util.rhai`).
    ///
    /// Fails with [`Error::PackNotFound`] (`pack.not_found`) when `entry` is
    /// not among the sources, and [`Error::Import`] (`pack.import`) when a
    /// path is absolute or climbs out of the folder.
    ///
    /// ```
    /// use std::collections::BTreeMap;
    /// let mut sources = BTreeMap::new();
    /// sources.insert("pack.rhai".to_string(), r#"
    ///     extends("vn.enterprise");
    ///     import "lib/ids" as ids;
    ///     pack(#{ id: ids::ID, title: "Bộ thử", version: "1" });
    /// "#.to_string());
    /// sources.insert("lib/ids.rhai".to_string(), r#"export const ID = "thu.nghiem";"#.to_string());
    /// let pack = chamdiem::PackLoader::new().load_sources(sources, "pack.rhai")?;
    /// assert_eq!(pack.id(), "thu.nghiem");
    /// assert_eq!(pack.extends(), ["vn.enterprise"]);
    /// assert!(pack.sources().contains(&"lib/ids.rhai".to_string()));
    /// # Ok::<(), chamdiem::Error>(())
    /// ```
    pub fn load_sources<N, T>(
        &self,
        sources: impl IntoIterator<Item = (N, T)>,
        entry: &str,
    ) -> Result<Pack, Error>
    where
        N: Into<String>,
        T: Into<String>,
    {
        let sources = sources.into_iter().map(|(n, t)| (n.into(), t.into()));
        self.build(source::from_memory(sources, entry, &self.limits)?)
    }

    fn compile(&self, file: SourceFile, imports: &Arc<Mutex<Imports>>) -> Result<Compiled, Error> {
        let mut engine = script::new_engine(&self.limits);
        // Modules run their top level while the pack loads.
        engine.set_max_operations(self.limits.max_load_operations);
        let before = lock(imports).files_read.len();
        engine.set_module_resolver(PackResolver {
            root: file.root.clone(),
            file: file.clone(),
            limits: self.limits.clone(),
            imports: Arc::clone(imports),
        });
        let result = engine.compile_into_self_contained(&rhai::Scope::new(), &file.text);
        let mut ast = match result {
            Ok(ast) => ast,
            Err(error) => {
                if let Some(failure) = lock(imports).failure.take() {
                    return Err(failure);
                }
                return Err(match *error {
                    rhai::EvalAltResult::ErrorParsing(kind, pos) => script::parse_error(
                        &rhai::ParseError(kind.into(), pos),
                        &file.name,
                        &self.limits,
                    ),
                    other => script::eval_error(
                        &other,
                        &Location::file(&file.name),
                        script::LOADING,
                        &self.limits,
                    ),
                });
            }
        };
        ast.set_source(file.name.as_str());
        validate::check_imports_in_functions(&ast, &file.name)?;
        validate::check_reserved_names(&ast, &file.name)?;
        let modules = lock(imports).files_read[before..].to_vec();
        Ok(Compiled { file, ast, modules })
    }

    /// Loads on a thread with a stack deep enough for what the limits let a
    /// script build (see `script::on_script_stack`).
    fn build(&self, top: SourceFile) -> Result<Pack, Error> {
        let name = top.name.clone();
        script::on_script_stack(|| self.build_here(top)).unwrap_or_else(|panic| {
            Err(Error::Script {
                location: Location::file(name),
                context: script::LOADING.into(),
                message: format!("lỗi nội bộ của chamdiem: {panic}"),
            })
        })
    }

    fn build_here(&self, top: SourceFile) -> Result<Pack, Error> {
        let imports = Arc::new(Mutex::new(Imports::default()));
        // The chain, child first.
        let mut chain = vec![self.compile(top, &imports)?];
        loop {
            let current = chain.last().expect("non-empty");
            let Some((target, position)) = find_extends(&current.ast, &current.file.name)? else {
                break;
            };
            let location = Location::new(&current.file.name, position);
            if chain.len() > self.limits.max_extends_depth {
                return Err(Error::LimitExceeded {
                    limit: Limit::ExtendsDepth,
                    max: self.limits.max_extends_depth as u64,
                    location,
                    context: script::LOADING.into(),
                });
            }
            let parent = resolve_extends(&target, &current.file.root, &self.limits, &location)?;
            if chain.iter().any(|c| c.file.name == parent.name) {
                return Err(Error::invalid_as(
                    PackProblem::Cycle,
                    location,
                    format!("extends vòng lặp: '{target}' đã có trong chuỗi"),
                ));
            }
            chain.push(self.compile(parent, &imports)?);
        }
        chain.reverse();

        // Run each file's top level, parent first, against one draft.
        let draft = Arc::new(Mutex::new(Draft::default()));
        let mut definer = script::new_engine(&self.limits);
        definer.set_max_operations(self.limits.max_load_operations);
        builder::register(&mut definer, &draft);
        let mut functions = AST::empty();
        let mut ids = Vec::new();
        for compiled in &chain {
            {
                let mut d = draft.lock().expect("draft lock");
                d.file = compiled.file.name.clone();
                d.pack_called = false;
            }
            let with_functions = functions.merge(&compiled.ast);
            definer.run_ast(&with_functions).map_err(|e| {
                script::eval_error(
                    &e,
                    &Location::file(&compiled.file.name),
                    script::LOADING,
                    &self.limits,
                )
            })?;
            let d = draft.lock().expect("draft lock");
            if !d.pack_called {
                return Err(Error::invalid(
                    Location::file(&compiled.file.name),
                    "tệp phải gọi pack(#{ id: …, title: …, version: … })",
                ));
            }
            ids.push(d.meta.id.clone().unwrap_or_default());
            functions = with_functions.clone_functions_only();
        }
        ids.pop();
        ids.reverse();

        let mut hasher = Sha256::new();
        let mut sources = Vec::new();
        for compiled in &chain {
            for (name, text) in std::iter::once((&compiled.file.name, &compiled.file.text))
                .chain(compiled.modules.iter().map(|(n, t)| (n, t)))
            {
                // As u64: a `usize` is 4 bytes on wasm32, and the fingerprint must not depend on the platform.
                hasher.update((text.len() as u64).to_le_bytes());
                hasher.update(text.as_bytes());
                sources.push(name.clone());
            }
        }
        let fingerprint = format!("{:x}", hasher.finalize());
        let top = &chain.last().expect("non-empty").file;
        let examples = top.root.examples(&self.limits)?;
        let draft = std::mem::take(&mut *draft.lock().expect("draft lock"));
        let top_name = top.name.clone();
        assemble(
            draft,
            Loaded {
                ast: functions,
                extends: ids,
                sources,
                fingerprint,
                examples,
                limits: self.limits.clone(),
                top_file: top_name,
            },
        )
    }
}

fn lock(imports: &Mutex<Imports>) -> std::sync::MutexGuard<'_, Imports> {
    imports.lock().unwrap_or_else(|e| e.into_inner())
}
