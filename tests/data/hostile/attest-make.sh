#!/usr/bin/env bash
# Makes the attestation files the `attest-*` cases overlay on the compliant example bundle,
# with GnuPG (--faked-system-time) and the example's TEST-ONLY keys (examples/keys). The
# cases' other damage is in their `[[mutate]]` steps. Rerun after examples/bundles/build.sh
# changes the compliant bundle's attestations.
#
#   attest-bundle-key-signer      attestations/training.toml.asc: the compliant training.toml,
#                                 signed with the personal-laptop key; KEYS: the bundle's
#                                 KEYS with that key added
#   attest-signature-of-other     attestations/training.toml.asc: Priya Shah's valid signature
#                                 over incident-plan.toml, renamed
#   attest-signed-after-as-of     attestations/training.toml.asc: Priya Shah's signature over
#                                 the compliant training.toml, made 2026-11-01 (as_of 2026-10-02)
#   attest-replayed-statement     attestations/training.toml(.asc): names TRAINING, quotes
#                                 ROLLBACK's statement, signed by Priya Shah
#   attest-names-other-control    attestations/training.toml(.asc): quotes TRAINING's statement,
#                                 names ROLLBACK, signed by Priya Shah
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
repo="$(cd "$here/../../.." && pwd)"
keys="$repo/examples/keys"
att="$repo/examples/bundles/compliant/attestations"
export LC_ALL=C TZ=UTC
work="$(mktemp -d)"
cleanup() {
    for h in "$work"/priya "$work"/laptop; do
        gpgconf --homedir "$h" --kill gpg-agent >/dev/null 2>&1 || true
    done
    rm -rf "$work"
}
trap cleanup EXIT
for who in priya:TEST-ONLY-priya-shah laptop:TEST-ONLY-personal-laptop; do
    mkdir -m 700 "$work/${who%%:*}"
    gpg --homedir "$work/${who%%:*}" --batch --quiet --import "$keys/${who#*:}.sec.asc" 2>/dev/null
done
sign() { # HOME WHEN FILE OUT
    gpg --homedir "$work/$1" --batch --yes --quiet --no-tty --faked-system-time "$2!" \
        --armor --detach-sign --output "$4" "$3" 2>/dev/null
}
out() { # out CASE FILE: the overlay path, its directory made
    mkdir -p "$here/$1/bundle/attestations"
    printf '%s' "$here/$1/bundle/attestations/$2"
}

sign laptop 20260320T120000 "$att/training.toml" "$(out attest-bundle-key-signer training.toml.asc)"
cat "$repo/examples/bundles/compliant/KEYS" "$keys/TEST-ONLY-personal-laptop.pub.asc" \
    > "$here/attest-bundle-key-signer/bundle/KEYS"
cp "$att/incident-plan.toml.asc" "$(out attest-signature-of-other training.toml.asc)"
sign priya 20261101T000000 "$att/training.toml" "$(out attest-signed-after-as-of training.toml.asc)"

f="$(out attest-replayed-statement training.toml)"
cat > "$f" <<'TOML'
[attestation]
control = "TRAINING"
statement = "Rolling back a failed update to the previous release was tested"
attested_by = "Priya Shah <priya.shah@acme.example>"
date = 2026-09-30
TOML
sign priya 20260930T120000 "$f" "$f.asc"

f="$(out attest-names-other-control training.toml)"
cat > "$f" <<'TOML'
[attestation]
control = "ROLLBACK"
statement = "Developers and support staff were trained in patch triage, CVSS scoring, secure changelogs and advisories"
attested_by = "Priya Shah <priya.shah@acme.example>"
date = 2026-09-30
TOML
sign priya 20260930T120000 "$f" "$f.asc"
