//! Rule packs: loading (built-in, from disk, from a string), resolving
//! `extends`, compiling once under the limits, and the immutable [`Pack`]
//! that scoring shares between threads.

mod builder;
mod describe;
pub(crate) mod source;

use hashbrown::HashMap;
use std::collections::BTreeMap;
use std::path::Path;
use std::sync::{Arc, Mutex};

use chrono::NaiveDate;
use rhai::{Dynamic, Engine, Expr, Stmt, AST};
use sha2::{Digest, Sha256};

pub use builder::Deadline;
use builder::{Draft, RuleDraft};
pub use describe::{
    BandDescription, CriterionDescription, FieldDescription, GateDescription, PackDescription,
};
use source::{Imports, PackResolver, Root, SourceFile};

use crate::error::{Error, Limit, Location, PackProblem};
use crate::fields::FieldSpec;
use crate::script::analysis;
use crate::script::{self, Limits};
use crate::{Period, Points};

/// A group of criteria (`1` … `6`), with its maximum (the sum of its criteria).
#[derive(Clone, Debug, serde::Serialize)]
#[non_exhaustive]
pub struct Group {
    /// Its id.
    pub id: String,
    /// Its Vietnamese label.
    pub label: String,
    /// The sum of its criteria's points.
    pub max: Points,
}

/// One criterion: its id, group, label, maximum points and rule.
#[derive(Clone, Debug, serde::Serialize)]
#[non_exhaustive]
pub struct Criterion {
    /// Its id (`2.1`).
    pub id: String,
    /// The id of its group.
    pub group: String,
    /// Its Vietnamese label.
    pub label: String,
    /// The points it is worth at most.
    pub points: Points,
    /// Where its rule is declared.
    pub location: Location,
    #[serde(skip)]
    pub(crate) rule: Rule,
    #[serde(skip)]
    pub(crate) group_index: usize,
}

/// A classification band: a class and the lowest total that earns it.
#[derive(Clone, Debug, serde::Serialize)]
#[non_exhaustive]
pub struct Band {
    /// The class code (`tot`).
    pub code: String,
    /// Its Vietnamese label (`Tốt`).
    pub label: String,
    /// The lowest total that reaches it.
    pub min: Points,
    /// Whether it has a condition besides the minimum (`requires`): a record
    /// that reaches the minimum but not the condition falls to the next band.
    pub has_condition: bool,
    /// The condition in words (`condition: "…"`), for reasons and reports.
    pub condition: Option<String>,
    /// Where it is declared.
    pub location: Location,
    #[serde(skip)]
    pub(crate) requires: Option<Rule>,
}

/// A gate: a condition that, when true, caps the class.
#[derive(Clone, Debug, serde::Serialize)]
#[non_exhaustive]
pub struct Gate {
    /// Its id (`G1`).
    pub id: String,
    /// Its Vietnamese label.
    pub label: String,
    /// The best class a record may have when the gate fires.
    pub cap: String,
    /// Where its condition is declared.
    pub location: Location,
    #[serde(skip)]
    pub(crate) rule: Rule,
    #[serde(skip)]
    pub(crate) cap_index: usize,
}

/// A compiled rule: the script function to call and its captured values.
#[derive(Clone, Debug)]
pub(crate) struct Rule {
    pub fn_name: rhai::ImmutableString,
    /// Values captured or curried at load, frozen: nothing shared, so each
    /// call works on its own copy and no state passes between calls.
    pub curry: Vec<Dynamic>,
    /// Parameters after the curried ones (1 = `|r|`, 2 = `|r, p|`, 3 = `|r, p, s|`).
    pub arity: usize,
    pub location: Location,
    pub context: String,
    /// A criterion's rule awards up to this many points; applicability and
    /// gates (`None`) answer true or false.
    pub award_max: Option<Points>,
}

/// The ids a result refers to, shared by every result of a pack.
#[derive(Debug)]
pub(crate) struct Layout {
    pub criteria: Vec<String>,
    pub groups: Vec<String>,
    pub bands: Vec<(String, String)>,
    /// For each band, the reason a result gives when its condition is unmet.
    pub unmet: Vec<String>,
    pub gates: Vec<String>,
    pub pack: crate::PackRef,
    /// The fields copied into every result after `id` (index, name).
    pub carried: Vec<(usize, String)>,
    /// The same, as JSON fragments written once, for the JSON line.
    pub json: LayoutJson,
}

