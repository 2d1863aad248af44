//! Finds which properties of a parameter a script function reads.
//!
//! A rule is a pure function of the record fields it reads (and of the
//! period), so its result can be memoised on those values. This module reads
//! the rule's AST: `r.field`, `r["field"]`, and `r` passed on to another script
//! function are understood; anything else (a method call on `r`, `r[expr]`,
//! `r` stored in a variable or given to a native function) makes the rule
//! *opaque*, and the engine then evaluates it for every record.
//!
//! It also notes *how* each field is used. A field read only as
//! `p.count_dates(r.field)` or `p.contains(r.field)`, where `p` is the
//! period, affects the rule only through that pure function's value (how
//! many distinct dates lie in the period; whether the date does), so the memo
//! can key on that value instead of the raw dates: records with different
//! dates but the same answer share one evaluation.

use std::collections::{BTreeMap, HashSet};

use rhai::{ASTNode, Dynamic, Expr, Stmt, AST};

/// How a rule uses one field.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum Use {
    /// Its value itself.
    Raw,
    /// Only through `p.count_dates(r.field)`.
    CountDates,
    /// Only through `p.contains(r.field)`.
    Contains,
    /// Only through `bracket(r.field, [bounds…], …)` with constant bounds,
    /// directly or as the argument of a helper that does only that.
    Bracket(std::sync::Arc<[f64]>),
}

/// The properties a parameter is read by and how, or why that cannot be known.
pub(crate) type Reads = Result<BTreeMap<String, Use>, String>;

/// Properties of parameter number `param` read by the script function
/// `name` of arity `arity` (including what it passes on to other script
/// functions). `period` is the index of the period parameter, if any;
/// `known` gives the values of leading curried parameters.
pub(crate) fn reads(
    ast: &AST,
    name: &str,
    arity: usize,
    param: usize,
    period: Option<usize>,
    known: &[Dynamic],
) -> Reads {
    let mut found = BTreeMap::new();
    let mut visited = HashSet::new();
    visit(
        ast,
        name,
        arity,
        param,
        period,
        known,
        &mut found,
        &mut visited,
    )?;
    Ok(found)
}

fn note(found: &mut BTreeMap<String, Use>, field: String, how: Use) {
    found
        .entry(field)
        .and_modify(|seen| {
            if *seen != how {
                *seen = Use::Raw;
            }
        })
        .or_insert(how);
}

/// Walks the body of the script function `name`/`arity` alone.
pub(crate) fn walk_function(
    ast: &AST,
    name: &str,
    arity: usize,
    on_node: &mut dyn FnMut(&[ASTNode]) -> bool,
) {
    // (`clone_functions_only_filtered` does not filter in Rhai 1.27: retain instead.)
    let mut only = ast.clone_functions_only();
    only.retain_functions(|_, _, n, a| n == name && a == arity);
    only.walk(&mut |path: &[ASTNode]| on_node(path));
}

/// If every use of parameter `param` of `name` matches `shape` (given the
/// path ending at the parameter's variable) and all give the same value, that value.
fn sole_use<T: PartialEq>(
    ast: &AST,
    name: &str,
    arity: usize,
    param: usize,
    shape: impl Fn(&[ASTNode], &Expr, &rhai::ImmutableString) -> Option<T>,
) -> Option<T> {
    let def = ast
        .iter_fn_def()
        .find(|f| f.name == name && f.params.len() == arity)?;
    let param_name = def.params[param].clone();
    let mut value: Option<T> = None;
    let mut other_use = false;
    walk_function(ast, name, arity, &mut |path: &[ASTNode]| {
        let ASTNode::Expr(var @ Expr::Variable(v, ..)) = path[path.len() - 1] else {
            return true;
        };
        if v.1 != param_name {
            return true;
        }
        match shape(path, var, &param_name) {
            Some(found) if value.as_ref().is_none_or(|seen| *seen == found) => {
                value = Some(found);
                true
            }
            _ => {
                other_use = true;
                false
            }
        }
    });
    if other_use {
        None
    } else {
        value
    }
}

/// The call a node's grandparent or parent is, if it is one.
fn call_at<'a>(path: &[ASTNode<'a>], up: usize) -> Option<&'a rhai::FnCallExpr> {
    match path.len().checked_sub(up + 1).map(|i| path[i]) {
        Some(ASTNode::Expr(Expr::FnCall(call, _)) | ASTNode::Stmt(Stmt::FnCall(call, _))) => {
            Some(call)
        }
        _ => None,
    }
}

