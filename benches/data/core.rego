# The standard pack's release-integrity controls (stdlib-policies/uk-sscop/uk_sscop.vouch:
# SIGNED-ARTIFACTS, CHECKSUMS and TLS-ONLY, with the pack's default params) in Rego, over the
# evidence graph `vouch graph --format json` prints (schema vouch-evidence-graph/1), for
# benches/rego.rs. `deny` holds one {control, message} object per finding vouch reports, with
# the same message.
#
# Written to be fair to Rego: every join is an object lookup keyed by node id, file id or host,
# built once by a comprehension or a multi-value rule (no nested scans), and each artifact's
# coverage is computed once. Like vouch's `Artifact.coverage`, coverage is every signature over
# the artifact's file and every signature over a checksum file that lists it; unlike vouch it
# follows one link of checksum files, not up to four (the benchmark's evidence has one), and
# judges no Debian index dates (it has none).
package vouch.core

import rego.v1

# The pack's default params.
secure_schemes := {"https", "sftp", "ssh"}

weak_protocols := {"ssl2", "ssl3", "tls1.0", "tls1.1"}

keyless_identities := {}

# Indexes, each built in one pass over the nodes or edges.
node := {n.id: n | some n in input.nodes}

release_ids := {n.id | some n in input.nodes; n.type == "release"}

artifact_ids contains e.to if {
	some e in input.edges
	e.type == "lists-artifact"
	release_ids[e.from]
}

distribution_ids contains e.to if {
	some e in input.edges
	e.type == "distributed-at"
	release_ids[e.from]
}

artifact_file[e.from] := e.to if {
	some e in input.edges
	e.type == "artifact-file"
}

# file id -> the checksum entries naming it.
entries_naming[e.to] contains e.from if {
	some e in input.edges
	e.type == "checksum-of"
}

# checksum entry id -> the checksum file it is a line of.
entry_file[e.from] := e.to if {
	some e in input.edges
	e.type == "defined-in"
	node[e.from].type == "checksum-entry"
}

# file id -> the signatures over it.
signatures_over[e.to] contains e.from if {
	some e in input.edges
	e.type == "signs"
}

tls_scans := [n | some n in input.nodes; n.type == "tls-scan"]

scanned_hosts := {t.host | some t in tls_scans}

distribution_hosts := {node[d].host | some d in distribution_ids}

# Values vouch gives a missing field.
get(obj, key) := object.get(obj, key, null)

# One coverage record per way a signature reaches an artifact, as vouch builds them.
coverage := {a: records |
	some a in artifact_ids
	f := artifact_file[a]
	records := array.concat(
		[direct_record(node[s]) | some s in signatures_over[f]],
		[chain_record(node[s], node[eid]) |
			some eid in entries_naming[f]
			some s in signatures_over[entry_file[eid]]
		],
	)
}

direct_record(sig) := {
	"kind": "signature",
	"path": sig.source.path,
	"verified": sig.verified,
	"trusted": sig.trusted,
	"outcome": sig.outcome,
	"reason": get(sig, "reason"),
	"key_id": get(sig, "key_id"),
}

# A chain verifies only when the entry's digest matches; its outcome is then the signature's.
chain_record(sig, entry) := {
	"kind": "checksums",
	"path": sig.source.path,
	"verified": both(sig.verified, entry.status == "match"),
	"trusted": sig.trusted,
	"outcome": chain_outcome(sig, entry),
	"reason": chain_reason(sig, entry),
	"key_id": get(sig, "key_id"),
}

both(x, y) if {
	x
	y
} else := false

chain_outcome(sig, entry) := "digest-mismatch" if {
	entry.status != "match"
} else := sig.outcome

chain_reason(sig, entry) := reason if {
	entry.status != "match"
	reason := sprintf("%s:%d lists `%s` with a %s digest that %s", [
		entry.source.path, entry.source.line, or_else(get(entry, "path"), entry.name), entry.algorithm, mismatch_words(entry.status),
	])
} else := get(sig, "reason")

mismatch_words("error") := "could not be checked (the file is unreadable)"

mismatch_words(status) := "does not match the file" if status != "error"

# A verified keyless signature whose identity and issuer are in keyless_identities.
keyless_allowed(s) if {
	s.verified
	s.outcome == "keyless"
	get(s, "issuer") != null
	object.get(keyless_identities, object.get(s, "identity", ""), "") == s.issuer
}

# The artifacts SIGNED-ARTIFACTS's first expect holds for.
signed_artifacts contains a if {
	some a in artifact_ids
	some c in coverage[a]
	c.verified
	c.trusted
}

signed_artifacts contains a if {
	some a in artifact_ids
	some s in signatures_over[artifact_file[a]]
	keyless_allowed(node[s])
}

direct_signatures(a) := object.get(signatures_over, object.get(artifact_file, a, null), set())

# SIGNED-ARTIFACTS
deny contains {"control": "SIGNED-ARTIFACTS", "message": msg} if {
	some a in artifact_ids
	not signed_artifacts[a]
	direct := count(direct_signatures(a))
	msg := sprintf("%s has no signature that verifies with a trusted key or an allowed keyless identity (%d signature file(s) found, %d through signed checksum files)", [
		node[a].path, direct, count(object.get(coverage, a, [])) - direct,
	])
}

deny contains {"control": "SIGNED-ARTIFACTS", "message": msg} if {
	some a in artifact_ids
	some sid in direct_signatures(a)
	s := node[sid]
	s.outcome == "bad-signature"
	msg := sprintf("%s: the signature does not match %s: %s", [
		s.source.path, node[a].path, object.get(s, "reason", "bad signature"),
	])
}