/// JSON fragments of a [`Layout`]: `"2.4":` keys, quoted codes, the pack object.
#[derive(Debug)]
pub(crate) struct LayoutJson {
    pub criteria: Vec<String>,
    pub groups: Vec<String>,
    pub bands: Vec<(String, String)>,
    /// `{"band":…,"reason":…}` for each band.
    pub unmet: Vec<String>,
    pub gates: Vec<String>,
    pub pack: String,
    /// `,"name":` for every carried field.
    pub carried: Vec<String>,
}

fn json_str(text: &str) -> String {
    serde_json::to_string(text).expect("a string serializes")
}

#[derive(Debug)]
pub(crate) struct PackInner {
    pub id: String,
    pub title: String,
    pub version: String,
    pub description: Option<String>,
    pub in_force_from: Option<NaiveDate>,
    pub in_force_until: Option<NaiveDate>,
    pub max_points: Points,
    pub extends: Vec<String>,
    pub sources: Vec<String>,
    pub fingerprint: String,
    pub fields: Vec<FieldSpec>,
    pub field_index: HashMap<String, usize>,
    pub field_keys: Vec<rhai::Identifier>,
    pub groups: Vec<Group>,
    pub criteria: Vec<Criterion>,
    pub bands: Vec<Band>,
    pub gates: Vec<Gate>,
    pub applies: Option<Rule>,
    pub calendar: Vec<Deadline>,
    pub examples: Option<(String, String)>,
    pub layout: Arc<Layout>,
    pub engine: Engine,
    pub ast: AST,
    pub limits: Limits,
}

/// A loaded, compiled rule pack. Immutable, `Send + Sync`, cheap to clone.
///
/// ```
/// let pack = chamdiem::Pack::load("tay-ninh.enterprise").unwrap();
/// assert_eq!(pack.extends(), ["vn.enterprise"]);
/// assert_eq!(pack.criterion("2.1").unwrap().points.to_string(), "12");
/// ```
#[derive(Clone, Debug)]
pub struct Pack {
    pub(crate) inner: Arc<PackInner>,
}

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
        check_imports_in_functions(&ast, &file.name)?;
        check_reserved_names(&ast, &file.name)?;
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
        finish(
            draft,
            functions,
            ids,
            sources,
            fingerprint,
            examples,
            self.limits.clone(),
            top_name,
        )
    }
}

fn lock(imports: &Mutex<Imports>) -> std::sync::MutexGuard<'_, Imports> {
    imports.lock().unwrap_or_else(|e| e.into_inner())
}

fn import_position(engine: &Engine, text: &str, path: &str) -> rhai::Position {
    let Ok(ast) = engine.compile(text) else {
        return rhai::Position::NONE;
    };
    let mut found = rhai::Position::NONE;
    ast.walk(&mut |nodes: &[rhai::ASTNode]| {
        if let Some(rhai::ASTNode::Stmt(Stmt::Import(x, pos))) = nodes.last() {
            if matches!(&x.0, Expr::StringConstant(s, _) if s.as_str() == path) {
                found = *pos;
                return false;
            }
        }
        true
    });
    found
}

/// A pack may not define a function under a name the engine gives meaning
/// to: a pack's own `bracket` or `contains` would silently change what every
/// rule that calls it computes.
fn check_reserved_names(ast: &AST, file: &str) -> Result<(), Error> {
    for def in ast.iter_fn_def() {
        if script::RESERVED.contains(&def.name.as_str()) {
            return Err(Error::invalid_as(
                PackProblem::ReservedName,
                Location::new(file, def.body.start_position()),
                format!(
                    "'{}' là tên hàm có sẵn của chương trình, không được định nghĩa lại: hãy đặt tên khác",
                    def.name
                ),
            ));
        }
    }
    Ok(())
}

