//! Where pack sources come from: the packs built into the binary, a folder on
//! disk, a set of files held in memory, or a single string. Every path a pack
//! names (`extends`, `import`, its examples) resolves through [`Root`], which
//! never leaves the pack's own folder, reads only regular files, never more
//! than the size limit, and drops a UTF-8 byte order mark.
//!
//! Imports resolve through one [`PackResolver`] state per pack load, so each
//! imported file is read and run once, a ring of imports is an error naming
//! its files, and a failure inside a module is reported at its own line.

use std::collections::BTreeMap;
use std::io::Read;
use std::path::{Component, Path, PathBuf};
use std::sync::{Arc, Mutex};

use hashbrown::HashMap;
use include_dir::{include_dir, Dir};
use rhai::{Engine, EvalAltResult, Expr, Module, Position, Scope, Shared, Stmt};

use crate::error::{Error, Limit, Location, PackProblem};
use crate::script::{self, Limits};

/// The built-in packs, embedded from `rules/` at build time.
static BUILT_IN: Dir<'static> = include_dir!("$CARGO_MANIFEST_DIR/../rules");

/// The file holding a pack's rules inside its folder.
pub(crate) const PACK_FILE: &str = "pack.rhai";
/// The file holding a pack's examples inside its folder.
pub(crate) const EXAMPLES_FILE: &str = "examples.jsonl";

/// Why a path is refused before anything is read.
const OUTSIDE: &str = "đường dẫn nằm ngoài thư mục của bộ quy tắc";
const MISSING: &str = "không có tệp này trong bộ quy tắc";

/// The folder a pack's relative paths resolve in.
#[derive(Clone, Debug)]
pub(crate) enum Root {
    /// A built-in pack's folder in `rules/`.
    BuiltIn(&'static Dir<'static>),
    /// A folder on disk: canonical (for confinement) and as the user named it
    /// (for messages, so they read `go-dau/examples.jsonl`, not an absolute path).
    Disk { canonical: PathBuf, shown: PathBuf },
    /// Files held in memory, by normalised relative path (`lib/util.rhai`).
    Memory(Arc<BTreeMap<String, String>>),
    /// A pack given as a single string: it may extend built-in packs, nothing else.
    None,
}

/// One source file of a pack.
#[derive(Clone, Debug)]
pub(crate) struct SourceFile {
    /// The name shown in messages.
    pub name: String,
    /// Its text.
    pub text: String,
    /// Where its relative paths resolve.
    pub root: Root,
}

/// Why a file inside a root could not be read.
#[derive(Debug)]
pub(crate) enum ReadError {
    /// Outside the root or missing: the reason, for an [`Error::Import`] at
    /// the line that named it.
    Refused(String),
    /// Found but not readable as a source (not a regular file, over the size
    /// limit, not UTF-8): the error, naming the file.
    Failed(Error),
}

impl ReadError {
    /// The error, with a refusal placed at `location`, which named `path`.
    pub(crate) fn at(self, location: &Location, path: &str) -> Error {
        match self {
            ReadError::Refused(reason) => Error::Import {
                location: location.clone(),
                path: path.into(),
                reason,
            },
            ReadError::Failed(error) => error,
        }
    }
}

/// The ids of the built-in packs, sorted.
pub(crate) fn built_in_ids() -> Vec<&'static str> {
    let mut ids: Vec<&str> = BUILT_IN
        .dirs()
        .filter(|d| d.get_file(d.path().join(PACK_FILE)).is_some())
        .filter_map(|d| d.path().to_str())
        .collect();
    ids.sort_unstable();
    ids
}

fn built_in_dir(id: &str) -> Option<&'static Dir<'static>> {
    BUILT_IN
        .get_dir(id)
        .filter(|d| d.get_file(d.path().join(PACK_FILE)).is_some())
}

/// The pack file of the built-in pack `id`.
pub(crate) fn built_in(id: &str) -> Option<SourceFile> {
    let dir = built_in_dir(id)?;
    let file = dir.get_file(dir.path().join(PACK_FILE))?;
    Some(SourceFile {
        name: format!("rules/{id}/{PACK_FILE}"),
        text: file.contents_utf8()?.to_string(),
        root: Root::BuiltIn(dir),
    })
}

/// Every file of the built-in pack `id`, by path relative to its folder.
pub(crate) fn built_in_sources(id: &str) -> Option<BTreeMap<String, String>> {
    fn collect(dir: &Dir<'static>, base: &Path, out: &mut BTreeMap<String, String>) {
        for file in dir.files() {
            let (Ok(relative), Some(text)) = (file.path().strip_prefix(base), file.contents_utf8())
            else {
                continue;
            };
            let parts: Vec<String> = relative
                .components()
                .map(|c| c.as_os_str().to_string_lossy().into_owned())
                .collect();
            out.insert(parts.join("/"), text.to_string());
        }
        for sub in dir.dirs() {
            collect(sub, base, out);
        }
    }
    let dir = built_in_dir(id)?;
    let mut out = BTreeMap::new();
    collect(dir, dir.path(), &mut out);
    Some(out)
}