deny contains {"control": "SIGNED-ARTIFACTS", "message": msg} if {
	some a in artifact_ids
	some sid in direct_signatures(a)
	s := node[sid]
	s.outcome == "malformed"
	msg := sprintf("%s: the signature file over %s cannot be read: %s", [
		s.source.path, node[a].path, object.get(s, "reason", "malformed"),
	])
}

deny contains {"control": "SIGNED-ARTIFACTS", "message": msg} if {
	some a in artifact_ids
	some c in coverage[a]
	c.outcome == "digest-mismatch"
	c.trusted
	msg := sprintf("%s: a checksum file signed by a trusted key does not match it: %s (signed by %s in %s)", [
		node[a].path, or_else(c.reason, "digest mismatch"), or_else(c.key_id, "an unknown key"), c.path,
	])
}

deny contains {"control": "SIGNED-ARTIFACTS", "message": msg} if {
	some a in artifact_ids
	not signed_artifacts[a]
	some c in coverage[a]
	c.kind == "signature"
	not c.outcome in {"bad-signature", "malformed", "keyless"}
	msg := sprintf("%s does not count for %s: %s (%s)", [
		c.path, node[a].path, c.outcome, or_else(c.reason, "no reason given"),
	])
}

deny contains {"control": "SIGNED-ARTIFACTS", "message": msg} if {
	some a in artifact_ids
	not signed_artifacts[a]
	some c in coverage[a]
	c.kind == "checksums"
	not trusted_mismatch(c)
	msg := sprintf("%s (key %s) signs a checksum file listing %s but does not count for it: %s (%s)", [
		c.path, or_else(c.key_id, "none"), node[a].path, c.outcome, or_else(c.reason, "no reason given"),
	])
}

deny contains {"control": "SIGNED-ARTIFACTS", "message": msg} if {
	some a in artifact_ids
	not signed_artifacts[a]
	some sid in direct_signatures(a)
	s := node[sid]
	s.outcome == "keyless"
	msg := sprintf("%s: the keyless signature over %s verifies, but its identity is not allowed; to accept it, add \"%s\": \"%s\" to param keyless_identities", [
		s.source.path, node[a].path, object.get(s, "identity", "(no identity)"), object.get(s, "issuer", "(no issuer)"),
	])
}

trusted_mismatch(c) if {
	c.outcome == "digest-mismatch"
	c.trusted
}

or_else(x, default_value) := x if x != null

else := default_value

# CHECKSUMS
entries_of(a) := object.get(entries_naming, object.get(artifact_file, a, null), set())

deny contains {"control": "CHECKSUMS", "message": msg} if {
	some a in artifact_ids
	count(entries_of(a)) == 0
	msg := sprintf("%s is not listed in any checksum file", [node[a].path])
}

deny contains {"control": "CHECKSUMS", "message": msg} if {
	some a in artifact_ids
	some eid in entries_of(a)
	c := node[eid]
	c.status != "match"
	msg := sprintf("%s:%d: the %s digest of %s does not verify (%s)", [
		c.source.path, c.source.line, c.algorithm, node[a].path, c.status,
	])
}

deny contains {"control": "CHECKSUMS", "message": msg} if {
	some a in artifact_ids
	some eid in entries_of(a)
	c := node[eid]
	some sid in signatures_over[entry_file[eid]]
	s := node[sid]
	s.outcome == "bad-signature"
	msg := sprintf("%s: the signature does not match %s, which lists %s: %s", [
		s.source.path, c.source.path, node[a].path, object.get(s, "reason", "bad signature"),
	])
}

deny contains {"control": "CHECKSUMS", "message": msg} if {
	some a in artifact_ids
	some eid in entries_of(a)
	c := node[eid]
	some sid in signatures_over[entry_file[eid]]
	s := node[sid]
	s.outcome == "malformed"
	msg := sprintf("%s: the signature over %s, which lists %s, cannot be read: %s", [
		s.source.path, c.source.path, node[a].path, object.get(s, "reason", "malformed"),
	])
}

# TLS-ONLY
deny contains {"control": "TLS-ONLY", "message": msg} if {
	some d in distribution_ids
	dist := node[d]
	not dist.scheme in secure_schemes
	msg := sprintf("%s is served over %s, not one of %v", [dist.url, dist.scheme, secure_schemes])
}

deny contains {"control": "TLS-ONLY", "message": msg} if {
	some d in distribution_ids
	dist := node[d]
	dist.scheme == "https"
	not scanned_hosts[get(dist, "host")]
	msg := sprintf("no TLS scan of %v is in the bundle, so the protocols and ciphers serving %s cannot be judged", [
		get(dist, "host"), dist.url,
	])
}

deny contains {"control": "TLS-ONLY", "message": msg} if {
	some t in tls_scans
	distribution_hosts[t.host]
	some p in t.protocols
	p in weak_protocols
	msg := sprintf("%s still offers an obsolete protocol (%v), per %s", [t.host, t.protocols, t.source.path])
}

deny contains {"control": "TLS-ONLY", "message": msg} if {
	some t in tls_scans
	distribution_hosts[t.host]
	not "tls1.2" in t.protocols
	not "tls1.3" in t.protocols
	msg := sprintf("%s offers neither TLS 1.2 nor TLS 1.3, per %s", [t.host, t.source.path])
}

deny contains {"control": "TLS-ONLY", "message": msg} if {
	some t in tls_scans
	distribution_hosts[t.host]
	count(t.weak_ciphers) > 0
	msg := sprintf("%s accepts weak cipher suites %v, per %s", [t.host, t.weak_ciphers, t.source.path])
}

deny contains {"control": "TLS-ONLY", "message": msg} if {
	some t in tls_scans
	distribution_hosts[t.host]
	not object.get(t, "hsts", false)
	msg := sprintf("%s sends no HSTS header, per %s", [t.host, t.source.path])
}
