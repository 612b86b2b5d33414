# The example release policy, examples/policies/acme.vouch, in Rego: the standard uk-sscop
# pack's 20 controls (stdlib-policies/uk-sscop/uk_sscop.vouch) with ACME's patch SLA, and
# ACME-SECURITY-TXT-SIGNED. It is the reference of the cold-start comparison (the book's
# performance page): a whole `regorus eval` of it against a whole `vouch evaluate` of the
# compliant example.
#
# Its input is what a vouch policy reads, not the evidence graph: the evidence values
# (`EvidenceValues::to_json`, written by `cargo run --release --example rego-input`), in which
# vouch has already verified the signatures, linked the coverage chains, merged the
# vulnerability statements, judged the dates and worked out which cycles a fix reaches. So
# this policy is spared the work vouch's own run includes: ingesting and verifying the bundle
# and building those values. Each rule is the control's `expect`, with the same message.
#
# `deny` holds one {control, message} per finding vouch reports; `status` each control's
# status as vouch's report gives it (pass, fail, not_applicable, or manual for a manual control
# no attestation satisfies); `report` both. tests/rego_policy.rs checks that vouch and this
# policy agree on every example bundle. Not reproduced: vouch's fail-closed findings for values
# that are `none` where a control needs them (no release.toml, no changelog); the manual
# controls' reasons (only whether one passes); a control's findings past vouch's cap; a
# finding vouch reports twice (`deny` is a set); and durations are shown only as exact days,
# hours, minutes and seconds (the policy's own are). `time.add_date` is regorus's, which (as
# vouch) ends a month past the last day of a shorter month on its last day; OPA's rolls over.
#
# Reviewed for fairness (a second reader, timing each rewrite): joins that repeat are hoisted
# (the unsigned and unproven artifacts, the feed's ids and texts, the changelog entry's ids);
# on input this small a lookup rule costs more than the scan it replaces, so the other scans
# stay.
package vouch.acme

import rego.v1

# The pack's params, with ACME's patch SLA; durations in nanoseconds (Rego's unit of time).
second := 1000000000

day := 86400 * second

patch_sla := {"critical": 1 * day, "high": 5 * day, "medium": 30 * day, "low": 90 * day}

scan_max_age := 7 * day

triage_max_age := 14 * day

advisory_min_severity := "high"

# eol_notice, security_txt_max_validity and the manual controls' `within`: calendar months.
eol_notice_months := 12

security_txt_max_validity_months := 12

secure_schemes := ["https", "sftp", "ssh"]

weak_protocols := {"ssl2", "ssl3", "tls1.0", "tls1.1"}

provenance_types := {"https://slsa.dev/provenance/v1", "https://slsa.dev/provenance/v0.2"}

keyless_identities := {}

severity_rank := {"info": 0, "low": 1, "medium": 2, "high": 3, "critical": 4}

# The manual controls: each statement, its sha256 (what an attestation's statement_sha256
# gives), and how recent an attestation must be.
manual_controls := {
	"ROLLBACK": {
		"statement": "Rolling back a failed update to the previous release was tested",
		"sha256": "26a1444deb1a2998468799009d70ee23454138d827fb2205a8f1c4e61e16bcc7",
		"months": 12,
	},
	"INCIDENT-PLAN": {
		"statement": "The incident response and customer communication plan exists and was reviewed",
		"sha256": "86fd04cc9061870cce29101155675c38791ee9fba205f2b841f9d90fb1422e36",
		"months": 12,
	},
	"TRAINING": {
		"statement": "Developers and support staff were trained in patch triage, CVSS scoring, secure changelogs and advisories",
		"sha256": "7ac532690bc74452ed04a45948cc9ffc7d134bc52f86a77f310876170368a50b",
		"months": 12,
	},
}

controls := [
	"SIGNED-ARTIFACTS", "CHECKSUMS", "TLS-ONLY", "PROVENANCE", "ROLLBACK", "VDP", "SBOM",
	"VULN-SCAN", "PATCH-SLA", "VULN-TRIAGE", "BACKPORTS", "ADVISORIES", "CVE-REPORTED",
	"CHANGELOG-SECURITY", "ADVISORY-FEED", "SUPPORT-PERIODS", "SUPPORTED-RELEASE", "EOL-NOTICE",
	"INCIDENT-PLAN", "TRAINING", "ACME-SECURITY-TXT-SIGNED",
]