/// The constant numbers of an array literal (`[50, 150, 300]`).
fn constant_numbers(expr: &Expr) -> Option<Vec<f64>> {
    let number = |d: &Dynamic| d.as_int().map(|i| i as f64).or_else(|_| d.as_float()).ok();
    match expr {
        Expr::Array(items, _) => items
            .iter()
            .map(|item| match item {
                Expr::IntegerConstant(i, _) => Some(*i as f64),
                Expr::FloatConstant(f, _) => Some(**f),
                _ => None,
            })
            .collect(),
        Expr::DynamicConstant(value, _) => value
            .read_lock::<rhai::Array>()?
            .iter()
            .map(number)
            .collect(),
        _ => None,
    }
}

/// `bracket(<arg>, [constant bounds], …)` with `arg` the call's first argument?
fn bracket_bounds(call: &rhai::FnCallExpr, arg: &Expr) -> Option<std::sync::Arc<[f64]>> {
    let first = call.args.first()?;
    (call.name == "bracket"
        && call.namespace.is_empty()
        && call.args.len() == 3
        && std::ptr::eq(first, arg))
    .then(|| constant_numbers(&call.args[1]))
    .flatten()
    .map(Into::into)
}

/// If parameter `param` of the script function `name` is used only as the
/// first argument of `bracket(…)` with constant bounds, those bounds.
fn param_bracket(
    ast: &AST,
    name: &str,
    arity: usize,
    param: usize,
) -> Option<std::sync::Arc<[f64]>> {
    sole_use(ast, name, arity, param, |path, var, _| {
        bracket_bounds(call_at(path, 1)?, var)
    })
}

/// What `inner` (an `r.field` read) is wrapped in: `p.count_dates(…)` or
/// `p.contains(…)` with `p` the period, `bracket(…, [bounds], …)`, or a
/// script helper that only brackets its argument. Anything else is raw.
fn projection(
    ast: &AST,
    path: &[ASTNode],
    inner: &Expr,
    period_name: Option<&rhai::ImmutableString>,
) -> Use {
    let n = path.len();
    {
        if let Some(call) = call_at(path, 2) {
            if let Some(bounds) = bracket_bounds(call, inner) {
                return Use::Bracket(bounds);
            }
            let arity = call.args.len();
            let script_fn = call.namespace.is_empty()
                && ast
                    .iter_fn_def()
                    .any(|f| f.name == call.name && f.params.len() == arity);
            if let (true, Some(index)) = (
                script_fn,
                call.args.iter().position(|a| std::ptr::eq(a, inner)),
            ) {
                if let Some(bounds) = param_bracket(ast, &call.name, arity, index) {
                    return Use::Bracket(bounds);
                }
            }
        }
    }
    let (Some(period_name), true) = (period_name, n >= 4) else {
        return Use::Raw;
    };
    let (ASTNode::Expr(Expr::MethodCall(call, _)), ASTNode::Expr(Expr::Dot(outer, ..))) =
        (path[n - 3], path[n - 4])
    else {
        return Use::Raw;
    };
    let receiver_is_period =
        matches!(&outer.lhs, Expr::Variable(v, ..) if v.1 == *period_name && v.2.is_empty());
    let only_argument = call.args.len() == 1 && std::ptr::eq(&call.args[0], inner);
    match call.name.as_str() {
        "count_dates" if receiver_is_period && only_argument => Use::CountDates,
        "contains" if receiver_is_period && only_argument => Use::Contains,
        _ => Use::Raw,
    }
}

