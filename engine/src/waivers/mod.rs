//! Waivers: accepted risks, kept apart from the policy in a TOML file the caller reads, and
//! signed by the person who accepts them.
//!
//! ```toml
//! [[waiver]]
//! id = "W-2026-014"                      # optional; default CONTROL#N
//! control = "ACME-SIGN"
//! findings = ["vf1:2f0c5e9a41d3b87c6e05a1f2"]   # the fingerprints `vouch evaluate` prints
//! subject = "dist/widget.zip"            # and/or a finding's subject, exactly
//! justification = "the zip is signed by the store, not by us"
//! approver = "ciso@acme.example"         # optional; must be the signer (see below)
//! effective = 2026-09-01
//! expires = 2026-12-31                   # applies up to and including this day
//! risk = "low"                           # optional
//! ```
//!
//! A waiver accepts only the findings it names: those of its control whose fingerprint it
//! lists, and those whose subject is exactly its `subject`. A finding that appears later has
//! another fingerprint, and a new subject is another subject, so neither is waived. The old
//! `scope` (a glob over evidence paths) is refused: it also covered findings that appeared
//! after the waiver was approved.
//!
//! A waivers file counts only with a detached signature beside it ([`approval`]) by a key of
//! the trust set: the signer is the approver. `approver`, when given, must name that signer
//! (its user id, its e-mail address or its key id), so a file cannot claim one person's
//! approval under another's signature.

use std::collections::BTreeMap;

use jiff::civil::Date;

use crate::finding::{Finding, FindingCode, Severity};
use crate::formats::toml_util::{self, TomlCtx};

pub mod approval;
pub mod fingerprint;

pub use approval::{Approval, Approver, SignatureCheck, approve};
pub use fingerprint::{FINGERPRINT_PREFIX, FindingKey, fingerprint};

/// The keys of each `[[waiver]]`.
pub const WAIVER_KEYS: &[&str] = &[
    "id",
    "control",
    "findings",
    "subject",
    "justification",
    "approver",
    "effective",
    "expires",
    "risk",
];

/// One waiver.
#[derive(Debug, Clone)]
pub struct Waiver {
    /// Its id (given, or `CONTROL#N` for the N-th waiver of that control in the file).
    pub id: String,
    /// The control it waives.
    pub control: String,
    /// The fingerprints (`vf1:...`) of the findings it accepts, sorted, without duplicates.
    pub findings: Vec<String>,
    /// The subject whose findings it accepts, exactly (a finding's `subject`).
    pub subject: Option<String>,
    /// Why the risk is accepted.
    pub justification: String,
    /// Who the file says accepted it; must name the signer when given.
    pub approver: Option<String>,
    /// First day it applies.
    pub effective: Date,
    /// Last day it applies.
    pub expires: Date,
    /// The accepted risk, if stated.
    pub risk: Option<String>,
    /// 1-based line of its `[[waiver]]` header.
    pub line: u32,
}

/// A waivers file: its waivers and whether its signature approves them.
#[derive(Debug, Clone)]
pub struct WaiverFile {
    /// The signature check; without an approver none of the waivers applies.
    pub approval: Approval,
    /// The waivers, in file order.
    pub waivers: Vec<Waiver>,
}

/// Where a waiver stands on a given day.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WaiverState {
    /// In force, and it covered at least one finding.
    Applied,
    /// Past its `expires` day.
    Expired,
    /// Before its `effective` day.
    NotYetEffective,
    /// In force, but it matched nothing.
    Unused,
    /// Its file has no valid signature by a trusted key (unsigned, bad signature, untrusted
    /// key, signed after `as_of`).
    Refused,
    /// It breaks a rule: longer than the policy's maximum lifetime, or an `approver` that is
    /// not the signer.
    Invalid,
    /// The authority does not permit its approver to waive findings of its control.
    NotPermitted,
}

impl WaiverState {
    /// The name used in reports.
    pub const fn as_str(self) -> &'static str {
        match self {
            WaiverState::Applied => "applied",
            WaiverState::Expired => "expired",
            WaiverState::NotYetEffective => "not_yet_effective",
            WaiverState::Unused => "unused",
            WaiverState::Refused => "refused",
            WaiverState::Invalid => "invalid",
            WaiverState::NotPermitted => "not_permitted",
        }
    }
}