# The roots.
as_of := time.parse_rfc3339_ns(input.as_of)

release := object.get(input, "release", null)

artifacts := object.get(release, "artifacts", []) if release != null

artifacts := [] if release == null

distribution := object.get(release, "distribution", []) if release != null

distribution := [] if release == null

cycles := input.support.cycles

vulnerabilities := input.vulnerabilities

advisories := input.advisories

# Values as vouch shows them in messages.
or_else(x, default_value) := x if x != null

else := default_value

show(x) := "none" if x == null

show(x) := x if is_string(x)

show(x) := show_list(x) if is_array(x)

show(x) := sprintf("%v", [x]) if {
	x != null
	not is_string(x)
	not is_array(x)
}

show_elem(x) := sprintf("\"%s\"", [x]) if is_string(x)

else := show(x)

# Up to five elements, as vouch shows a collection.
show_list(xs) := sprintf("[%s%s]", [concat(", ", [show_elem(x) | some i, x in xs; i < 5]), more(xs)])

more(xs) := sprintf(", ... (%d in all)", [count(xs)]) if count(xs) > 5

else := ""

# An exact duration (nanoseconds), as vouch shows one: `5d`, `2d 4h`, `0s`.
show_duration(ns) := "0s" if ns == 0

show_duration(ns) := concat(" ", parts) if {
	ns != 0
	s := ns / second
	units := [[whole(s, 86400), "d"], [whole(s % 86400, 3600), "h"], [whole(s % 3600, 60), "m"], [s % 60, "s"]]
	parts := [sprintf("%d%s", u) | some u in units; u[0] > 0]
}

whole(n, size) := (n - (n % size)) / size

# An instant from an RFC 3339 date-time or a `YYYY-MM-DD` date (midnight UTC, as vouch).
instant(t) := time.parse_rfc3339_ns(t) if contains(t, "T")

else := time.parse_ns("2006-01-02", t)

severity_of(v) := or_else(v.severity, "critical")

deadline(v) := object.get(patch_sla, severity_of(v), patch_sla.critical)

# The message every vulnerability control gives when the release has no vulnerability
# evidence.
no_vulnerability_evidence := sprintf("no vulnerability evidence for %s %s: the bundle has no vulnerability scan that ran, no vulnerability register with entries, and no VEX document naming %s %s", [
	or_else(object.get(release, "product", null), "an unknown release"),
	or_else(object.get(release, "version", null), "(release.toml cannot be read)"),
	or_else(object.get(release, "product", null), "the release"),
	or_else(object.get(release, "version", null), "(unknown)"),
])

has_vulnerability_evidence if count(release.vulnerability_evidence) > 0

# SIGNED-ARTIFACTS
keyless_allowed(s) if {
	s.verified
	s.outcome == "keyless"
	s.issuer != null
	object.get(keyless_identities, or_else(s.identity, ""), "") == s.issuer
}

signed(a) if {
	some c in a.coverage
	c.verified
	c.trusted
}

signed(a) if {
	some s in a.signatures
	keyless_allowed(s)
}

unsigned := [a | some a in artifacts; not signed(a)]

deny contains {"control": "SIGNED-ARTIFACTS", "message": msg} if {
	some a in unsigned
	msg := sprintf("%s has no signature that verifies with a trusted key or an allowed keyless identity (%d signature file(s) found, %d through signed checksum files)", [
		a.path, count(a.signatures), count(a.coverage) - count(a.signatures),
	])
}

deny contains {"control": "SIGNED-ARTIFACTS", "message": msg} if {
	some a in artifacts
	some s in a.signatures
	s.outcome == "bad-signature"
	msg := sprintf("%s: the signature does not match %s: %s", [s.path, a.path, or_else(s.reason, "bad signature")])
}

deny contains {"control": "SIGNED-ARTIFACTS", "message": msg} if {
	some a in artifacts
	some s in a.signatures
	s.outcome == "malformed"
	msg := sprintf("%s: the signature file over %s cannot be read: %s", [s.path, a.path, or_else(s.reason, "malformed")])
}

deny contains {"control": "SIGNED-ARTIFACTS", "message": msg} if {
	some a in artifacts
	some c in a.coverage
	trusted_mismatch(c)
	msg := sprintf("%s: a checksum file signed by a trusted key does not match it: %s (signed by %s in %s)", [
		a.path, or_else(c.reason, "digest mismatch"), or_else(c.key_id, "an unknown key"), c.path,
	])
}