/// The entry `entry` of the files `files`, which must all have relative
/// names inside the pack's folder.
pub(crate) fn from_memory(
    files: impl IntoIterator<Item = (String, String)>,
    entry: &str,
    limits: &Limits,
) -> Result<SourceFile, Error> {
    let mut normalised = BTreeMap::new();
    for (name, text) in files {
        let Some(key) = memory_key(&name) else {
            return Err(Error::Import {
                location: Location::file(&name),
                path: name,
                reason: OUTSIDE.into(),
            });
        };
        if normalised.contains_key(&key) {
            return Err(Error::Import {
                location: Location::file(&name),
                path: name,
                reason: format!("hai tệp cùng là '{key}'"),
            });
        }
        normalised.insert(key, text);
    }
    let root = Root::Memory(Arc::new(normalised));
    let (name, text) = root.read(entry, limits).map_err(|e| match e {
        ReadError::Refused(reason) => Error::PackNotFound {
            name: entry.into(),
            reason,
        },
        ReadError::Failed(error) => error,
    })?;
    Ok(SourceFile { name, text, root })
}

/// The pack file at `path`: a folder holding `pack.rhai`, or a `.rhai` file.
pub(crate) fn from_path(path: &Path, limits: &Limits) -> Result<SourceFile, Error> {
    let not_found = |reason: String| Error::PackNotFound {
        name: path.display().to_string(),
        reason,
    };
    let folder = path.is_dir();
    let file = if folder {
        path.join(PACK_FILE)
    } else {
        path.to_path_buf()
    };
    let canonical = file.canonicalize().map_err(|e| {
        not_found(match e.kind() {
            std::io::ErrorKind::NotFound if folder => {
                format!("thư mục này không có tệp {PACK_FILE}")
            }
            _ => crate::describe_io_error(&e),
        })
    })?;
    let root = canonical
        .parent()
        .ok_or_else(|| not_found("không có thư mục cha".into()))?
        .to_path_buf();
    let name = file.display().to_string();
    let text = read_limited(&canonical, &name, limits)?;
    let shown = file.parent().map(Path::to_path_buf).unwrap_or_default();
    Ok(SourceFile {
        name,
        text,
        root: Root::Disk {
            canonical: root,
            shown,
        },
    })
}

fn too_large(name: &str, limits: &Limits) -> Error {
    Error::LimitExceeded {
        limit: Limit::SourceSize,
        max: limits.max_source_size as u64,
        location: Location::file(name),
        context: script::LOADING.into(),
    }
}

/// A source's text, checked against the size limit and without a UTF-8 byte
/// order mark (Windows Notepad writes one).
pub(crate) fn checked_text(name: &str, text: &str, limits: &Limits) -> Result<String, Error> {
    if text.len() > limits.max_source_size {
        return Err(too_large(name, limits));
    }
    Ok(text.strip_prefix('\u{feff}').unwrap_or(text).to_string())
}

/// Reads a regular file of at most `max_source_size` bytes. The kind of file
/// is checked before it is opened (opening a FIFO blocks), and no more than
/// the limit plus one byte is ever read (a device reports a length of 0).
fn read_limited(path: &Path, name: &str, limits: &Limits) -> Result<String, Error> {
    let metadata = std::fs::metadata(path).map_err(|e| Error::io(name, e))?;
    if !metadata.is_file() {
        return Err(Error::Io {
            path: name.into(),
            message: "không phải tệp thường (thư mục, FIFO hay thiết bị): không đọc".into(),
        });
    }
    let max = limits.max_source_size;
    if metadata.len() > max as u64 {
        return Err(too_large(name, limits));
    }
    let file = std::fs::File::open(path).map_err(|e| Error::io(name, e))?;
    let mut bytes = Vec::new();
    file.take(max as u64 + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| Error::io(name, e))?;
    if bytes.len() > max {
        return Err(too_large(name, limits));
    }
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(&bytes);
    String::from_utf8(bytes.to_vec()).map_err(|_| Error::Io {
        path: name.into(),
        message: "tệp không phải UTF-8".into(),
    })
}

