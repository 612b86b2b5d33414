#!/usr/bin/env bash
# Builds examples/bundles/widget-2.4.1: the evidence bundle of one release of a small
# product, made with the real tools (tar, gzip, zip, sha256sum). Re-running it gives the same
# bytes: the tarball has fixed timestamps, owners and order.
#
# The bundle is a release as a vendor would publish it: the artifacts, a SHA256SUMS file,
# minisign signatures, vouch's release.toml and support.toml, and the attestation for the
# manual rollback control.
#
# The signing key is examples/keys/widget-release.key: a demo key, committed (unencrypted) so
# the example can be rebuilt byte for byte. Never publish a real secret key. Its public half,
# examples/keys/widget-release.pub, is what `vouch evaluate --trust` is given.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
out="$here/widget-2.4.1"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

rm -rf "$out"
mkdir -p "$out/dist" "$out/attestations" "$work/widget-2.4.1/bin"

# The product: a tiny shell tool, packaged reproducibly.
cat > "$work/widget-2.4.1/bin/widget" <<'SH'
#!/bin/sh
echo "widget 2.4.1"
SH
chmod 755 "$work/widget-2.4.1/bin/widget"
printf 'widget 2.4.1\n\nA small example product for vouch.\n' > "$work/widget-2.4.1/README"
find "$work/widget-2.4.1" -exec touch -d '2026-10-01 12:00:00Z' {} +
tar --sort=name --mtime='2026-10-01 12:00:00Z' --owner=0 --group=0 --numeric-owner \
  -C "$work" -cf - widget-2.4.1 | gzip -n -9 > "$out/dist/widget-2.4.1.tar.gz"
(cd "$work" && find widget-2.4.1 -type f | sort > "$work/files")
(cd "$work" && TZ=UTC zip -q -X -D "$out/dist/widget-2.4.1.zip" -@ < "$work/files")

# Checksums, as `sha256sum` writes them, next to the artifacts.
(cd "$out/dist" && sha256sum -- * > SHA256SUMS)

# A minisign signature per artifact, with minisign's usual trusted comment at a fixed time
# (Ed25519 signatures are deterministic, so the bytes are the same on every run).
when=$(date -u -d '2026-10-01 12:00:00Z' +%s)
for f in widget-2.4.1.tar.gz widget-2.4.1.zip; do
  minisign -S -s "$here/../keys/widget-release.key" -c "signature from the widget release key" \
    -t "$(printf 'timestamp:%s\tfile:%s\thashed' "$when" "$f")" \
    -m "$out/dist/$f" -x "$out/dist/$f.minisig" >/dev/null
done

cat > "$out/release.toml" <<'TOML'
[release]
product = "widget"
version = "2.4.1"
date = 2026-10-01T12:00:00Z
previous = "2.4.0"
artifacts = ["dist/widget-2.4.1.tar.gz", "dist/widget-2.4.1.zip"]

[[distribution]]
url = "https://downloads.example.com/widget/2.4.1/widget-2.4.1.tar.gz"

[[distribution]]
url = "https://downloads.example.com/widget/2.4.1/widget-2.4.1.zip"
TOML

cat > "$out/support.toml" <<'TOML'
[[cycle]]
cycle = "2.4"
released = 2026-04-01
support_until = 2027-04-01
eol = 2027-10-01
eol_announced = 2026-04-01
lts = false

[[cycle]]
cycle = "2.3"
released = 2025-10-01
support_until = 2026-10-01
eol = 2027-04-01
eol_announced = 2025-10-01
lts = false
TOML

cat > "$out/attestations/rollback.toml" <<'TOML'
[attestation]
control = "ACME-ROLLBACK"
statement = "Rollback of a failed update was tested on the release candidate"
attested_by = "Jo Bloggs <jo@acme.example>"
date = 2026-09-28
evidence = ["https://ci.acme.example/runs/4711"]
TOML

echo "built $out"