deny contains {"control": "SIGNED-ARTIFACTS", "message": msg} if {
	some a in unsigned
	some c in a.coverage
	c.kind == "signature"
	not c.outcome in {"bad-signature", "malformed", "keyless"}
	msg := sprintf("%s does not count for %s: %s (%s)", [c.path, a.path, c.outcome, or_else(c.reason, "no reason given")])
}

deny contains {"control": "SIGNED-ARTIFACTS", "message": msg} if {
	some a in unsigned
	some c in a.coverage
	c.kind == "checksums"
	not trusted_mismatch(c)
	msg := sprintf("%s (key %s) signs a checksum file listing %s but does not count for it: %s (%s)", [
		c.path, or_else(c.key_id, "none"), a.path, c.outcome, or_else(c.reason, "no reason given"),
	])
}

deny contains {"control": "SIGNED-ARTIFACTS", "message": msg} if {
	some a in unsigned
	some s in a.signatures
	s.outcome == "keyless"
	msg := sprintf("%s: the keyless signature over %s verifies, but its identity is not allowed; to accept it, add \"%s\": \"%s\" to param keyless_identities", [
		s.path, a.path, or_else(s.identity, "(no identity)"), or_else(s.issuer, "(no issuer)"),
	])
}

trusted_mismatch(c) if {
	c.outcome == "digest-mismatch"
	c.trusted
}

# A loop over the release's artifacts (or distribution, or cycles) with no `when empty`
# fails closed on an empty collection.
deny contains {"control": id, "message": "no evidence of a in release.artifacts"} if {
	count(artifacts) == 0
	some id in ["SIGNED-ARTIFACTS", "CHECKSUMS", "PROVENANCE", "SBOM"]
}

deny contains {"control": "TLS-ONLY", "message": "no evidence of d in release.distribution"} if {
	count(distribution) == 0
}

deny contains {"control": "SUPPORT-PERIODS", "message": "no evidence of c in support.cycles"} if {
	count(cycles) == 0
}

# CHECKSUMS
deny contains {"control": "CHECKSUMS", "message": msg} if {
	some a in artifacts
	count(a.checksums) == 0
	msg := sprintf("%s is not listed in any checksum file", [a.path])
}

deny contains {"control": "CHECKSUMS", "message": msg} if {
	some a in artifacts
	some c in a.checksums
	c.status != "match"
	msg := sprintf("%s:%s: the %s digest of %s does not verify (%s)", [c.path, show(c.line), c.algorithm, a.path, c.status])
}

deny contains {"control": "CHECKSUMS", "message": msg} if {
	some a in artifacts
	some c in a.checksums
	some s in c.signatures
	s.outcome == "bad-signature"
	msg := sprintf("%s: the signature does not match %s, which lists %s: %s", [s.path, c.path, a.path, or_else(s.reason, "bad signature")])
}

deny contains {"control": "CHECKSUMS", "message": msg} if {
	some a in artifacts
	some c in a.checksums
	some s in c.signatures
	s.outcome == "malformed"
	msg := sprintf("%s: the signature over %s, which lists %s, cannot be read: %s", [s.path, c.path, a.path, or_else(s.reason, "malformed")])
}

# TLS-ONLY
scanned_hosts := {t.host | some t in input.tls_scans}

distribution_hosts := {d.host | some d in distribution}

deny contains {"control": "TLS-ONLY", "message": msg} if {
	some d in distribution
	not d.scheme in secure_schemes
	msg := sprintf("%s is served over %s, not one of %s", [d.url, show(d.scheme), show_list(secure_schemes)])
}

deny contains {"control": "TLS-ONLY", "message": msg} if {
	some d in distribution
	d.scheme == "https"
	not scanned_hosts[d.host]
	msg := sprintf("no TLS scan of %s is in the bundle, so the protocols and ciphers serving %s cannot be judged", [show(d.host), d.url])
}

deny contains {"control": "TLS-ONLY", "message": msg} if {
	some t in input.tls_scans
	distribution_hosts[t.host]
	some p in t.protocols
	weak_protocols[p]
	msg := sprintf("%s still offers an obsolete protocol (%s), per %s", [t.host, show_list(t.protocols), t.path])
}