/// Rules run as functions, which do not see the file's top-level imports
/// (a Rhai rule). Say so when loading, at the line, instead of failing on
/// every record.
fn check_imports_in_functions(ast: &AST, file: &str) -> Result<(), Error> {
    let top: Vec<(String, rhai::Position)> = ast
        .statements()
        .iter()
        .filter_map(|s| match s {
            Stmt::Import(x, pos) => Some((x.1.name.to_string(), *pos)),
            _ => None,
        })
        .collect();
    if top.is_empty() {
        return Ok(());
    }
    for def in ast.iter_fn_def() {
        let mut local = Vec::new();
        let mut used = Vec::new();
        analysis::walk_function(
            ast,
            &def.name,
            def.params.len(),
            &mut |path: &[rhai::ASTNode]| {
                match path.last() {
                    Some(rhai::ASTNode::Stmt(Stmt::Import(x, _))) => {
                        local.push(x.1.name.to_string())
                    }
                    Some(rhai::ASTNode::Expr(Expr::FnCall(call, pos)))
                        if !call.namespace.is_empty() =>
                    {
                        used.push((call.namespace.root().to_string(), *pos));
                    }
                    Some(rhai::ASTNode::Stmt(Stmt::FnCall(call, pos)))
                        if !call.namespace.is_empty() =>
                    {
                        used.push((call.namespace.root().to_string(), *pos));
                    }
                    Some(rhai::ASTNode::Expr(Expr::Variable(v, _, pos))) if !v.2.is_empty() => {
                        used.push((v.2.root().to_string(), *pos));
                    }
                    _ => {}
                }
                true
            },
        );
        for (alias, pos) in used.into_iter().filter(|(alias, _)| !local.contains(alias)) {
            if let Some((_, import_pos)) = top.iter().find(|(a, _)| *a == alias) {
                return Err(Error::invalid(
                    Location::new(file, pos),
                    format!(
                        "'{alias}::' dùng trong hàm nhưng import ở ngoài (dòng {}); hàm và quy tắc không thấy import ở ngoài: \
                         đặt `import \"…\" as {alias};` bên trong hàm dùng nó",
                        import_pos.line().unwrap_or(0)
                    ),
                ));
            }
        }
    }
    Ok(())
}

/// The target of the file's `extends("…")`, which must be its first statement.
fn find_extends(ast: &AST, file: &str) -> Result<Option<(String, rhai::Position)>, Error> {
    let mut found = None;
    for (i, stmt) in ast.statements().iter().enumerate() {
        let Stmt::FnCall(call, pos) = stmt else {
            continue;
        };
        if call.name != "extends" {
            continue;
        }
        let location = Location::new(file, *pos);
        if i != 0 || found.is_some() {
            return Err(Error::invalid(
                location,
                "extends(…) phải là câu lệnh đầu tiên, và chỉ một lần",
            ));
        }
        match call.args.as_slice() {
            [Expr::StringConstant(target, _)] => found = Some((target.to_string(), *pos)),
            _ => {
                return Err(Error::invalid(
                    location,
                    "extends cần một chuỗi cố định: extends(\"vn.enterprise\")",
                ))
            }
        }
    }
    Ok(found)
}

/// `extends("vn.enterprise")` names a built-in pack; `extends("base/pack.rhai")`
/// a file inside the same pack folder.
fn resolve_extends(
    target: &str,
    root: &Root,
    limits: &Limits,
    location: &Location,
) -> Result<SourceFile, Error> {
    if let Some(file) = source::built_in(target) {
        return Ok(file);
    }
    let refused = |reason: String| Error::Import {
        location: location.clone(),
        path: target.into(),
        reason,
    };
    let looks_like_id = !target.contains('/') && !target.ends_with(".rhai");
    match root {
        Root::Disk { .. } | Root::Memory(_) if looks_like_id && !root.has(target) => {
            Err(refused(format!(
                "không phải bộ quy tắc có sẵn ({}) và không có tệp này trong thư mục",
                source::built_in_ids().join(", ")
            )))
        }
        Root::Disk { .. } | Root::Memory(_) => {
            // The parent resolves its own paths in the same folder.
            let (name, text) = root
                .read(target, limits)
                .map_err(|e| e.at(location, target))?;
            Ok(SourceFile {
                name,
                text,
                root: root.clone(),
            })
        }
        Root::BuiltIn(_) | Root::None => Err(refused(format!(
            "không phải bộ quy tắc có sẵn ({})",
            source::built_in_ids().join(", ")
        ))),
    }
}

