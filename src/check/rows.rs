//! Data rows against declarations: a row that `load` reads into a declared predicate is checked
//! as a `.kb` fact is (each field against its argument's type, and the entities of a `strict`
//! declaration).
//!
//! A data file's text is not kept (a large file would cost its size again), so a field has no
//! span here: an error names its file, line and field, and [`super::check_located`]'s caller
//! points it into the data file (see `load::Loader::locate_fields`). Only the first bad row of
//! each column is reported, with the count of the others: a wrong column in a million-row file
//! is one diagnostic, not a million.

use std::sync::Arc;

use crate::diag::Diagnostic;
use crate::program::ArgType;
use crate::value::Value;

use super::{Checker, RawTable, article};

/// A field of a data row that breaks its predicate's declaration, before it is located.
#[derive(Debug, Clone)]
pub struct RowError {
    /// The data file as the user named it (`RawTable::file`).
    pub file: Arc<str>,
    /// The 1-based line of the row.
    pub line: u32,
    /// The 0-based field of the row.
    pub field: usize,
    /// The diagnostic without its span: the caller gives it one in the data file, or the
    /// `load` statement's when the file cannot be read again.
    pub diagnostic: Diagnostic,
    /// The `load` statement's predicate, blamed when the field cannot be located.
    pub fallback: crate::ast::Span,
}

/// Whether a constant fits a declared type (the same test for `.kb` facts and data rows).
pub(crate) fn fits(ty: &ArgType, value: &Value) -> bool {
    matches!(
        (ty, value),
        (ArgType::Number, Value::Int(_) | Value::Dec(_))
            | (ArgType::Text | ArgType::Kind(_) | ArgType::Entity, Value::Text(_))
            | (ArgType::Time, Value::Int(_) | Value::Interval(_) | Value::Undated)
    )
}

/// What a constant is, for a message: `a number`, `a name or text`.
pub(crate) fn what(value: &Value) -> &'static str {
    match value {
        Value::Int(_) | Value::Dec(_) => "a number",
        Value::Text(_) => "a name or text",
        Value::Interval(_) => "an interval",
        Value::Undated => "undated",
    }
}

impl Checker<'_> {
    /// Step 3b: the rows of `table` against its predicate's declaration, if it has one.
    pub(super) fn check_table_rows(&mut self, table: &RawTable, arity: usize) {
        let Some(&pred) = self.pred_by_name.get(&table.pred.name) else { return };
        let Some(decl) = self.program.preds[pred as usize].decl.clone() else { return };
        if decl.args.len() != arity || arity == 0 {
            return;
        }
        let rows = table.data.chunks(arity).take(table.lines.len());
        // 1. Per column: the first bad row and how many there are.
        let mut first_bad: Vec<Option<(usize, Value)>> = vec![None; arity];
        let mut n_bad = vec![0usize; arity];
        for (row, fields) in rows.enumerate() {
            for (col, (&id, info)) in fields.iter().zip(&decl.args).enumerate() {
                let Some(ty) = &info.ty else { continue };
                let value = self.interner.value(id);
                let bad = !fits(ty, &value)
                    || match (decl.strict, ty, &value) {
                        (true, ArgType::Kind(kind), Value::Text(name)) => {
                            !self.entity_kinds.contains(&(kind.clone(), name.clone()))
                        }
                        _ => false,
                    };
                if bad {
                    n_bad[col] += 1;
                    first_bad[col].get_or_insert((row, value));
                }
            }
        }
        // 2. One diagnostic per bad column, at its first bad row.
        for (col, bad) in first_bad.into_iter().enumerate() {
            let Some((row, value)) = bad else { continue };
            let info = &decl.args[col];
            let Some(ty) = &info.ty else { continue };
            let line = table.lines.get(row);
            let more = match n_bad[col] - 1 {
                0 => String::new(),
                1 => " (and 1 more row)".to_string(),
                n => format!(" (and {n} more rows)"),
            };
            let signature = decl.signature(&table.pred.name);
            let d = if fits(ty, &value) {
                let (Value::Text(name), ArgType::Kind(kind)) = (&value, ty) else { continue };
                let same_kind = self.entity_kinds.iter().filter(|(k, _)| k == kind).map(|(_, n)| &**n);
                let d = Diagnostic::error(
                    "check::undeclared_entity",
                    format!("`{name}` is not a declared {kind}, and `{}` is declared strict{more}", table.pred.name),
                )
                .label(format!("not {}", article(kind)));
                match super::closest(name, same_kind) {
                    Some(best) => d.help(format!("did you mean `{best}`?")),
                    None => d.help(format!("declare it first: `{kind} {name} \"Label\".`")),
                }
            } else {
                Diagnostic::error(
                    "check::type_mismatch",
                    format!(
                        "`{}` is declared `{}: {}`, but field {} of this row is {}{more}",
                        table.pred.name,
                        info.name,
                        ty.name(),
                        col + 1,
                        what(&value)
                    ),
                )
                .label(format!("expected {}", article(ty.name())))
                .help(format!(
                    "correct the data file, or the declaration if the column holds {}",
                    match value {
                        Value::Int(_) | Value::Dec(_) => "numbers",
                        Value::Interval(_) => "times",
                        _ => "names or text",
                    }
                ))
            };
            let d = d
                .note(decl.span, format!("declared as `{signature}` here"))
                .note(table.pred.span, format!("loaded into `{}` here", table.pred.name));
            self.row_errors.push(RowError {
                file: table.file.clone(),
                line,
                field: col,
                diagnostic: d,
                fallback: table.pred.span,
            });
        }
    }
}