deny contains {"control": "TLS-ONLY", "message": msg} if {
	some t in input.tls_scans
	distribution_hosts[t.host]
	not "tls1.2" in t.protocols
	not "tls1.3" in t.protocols
	msg := sprintf("%s offers neither TLS 1.2 nor TLS 1.3, per %s", [t.host, t.path])
}

deny contains {"control": "TLS-ONLY", "message": msg} if {
	some t in input.tls_scans
	distribution_hosts[t.host]
	count(t.weak_ciphers) > 0
	msg := sprintf("%s accepts weak cipher suites %s, per %s", [t.host, show_list(t.weak_ciphers), t.path])
}

deny contains {"control": "TLS-ONLY", "message": msg} if {
	some t in input.tls_scans
	distribution_hosts[t.host]
	not or_else(t.hsts, false)
	msg := sprintf("%s sends no HSTS header, per %s", [t.host, t.path])
}

# PROVENANCE
provenance_counts(p) if {
	p.verified
	provenance_types[p.predicate_type]
	p.identity == null
}

provenance_counts(p) if {
	p.verified
	provenance_types[p.predicate_type]
	p.issuer != null
	object.get(keyless_identities, p.identity, "") == p.issuer
}

has_provenance(a) if {
	some p in a.provenance
	provenance_counts(p)
}

deny contains {"control": "PROVENANCE", "message": msg} if {
	some a in artifacts
	some m in a.digest_mismatches
	m.evidence == "provenance"
	m.stated != m.actual
	msg := sprintf("%s: provenance %s names it (%s) but states sha256 %s, not its sha256 %s; it does not count", [
		a.path, m.path, show(m.subject), show(m.stated), show(m.actual),
	])
}

unproven := [a | some a in artifacts; not has_provenance(a)]

deny contains {"control": "PROVENANCE", "message": msg} if {
	some a in unproven
	msg := sprintf("%s has no verified build provenance naming its digest (%d statement(s) found)", [a.path, count(a.provenance)])
}

deny contains {"control": "PROVENANCE", "message": msg} if {
	some a in unproven
	some p in a.provenance
	p.verified
	p.identity != null
	msg := sprintf("%s: keyless provenance for %s verifies, but its identity is not allowed; to accept it, add \"%s\": \"%s\" to param keyless_identities", [
		p.path, a.path, p.identity, or_else(p.issuer, "(no issuer)"),
	])
}

# VDP
deny contains {"control": id, "message": "the bundle has no security.txt"} if {
	input.security_txt == null
	some id in ["VDP", "ACME-SECURITY-TXT-SIGNED"]
}

security_txt := input.security_txt if input.security_txt != null

deny contains {"control": "VDP", "message": sprintf("%s names no Contact", [security_txt.path])} if {
	count(security_txt.contacts) == 0
}

deny contains {"control": "VDP", "message": msg} if {
	some c in security_txt.contacts
	not startswith(c, "mailto:")
	not startswith(c, "https://")
	not startswith(c, "tel:")
	msg := sprintf("%s: a Contact is not a mailto:, https: or tel: URI (%s)", [security_txt.path, show_list(security_txt.contacts)])
}

deny contains {"control": "VDP", "message": sprintf("%s has no Expires field", [security_txt.path])} if {
	security_txt.expires == null
}

deny contains {"control": "VDP", "message": sprintf("%s expired on %s", [security_txt.path, security_txt.expires])} if {
	security_txt.expires != null
	instant(security_txt.expires) <= as_of
}

deny contains {"control": "VDP", "message": msg} if {
	security_txt.expires != null
	instant(security_txt.expires) > time.add_date(as_of, 0, security_txt_max_validity_months, 0)
	msg := sprintf("%s expires on %s, more than %d months ahead", [security_txt.path, security_txt.expires, security_txt_max_validity_months])
}

deny contains {"control": "VDP", "message": sprintf("%s links no disclosure policy over https", [security_txt.path])} if {
	not https_policy
}

https_policy if {
	some p in security_txt.policies
	startswith(p, "https://")
}

deny contains {"control": "VDP", "message": sprintf("%s names no Encryption key for confidential reports", [security_txt.path])} if {
	count(security_txt.encryption) == 0
}