fn compile_rule(
    draft: &RuleDraft,
    ast: &AST,
    max_arity: usize,
    context: String,
    field_index: &HashMap<String, usize>,
) -> Result<Rule, Error> {
    let name = draft.fn_ptr.fn_name();
    let curry: Vec<Dynamic> = draft.fn_ptr.curry().iter().cloned().map(frozen).collect();
    let location = draft.location.clone();
    let total = ast
        .iter_fn_def()
        .filter(|f| f.name == name)
        .map(|f| f.params.len())
        .find(|&n| n > curry.len() && n - curry.len() <= max_arity)
        .ok_or_else(|| {
            Error::invalid(
                location.clone(),
                if name.starts_with("anon$") {
                    // A `|r, p| …` rule: its internal name means nothing to a reader.
                    format!("{context}: quy tắc phải nhận từ 1 đến {max_arity} tham số (r, p, s)")
                } else {
                    format!(
                        "{context}: hàm '{name}' phải nhận từ 1 đến {max_arity} tham số (r, p, s)"
                    )
                },
            )
        })?;
    let arity = total - curry.len();
    // A lint, not the memo's key: a field named in the source but never
    // declared is a typo better reported at load than on every record.
    if let Ok(names) = analysis::reads(ast, name, total, curry.len(), &curry) {
        if let Some(field) = names.iter().find(|f| !field_index.contains_key(f.as_str())) {
            return Err(Error::invalid_as(
                PackProblem::UndeclaredField,
                location,
                format!("{context} đọc trường '{field}' chưa được khai báo bằng field(…)"),
            ));
        }
    }
    Ok(Rule {
        fn_name: name.into(),
        curry,
        arity,
        location,
        context,
        award_max: None,
    })
}

/// A captured value with nothing shared left inside: closures capture
/// variables as shared cells, which would carry state from one call (and
/// one record, and one thread) to the next. Frozen, each call gets a copy.
fn frozen(value: Dynamic) -> Dynamic {
    let value = value.flatten();
    if value.is_array() {
        let items = value.cast::<rhai::Array>();
        return items
            .into_iter()
            .map(frozen)
            .collect::<rhai::Array>()
            .into();
    }
    if value.is_map() {
        let map = value.cast::<rhai::Map>();
        return map
            .into_iter()
            .map(|(k, v)| (k, frozen(v)))
            .collect::<rhai::Map>()
            .into();
    }
    if value.is_fnptr() {
        let mut fn_ptr = value.cast::<rhai::FnPtr>();
        let curry: Vec<Dynamic> = fn_ptr.curry().iter().cloned().map(frozen).collect();
        fn_ptr.set_curry(curry);
        return fn_ptr.into();
    }
    value
}

