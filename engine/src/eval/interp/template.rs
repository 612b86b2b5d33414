//! String templates: a literal's value (made once per control), and interpolation for
//! values (a `none` part makes the value `none`) and for messages (a `none` part reads
//! `none`).

use vouch_lang::ast::{Template, TemplatePart};

use super::{EvalError, Interp};
use crate::eval::value::Value;

impl<'a> Interp<'a> {
    /// A string literal's value: plain literals are made once per control and shared. A
    /// template that interpolates a `none` is `none`: the text is not known.
    pub(super) fn string(&mut self, t: &'a Template) -> Result<Value, EvalError> {
        let key = std::ptr::from_ref(t) as usize;
        if let Some((_, v)) = self.literals.iter().find(|(k, _)| *k == key) {
            return Ok(v.clone());
        }
        let mut out = String::new();
        for part in &t.parts {
            // Each piece is taken from the budget before it is appended.
            let written = match part {
                TemplatePart::Text(text) => self.meter.write_display(&mut out, text),
                TemplatePart::Expr(e) => match self.eval(e)? {
                    Value::None => return Ok(Value::None),
                    v => self.meter.write_display(&mut out, &v),
                },
            };
            written.map_err(|e| self.stopped(t.span, e))?;
        }
        let value = Value::str(out);
        if t.parts.iter().all(|p| matches!(p, TemplatePart::Text(_))) {
            self.literals.push((key, value.clone()));
        }
        Ok(value)
    }

    /// The text of a message template with every `{expression}` replaced by its value (a
    /// `none` reads `none`). Each piece is taken from the budget before it is appended.
    pub fn interpolate(&mut self, t: &'a Template) -> Result<String, EvalError> {
        let mut out = String::new();
        for part in &t.parts {
            let written = match part {
                TemplatePart::Text(text) => self.meter.write_display(&mut out, text),
                TemplatePart::Expr(e) => {
                    let value = self.eval(e)?;
                    self.meter.write_display(&mut out, &value)
                }
            };
            written.map_err(|e| self.stopped(t.span, e))?;
        }
        Ok(out)
    }
}
