#!/usr/bin/env bash
# Builds the uk-sscop pack's fixture bundles that need checksums or signatures (the others,
# beside this script, are plain TOML and JSON written by hand). Each has a sibling
# `NAME.test.toml` run by `vouch test stdlib-policies/uk-sscop/tests`:
#
#   bad-signatures/      the artifact's .asc is a real signature by the trusted release key
#                        over other bytes (a bad signature); SHA256SUMS is properly signed.
#   bad-sums-signature/  the other way round: SHA256SUMS.asc is the bad signature.
#   malformed-signatures/ the same files, but each .asc is not an OpenPGP signature at all.
#   sums-mismatch/       the artifact has a good signature of its own, and SHA256SUMS, signed
#                        by the trusted key, lists it with another digest.
#   unlisted/            the artifact has a good signature, and no checksum file lists it.
#   digest-mismatches/   a CycloneDX SBOM and SLSA provenance (DSSE, signed by the build key)
#                        state the artifact's SHA-256; another of each, naming it, states a
#                        different one.
#   attestations-at-limit/  rollback, incident-plan and training attestations signed by the
#                        trusted people, each dated exactly 12 months before as_of (2026-10-02).
#   attestations-too-old/   the same, each dated a day earlier.
#   waivers/lifetime.toml   two waivers (for the `sla-critical-late` bundle), lasting exactly 12 months
#                        and a day longer, signed by Priya Shah.
#
# Usage: bash stdlib-policies/uk-sscop/tests/build-fixtures.sh [OUTDIR]
# (default OUTDIR: beside this script). Tools: GnuPG, GNU tar, gzip, sha256sum, OpenSSL 3. Keys:
# examples/keys/TEST-ONLY-* (test only). Signatures are made at fixed (faked) times; the
# tarball has fixed owners and times, so a rebuild gives the same artifact bytes.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
out="${1:-$here}"
keys="$here/../../../examples/keys"
for tool in gpg tar gzip sha256sum openssl base64; do
  command -v "$tool" >/dev/null || { echo "build-fixtures: $tool is needed" >&2; exit 2; }
done
homes=()
cleanup() {
  for h in "${homes[@]}"; do
    gpgconf --homedir "$h" --kill gpg-agent 2>/dev/null || true
    rm -rf "$h"
  done
}
trap cleanup EXIT
gpg_home() { # KEYFILE: a GnuPG home with only that secret key
  local h
  h="$(mktemp -d)"
  chmod 700 "$h"
  homes+=("$h")
  gpg --homedir "$h" --batch --quiet --import "$keys/$1" 2>/dev/null
  echo "$h"
}
release="$(gpg_home TEST-ONLY-widget-release.sec.asc)"
priya="$(gpg_home TEST-ONLY-priya-shah.sec.asc)"
jo="$(gpg_home TEST-ONLY-jo-bloggs.sec.asc)"
sign() { # HOME FILE: FILE.asc, detached and armored, made on 2026-10-01
  gpg --homedir "$1" --batch --quiet --yes --faked-system-time "20261001T120000!" --armor \
    --detach-sign --output "$2.asc" "$2" 2>/dev/null
}

release_toml() { # DIR COMMENT
  cat > "$1/release.toml" <<TOML
# $2
[release]
product = "widget"
version = "2.4.1"
date = 2026-10-01T12:00:00Z
artifacts = ["dist/widget-2.4.1.tar.gz"]
TOML
}
tarball() { # DIR: dist/widget-2.4.1.tar.gz, reproducible
  local src
  src="$(mktemp -d)"
  mkdir -p "$src/widget-2.4.1" "$1/dist"
  printf 'widget 2.4.1\n' > "$src/widget-2.4.1/README"
  tar --sort=name --owner=0 --group=0 --numeric-owner --mtime='2026-10-01 12:00:00Z' \
    -C "$src" -cf - widget-2.4.1 | gzip -n > "$1/dist/widget-2.4.1.tar.gz"
  rm -rf "$src"
}
sums() { # DIR
  (cd "$1/dist" && sha256sum widget-2.4.1.tar.gz > SHA256SUMS)
}