#[allow(clippy::too_many_arguments)]
fn finish(
    draft: Draft,
    ast: AST,
    extends: Vec<String>,
    sources: Vec<String>,
    fingerprint: String,
    examples: Option<(String, String)>,
    limits: Limits,
    top_file: String,
) -> Result<Pack, Error> {
    let here = Location::file(&top_file);
    let meta = draft.meta;
    let id = meta.id.unwrap_or_default();

    let mut field_index = HashMap::new();
    for (i, field) in draft.fields.iter().enumerate() {
        field_index.insert(field.name.clone(), i);
    }
    for field in &draft.fields {
        if let Some(other) = &field.at_most {
            if !field_index.contains_key(other) {
                return Err(Error::invalid_as(
                    PackProblem::UndeclaredField,
                    here.clone(),
                    format!(
                        "trường '{}': at_most nêu trường '{other}' chưa khai báo",
                        field.name
                    ),
                ));
            }
        }
    }

    let mut groups: Vec<Group> = draft
        .groups
        .iter()
        .map(|g| Group {
            id: g.id.clone(),
            label: g.label.clone(),
            max: Points::ZERO,
        })
        .collect();
    let mut criteria = Vec::new();
    for c in &draft.criteria {
        let group_index = groups.iter().position(|g| g.id == c.group).ok_or_else(|| {
            Error::invalid_as(
                PackProblem::UnknownId,
                c.rule.location.clone(),
                format!(
                    "tiêu chí {}: nhóm '{}' chưa được khai báo bằng group(…)",
                    c.id, c.group
                ),
            )
        })?;
        groups[group_index].max = groups[group_index].max + c.points;
        let mut rule = compile_rule(&c.rule, &ast, 2, format!("tiêu chí {}", c.id), &field_index)?;
        rule.award_max = Some(c.points);
        criteria.push(Criterion {
            id: c.id.clone(),
            group: c.group.clone(),
            label: c.label.clone(),
            points: c.points,
            location: c.rule.location.clone(),
            rule,
            group_index,
        });
    }
    // A criterion added by a child pack goes with its group, not at the end.
    criteria.sort_by_key(|c: &Criterion| c.group_index);
    let total: Points = criteria.iter().map(|c| c.points).sum();
    let max_points = meta.max_points.unwrap_or(total);
    if total != max_points {
        let by_group: Vec<String> = groups
            .iter()
            .map(|g| format!("nhóm {}: {}", g.id, g.max))
            .collect();
        return Err(Error::invalid_as(
            PackProblem::Points,
            here.clone(),
            format!(
                "tổng điểm các tiêu chí là {total}, khác max_points = {max_points} ({})",
                by_group.join("; ")
            ),
        ));
    }

    if draft.bands.is_empty() {
        return Err(Error::invalid_as(
            PackProblem::Bands,
            here.clone(),
            "chưa khai báo mức xếp loại nào: band(…)",
        ));
    }
    for pair in draft.bands.windows(2) {
        if pair[1].min >= pair[0].min {
            // Point at the declaration the pack being loaded made, if either.
            let location = if pair[0].location.file == top_file {
                &pair[0].location
            } else {
                &pair[1].location
            };
            return Err(Error::invalid_as(
                PackProblem::Bands,
                location.clone(),
                format!(
                    "các mức xếp loại phải theo thứ tự giảm dần: '{}' (≥ {}, {}) đứng sau '{}' (≥ {}, {})",
                    pair[1].code, pair[1].min, pair[1].location, pair[0].code, pair[0].min, pair[0].location
                ),
            ));
        }
    }
    if let Some(band) = draft.bands.iter().find(|b| b.min > max_points) {
        return Err(Error::invalid_as(
            PackProblem::Bands,
            band.location.clone(),
            format!(
                "mức '{}' cần từ {} điểm, nhưng tổng điểm tối đa chỉ là {max_points}: không bản ghi nào đạt được",
                band.code, band.min
            ),
        ));
    }
    let lowest = draft.bands.last().expect("non-empty");
    if lowest.min != Points::ZERO {
        return Err(Error::invalid_as(
            PackProblem::Bands,
            lowest.location.clone(),
            format!(
                "mức thấp nhất '{}' phải có min: 0 để mọi tổng điểm đều được xếp loại",
                lowest.code
            ),
        ));
    }
    if let Some(requires) = &lowest.requires {
        return Err(Error::invalid(
            requires.location.clone(),
            format!(
                "mức thấp nhất '{}' không được có điều kiện (requires): mọi bản ghi phải được xếp loại",
                lowest.code
            ),
        ));
    }
    let mut bands = Vec::new();
    for b in &draft.bands {
        let requires = b
            .requires
            .as_ref()
            .map(|r| {
                compile_rule(
                    r,
                    &ast,
                    3,
                    format!("điều kiện của mức {}", b.code),
                    &field_index,
                )
            })
            .transpose()?;
        bands.push(Band {
            code: b.code.clone(),
            label: b.label.clone(),
            min: b.min,
            has_condition: requires.is_some(),
            condition: b.condition.clone(),
            location: b.location.clone(),
            requires,
        });
    }

    let mut gates = Vec::new();
    for g in &draft.gates {
        let cap_index = bands.iter().position(|b| b.code == g.cap).ok_or_else(|| {
            let codes: Vec<&str> = bands.iter().map(|b| b.code.as_str()).collect();
            Error::invalid_as(
                PackProblem::UnknownId,
                g.when.location.clone(),
                format!(
                    "điều kiện {}: cap '{}' không phải mức xếp loại ({})",
                    g.id,
                    g.cap,
                    codes.join(", ")
                ),
            )
        })?;
        let rule = compile_rule(
            &g.when,
            &ast,
            3,
            format!("điều kiện {}", g.id),
            &field_index,
        )?;
        gates.push(Gate {
            id: g.id.clone(),
            label: g.label.clone(),
            cap: g.cap.clone(),
            location: g.when.location.clone(),
            rule,
            cap_index,
        });
    }
    let applies = draft
        .applies
        .as_ref()
        .map(|r| compile_rule(r, &ast, 2, "điều kiện áp dụng".into(), &field_index))
        .transpose()?;

    let version = meta.version.unwrap_or_default();
    let pack_ref = crate::PackRef {
        id: id.clone(),
        version: version.clone(),
        fingerprint: fingerprint.clone(),
    };
    let unmet: Vec<String> = bands
        .iter()
        .map(|b| match &b.condition {
            Some(condition) => format!(
                "Đạt {} điểm của mức {} nhưng chưa đáp ứng điều kiện: {condition}",
                b.min, b.label
            ),
            None => format!(
                "Đạt {} điểm của mức {} nhưng chưa đáp ứng điều kiện của mức này",
                b.min, b.label
            ),
        })
        .collect();
    let carried: Vec<(usize, String)> = draft
        .fields
        .iter()
        .enumerate()
        .filter(|(_, f)| f.carry && f.name != "id")
        .map(|(i, f)| (i, f.name.clone()))
        .collect();
    let json = LayoutJson {
        unmet: bands
            .iter()
            .zip(&unmet)
            .map(|(b, reason)| {
                format!(
                    "{{\"band\":{},\"reason\":{}}}",
                    json_str(&b.code),
                    json_str(reason)
                )
            })
            .collect(),
        criteria: criteria
            .iter()
            .map(|c| format!("{}:", json_str(&c.id)))
            .collect(),
        groups: groups
            .iter()
            .map(|g| format!("{}:", json_str(&g.id)))
            .collect(),
        bands: bands
            .iter()
            .map(|b| (json_str(&b.code), json_str(&b.label)))
            .collect(),
        gates: gates.iter().map(|g| json_str(&g.id)).collect(),
        pack: serde_json::to_string(&pack_ref).expect("a pack ref serializes"),
        carried: carried
            .iter()
            .map(|(_, name)| format!(",{}:", json_str(name)))
            .collect(),
    };
    let layout = Arc::new(Layout {
        json,
        criteria: criteria.iter().map(|c| c.id.clone()).collect(),
        groups: groups.iter().map(|g| g.id.clone()).collect(),
        bands: bands
            .iter()
            .map(|b| (b.code.clone(), b.label.clone()))
            .collect(),
        unmet,
        gates: gates.iter().map(|g| g.id.clone()).collect(),
        pack: pack_ref,
        carried,
    });
    let field_keys = draft
        .fields
        .iter()
        .map(|f| f.name.as_str().into())
        .collect();
    Ok(Pack {
        inner: Arc::new(PackInner {
            id,
            title: meta.title.unwrap_or_default(),
            version,
            description: meta.description,
            in_force_from: meta.in_force_from,
            in_force_until: meta.in_force_until,
            max_points,
            extends,
            sources,
            fingerprint,
            fields: draft.fields,
            field_index,
            field_keys,
            groups,
            criteria,
            bands,
            gates,
            applies,
            calendar: draft.calendar,
            examples,
            layout,
            engine: script::new_engine(&limits),
            ast,
            limits,
        }),
    })
}

