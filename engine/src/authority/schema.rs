//! The Cedar schemas vouch generates: one for the authority policy (`attest`, `waive`,
//! `sign`), one for the release gate (`release`). `vouch authority schema [--gate]` prints
//! them; policies are validated against them with Cedar's validator.
//!
//! Both declare the same principals: `Vouch::Key`, whose entity id is the key id the report
//! gives a key (`signatures[].key_id`; for OpenPGP the 40-hex fingerprint), member of any
//! number of `Vouch::Group`s (groups may nest). The entities file (`--authority-entities`,
//! Cedar's JSON entity format) declares keys and groups only; what is acted on (a control, a
//! kind of evidence, a release) comes from vouch, never from that file.

/// The Cedar namespace of every type vouch declares.
pub const NAMESPACE: &str = "Vouch";

/// Entity types the entities file may declare (principals and their groups).
pub const ENTITY_FILE_TYPES: [&str; 2] = ["Vouch::Key", "Vouch::Group"];

/// The authority policy's schema, in Cedar schema syntax.
pub const AUTHORITY_SCHEMA: &str = r#"// The schema of vouch authority policies (`vouch evaluate --authority FILE.cedar`).
// Printed by `vouch authority schema`; policies are validated against it.
namespace Vouch {
  // A group of keys (a team or a role: "release-managers", "security-leads"). Groups may
  // nest. Declared in the entities file (--authority-entities).
  entity Group in [Group] {
    name?: String,
  };

  // A signing key. Its entity id is the key id the report gives the key
  // (signatures[].key_id; for OpenPGP the 40-hex fingerprint). Its groups come from the
  // entities file; a key the file does not list is in no group.
  entity Key in [Group] {
    name?: String,
  };

  // A control of the evaluated policy; its id is the control id.
  entity Control {
    // "critical", "high", "medium", "low" or "info", lower case as in the report.
    severity: String,
    // The framework provisions the control maps to, e.g. "3.1".
    provisions: Set<String>,
    // The control's tags.
    tags: Set<String>,
  };

  // A kind of signed evidence; its id is the kind: "artifact", "checksums", "provenance"
  // or "security.txt".
  entity Evidence;

  // Every action's context has `dated`: whether the signature records when it was made
  // (OpenPGP, minisign and Sigstore do; SSH signatures do not, so an SSH signature cannot be
  // checked against --as-of). `forbid (principal, action, resource) unless { context.dated };`
  // refuses undated signatures.

  // A key attests a manual control.
  action attest appliesTo {
    principal: [Key],
    resource: [Control],
    context: {
      dated: Bool,
    },
  };

  // A key approves a waiver of a control's findings. `missing_evidence` is true when a
  // waived finding says evidence is missing or unreadable.
  action waive appliesTo {
    principal: [Key],
    resource: [Control],
    context: {
      missing_evidence: Bool,
      dated: Bool,
    },
  };

  // A key signs evidence: a signature counts (is trusted) only when this is permitted.
  // `kind` is the resource's id: "artifact", "checksums", "provenance" or "security.txt".
  action sign appliesTo {
    principal: [Key],
    resource: [Evidence],
    context: {
      kind: String,
      dated: Bool,
    },
  };
}
"#;

/// The release gate's schema, in Cedar schema syntax.
pub const GATE_SCHEMA: &str = r#"// The schema of vouch gate policies (`vouch gate --authority FILE.cedar`).
// Printed by `vouch authority schema --gate`; policies are validated against it.
namespace Vouch {
  // A group of keys, as in the authority schema (declared in the entities file).
  entity Group in [Group] {
    name?: String,
  };

  // The key asking for the release (`--principal KEYID`).
  entity Key in [Group] {
    name?: String,
  };

  // The release a report judged. Its id is the report's bundle digest (hex sha256).
  // Each status set holds the ids of the controls with that status; the principle sets
  // hold the ids of the framework's principles (provisions) with that status. Its tags are
  // the `--context KEY=VALUE` pairs of the run (e.g. branch, pipeline).
  entity Release {
    // The policy the report evaluated, and its version ("" when it has none).
    policy: String,
    policy_version: String,
    // The evaluation's instant (RFC 3339).
    as_of: String,
    // Control ids by status.
    passed: Set<String>,
    failed: Set<String>,
    waived: Set<String>,
    manual: Set<String>,
    not_applicable: Set<String>,
    error: Set<String>,
    // Principle (provision) ids by status.
    principles_passed: Set<String>,
    principles_failed: Set<String>,
    principles_waived: Set<String>,
    principles_manual: Set<String>,
    principles_not_applicable: Set<String>,
    principles_error: Set<String>,
    principles_unassessed: Set<String>,
  } tags String;

  // Release the judged bundle.
  action release appliesTo {
    principal: [Key],
    resource: [Release],
    context: {},
  };
}
"#;