impl Waiver {
    /// Whether it is in force on `day` (effective ..= expires); otherwise why not.
    pub fn in_force(&self, day: Date) -> Result<(), WaiverState> {
        if day > self.expires {
            Err(WaiverState::Expired)
        } else if day < self.effective {
            Err(WaiverState::NotYetEffective)
        } else {
            Ok(())
        }
    }

    /// Whether it names a finding of `control` with this fingerprint and subject.
    pub fn names(&self, control: &str, fingerprint: &str, subject: Option<&str>) -> bool {
        self.control == control
            && (self
                .findings
                .binary_search_by(|f| f.as_str().cmp(fingerprint))
                .is_ok()
                || (self.subject.is_some() && self.subject.as_deref() == subject))
    }

    /// Whether the `approver` it states (if any) names `signer`: its user id, the e-mail
    /// address in it, or its key id. `None` when it states none.
    pub fn approver_matches(&self, signer: &Approver) -> Option<bool> {
        let claimed = self.approver.as_deref()?.trim();
        let uid = signer.signer.as_deref().unwrap_or_default();
        let email = uid
            .rsplit_once('<')
            .and_then(|(_, rest)| rest.strip_suffix('>'));
        Some(
            claimed == uid
                || email.is_some_and(|e| claimed.eq_ignore_ascii_case(e))
                || claimed.eq_ignore_ascii_case(&signer.key_id),
        )
    }
}

/// Parses waivers from the TOML text of the file `name`. Errors (syntax, unknown or missing
/// keys, bad dates, a malformed fingerprint, the retired `scope`, duplicate ids) are findings
/// with line and column; warnings alone do not make it fail and are returned with the
/// waivers.
pub fn parse_waivers(name: &str, text: &str) -> Result<(Vec<Waiver>, Vec<Finding>), Vec<Finding>> {
    let mut ctx = match TomlCtx::new(name, text.as_bytes()) {
        Ok(ctx) => ctx,
        Err(f) => return Err(vec![*f]),
    };
    let src = std::sync::Arc::clone(&ctx.src);
    let mut waivers = Vec::new();
    if let Some(root) = toml_util::parse(&mut ctx, &src) {
        read(&mut ctx, root.get_ref(), &mut waivers);
    }
    if ctx.findings.iter().any(|f| f.severity == Severity::Error) {
        Err(ctx.findings)
    } else {
        Ok((waivers, ctx.findings))
    }
}

/// The help for a waiver file written for the retired `scope`.
const MIGRATE_SCOPE: &str = "name the findings the waiver accepts instead: `findings = \
     [\"vf1:...\"]` with the fingerprints `vouch evaluate` prints for each finding, and/or \
     `subject = \"...\"` with a finding's subject, exactly; then sign the file again \
     (see the book's \"Waivers and attestations\")";