impl Pack {
    /// Loads a built-in pack by id, or else a pack from a path, with the
    /// default limits. See [`PackLoader`] to choose the limits.
    pub fn load(id_or_path: &str) -> Result<Pack, Error> {
        PackLoader::new().load(id_or_path)
    }

    /// Loads a pack from its source text (it may extend built-in packs).
    pub fn from_source(name: &str, text: &str) -> Result<Pack, Error> {
        PackLoader::new().load_source(name, text)
    }

    /// Loads a pack from files held in memory, with the default limits; see
    /// [`PackLoader::load_sources`].
    pub fn from_sources<N, T>(
        sources: impl IntoIterator<Item = (N, T)>,
        entry: &str,
    ) -> Result<Pack, Error>
    where
        N: Into<String>,
        T: Into<String>,
    {
        PackLoader::new().load_sources(sources, entry)
    }

    /// The ids of the packs built into this library.
    pub fn built_in_ids() -> Vec<&'static str> {
        source::built_in_ids()
    }

    /// Every file of the built-in pack `id` (`pack.rhai`, `examples.jsonl`,
    /// …), by path relative to its folder: to show or edit a built-in pack,
    /// then load the edited copy with [`Pack::from_sources`] (entry
    /// `pack.rhai`). `None` if there is no such built-in pack.
    ///
    /// ```
    /// let mut sources = chamdiem::Pack::built_in_sources("vn.enterprise").unwrap();
    /// assert!(sources["pack.rhai"].contains("criterion("));
    /// let text = sources["pack.rhai"].replace("version: \"", "version: \"edited-");
    /// sources.insert("pack.rhai".into(), text);
    /// let pack = chamdiem::Pack::from_sources(sources, "pack.rhai")?;
    /// assert!(pack.version().starts_with("edited-"));
    /// assert_eq!(pack.examples_source().unwrap().0, "examples.jsonl");
    /// # Ok::<(), chamdiem::Error>(())
    /// ```
    pub fn built_in_sources(id: &str) -> Option<BTreeMap<String, String>> {
        source::built_in_sources(id)
    }

    /// The pack's id (`vn.enterprise`).
    pub fn id(&self) -> &str {
        &self.inner.id
    }
    /// Its title, in Vietnamese.
    pub fn title(&self) -> &str {
        &self.inner.title
    }
    /// Its version.
    pub fn version(&self) -> &str {
        &self.inner.version
    }
    /// Its description, if any.
    pub fn description(&self) -> Option<&str> {
        self.inner.description.as_deref()
    }
    /// The first and last days it is in force (`None`: open-ended).
    pub fn in_force(&self) -> (Option<NaiveDate>, Option<NaiveDate>) {
        (self.inner.in_force_from, self.inner.in_force_until)
    }
    /// Whether the pack is in force on at least one day of `period`.
    pub fn is_in_force(&self, period: &Period) -> bool {
        period.overlaps(self.inner.in_force_from, self.inner.in_force_until)
    }
    /// The highest total a record can score.
    pub fn max_points(&self) -> Points {
        self.inner.max_points
    }
    /// The ids of the packs it extends, nearest first.
    pub fn extends(&self) -> &[String] {
        &self.inner.extends
    }
    /// The names of every source file it was built from, top pack first's ancestors first.
    pub fn sources(&self) -> &[String] {
        &self.inner.sources
    }
    /// SHA-256 of the exact sources of the pack and everything it extends or imports.
    pub fn fingerprint(&self) -> &str {
        &self.inner.fingerprint
    }
    /// The declared input fields.
    pub fn fields(&self) -> &[FieldSpec] {
        &self.inner.fields
    }
    /// The groups of criteria.
    pub fn groups(&self) -> &[Group] {
        &self.inner.groups
    }
    /// The criteria, in order.
    pub fn criteria(&self) -> &[Criterion] {
        &self.inner.criteria
    }
    /// One criterion by id.
    pub fn criterion(&self, id: &str) -> Option<&Criterion> {
        self.inner.criteria.iter().find(|c| c.id == id)
    }
    /// The classification bands, best first.
    pub fn bands(&self) -> &[Band] {
        &self.inner.bands
    }
    /// Whether the pack has an applicability rule (`applies`).
    pub fn has_applicability(&self) -> bool {
        self.inner.applies.is_some()
    }
    /// The gates.
    pub fn gates(&self) -> &[Gate] {
        &self.inner.gates
    }
    /// The reporting calendar.
    pub fn calendar(&self) -> &[Deadline] {
        &self.inner.calendar
    }
    /// The limits its scripts run under.
    pub fn limits(&self) -> &Limits {
        &self.inner.limits
    }
    /// The pack's own examples file (`examples.jsonl`), if it has one: `(name, text)`.
    pub fn examples_source(&self) -> Option<(&str, &str)> {
        self.inner
            .examples
            .as_ref()
            .map(|(n, t)| (n.as_str(), t.as_str()))
    }
    /// A short description of what the pack refers to, for results.
    pub fn pack_ref(&self) -> &crate::PackRef {
        &self.inner.layout.pack
    }

    /// Fails with [`Error::NotInForce`] when the pack does not apply to `period`.
    pub fn ensure_in_force(&self, period: &Period) -> Result<(), Error> {
        if self.is_in_force(period) {
            return Ok(());
        }
        let show = |d: Option<NaiveDate>| d.map_or("…".to_string(), |d| d.to_string());
        Err(Error::NotInForce {
            pack: self.id().into(),
            in_force: format!(
                "từ {} đến {}",
                show(self.inner.in_force_from),
                show(self.inner.in_force_until)
            ),
            period: period.to_string(),
        })
    }
}