# bad-signatures: the tarball's signature made over other bytes, then put beside it;
# SHA256SUMS is signed properly. bad-sums-signature: the other way round.
for variant in bad-signatures:tarball bad-sums-signature:sums; do
  name="${variant%%:*}"
  bad="${variant#*:}"
  d="$out/$name"
  rm -rf "$d" && mkdir -p "$d"
  release_toml "$d" "One signature is by the trusted release key but over other bytes ($name.test.toml)."
  tarball "$d"
  sums "$d"
  sign "$release" "$d/dist/widget-2.4.1.tar.gz"
  sign "$release" "$d/dist/SHA256SUMS"
  other="$(mktemp -d)"
  if [ "$bad" = tarball ]; then
    printf 'not the tarball\n' > "$other/widget-2.4.1.tar.gz"
    sign "$release" "$other/widget-2.4.1.tar.gz"
    cp "$other/widget-2.4.1.tar.gz.asc" "$d/dist/widget-2.4.1.tar.gz.asc"
  else
    printf '%064d  widget-2.4.1.tar.gz\n' 0 > "$other/SHA256SUMS"
    sign "$release" "$other/SHA256SUMS"
    cp "$other/SHA256SUMS.asc" "$d/dist/SHA256SUMS.asc"
  fi
  rm -rf "$other"
done

# malformed-signatures: armor around something that is not a signature.
d="$out/malformed-signatures"
rm -rf "$d" && mkdir -p "$d"
release_toml "$d" "Each .asc is armored text that holds no OpenPGP signature (malformed-signatures.test.toml)."
tarball "$d"
sums "$d"
for f in widget-2.4.1.tar.gz.asc SHA256SUMS.asc; do
  printf -- '-----BEGIN PGP SIGNATURE-----\n\nbm90IGEgc2lnbmF0dXJlCg==\n-----END PGP SIGNATURE-----\n' > "$d/dist/$f"
done

# sums-mismatch: a good signature on the artifact, and a signed SHA256SUMS that disagrees.
d="$out/sums-mismatch"
rm -rf "$d" && mkdir -p "$d"
release_toml "$d" "The tarball is signed, and a signed SHA256SUMS lists another digest for it (sums-mismatch.test.toml)."
tarball "$d"
sign "$release" "$d/dist/widget-2.4.1.tar.gz"
printf '1111111111111111111111111111111111111111111111111111111111111111  widget-2.4.1.tar.gz\n' > "$d/dist/SHA256SUMS"
sign "$release" "$d/dist/SHA256SUMS"

# unlisted: a signed tarball that no checksum file lists.
d="$out/unlisted"
rm -rf "$d" && mkdir -p "$d"
release_toml "$d" "The tarball is signed, but no checksum file lists it (unlisted.test.toml)."
tarball "$d"
sign "$release" "$d/dist/widget-2.4.1.tar.gz"

# digest-mismatches: a signed tarball; a CycloneDX SBOM stating its SHA-256, and another naming
# the same product and version (and named after the tarball) stating a different one; SLSA
# provenance signed by the build key (DSSE, Ed25519) naming the tarball by its digest, and
# another naming it with a different digest.
cdx() { # FILE SHA256
  cat > "$1" <<JSON
{
  "\$schema": "http://cyclonedx.org/schema/bom-1.6.schema.json",
  "bomFormat": "CycloneDX",
  "specVersion": "1.6",
  "version": 1,
  "metadata": {
    "timestamp": "2026-10-01T09:00:00+00:00",
    "component": {
      "bom-ref": "root-component",
      "type": "application",
      "name": "widget",
      "version": "2.4.1",
      "purl": "pkg:generic/acme/widget@2.4.1",
      "hashes": [{"alg": "SHA-256", "content": "$2"}]
    }
  },
  "components": [
    {
      "bom-ref": "requirements-L1",
      "type": "library",
      "name": "requests",
      "version": "2.32.5",
      "purl": "pkg:pypi/requests@2.32.5"
    }
  ],
  "dependencies": [
    {"ref": "root-component", "dependsOn": ["requirements-L1"]},
    {"ref": "requirements-L1"}
  ]
}
JSON
}
provenance() { # FILE SHA256: SLSA provenance naming the tarball, signed as a DSSE envelope
  local type=application/vnd.in-toto+json work len sig keyid
  work="$(mktemp -d)"
  printf '{"_type":"https://in-toto.io/Statement/v1","subject":[{"name":"widget-2.4.1.tar.gz","digest":{"sha256":"%s"}}],"predicateType":"https://slsa.dev/provenance/v1","predicate":{"buildDefinition":{"buildType":"https://ci.acme.example/buildtypes/python-release/v1","externalParameters":{"repository":"https://git.acme.example/widget/widget","ref":"refs/tags/v2.4.1"}},"runDetails":{"builder":{"id":"https://ci.acme.example/runners/release-hardened@v3"}}}}' \
    "$2" > "$work/statement.json"
  len=$(wc -c < "$work/statement.json" | tr -d ' ')
  { printf 'DSSEv1 %d %s %d ' "${#type}" "$type" "$len"; cat "$work/statement.json"; } > "$work/pae.bin"
  sig=$(openssl pkeyutl -sign -rawin -inkey "$keys/TEST-ONLY-widget-build.key.pem" \
    -in "$work/pae.bin" | base64 -w0)
  keyid=$(openssl pkey -pubin -in "$keys/TEST-ONLY-widget-build.pub.pem" -outform DER |
    openssl dgst -sha256 -r | cut -d' ' -f1)
  printf '{"payloadType":"%s","payload":"%s","signatures":[{"keyid":"%s","sig":"%s"}]}\n' \
    "$type" "$(base64 -w0 < "$work/statement.json")" "$keyid" "$sig" > "$1"
  rm -rf "$work"
}
d="$out/digest-mismatches"
rm -rf "$d" && mkdir -p "$d/sbom" "$d/provenance"
release_toml "$d" "The tarball's SBOM and provenance, and a stale one of each with another digest (digest-mismatches.test.toml)."
tarball "$d"
sign "$release" "$d/dist/widget-2.4.1.tar.gz"
(cd "$d/dist" && sha256sum widget-2.4.1.tar.gz > SHA256SUMS)
cdx "$d/sbom/widget.cdx.json" "$(sha256sum "$d/dist/widget-2.4.1.tar.gz" | cut -d' ' -f1)"
cdx "$d/sbom/widget-2.4.1.tar.gz.cdx.json" "$(printf '%064d' 2)"
provenance "$d/provenance/widget-2.4.1.intoto.jsonl" "$(sha256sum "$d/dist/widget-2.4.1.tar.gz" | cut -d' ' -f1)"
provenance "$d/provenance/widget-2.4.1-rc1.intoto.jsonl" "$(printf '%064d' 3)"