fn read(ctx: &mut TomlCtx, root: &toml::de::DeTable<'_>, out: &mut Vec<Waiver>) {
    ctx.unknown_keys(root, &["waiver"], "the waivers file");
    let Some(value) = root.get("waiver") else {
        return;
    };
    let mut per_control: BTreeMap<String, usize> = BTreeMap::new();
    let mut ids: BTreeMap<String, u32> = BTreeMap::new();
    for (table, span) in toml_util::tables(ctx, value, "waiver") {
        if let Some(scope) = table.get("scope") {
            ctx.invalid(
                scope.span(),
                "`scope` is no longer read: a glob over evidence paths also waived findings \
                 that appeared after the waiver was approved"
                    .to_owned(),
                MIGRATE_SCOPE,
            );
        }
        let known: Vec<&str> = WAIVER_KEYS.iter().copied().chain(["scope"]).collect();
        ctx.unknown_keys(table, &known, "[[waiver]]");
        let line = ctx.line_of(span.start);
        let text = |ctx: &mut TomlCtx, key: &str, example: &str| match table.get(key) {
            Some(v) => ctx.nonempty_string(v, key),
            None => {
                ctx.missing(key, "[[waiver]]", span.clone(), example);
                None
            }
        };
        let control = text(ctx, "control", "\"CONTROL-ID\"");
        let justification = text(ctx, "justification", "\"why the risk is accepted\"");
        let date = |ctx: &mut TomlCtx, key: &str| match table.get(key) {
            Some(v) => ctx.date(v, key),
            None => {
                ctx.missing(key, "[[waiver]]", span.clone(), "2026-10-01");
                None
            }
        };
        let effective = date(ctx, "effective");
        let expires = date(ctx, "expires");
        let optional = |ctx: &mut TomlCtx, key: &str| {
            table
                .get(key)
                .and_then(|v| ctx.nonempty_string(v, key).map(|s| (s, v.span())))
        };
        let given_id = optional(ctx, "id");
        let risk = optional(ctx, "risk").map(|(s, _)| s);
        let approver = optional(ctx, "approver").map(|(s, _)| s);
        let subject = optional(ctx, "subject").map(|(s, _)| s);
        let mut findings = Vec::new();
        if let Some(v) = table.get("findings") {
            for (fp, at) in ctx.strings(v, "findings").unwrap_or_default() {
                if fingerprint::is_fingerprint(&fp) {
                    findings.push(fp);
                } else {
                    ctx.invalid(
                        at,
                        format!("`{fp}` is not a finding fingerprint"),
                        "copy the fingerprint `vouch evaluate` prints for the finding, e.g. \
                         `vf1:2f0c5e9a41d3b87c6e05a1f2` (`vf1:` and 24 lowercase hex digits)",
                    );
                }
            }
            if findings.is_empty() && subject.is_none() {
                ctx.invalid(
                    v.span(),
                    "`findings` is empty, so the waiver accepts nothing".to_owned(),
                    "list the fingerprints of the findings it accepts",
                );
            }
        }
        if findings.is_empty()
            && subject.is_none()
            && !table.contains_key("findings")
            && !table.contains_key("scope")
        {
            ctx.report(
                FindingCode::ManifestMissingKey,
                span.clone(),
                "[[waiver]] names no findings: give `findings` or `subject`".to_owned(),
                "a waiver accepts only the findings it names: `findings = [\"vf1:...\"]` (the \
                 fingerprints `vouch evaluate` prints) or `subject = \"dist/widget.zip\"`",
            );
        }
        findings.sort();
        findings.dedup();
        let (Some(control), Some(justification), Some(effective), Some(expires)) =
            (control, justification, effective, expires)
        else {
            continue;
        };
        if expires < effective {
            let at = table.get("expires").map_or(span.clone(), |v| v.span());
            ctx.invalid(
                at,
                format!("`expires` {expires} is before `effective` {effective}"),
                "a waiver applies from `effective` to `expires`, both included",
            );
            continue;
        }
        let n = per_control.entry(control.clone()).or_insert(0);
        *n += 1;
        let id = match given_id {
            Some((id, span)) => {
                if let Some(first) = ids.get(&id) {
                    ctx.report(
                        FindingCode::ManifestInvalidValue,
                        span,
                        format!("waiver id `{id}` is used twice (first on line {first})"),
                        "give each waiver its own id",
                    );
                    continue;
                }
                id
            }
            None => format!("{control}#{n}"),
        };
        ids.insert(id.clone(), line);
        out.push(Waiver {
            id,
            control,
            findings,
            subject,
            justification,
            approver,
            effective,
            expires,
            risk,
            line,
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const FP: &str = "vf1:0123456789abcdef01234567";

    const EXAMPLE: &str = "[[waiver]]\ncontrol = \"ACME-SIGN\"\nsubject = \"dist/w.zip\"\n\
        justification = \"signed by the store\"\napprover = \"ciso@acme.example\"\n\
        effective = 2026-09-01\nexpires = 2026-10-31\n\n[[waiver]]\nid = \"W-2\"\n\
        control = \"ACME-TLS\"\njustification = \"legacy mirror\"\napprover = \"ciso\"\n\
        effective = 2026-01-01\nexpires = 2026-06-30\nrisk = \"medium\"\n\
        findings = [\"vf1:0123456789abcdef01234567\"]\n";

    fn day(s: &str) -> Date {
        s.parse().unwrap()
    }

    #[test]
    fn reads_and_numbers_waivers() {
        let (waivers, warnings) = parse_waivers("waivers.toml", EXAMPLE).unwrap();
        assert!(warnings.is_empty());
        assert_eq!(waivers[0].id, "ACME-SIGN#1");
        assert_eq!(waivers[1].id, "W-2");
        assert_eq!(waivers[1].line, 9);
        // By subject: exactly that subject, of that control.
        assert!(waivers[0].names("ACME-SIGN", FP, Some("dist/w.zip")));
        assert!(!waivers[0].names("ACME-SIGN", FP, Some("dist/w.zip.asc")));
        assert!(!waivers[0].names("ACME-SIGN", FP, None));
        assert!(!waivers[0].names("OTHER", FP, Some("dist/w.zip")));
        // By fingerprint: exactly those findings.
        assert!(waivers[1].names("ACME-TLS", FP, None));
        assert!(!waivers[1].names("ACME-TLS", "vf1:0123456789abcdef01234568", None));
        assert!(!waivers[1].names("ACME-SIGN", FP, None));
    }

    #[test]
    fn the_approver_must_be_the_signer() {
        let (waivers, _) = parse_waivers("w.toml", EXAMPLE).unwrap();
        let signer = Approver {
            dated: true,
            key_id: "C025C99C77B7650CC792B404F7AA08F7CED3225A".to_owned(),
            signer: Some("Priya Shah (security lead) <ciso@acme.example>".to_owned()),
        };
        assert_eq!(waivers[0].approver_matches(&signer), Some(true));
        assert_eq!(waivers[1].approver_matches(&signer), Some(false));
        let mut w = waivers[1].clone();
        w.approver = Some("c025c99c77b7650cc792b404f7aa08f7ced3225a".to_owned());
        assert_eq!(w.approver_matches(&signer), Some(true));
        w.approver = None;
        assert_eq!(w.approver_matches(&signer), None);
    }

    #[test]
    fn applies_through_the_expiry_day() {
        let (waivers, _) = parse_waivers("w.toml", EXAMPLE).unwrap();
        let w = &waivers[0];
        assert_eq!(w.in_force(day("2026-10-31")), Ok(()));
        assert_eq!(w.in_force(day("2026-11-01")), Err(WaiverState::Expired));
        assert_eq!(w.in_force(day("2026-09-01")), Ok(()));
        assert_eq!(
            w.in_force(day("2026-08-31")),
            Err(WaiverState::NotYetEffective)
        );
    }

    #[test]
    fn errors_have_lines_and_suggestions() {
        let text = EXAMPLE
            .replace("approver = \"ciso\"", "aprover = \"ciso\"")
            .replace("expires = 2026-10-31", "expires = \"soon\"")
            .replace("justification = \"legacy mirror\"\n", "");
        let errors = parse_waivers("w.toml", &text).unwrap_err();
        let shown: Vec<(u32, &str)> = errors
            .iter()
            .map(|f| (f.line.unwrap(), f.message.as_str()))
            .collect();
        assert!(
            shown.contains(&(
                12,
                "unknown key `aprover` in [[waiver]], did you mean `approver`?"
            )),
            "{shown:?}"
        );
        assert!(
            shown
                .iter()
                .any(|(l, m)| *l == 7 && m.contains("`expires` must be"))
        );
        assert!(
            shown
                .iter()
                .any(|(_, m)| m.contains("missing key `justification`"))
        );
    }

    #[test]
    fn rejects_backwards_dates_duplicate_ids_and_bad_fingerprints() {
        let text = EXAMPLE.replace("effective = 2026-01-01", "effective = 2026-07-01");
        let errors = parse_waivers("w.toml", &text).unwrap_err();
        assert!(errors[0].message.contains("is before `effective`"));
        let text = EXAMPLE.replace(
            "control = \"ACME-SIGN\"",
            "id = \"W-2\"\ncontrol = \"ACME-SIGN\"",
        );
        assert!(
            parse_waivers("w.toml", &text).unwrap_err()[0]
                .message
                .contains("used twice")
        );
        let text = EXAMPLE.replace(FP, "vf1:0123");
        assert!(
            parse_waivers("w.toml", &text).unwrap_err()[0]
                .message
                .contains("is not a finding fingerprint")
        );
    }

    #[test]
    fn a_waiver_must_name_its_findings_and_scope_is_refused_with_a_way_out() {
        let text = EXAMPLE.replace("subject = \"dist/w.zip\"\n", "");
        let errors = parse_waivers("w.toml", &text).unwrap_err();
        assert_eq!(errors[0].line, Some(1));
        assert!(
            errors[0].message.contains("names no findings"),
            "{errors:?}"
        );
        let text = EXAMPLE.replace("subject = \"dist/w.zip\"", "scope = \"dist/*.zip\"");
        let errors = parse_waivers("w.toml", &text).unwrap_err();
        assert_eq!(errors.len(), 1, "{errors:?}");
        assert_eq!((errors[0].line, errors[0].column), (Some(3), Some(9)));
        assert!(errors[0].message.contains("`scope` is no longer read"));
        let help = errors[0].help.as_deref().unwrap_or_default();
        assert!(
            help.contains("findings = [\"vf1:...\"]") && help.contains("subject"),
            "{help}"
        );
    }
}