# SBOM
deny contains {"control": "SBOM", "message": msg} if {
	some a in artifacts
	some m in a.digest_mismatches
	m.evidence == "sbom"
	m.stated != m.actual
	msg := sprintf("%s: SBOM %s names it by %s but states sha256 %s, not its sha256 %s; it does not count", [
		a.path, m.path, show(m.linked_by), show(m.stated), show(m.actual),
	])
}

deny contains {"control": "SBOM", "message": msg} if {
	some a in artifacts
	not described(a)
	msg := sprintf("%s is not described by an SBOM that lists components (%d SBOM(s) link to it)", [a.path, count(a.sboms)])
}

described(a) if {
	some s in a.sboms
	count(s.components) > 0
}

# VULN-SCAN
release_date := release.date if release.date != null

deny contains {"control": "VULN-SCAN", "message": "release.toml states no release date, so the scan's age cannot be judged"} if {
	not release_date
}

recent_scan if {
	some s in input.scans
	s.scanned_at != null
	scanned := instant(s.scanned_at)
	scanned <= instant(release_date)
	instant(release_date) - scanned <= scan_max_age
}

undated_scans := count([s | some s in input.scans; s.scanned_at == null])

scan_prefix := sprintf("no vulnerability scan ran in the %s before the release at %s", [show_duration(scan_max_age), release_date])

deny contains {"control": "VULN-SCAN", "message": sprintf("%s: the bundle has no vulnerability scan", [scan_prefix])} if {
	not recent_scan
	count(input.scans) == 0
}

deny contains {"control": "VULN-SCAN", "message": msg} if {
	not recent_scan
	count(input.scans) > 0
	undated_scans == 0
	msg := sprintf("%s (%d scan(s) in the bundle, each with a scan time outside that period)", [scan_prefix, count(input.scans)])
}

deny contains {"control": "VULN-SCAN", "message": msg} if {
	not recent_scan
	undated_scans > 0
	msg := sprintf("%s (%d scan(s) in the bundle, %d without a scan time: OSV-Scanner, npm audit, pip-audit and cargo audit record none)", [
		scan_prefix, count(input.scans), undated_scans,
	])
}

# PATCH-SLA, VULN-TRIAGE, ADVISORIES and CVE-REPORTED need vulnerability evidence.
deny contains {"control": id, "message": no_vulnerability_evidence} if {
	not has_vulnerability_evidence
	some id in ["PATCH-SLA", "VULN-TRIAGE", "ADVISORIES", "CVE-REPORTED"]
}

# PATCH-SLA
sla_bound contains v if {
	some v in vulnerabilities
	severity_of(v) != "info"
	sla_relevant(v)
}

sla_relevant(v) if v.status != "not_affected"

sla_relevant(v) if v.justification == null

deny contains {"control": "PATCH-SLA", "message": sprintf("%s is marked not_affected without a justification", [v.id])} if {
	some v in sla_bound
	v.status == "not_affected"
}

deny contains {"control": "PATCH-SLA", "message": msg} if {
	some v in sla_bound
	v.status != "not_affected"
	some d in v.date_conflicts
	msg := sprintf("%s has impossible dates, so its fix time cannot be judged: %s", [v.id, d])
}

deny contains {"control": "PATCH-SLA", "message": msg} if {
	some v in sla_bound
	v.status != "not_affected"
	count(v.date_conflicts) == 0
	v.discovered == null
	msg := sprintf("%s (%s) has no discovery date, so its fix time cannot be judged", [v.id, v.status])
}

deny contains {"control": "PATCH-SLA", "message": msg} if {
	some v in sla_bound
	v.status == "fixed"
	count(v.date_conflicts) == 0
	v.discovered != null
	v.fixed_at == null
	msg := sprintf("%s is fixed in %s, but no evidence dates that fix and %s %s is not the fixing version, so its fix time cannot be judged: record fixed_at in the vulnerability register", [
		v.id, or_else(v.fixed_in, "a version no evidence names"), show(release.product), show(release.version),
	])
}

deny contains {"control": "PATCH-SLA", "message": msg} if {
	some v in sla_bound
	v.time_to_fix != null
	v.time_to_fix > deadline(v)
	msg := sprintf("%s (%s) took %s to fix; the SLA is %s", [v.id, severity_of(v), show_duration(v.time_to_fix), show_duration(deadline(v))])
}

