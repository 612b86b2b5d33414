#!/usr/bin/env bash
# Signs examples/waivers/waived.toml as Priya Shah, ACME's security lead, with her TEST-ONLY
# OpenPGP key (examples/keys/TEST-ONLY-priya-shah.sec.asc, Ed25519, fingerprint
# C025C99C77B7650CC792B404F7AA08F7CED3225A): writes the detached, armored signature
# waived.toml.asc that `vouch evaluate --waivers` needs beside the file.
#
# Usage: bash examples/waivers/sign.sh [OUTDIR]     (default: beside this script)
#
# Reproducible: Ed25519 signatures are deterministic and GnuPG runs with a fixed
# `--faked-system-time`, so signing the same bytes again writes the same signature
# (tests/examples.rs signs into a scratch directory and compares). Rerun it after every edit
# of waived.toml; until then the edited file is refused ("bad signature") and none of its
# waivers applies. Needs gpg (GnuPG 2.2).
set -euo pipefail
export LC_ALL=C TZ=UTC
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
out="${1:-$here}"
mkdir -p "$out"
home="$(mktemp -d)"
trap 'gpgconf --homedir "$home" --kill gpg-agent 2>/dev/null || true; rm -rf "$home"' EXIT
chmod 700 "$home"
gpg --homedir "$home" --batch --quiet --import "$root/examples/keys/TEST-ONLY-priya-shah.sec.asc" 2>/dev/null
# Signed on 2026-09-20, when W-2026-031 was approved: before the example's as_of (2026-10-02).
gpg --homedir "$home" --batch --quiet --yes --faked-system-time '20260920T100000!' \
  --armor --detach-sign --output "$out/waived.toml.asc" "$here/waived.toml" 2>/dev/null
echo "sign: wrote $out/waived.toml.asc"
