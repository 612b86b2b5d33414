#!/usr/bin/env bash
# Makes the files the `sums-*` cases overlay on the signed-sums example bundle (whose
# artifacts are signed only through dist/SHA256SUMS and its detached signature), with GnuPG
# (--faked-system-time) and sha256sum and the example's TEST-ONLY keys (examples/keys). The
# cases' other damage (a changed artifact, a removed signature) is in their `[[mutate]]`
# steps. Rerun after examples/bundles/build.sh changes the signed-sums bundle.
#
#   sums-untrusted-key      dist/SHA256SUMS.asc, by the personal-laptop key ACME does not trust
#   sums-signed-after-as-of dist/SHA256SUMS.asc, by the release key, made 2026-11-05 (as_of 2026-10-02)
#   sums-chain-too-deep     dist/LEVEL2SUMS .. dist/LEVEL5SUMS, each listing the one before
#                           (LEVEL2SUMS lists SHA256SUMS), and dist/LEVEL5SUMS.asc by the release
#                           key: artifact <- SHA256SUMS <- LEVEL2 <- LEVEL3 <- LEVEL4 <- LEVEL5,
#                           five links, one more than vouch follows
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
repo="$(cd "$here/../../.." && pwd)"
keys="$repo/examples/keys"
dist="$repo/examples/bundles/signed-sums/dist"
export LC_ALL=C TZ=UTC
GNUPGHOME="$(mktemp -d)"
export GNUPGHOME
work="$(mktemp -d)"
cleanup() {
    gpgconf --kill all >/dev/null 2>&1 || true
    rm -rf "$GNUPGHOME" "$work"
}
trap cleanup EXIT
gpg --batch --quiet --import "$keys/TEST-ONLY-widget-release.sec.asc" 2>/dev/null
gpg --batch --quiet --import "$keys/TEST-ONLY-personal-laptop.sec.asc" 2>/dev/null
release=$(gpg --batch --with-colons --list-secret-keys widget-releases@acme.example | awk -F: '/^fpr/ {print $10; exit}')
laptop=$(gpg --batch --with-colons --list-secret-keys | awk -F: '/^fpr/ {print $10}' | grep -v "$release" | head -1)
at() { # at TIME KEY gpg-args...
    local t="$1" k="$2"
    shift 2
    gpg --batch --yes --quiet --no-tty --faked-system-time "$t!" --local-user "$k" "$@" 2>/dev/null
}
out() { # out CASE FILE: the overlay path, its directory made
    mkdir -p "$here/$1/bundle/dist"
    printf '%s' "$here/$1/bundle/dist/$2"
}

at 20261001T113000 "$laptop" --armor --detach-sign \
    --output "$(out sums-untrusted-key SHA256SUMS.asc)" "$dist/SHA256SUMS"

at 20261105T000000 "$release" --armor --detach-sign \
    --output "$(out sums-signed-after-as-of SHA256SUMS.asc)" "$dist/SHA256SUMS"

deep="$here/sums-chain-too-deep/bundle/dist"
mkdir -p "$deep"
cp "$dist/SHA256SUMS" "$work/"
prev=SHA256SUMS
for level in 2 3 4 5; do
    (cd "$work" && sha256sum -- "$prev" > "LEVEL${level}SUMS")
    cp "$work/LEVEL${level}SUMS" "$deep/"
    prev="LEVEL${level}SUMS"
done
at 20261001T113000 "$release" --armor --detach-sign --output "$deep/LEVEL5SUMS.asc" \
    "$work/LEVEL5SUMS"