#[allow(clippy::too_many_arguments)]
fn visit(
    ast: &AST,
    name: &str,
    arity: usize,
    param: usize,
    period: Option<usize>,
    known: &[Dynamic],
    found: &mut BTreeMap<String, Use>,
    visited: &mut HashSet<(String, usize, usize, Option<usize>)>,
) -> Result<(), String> {
    if !visited.insert((name.to_string(), arity, param, period)) {
        return Ok(());
    }
    let def = ast
        .iter_fn_def()
        .find(|f| f.name == name && f.params.len() == arity)
        .ok_or_else(|| format!("không tìm thấy hàm {name}"))?;
    let param_name = def.params[param].clone();
    let period_name = period.and_then(|i| def.params.get(i)).cloned();
    let constants: Vec<(rhai::ImmutableString, &Dynamic)> = def
        .params
        .iter()
        .zip(known)
        .map(|(n, v)| (n.clone(), v))
        .collect();
    let mut calls: Vec<(String, usize, usize, Option<usize>)> = Vec::new();
    let mut problem: Option<String> = None;

    walk_function(ast, name, arity, &mut |path: &[ASTNode]| {
        let node = path[path.len() - 1];
        if let ASTNode::Stmt(Stmt::Var(x, ..)) = node {
            if x.0.name == param_name {
                problem = Some(format!("biến {param_name} bị khai báo lại"));
                return false;
            }
        }
        let ASTNode::Expr(expr @ Expr::Variable(var, ..)) = node else {
            return true;
        };
        if var.1 != param_name || !var.2.is_empty() {
            return true;
        }
        let parent = path.len().checked_sub(2).map(|i| path[i]);
        match parent {
            Some(ASTNode::Expr(dot @ Expr::Dot(bin, ..))) if std::ptr::eq(&bin.lhs, expr) => {
                match &bin.rhs {
                    Expr::Property(p, _) => {
                        note(
                            found,
                            p.2.to_string(),
                            projection(ast, path, dot, period_name.as_ref()),
                        );
                    }
                    Expr::Dot(inner, ..) | Expr::Index(inner, ..) => match &inner.lhs {
                        Expr::Property(p, _) => note(found, p.2.to_string(), Use::Raw),
                        _ => problem = Some(format!("gọi phương thức trên {param_name}")),
                    },
                    _ => problem = Some(format!("gọi phương thức trên {param_name}")),
                }
            }
            Some(ASTNode::Expr(Expr::Index(bin, ..))) if std::ptr::eq(&bin.lhs, expr) => {
                match &bin.rhs {
                    Expr::StringConstant(s, _) => note(found, s.to_string(), Use::Raw),
                    Expr::Variable(v, ..) => match constants.iter().find(|(n, _)| *n == v.1) {
                        Some((_, value)) if value.is_string() => {
                            let field = Dynamic::clone(value)
                                .flatten()
                                .into_immutable_string()
                                .unwrap_or_default();
                            note(found, field.to_string(), Use::Raw)
                        }
                        _ => problem = Some(format!("{param_name}[…] với khóa không cố định")),
                    },
                    _ => problem = Some(format!("{param_name}[…] với khóa không cố định")),
                }
            }
            // A call in an expression, or a whole statement that is a call (`|r, p| held(r, p)`).
            Some(ASTNode::Expr(Expr::FnCall(call, _)) | ASTNode::Stmt(Stmt::FnCall(call, _)))
                if call.namespace.is_empty() =>
            {
                let script_fn = ast
                    .iter_fn_def()
                    .any(|f| f.name == call.name && f.params.len() == call.args.len());
                let period_at = period_name.as_ref().and_then(|pn| {
                    call.args.iter().position(
                        |a| matches!(a, Expr::Variable(v, ..) if v.1 == *pn && v.2.is_empty()),
                    )
                });
                match call.args.iter().position(|a| std::ptr::eq(a, expr)) {
                    Some(i) if script_fn => {
                        calls.push((call.name.to_string(), call.args.len(), i, period_at))
                    }
                    _ => problem = Some(format!("{param_name} được truyền cho hàm {}", call.name)),
                }
            }
            _ => problem = Some(format!("{param_name} được dùng nguyên khối")),
        }
        problem.is_none()
    });
    if let Some(problem) = problem {
        return Err(problem);
    }
    for (callee, callee_arity, index, period_at) in calls {
        visit(
            ast,
            &callee,
            callee_arity,
            index,
            period_at,
            &[],
            found,
            visited,
        )?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn reads_of(script: &str, name: &str, arity: usize) -> Reads {
        let engine = rhai::Engine::new_raw();
        let ast = engine.compile(script).unwrap();
        reads(&ast, name, arity, 0, (arity > 1).then_some(1), &[])
    }

    fn names(reads: Reads) -> Vec<String> {
        reads.unwrap().into_keys().collect()
    }

    #[test]
    fn finds_properties_and_follows_script_calls() {
        let script = r#"
            fn held(r, p) { p.count_dates(r.dates) > 0 }
            fn rule(r, p) { if held(r, p) && r.published { r["reps"] >= 3 } else { r.extra.len() > 0 } }
        "#;
        let found = reads_of(script, "rule", 2).unwrap();
        assert_eq!(
            found.keys().collect::<Vec<_>>(),
            ["dates", "extra", "published", "reps"]
        );
        assert_eq!(found["dates"], Use::CountDates);
        assert_eq!(found["reps"], Use::Raw);
    }

    #[test]
    fn opaque_uses_are_detected() {
        assert!(reads_of("fn rule(r) { r.keys().len() }", "rule", 1).is_err());
        assert!(reads_of("fn rule(r) { let k = \"a\"; r[k] }", "rule", 1).is_err());
        assert!(reads_of("fn rule(r) { type_of(r) }", "rule", 1).is_err());
        assert!(reads_of("fn rule(r) { let x = r; x.a }", "rule", 1).is_err());
        assert!(reads_of("fn rule(r) { let r = 1; r }", "rule", 1).is_err());
    }

    #[test]
    fn curried_constants_name_fields() {
        let engine = rhai::Engine::new_raw();
        let ast = engine.compile("fn rule(field, r) { r[field] }").unwrap();
        let found = reads(&ast, "rule", 2, 1, None, &["flag".into()]);
        assert_eq!(names(found), ["flag"]);
        // A closure's captured variable arrives shared.
        let shared = Dynamic::from("flag").into_shared();
        assert_eq!(names(reads(&ast, "rule", 2, 1, None, &[shared])), ["flag"]);
    }

    #[test]
    fn projections_need_the_period_as_receiver_and_no_other_use() {
        let found = reads_of(
            "fn rule(r, p) { p.contains(r.day) && p.count_dates(r.days) > 1 }",
            "rule",
            2,
        )
        .unwrap();
        assert_eq!(
            (found["day"].clone(), found["days"].clone()),
            (Use::Contains, Use::CountDates)
        );
        // Another receiver, or a second, raw use, keeps the raw value.
        let found = reads_of("fn rule(r, p) { \"abc\".contains(r.day) }", "rule", 2).unwrap();
        assert_eq!(found["day"], Use::Raw);
        let found = reads_of(
            "fn rule(r, p) { if p.contains(r.day) { `${r.day}` } else { \"\" } }",
            "rule",
            2,
        )
        .unwrap();
        assert_eq!(found["day"], Use::Raw);
        // Through a helper that receives the period under another name.
        let found = reads_of(
            "fn held(x, q) { q.count_dates(x.days) > 0 } fn rule(r, p) { held(r, p) }",
            "rule",
            2,
        )
        .unwrap();
        assert_eq!(found["days"], Use::CountDates);
        // A helper that does not receive the period cannot project.
        let found = reads_of(
            "fn held(x, q) { q.count_dates(x.days) > 0 } fn rule(r, p) { held(r, 1) }",
            "rule",
            2,
        )
        .unwrap();
        assert_eq!(found["days"], Use::Raw);
    }

    #[test]
    fn brackets_with_constant_bounds_project() {
        let brackets = |script: &str| reads_of(script, "rule", 2).unwrap()["n"].clone();
        let b: std::sync::Arc<[f64]> = vec![50.0, 150.0].into();
        assert_eq!(
            brackets("fn rule(r, p) { bracket(r.n, [50, 150], [3, 4, 9]) }"),
            Use::Bracket(b.clone())
        );
        assert_eq!(
            brackets("fn need(x) { bracket(x, [50, 150], [3, 4, 9]) } fn rule(r, p) { r.m >= need(r.n) }"),
            Use::Bracket(b)
        );
        assert_eq!(
            brackets(
                "fn need(x) { bracket(x, [50, 150], [3, 4, 9]) + x } fn rule(r, p) { need(r.n) }"
            ),
            Use::Raw
        );
        assert_eq!(
            brackets("fn rule(r, p) { let b = [50]; bracket(r.n, b, [1, 2]) }"),
            Use::Raw
        );
        assert_eq!(
            brackets("fn rule(r, p) { bracket(r.n, [50], [1, 2]) + r.n }"),
            Use::Raw
        );
    }
}
