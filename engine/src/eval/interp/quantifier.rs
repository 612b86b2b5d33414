//! Quantifiers: `all`, `any`, `none` and `count` over a collection, three-valued, with their
//! `where` filters (an element whose filter or condition is unknown is unknown).

use std::sync::Arc;

use vouch_lang::ast::{QuantKind, Quantifier};

use super::{Bound, EvalError, Interp};
use crate::eval::value::Value;

impl<'a> Interp<'a> {
    pub(super) fn quantifier(&mut self, q: &'a Quantifier) -> Result<Value, EvalError> {
        let Some(items) = self.collection(&q.iter)? else {
            return Ok(Value::None);
        };
        let mut trues: i64 = 0;
        let mut saw_none = false;
        // Prepared before the variable is bound: names resolve as they would inside.
        let prepared = self.prepare(q);
        let slot = self.scope.len();
        self.scope
            .push((q.var.name.as_str(), Bound::Element(Arc::clone(&items), 0)));
        for (index, item) in items.iter().enumerate() {
            self.move_to(slot, index);
            let result = self.step(q.iter.span).and_then(|()| match &prepared {
                Some(p) if p.accepts(item) => p.quantified(self, q.kind, item),
                _ => self.quantified(q),
            });
            self.scope.truncate(slot + 1);
            let result = match result {
                Ok(r) => r,
                Err(e) => {
                    self.scope.truncate(slot);
                    return Err(e);
                }
            };
            let decided = match result {
                None if q.kind == QuantKind::Count => Some(Value::None),
                Some(true) => {
                    trues = trues.saturating_add(1);
                    match q.kind {
                        QuantKind::Any => Some(Value::Bool(true)),
                        QuantKind::None => Some(Value::Bool(false)),
                        _ => None,
                    }
                }
                Some(false) if q.kind == QuantKind::All => Some(Value::Bool(false)),
                Some(false) => None,
                None => {
                    saw_none = true;
                    None
                }
            };
            if let Some(decided) = decided {
                self.scope.truncate(slot);
                return Ok(decided);
            }
        }
        self.scope.truncate(slot);
        Ok(match q.kind {
            QuantKind::All | QuantKind::Any | QuantKind::None if saw_none => Value::None,
            QuantKind::All => Value::Bool(true),
            QuantKind::Any => Value::Bool(false),
            QuantKind::None => Value::Bool(true),
            QuantKind::Count => Value::Int(trues),
        })
    }

    /// One element of a quantifier: `Some(true)` counts, `Some(false)` does not, `None` is an
    /// unknown condition or `where`. Elements the `where` filter leaves out count as
    /// `Some(false)`, except for `all`, where they are skipped (`Some(true)`).
    fn quantified(&mut self, q: &'a Quantifier) -> Result<Option<bool>, EvalError> {
        if let Some(filter) = &q.filter {
            match self.condition(filter)? {
                Some(true) => {}
                Some(false) => return Ok(Some(q.kind == QuantKind::All)),
                None => return Ok(None),
            }
        }
        match &q.body {
            Some(body) => self.condition(body),
            None => Ok(Some(true)),
        }
    }
}