/// Normalises a relative path without touching the disk; `None` if it is
/// absolute or climbs out of its root.
fn confine(relative: &str) -> Option<PathBuf> {
    let mut parts: Vec<&std::ffi::OsStr> = Vec::new();
    for component in Path::new(relative).components() {
        match component {
            Component::Normal(part) => parts.push(part),
            Component::CurDir => {}
            Component::ParentDir => {
                parts.pop()?;
            }
            Component::RootDir | Component::Prefix(_) => return None,
        }
    }
    (!parts.is_empty()).then(|| parts.iter().collect())
}

/// The key of a file in memory: its confined path with `/` separators.
fn memory_key(relative: &str) -> Option<String> {
    let inside = confine(relative)?;
    let parts: Vec<String> = inside
        .components()
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect();
    Some(parts.join("/"))
}

impl Root {
    /// The name `relative` has in messages, or `None` if it leaves the root.
    fn name_of(&self, relative: &str) -> Option<String> {
        let inside = confine(relative)?;
        Some(match self {
            Root::BuiltIn(dir) => format!("rules/{}", dir.path().join(&inside).display()),
            Root::Disk { shown, .. } => shown.join(&inside).display().to_string(),
            Root::Memory(_) => memory_key(relative)?,
            Root::None => relative.to_string(),
        })
    }

    /// Whether `relative` names a file in this root, without reading it.
    pub(crate) fn has(&self, relative: &str) -> bool {
        let Some(inside) = confine(relative) else {
            return false;
        };
        match self {
            Root::BuiltIn(dir) => dir.get_file(dir.path().join(&inside)).is_some(),
            Root::Disk { canonical, .. } => canonical.join(&inside).exists(),
            Root::Memory(files) => memory_key(relative).is_some_and(|k| files.contains_key(&k)),
            Root::None => false,
        }
    }

    /// Reads `relative` inside this root: `(name for messages, text)`.
    pub(crate) fn read(
        &self,
        relative: &str,
        limits: &Limits,
    ) -> Result<(String, String), ReadError> {
        let refused = |reason: &str| ReadError::Refused(reason.to_string());
        let inside = confine(relative).ok_or_else(|| refused(OUTSIDE))?;
        let name = self.name_of(relative).ok_or_else(|| refused(OUTSIDE))?;
        let text = match self {
            Root::BuiltIn(dir) => {
                let file = dir
                    .get_file(dir.path().join(&inside))
                    .ok_or_else(|| refused(MISSING))?;
                file.contents_utf8()
                    .ok_or_else(|| refused("tệp không phải UTF-8"))?
                    .to_string()
            }
            Root::Disk {
                canonical: root, ..
            } => {
                let path = root.join(&inside);
                let canonical = path.canonicalize().map_err(|_| refused(MISSING))?;
                // A symbolic link may still point outside.
                if !canonical.starts_with(root) {
                    return Err(refused(OUTSIDE));
                }
                read_limited(&canonical, &name, limits).map_err(ReadError::Failed)?
            }
            Root::Memory(files) => {
                let text = files.get(&name).ok_or_else(|| refused(MISSING))?;
                checked_text(&name, text, limits).map_err(ReadError::Failed)?
            }
            Root::None => return Err(refused("bộ quy tắc nạp từ chuỗi không import được tệp")),
        };
        Ok((name, text))
    }

    /// Reads the examples file, if the pack folder has one.
    pub(crate) fn examples(&self, limits: &Limits) -> Result<Option<(String, String)>, Error> {
        if !self.has(EXAMPLES_FILE) {
            return Ok(None);
        }
        // It exists: a refusal now (a link out of the folder) is an error, not "no examples".
        let location = Location::file(self.name_of(EXAMPLES_FILE).unwrap_or_default());
        match self.read(EXAMPLES_FILE, limits) {
            Ok(found) => Ok(Some(found)),
            Err(error) => Err(error.at(&location, EXAMPLES_FILE)),
        }
    }
}

/// What one pack load has imported so far, shared by the compilation of
/// every file of its `extends` chain.
#[derive(Default)]
pub(crate) struct Imports {
    /// Modules already run, by name: each file is read and run once per load
    /// (files importing each other would otherwise be run again and again).
    done: HashMap<String, Shared<Module>>,
    /// The files being run, outermost first: a name met again closes a ring.
    running: Vec<String>,
    /// Every module file read, in order: `(name, text)`.
    pub files_read: Vec<(String, String)>,
    /// The first failure, at the file and line where it happened.
    pub failure: Option<Error>,
}

/// Resolves `import "x"` inside the pack's folder only, through the load's
/// shared [`Imports`].
pub(crate) struct PackResolver {
    pub root: Root,
    /// The file being compiled: Rhai names no source for its own imports.
    pub file: SourceFile,
    pub limits: Limits,
    pub imports: Arc<Mutex<Imports>>,
}