deny contains {"control": "PATCH-SLA", "message": msg} if {
	some v in sla_bound
	v.open_for != null
	v.open_for > deadline(v)
	or_else(v.discovered_from, "") != "publication"
	msg := sprintf("%s (%s) has been open for %s, past its %s SLA", [v.id, severity_of(v), show_duration(v.open_for), show_duration(deadline(v))])
}

deny contains {"control": "PATCH-SLA", "message": msg} if {
	some v in sla_bound
	v.open_for != null
	v.open_for > deadline(v)
	v.discovered_from == "publication"
	msg := sprintf("%s (%s) has been open for %s since its advisory was published on %s (no discovery date is recorded, so the SLA clock starts at publication), past its %s SLA", [
		v.id, severity_of(v), show_duration(v.open_for), show(v.discovered), show_duration(deadline(v)),
	])
}

# VULN-TRIAGE
deny contains {"control": "VULN-TRIAGE", "message": sprintf("%s has no severity or CVSS score", [v.id])} if {
	some v in vulnerabilities
	v.status != "not_affected"
	v.severity == null
}

deny contains {"control": "VULN-TRIAGE", "message": msg} if {
	some v in vulnerabilities
	v.status == "under_investigation"
	some d in v.date_conflicts
	msg := sprintf("%s is under investigation, but its dates are impossible, so how long it has been cannot be judged: %s", [v.id, d])
}

deny contains {"control": "VULN-TRIAGE", "message": msg} if {
	some v in vulnerabilities
	v.status == "under_investigation"
	count(v.date_conflicts) == 0
	v.open_for == null
	msg := sprintf("%s is under investigation with no discovery date, so how long it has been cannot be judged", [v.id])
}

deny contains {"control": "VULN-TRIAGE", "message": msg} if {
	some v in vulnerabilities
	v.status == "under_investigation"
	v.open_for != null
	v.open_for > triage_max_age
	msg := sprintf("%s has been under investigation for %s; triage takes at most %s", [v.id, show_duration(v.open_for), show_duration(triage_max_age)])
}

# BACKPORTS
supported_cycles := [c | some c in cycles; supported(c)]

supported(c) if c.eol == null

supported(c) if {
	c.eol != null
	instant(c.eol) > as_of
}

deny contains {"control": "BACKPORTS", "message": "no support periods are published (support.toml or endoflife.date data), so which cycles need backports cannot be judged"} if {
	count(cycles) == 0
}

deny contains {"control": "BACKPORTS", "message": msg} if {
	some c in supported_cycles
	some d in c.date_conflicts
	msg := sprintf("cycle %s has impossible dates, so whether it is supported cannot be judged: %s", [c.cycle, d])
}

deny contains {"control": "BACKPORTS", "message": msg} if {
	some c in supported_cycles
	some v in vulnerabilities
	v.status == "fixed"
	c.cycle in v.affected_cycles
	not c.cycle in v.fixed_cycles
	msg := sprintf("%s affects supported cycle %s but no fix in %s is published (fixed in %s)", [v.id, c.cycle, c.cycle, show_list(v.fixed_versions)])
}

not_applicable contains "BACKPORTS" if count(supported_cycles) == 0

# ADVISORIES
serious_fixed contains v if {
	some v in vulnerabilities
	v.status == "fixed"
	severity_rank[severity_of(v)] >= severity_rank[advisory_min_severity]
}

covers(a, v) if v.id in a.vulnerabilities

covers(a, v) if {
	some x in v.aliases
	x in a.vulnerabilities
}

complete(a) if {
	a.published != null
	count(a.date_conflicts) == 0
	count(a.affected_versions) > 0
	count(a.fixed_versions) > 0
	count(a.mitigations) > 0
}

covered(v) if {
	some a in advisories
	covers(a, v)
}

covered_completely(v) if {
	some a in advisories
	covers(a, v)
	complete(a)
}

deny contains {"control": "ADVISORIES", "message": msg} if {
	some v in serious_fixed
	not covered(v)
	msg := sprintf("%s (%s) is fixed but no published advisory covers it", [v.id, severity_of(v)])
}

# One complete advisory is enough; when none is, each covering advisory says what it lacks.
lacking contains a if {
	some v in serious_fixed
	not covered_completely(v)
	some a in advisories
	covers(a, v)
}

deny contains {"control": "ADVISORIES", "message": sprintf("%s: advisory %s has impossible dates: %s", [a.path, a.id, d])} if {
	some a in lacking
	some d in a.date_conflicts
}

