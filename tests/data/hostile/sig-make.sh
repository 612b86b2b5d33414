#!/usr/bin/env bash
# Makes the signature files the `sig-*` cases overlay on the compliant example bundle, with the
# real tools and the example's TEST-ONLY keys (examples/keys): GnuPG (--faked-system-time),
# minisign (a trusted comment with a fixed timestamp) and openssl (an Ed25519 Sigstore message
# signature). The cases' damage (a line outside a signed message, a changed file under its
# signature, a removed signature) is in their `[[mutate]]` steps; the signatures here are the
# tools'. Rerun after examples/bundles/build.sh changes the compliant bundle.
#
#   sig-future-gpg-zip            dist/widget-2.4.1.zip.asc, gpg, made 2026-11-01 (as_of 2026-10-02)
#   sig-future-minisign-tarball   dist/widget-2.4.1.tar.gz.minisig, trusted comment timestamp 2026-11-01
#   sig-sigstore-logged-late      dist/widget-2.4.1.tar.gz.sigstore.json, build key, logged 2026-11-01
#   sig-checksums-bad-signature   dist/SHA256SUMS.asc, gpg detached over the compliant SHA256SUMS
#   sig-cleartext-line-before,    dist/SHA256SUMS, gpg --clearsign of the zip's line only
#   sig-cleartext-line-after
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
repo="$(cd "$here/../../.." && pwd)"
keys="$repo/examples/keys"
dist="$repo/examples/bundles/compliant/dist"
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
at() { # at TIME gpg-args...
    local t="$1"
    shift
    gpg --batch --yes --quiet --no-tty --faked-system-time "$t!" "$@" 2>/dev/null
}
out() { # out CASE FILE: the overlay path, its directory made
    mkdir -p "$here/$1/bundle/dist"
    printf '%s' "$here/$1/bundle/dist/$2"
}
late=20261101T000000
late_epoch=$(date -u -d 2026-11-01T00:00:00Z +%s)

at $late --armor --detach-sign --output "$(out sig-future-gpg-zip widget-2.4.1.zip.asc)" \
    "$dist/widget-2.4.1.zip"

cp "$dist/widget-2.4.1.tar.gz" "$work/"
minisign -S -s "$keys/TEST-ONLY-widget-release.minisign.key" \
    -c "signature from the ACME widget release key (TEST ONLY)" \
    -t "$(printf 'timestamp:%s\tfile:widget-2.4.1.tar.gz\thashed' "$late_epoch")" \
    -m "$work/widget-2.4.1.tar.gz" -x "$(out sig-future-minisign-tarball widget-2.4.1.tar.gz.minisig)" \
    >/dev/null

b64() { base64 -w0; }
hint=$(openssl pkey -pubin -in "$keys/TEST-ONLY-widget-build.pub.pem" -outform DER |
    openssl dgst -sha256 -r | cut -d' ' -f1)
sig=$(openssl pkeyutl -sign -rawin -inkey "$keys/TEST-ONLY-widget-build.key.pem" \
    -in "$dist/widget-2.4.1.tar.gz" | b64)
digest=$(openssl dgst -sha256 -binary "$dist/widget-2.4.1.tar.gz" | b64)
printf '{"mediaType":"application/vnd.dev.sigstore.bundle.v0.3+json","verificationMaterial":{"publicKey":{"hint":"%s"},"tlogEntries":[{"logIndex":"1","integratedTime":"%s"}]},"messageSignature":{"messageDigest":{"algorithm":"SHA2_256","digest":"%s"},"signature":"%s"}}\n' \
    "$hint" "$late_epoch" "$digest" "$sig" \
    > "$(out sig-sigstore-logged-late widget-2.4.1.tar.gz.sigstore.json)"

at 20261001T113000 --armor --detach-sign --output "$(out sig-checksums-bad-signature SHA256SUMS.asc)" \
    "$dist/SHA256SUMS"

grep ' widget-2.4.1.zip$' "$dist/SHA256SUMS" > "$work/SHA256SUMS"
at 20261001T113000 --clearsign --output "$work/SHA256SUMS.asc" "$work/SHA256SUMS"
for c in sig-cleartext-line-before sig-cleartext-line-after; do
    cp "$work/SHA256SUMS.asc" "$(out $c SHA256SUMS)"
done