# attestations at and past the pack's 12-month limits.
attest() { # DIR NAME CONTROL STATEMENT BY HOME DATE
  cat > "$1/attestations/$2.toml" <<TOML
[attestation]
control = "$3"
statement = "$4"
attested_by = "$5"
date = $7
TOML
  sign "$6" "$1/attestations/$2.toml"
}
for variant in at-limit:2025-10-02 too-old:2025-10-01; do
  name="${variant%%:*}"
  date="${variant#*:}"
  d="$out/attestations-$name"
  rm -rf "$d" && mkdir -p "$d/attestations"
  cat > "$d/release.toml" <<TOML
# Attestations dated $date, against as_of 2026-10-02 (attestations-$name.test.toml).
[release]
product = "widget"
version = "2.4.1"
date = 2026-10-01T12:00:00Z
artifacts = []
TOML
  attest "$d" rollback ROLLBACK "Rolling back a failed update to the previous release was tested" \
    "Jo Bloggs <jo.bloggs@acme.example>" "$jo" "$date"
  attest "$d" incident-plan INCIDENT-PLAN \
    "The incident response and customer communication plan exists and was reviewed" \
    "Priya Shah <priya.shah@acme.example>" "$priya" "$date"
  attest "$d" training TRAINING \
    "Developers and support staff were trained in patch triage, CVSS scoring, secure changelogs and advisories" \
    "Priya Shah <priya.shah@acme.example>" "$priya" "$date"
done
# waivers/lifetime.toml: two waivers of findings of the `sla-critical-late` bundle, one lasting exactly the
# pack's 12-month waiver_max_lifetime and one a day longer, signed by Priya Shah.
mkdir -p "$out/waivers"
cat > "$out/waivers/lifetime.toml" <<'TOML'
# Waivers of the sla-critical-late bundle's findings (waiver-lifetime.test.toml), signed by Priya Shah
# (lifetime.toml.asc, made by ../build-fixtures.sh). W-LIMIT lasts exactly 12 months, the
# pack's waiver_max_lifetime; W-TOO-LONG lasts a day longer, so it is invalid.

[[waiver]]
id = "W-LIMIT"
control = "PATCH-SLA"
subject = "SEC-2026-201"
justification = "A test fixture: the fix was an hour late."
approver = "priya.shah@acme.example"
effective = 2026-01-01
expires = 2027-01-01
risk = "low: a test fixture"

[[waiver]]
id = "W-TOO-LONG"
control = "CVE-REPORTED"
subject = "SEC-2026-201"
justification = "A test fixture: the CVE request is pending."
approver = "priya.shah@acme.example"
effective = 2026-01-01
expires = 2027-01-02
risk = "low: a test fixture"
TOML
sign "$priya" "$out/waivers/lifetime.toml"

echo "build-fixtures: wrote bad-signatures, bad-sums-signature, malformed-signatures, sums-mismatch, unlisted, digest-mismatches, attestations-at-limit, attestations-too-old, waivers/lifetime.toml under $out"
