//! Where pack sources come from: the packs built into the binary, a folder on
//! disk, or a string. Every path a pack names (`extends`, `import`) resolves
//! through [`Root`], which never leaves the pack's own folder.

use std::path::{Component, Path, PathBuf};
use std::sync::{Arc, Mutex};

use include_dir::{include_dir, Dir};
use rhai::{Engine, EvalAltResult, Module, Position, Scope, Shared};

use crate::error::{Error, Location};
use crate::script::Limits;

/// The built-in packs, embedded from `rules/` at build time.
static BUILT_IN: Dir<'static> = include_dir!("$CARGO_MANIFEST_DIR/../rules");

/// The file holding a pack's rules inside its folder.
pub(crate) const PACK_FILE: &str = "pack.rhai";
/// The file holding a pack's examples inside its folder.
pub(crate) const EXAMPLES_FILE: &str = "examples.jsonl";

/// The folder a pack's relative paths resolve in.
#[derive(Clone, Debug)]
pub(crate) enum Root {
    /// A built-in pack's folder in `rules/`.
    BuiltIn(&'static Dir<'static>),
    /// A folder on disk: canonical (for confinement) and as the user named it
    /// (for messages, so they read `go-dau/examples.jsonl`, not an absolute path).
    Disk { canonical: PathBuf, shown: PathBuf },
    /// A pack given as a string: it may extend built-in packs, nothing else.
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

/// The pack file at `path`: a folder holding `pack.rhai`, or a `.rhai` file.
pub(crate) fn from_path(path: &Path, limits: &Limits) -> Result<SourceFile, Error> {
    let not_found = |reason: String| Error::PackNotFound {
        name: path.display().to_string(),
        reason,
    };
    let file = if path.is_dir() {
        path.join(PACK_FILE)
    } else {
        path.to_path_buf()
    };
    let canonical = file.canonicalize().map_err(|e| not_found(e.to_string()))?;
    let root = canonical
        .parent()
        .ok_or_else(|| not_found("không có thư mục cha".into()))?
        .to_path_buf();
    let text = read_limited(&canonical, limits)?;
    let shown = file.parent().map(Path::to_path_buf).unwrap_or_default();
    Ok(SourceFile {
        name: file.display().to_string(),
        text,
        root: Root::Disk {
            canonical: root,
            shown,
        },
    })
}

fn read_limited(path: &Path, limits: &Limits) -> Result<String, Error> {
    let display = path.display().to_string();
    let size = std::fs::metadata(path)
        .map_err(|e| Error::io(&display, e))?
        .len();
    if size > limits.max_source_size as u64 {
        return Err(Error::LimitExceeded {
            limit: crate::Limit::SourceSize,
            max: limits.max_source_size as u64,
            location: Location::file(display),
            context: crate::script::LOADING.into(),
        });
    }
    let bytes = std::fs::read(path).map_err(|e| Error::io(&display, e))?;
    String::from_utf8(bytes).map_err(|_| Error::Io {
        path: display,
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

impl Root {
    /// Reads `relative` inside this root: `(name for messages, text)`.
    pub(crate) fn read(&self, relative: &str, limits: &Limits) -> Result<(String, String), String> {
        let inside = confine(relative)
            .ok_or_else(|| "đường dẫn nằm ngoài thư mục của bộ quy tắc".to_string())?;
        match self {
            Root::BuiltIn(dir) => {
                let file = dir
                    .get_file(dir.path().join(&inside))
                    .ok_or_else(|| "không có tệp này trong bộ quy tắc".to_string())?;
                let text = file.contents_utf8().ok_or("tệp không phải UTF-8")?;
                Ok((format!("rules/{}", file.path().display()), text.to_string()))
            }
            Root::Disk {
                canonical: root,
                shown,
            } => {
                let path = root.join(&inside);
                let canonical = path
                    .canonicalize()
                    .map_err(|_| "không có tệp này trong bộ quy tắc".to_string())?;
                // A symbolic link may still point outside.
                if !canonical.starts_with(root) {
                    return Err("đường dẫn nằm ngoài thư mục của bộ quy tắc".into());
                }
                let text = read_limited(&canonical, limits).map_err(|e| e.to_string())?;
                Ok((shown.join(&inside).display().to_string(), text))
            }
            Root::None => Err("bộ quy tắc nạp từ chuỗi không import được tệp".into()),
        }
    }
}

/// Resolves `import "x"` inside the pack's folder only, and records every
/// file it reads (for the fingerprint) and the first refusal (for a typed error).
pub(crate) struct PackResolver {
    pub root: Root,
    pub limits: Limits,
    pub files_read: Arc<Mutex<Vec<(String, String)>>>,
    pub refusal: Arc<Mutex<Option<(String, String)>>>,
}

impl rhai::ModuleResolver for PackResolver {
    fn resolve(
        &self,
        engine: &Engine,
        _source: Option<&str>,
        path: &str,
        pos: Position,
    ) -> Result<Shared<Module>, Box<EvalAltResult>> {
        let with_extension = if path.ends_with(".rhai") {
            path.to_string()
        } else {
            format!("{path}.rhai")
        };
        match self.root.read(&with_extension, &self.limits) {
            Ok((name, text)) => {
                let mut ast = engine.compile(&text).map_err(|e| {
                    Box::new(EvalAltResult::ErrorInModule(path.into(), e.into(), pos))
                })?;
                ast.set_source(name.as_str());
                self.files_read
                    .lock()
                    .expect("resolver lock")
                    .push((name, text));
                let module = Module::eval_ast_as_new(Scope::new(), &ast, engine)?;
                Ok(module.into())
            }
            Err(reason) => {
                self.refusal
                    .lock()
                    .expect("resolver lock")
                    .get_or_insert((path.to_string(), reason));
                Err(EvalAltResult::ErrorModuleNotFound(path.into(), pos).into())
            }
        }
    }
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
    }
}