deny contains {"control": "ADVISORIES", "message": sprintf("%s: advisory %s has no publication date", [a.path, a.id])} if {
	some a in lacking
	a.published == null
	count(a.date_conflicts) == 0
}

deny contains {"control": "ADVISORIES", "message": sprintf("%s: advisory %s names no affected versions", [a.path, a.id])} if {
	some a in lacking
	count(a.affected_versions) == 0
}

deny contains {"control": "ADVISORIES", "message": sprintf("%s: advisory %s names no fixed version", [a.path, a.id])} if {
	some a in lacking
	count(a.fixed_versions) == 0
}

deny contains {"control": "ADVISORIES", "message": sprintf("%s: advisory %s gives no mitigation or workaround", [a.path, a.id])} if {
	some a in lacking
	count(a.mitigations) == 0
}

# CVE-REPORTED
has_cve_id(v) if startswith(v.id, "CVE-")

has_cve_id(v) if {
	some x in v.aliases
	startswith(x, "CVE-")
}

deny contains {"control": "CVE-REPORTED", "message": sprintf("%s (%s) has no CVE id", [v.id, severity_of(v)])} if {
	some v in serious_fixed
	not has_cve_id(v)
}

# CHANGELOG-SECURITY
changelog_versions := input.changelog.versions if input.changelog != null

changelog_versions := [] if input.changelog == null

entries := [cv | some cv in changelog_versions; cv.version == release.version]

deny contains {"control": "CHANGELOG-SECURITY", "message": sprintf("the changelog has no entry for %s", [show(release.version)])} if {
	count(entries) == 0
}

fixed_by_release(v) if {
	v.fixed_in != null
	v.fixed_in == release.version
}

fixed_by_release(v) if release.version in v.fixed_versions

release_suffix := concat("", [" ", release.version])

fixed_by_release(v) if {
	some f in v.fixed_versions
	endswith(f, release_suffix)
}

released_fixes contains v if {
	count(entries) > 0
	some v in vulnerabilities
	v.status == "fixed"
	fixed_by_release(v)
}

has_security_section if {
	some cv in entries
	cv.security
}

entry_ids := {x | some cv in entries; some x in cv.ids}

deny contains {"control": "CHANGELOG-SECURITY", "message": msg} if {
	some v in released_fixes
	not has_security_section
	msg := sprintf("the changelog entry for %s has no Security section, yet the release fixes %s", [release.version, v.id])
}

deny contains {"control": "CHANGELOG-SECURITY", "message": msg} if {
	some v in released_fixes
	not named_in_entry(v)
	msg := sprintf("the changelog entry for %s does not name %s, which the release fixes", [release.version, v.id])
}

named_in_entry(v) if v.id in entry_ids

named_in_entry(v) if {
	some x in v.aliases
	x in entry_ids
}

# ADVISORY-FEED
deny contains {"control": "ADVISORY-FEED", "message": "the bundle has no advisory feed (RSS, Atom or ROLIE)"} if {
	count(input.feeds) == 0
}

feed_items := [i | some f in input.feeds; some i in f.items]

feed_ids := {x | some i in feed_items; some x in i.ids}

feed_texts := {lower(t) | some i in feed_items; some t in [i.link, i.title]; t != null}

announced(a) if upper(a.id) in feed_ids

announced(a) if {
	some x in a.vulnerabilities
	x in feed_ids
}

announced(a) if {
	id := lower(a.id)
	some t in feed_texts
	contains(t, id)
}

deny contains {"control": "ADVISORY-FEED", "message": sprintf("no feed item announces advisory %s (%s)", [a.id, a.path])} if {
	some a in advisories
	not announced(a)
}

# SUPPORT-PERIODS
deny contains {"control": "SUPPORT-PERIODS", "message": sprintf("cycle %s has no published end of active support", [c.cycle])} if {
	some c in cycles
	c.support_until == null
}

deny contains {"control": "SUPPORT-PERIODS", "message": sprintf("cycle %s has no published end-of-life date", [c.cycle])} if {
	some c in cycles
	c.eol == null
}

deny contains {"control": "SUPPORT-PERIODS", "message": sprintf("cycle %s has impossible dates: %s", [c.cycle, d])} if {
	some c in cycles
	some d in c.date_conflicts
}

# SUPPORTED-RELEASE
release_cycle := release.cycle if release.cycle != null

