//! Finds the literal field names a rule reads from its record parameter.
//!
//! This is a lint, not the memo's key (the memo keys on what a rule reads
//! while it runs; see `score::view`): a field named in a rule's source but
//! never declared is a typo better reported when the pack loads than on every
//! record. Understood: `r.field`, `r["field"]`, `r[k]` with `k` a constant
//! captured at load, and `r` passed on to another script function. Any other
//! use of `r` (a method call, a computed key, `r` stored in a variable) makes
//! the names unknowable; the lint then says nothing and the rule, if it reads
//! an undeclared field, fails when it runs, naming the field.

use std::collections::{BTreeSet, HashSet};

use rhai::{ASTNode, Dynamic, Expr, Stmt, AST};

/// The field names a parameter is read by, or why they cannot be known.
pub(crate) type Reads = Result<BTreeSet<String>, String>;

/// Properties of parameter number `param` read by the script function
/// `name` of arity `arity` (including what it passes on to other script
/// functions); `known` gives the values of leading curried parameters.
pub(crate) fn reads(ast: &AST, name: &str, arity: usize, param: usize, known: &[Dynamic]) -> Reads {
    let mut found = BTreeSet::new();
    let mut visited = HashSet::new();
    visit(ast, name, arity, param, known, &mut found, &mut visited)?;
    Ok(found)
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

fn visit(
    ast: &AST,
    name: &str,
    arity: usize,
    param: usize,
    known: &[Dynamic],
    found: &mut BTreeSet<String>,
    visited: &mut HashSet<(String, usize, usize)>,
) -> Result<(), String> {
    if !visited.insert((name.to_string(), arity, param)) {
        return Ok(());
    }
    let def = ast
        .iter_fn_def()
        .find(|f| f.name == name && f.params.len() == arity)
        .ok_or_else(|| format!("không tìm thấy hàm {name}"))?;
    let param_name = def.params[param].clone();
    let constants: Vec<(rhai::ImmutableString, &Dynamic)> = def
        .params
        .iter()
        .zip(known)
        .map(|(n, v)| (n.clone(), v))
        .collect();
    let mut calls: Vec<(String, usize, usize)> = Vec::new();
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
            Some(ASTNode::Expr(Expr::Dot(bin, ..))) if std::ptr::eq(&bin.lhs, expr) => {
                match &bin.rhs {
                    Expr::Property(p, _) => {
                        found.insert(p.2.to_string());
                    }
                    Expr::Dot(inner, ..) | Expr::Index(inner, ..) => match &inner.lhs {
                        Expr::Property(p, _) => {
                            found.insert(p.2.to_string());
                        }
                        _ => problem = Some(format!("gọi phương thức trên {param_name}")),
                    },
                    _ => problem = Some(format!("gọi phương thức trên {param_name}")),
                }
            }
            Some(ASTNode::Expr(Expr::Index(bin, ..))) if std::ptr::eq(&bin.lhs, expr) => {
                match &bin.rhs {
                    Expr::StringConstant(s, _) => {
                        found.insert(s.to_string());
                    }
                    Expr::Variable(v, ..) => match constants.iter().find(|(n, _)| *n == v.1) {
                        Some((_, value)) if value.is_string() => {
                            let field = Dynamic::clone(value)
                                .flatten()
                                .into_immutable_string()
                                .unwrap_or_default();
                            found.insert(field.to_string());
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
                match call.args.iter().position(|a| std::ptr::eq(a, expr)) {
                    Some(i) if script_fn => calls.push((call.name.to_string(), call.args.len(), i)),
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
    for (callee, callee_arity, index) in calls {
        visit(ast, &callee, callee_arity, index, &[], found, visited)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn reads_of(script: &str, name: &str, arity: usize) -> Reads {
        let engine = rhai::Engine::new_raw();
        let ast = engine.compile(script).unwrap();
        reads(&ast, name, arity, 0, &[])
    }

    fn names(reads: Reads) -> Vec<String> {
        reads.unwrap().into_iter().collect()
    }

    #[test]
    fn finds_properties_and_follows_script_calls() {
        let script = r#"
            fn held(r, p) { p.count_dates(r.dates) > 0 }
            fn rule(r, p) { if held(r, p) && r.published { r["reps"] >= 3 } else { r.extra.len() > 0 } }
        "#;
        assert_eq!(
            names(reads_of(script, "rule", 2)),
            ["dates", "extra", "published", "reps"]
        );
    }

    #[test]
    fn unknowable_uses_are_detected() {
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
        let found = reads(&ast, "rule", 2, 1, &["flag".into()]);
        assert_eq!(names(found), ["flag"]);
        // A closure's captured variable arrives shared.
        let shared = Dynamic::from("flag").into_shared();
        assert_eq!(names(reads(&ast, "rule", 2, 1, &[shared])), ["flag"]);
    }
}
