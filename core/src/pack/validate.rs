//! What a pack must satisfy beyond its syntax, checked at load so that a
//! mistake is reported once, at its line, instead of on every record: no
//! function under a reserved name, no module used in a function that cannot
//! see it, fields that name declared fields, points that add up, and bands
//! that every total can reach in order.

use hashbrown::HashMap;
use rhai::{Expr, Stmt, AST};

use super::builder::BandDraft;
use super::Group;
use crate::error::{Error, Location, PackProblem};
use crate::fields::FieldSpec;
use crate::script::{self, analysis};
use crate::Points;

/// A pack may not define a function under a name the engine gives meaning
/// to: a pack's own `bracket` or `contains` would silently change what every
/// rule that calls it computes.
pub(super) fn check_reserved_names(ast: &AST, file: &str) -> Result<(), Error> {
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
pub(super) fn check_imports_in_functions(ast: &AST, file: &str) -> Result<(), Error> {
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
/// The index of each declared field by name; every `at_most` must name one.
pub(super) fn field_index(
    fields: &[FieldSpec],
    here: &Location,
) -> Result<HashMap<String, usize>, Error> {
    let mut field_index = HashMap::new();
    for (i, field) in fields.iter().enumerate() {
        field_index.insert(field.name.clone(), i);
    }
    for field in fields {
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
    Ok(field_index)
}

/// The pack's maximum: the declared `max_points`, which must equal the sum
/// of the criteria's points (`total`), or that sum.
pub(super) fn max_points(
    total: Points,
    declared: Option<Points>,
    groups: &[Group],
    here: &Location,
) -> Result<Points, Error> {
    let max_points = declared.unwrap_or(total);
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
    Ok(max_points)
}

/// Bands, best first: at least one, minimums strictly decreasing, each
/// reachable, the lowest from 0 and without a condition, so that every
/// total has a class. `top_file` is the pack being loaded: an error points
/// at its own declaration when it made one of the pair.
pub(super) fn bands(
    bands: &[BandDraft],
    max_points: Points,
    here: &Location,
    top_file: &str,
) -> Result<(), Error> {
    if bands.is_empty() {
        return Err(Error::invalid_as(
            PackProblem::Bands,
            here.clone(),
            "chưa khai báo mức xếp loại nào: band(…)",
        ));
    }
    for pair in bands.windows(2) {
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
    if let Some(band) = bands.iter().find(|b| b.min > max_points) {
        return Err(Error::invalid_as(
            PackProblem::Bands,
            band.location.clone(),
            format!(
                "mức '{}' cần từ {} điểm, nhưng tổng điểm tối đa chỉ là {max_points}: không bản ghi nào đạt được",
                band.code, band.min
            ),
        ));
    }
    let lowest = bands.last().expect("non-empty");
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
    Ok(())
}