deny contains {"control": "SUPPORTED-RELEASE", "message": sprintf("release %s belongs to no published support cycle", [show(release.version)])} if {
	not release_cycle
}

deny contains {"control": "SUPPORTED-RELEASE", "message": msg} if {
	release_cycle.eol == null
	msg := sprintf("release %s ships from cycle %s, which has no published end-of-life date, so whether it is still supported cannot be judged", [
		show(release.version), release_cycle.cycle,
	])
}

deny contains {"control": "SUPPORTED-RELEASE", "message": msg} if {
	count(release_cycle.date_conflicts) > 0
	msg := sprintf("release %s ships from cycle %s, whose dates are impossible: %s", [
		show(release.version), release_cycle.cycle, show_list(release_cycle.date_conflicts),
	])
}

deny contains {"control": "SUPPORTED-RELEASE", "message": msg} if {
	release_cycle.eol != null
	instant(release_cycle.eol) <= instant(or_else(release.date, input.as_of))
	msg := sprintf("release %s ships from cycle %s, which reached end of life on %s", [show(release.version), release_cycle.cycle, release_cycle.eol])
}

# EOL-NOTICE
ending_cycles := [c | some c in cycles; c.eol != null]

deny contains {"control": "EOL-NOTICE", "message": sprintf("cycle %s: no announcement date for its end of life on %s", [c.cycle, c.eol])} if {
	some c in ending_cycles
	c.eol_announced == null
}

deny contains {"control": "EOL-NOTICE", "message": sprintf("cycle %s has impossible dates: %s", [c.cycle, d])} if {
	some c in ending_cycles
	some d in c.date_conflicts
}

deny contains {"control": "EOL-NOTICE", "message": msg} if {
	some c in ending_cycles
	count(c.date_conflicts) == 0
	c.eol_announced != null
	time.add_date(instant(c.eol_announced), 0, eol_notice_months, 0) > instant(c.eol)
	msg := sprintf("cycle %s: end of life %s was announced on %s, less than %d months ahead", [c.cycle, c.eol, c.eol_announced, eol_notice_months])
}

not_applicable contains "EOL-NOTICE" if count(ending_cycles) == 0

# ACME-SECURITY-TXT-SIGNED
deny contains {"control": "ACME-SECURITY-TXT-SIGNED", "message": msg} if {
	not security_txt.signed
	msg := sprintf("%s carries no OpenPGP cleartext signature", [or_else(security_txt.path, "security.txt")])
}

deny contains {"control": "ACME-SECURITY-TXT-SIGNED", "message": msg} if {
	security_txt.signed
	not security_txt.verified
	msg := sprintf("%s is signed, but no signature on it verifies with a trusted key", [or_else(security_txt.path, "security.txt")])
}

# The manual controls: an attestation counts when it names the control, quotes its statement
# (or gives its sha256), is dated no later than as_of and within the control's period, and a
# signature beside it verified with a trusted key (one the authority permits: the values
# carry that decision).
statement_quoted(f, m) if f.statement == m.statement

statement_hashed(f, m) if {
	f.statement_sha256 != null
	lower(f.statement_sha256) == m.sha256
}

statement_matches(f, m) if {
	f.statement != ""
	statement_quoted(f, m)
	f.statement_sha256 == null
}

statement_matches(f, m) if {
	f.statement == ""
	statement_hashed(f, m)
}

statement_matches(f, m) if {
	statement_quoted(f, m)
	statement_hashed(f, m)
}

signed_by_trusted_key(f) if {
	some s in f.signatures
	s.verification.outcome == "verified"
	object.get(s.verification, "key_id", "") != ""
}

attested contains id if {
	some id, m in manual_controls
	some f in input.attestation_facts
	f.control == id
	statement_matches(f, m)
	signed_by_trusted_key(f)
	date := instant(f.date)
	date <= as_of
	time.add_date(date, 0, m.months, 0) >= as_of
}

# Each control's status, as vouch's report gives it.
failed := {d.control | some d in deny}

# What the comparison asks for (`data.vouch.acme.report`): every control's status and every
# finding, without the helper rules' values.
report := {"status": status, "findings": deny}

status[id] := status_of(id) if some id in controls

status_of(id) := "fail" if failed[id]

else := "not_applicable" if not_applicable[id]

else := "manual" if {
	manual_controls[id]
	not attested[id]
}

else := "pass"