impl PackResolver {
    fn lock(&self) -> std::sync::MutexGuard<'_, Imports> {
        // A panic while the lock was held leaves nothing half-written that matters here.
        self.imports.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn fail(&self, error: Error, path: &str, pos: Position) -> Box<EvalAltResult> {
        self.lock().failure.get_or_insert(error);
        EvalAltResult::ErrorModuleNotFound(path.into(), pos).into()
    }
}

impl rhai::ModuleResolver for PackResolver {
    fn resolve(
        &self,
        engine: &Engine,
        source: Option<&str>,
        path: &str,
        pos: Position,
    ) -> Result<Shared<Module>, Box<EvalAltResult>> {
        let with_extension = if path.ends_with(".rhai") {
            path.to_string()
        } else {
            format!("{path}.rhai")
        };
        // Where the import is: a module names itself; the file being compiled
        // does not, and Rhai gives no position for its imports.
        // (Found again only when something fails.)
        let importer = || match source {
            Some(name) => Location::new(name, pos),
            None => Location::new(
                &self.file.name,
                import_position(engine, &self.file.text, path),
            ),
        };
        let Some(name) = self.root.name_of(&with_extension) else {
            return Err(self.fail(
                ReadError::Refused(OUTSIDE.into()).at(&importer(), path),
                path,
                pos,
            ));
        };
        {
            let imports = self.lock();
            if let Some(module) = imports.done.get(&name) {
                return Ok(module.clone());
            }
            let mut ring: Vec<&str> = std::iter::once(self.file.name.as_str())
                .chain(imports.running.iter().map(String::as_str))
                .skip_while(|n| *n != name)
                .collect();
            if !ring.is_empty() {
                ring.push(&name);
                let error = Error::invalid_as(
                    PackProblem::Cycle,
                    importer(),
                    format!("import vòng lặp: {}", ring.join(" → ")),
                );
                drop(imports);
                return Err(self.fail(error, path, pos));
            }
        }
        let (name, text) = match self.root.read(&with_extension, &self.limits) {
            Ok(found) => found,
            Err(error) => return Err(self.fail(error.at(&importer(), path), path, pos)),
        };
        let mut ast = match engine.compile(&text) {
            Ok(ast) => ast,
            Err(error) => {
                let error = script::parse_error(&error, &name, &self.limits);
                return Err(self.fail(error, path, pos));
            }
        };
        ast.set_source(name.as_str());
        {
            let mut imports = self.lock();
            imports.files_read.push((name.clone(), text));
            imports.running.push(name.clone());
        }
        let module = Module::eval_ast_as_new(Scope::new(), &ast, engine);
        self.lock().running.pop();
        match module {
            Ok(module) => {
                let module: Shared<Module> = module.into();
                self.lock().done.insert(name, module.clone());
                Ok(module)
            }
            Err(error) => {
                // A failure deeper down is already recorded, at its own place.
                let typed = script::eval_error(
                    &error,
                    &Location::file(&name),
                    script::LOADING,
                    &self.limits,
                );
                Err(self.fail(typed, path, pos))
            }
        }
    }
}

/// Where the file's `import "path"` stands (Rhai gives no position for
/// the imports of the file being compiled).
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn confine_refuses_escapes() {
        assert_eq!(confine("lib/a.rhai"), Some(PathBuf::from("lib/a.rhai")));
        assert_eq!(confine("./lib/../a.rhai"), Some(PathBuf::from("a.rhai")));
        assert_eq!(confine("../../etc/passwd"), None);
        assert_eq!(confine("/etc/passwd"), None);
        assert_eq!(confine("lib/../../x"), None);
        assert_eq!(memory_key("./lib//a.rhai").as_deref(), Some("lib/a.rhai"));
    }

    #[test]
    fn built_in_packs_are_embedded() {
        let ids = built_in_ids();
        assert!(ids.contains(&"vn.enterprise"), "{ids:?}");
        assert!(built_in("vn.enterprise")
            .unwrap()
            .text
            .contains("criterion"));
        assert!(built_in("no.such.pack").is_none());
        let sources = built_in_sources("vn.enterprise").unwrap();
        assert_eq!(
            sources.keys().collect::<Vec<_>>(),
            [EXAMPLES_FILE, PACK_FILE]
        );
        assert_eq!(sources[PACK_FILE], built_in("vn.enterprise").unwrap().text);
    }

    #[test]
    fn a_byte_order_mark_is_dropped_and_the_size_is_checked() {
        let limits = Limits {
            max_source_size: 8,
            ..Limits::default()
        };
        assert_eq!(checked_text("a", "\u{feff}x", &limits).unwrap(), "x");
        let error = checked_text("a.rhai", "123456789", &limits).unwrap_err();
        assert_eq!(error.code(), "limit.source_size");
    }
}
