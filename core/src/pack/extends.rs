//! `extends`: finding a file's `extends("…")` and the file it names, a
//! built-in pack or a file in the same pack folder.

use rhai::{Expr, Stmt, AST};

use super::source::{self, Root, SourceFile};
use crate::error::{Error, Location};
use crate::script::Limits;

/// The target of the file's `extends("…")`, which must be its first statement.
pub(super) fn find_extends(
    ast: &AST,
    file: &str,
) -> Result<Option<(String, rhai::Position)>, Error> {
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
pub(super) fn resolve_extends(
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
