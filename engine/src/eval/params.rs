//! The value of every param of every module: its default with the importer's overrides on top
//! (a table override replaces only the keys it gives). A param that cannot be evaluated never
//! becomes `none`: its module is marked failed and every control of it is `error`.

use std::collections::BTreeMap;
use std::sync::Arc;

use jiff::Timestamp;
use vouch_lang::{CheckedPolicy, ParamBinding, Source};

use super::budget::Budget;
use super::interp::{self, Env, Interp};
use super::value::Value;
use crate::evidence::EvidenceValues;

/// The params of one module.
#[derive(Debug, Clone, Default)]
pub(crate) struct ModuleParams {
    /// Every param's effective value, by name.
    pub values: BTreeMap<String, Value>,
    /// Why a param could not be evaluated (the first, by name): the module's controls cannot
    /// run.
    pub failed: Option<String>,
}

/// The params of every module, by module index. Each param (default and each override) is
/// evaluated under its own `budget`.
pub(crate) fn module_params(
    policy: &CheckedPolicy,
    evidence: &EvidenceValues,
    as_of: Timestamp,
    budget: Budget,
) -> Vec<ModuleParams> {
    policy
        .modules
        .iter()
        .map(|m| {
            let mut out = ModuleParams::default();
            for (name, binding) in &m.params {
                match effective(binding, evidence, as_of, budget) {
                    Ok(value) => {
                        out.values.insert(name.clone(), value);
                    }
                    Err(why) => {
                        out.failed.get_or_insert_with(|| {
                            format!(
                                "param `{name}` of `{}` cannot be evaluated: {why}",
                                m.source.name()
                            )
                        });
                    }
                }
            }
            out
        })
        .collect()
}

/// A param's value: the default, then each override over it.
fn effective(
    binding: &ParamBinding,
    evidence: &EvidenceValues,
    as_of: Timestamp,
    budget: Budget,
) -> Result<Value, String> {
    let none = BTreeMap::new();
    let eval = |expr: &vouch_lang::ast::Expr, source: &Source| {
        let env = Env {
            evidence,
            as_of,
            params: &none,
            source,
            budget,
        };
        Interp::new(env).eval(expr).map_err(|e| e.message)
    };
    let mut value = eval(&binding.value, &binding.value_source)?;
    for o in &binding.overrides {
        let layer = eval(&o.value, &o.source)?;
        value = match (value, layer) {
            (Value::Table(base), Value::Table(top)) => {
                let mut merged = (*base).clone();
                merged.extend(top.iter().map(|(k, v)| (k.clone(), v.clone())));
                Value::Table(Arc::new(merged))
            }
            (_, layer) => layer,
        };
    }
    Ok(interp::coerce(value, &binding.ty))
}

/// A param's value as the report shows it: like the language writes it, every element shown
/// (strings quoted, durations as `12 months` or `2d 4h`).
pub(crate) fn text(value: &Value) -> String {
    match value {
        Value::Str(s) => format!("{s:?}"),
        Value::List(items) | Value::Set(items) => {
            let items: Vec<String> = items.iter().map(text).collect();
            format!("[{}]", items.join(", "))
        }
        Value::Table(entries) => {
            let entries: Vec<String> = entries
                .iter()
                .map(|(k, v)| format!("{k}: {}", text(v)))
                .collect();
            format!("{{ {} }}", entries.join(", "))
        }
        other => other.to_string(),
    }
}

/// Every param's effective value, keyed `MODULE::NAME` (the module's source name), sorted.
pub(crate) fn report_params(
    policy: &CheckedPolicy,
    params: &[ModuleParams],
) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    for (module, params) in policy.modules.iter().zip(params) {
        for (name, value) in &params.values {
            out.insert(format!("{}::{name}", module.source.name()), text(value));
        }
    }
    out
}
