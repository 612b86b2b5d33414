#!/usr/bin/env bash
# Builds the seed corpora of the fuzz targets at run time, from the repository's policies,
# test data and example bundles and from /work/shared/corpus (real published evidence; set
# VOUCH_FUZZ_CORPUS to read it from elsewhere). Nothing is committed: seeds go to
# fuzz/seeds/TARGET/ (git-ignored), which `run.sh` gives each target next to its growing corpus
# in fuzz/corpus/TARGET/.
#
# Evidence targets read an input's first line as its file name (vouch_fuzz::named), so each
# seed is "NAME\n" followed by the file; policy, waiver and render seeds are the text itself.
# Usage: fuzz/seed.sh    (from anywhere; rebuilds fuzz/seeds/ from scratch)
set -euo pipefail
cd "$(dirname "$0")"
repo=..
shared="${VOUCH_FUZZ_CORPUS:-/work/shared/corpus}"
out=seeds
rm -rf "$out"
targets=(fmt_roundtrip check evidence_json evidence_toml evidence_text checksums security_txt
  signatures keys waivers render)
for t in "${targets[@]}"; do mkdir -p "$out/$t"; done

sources=("$repo/tests/data" "$repo/examples" "$repo/engine/tests/fixtures" "$repo/stdlib-policies"
  "$repo/lang/tests" "$repo/book/src")
if [ -d "$shared" ]; then
  sources+=("$shared")
else
  echo "seed: $shared is absent; seeding from the repository only" >&2
fi

n=0
# seed TARGET FILE named|raw: one seed file, named by the digest of its content (deduplicated).
seed() {
  local target=$1 file=$2 how=$3 tmp
  tmp=$(mktemp)
  if [ "$how" = named ]; then
    { printf '%s\n' "$(basename "$file")"; cat "$file"; } >"$tmp"
  else
    cat "$file" >"$tmp"
  fi
  mv "$tmp" "$out/$target/$(sha1sum "$tmp" | cut -c1-40)"
  n=$((n + 1))
}

# Seeds larger than this are left out: the targets run with -max_len 65536 anyway.
while IFS= read -r -d '' f; do
  name=$(basename "$f")
  lower=${name,,}
  case "$lower" in
    *.vouch) seed fmt_roundtrip "$f" raw; seed check "$f" raw ;;
  esac
  case "$lower" in
    *waiver*.toml) seed waivers "$f" raw ;;
  esac
  case "$lower" in
    *.test.toml | case.toml) ;;
    *.toml) seed evidence_toml "$f" named ;;
  esac
  case "$lower" in
    *.json | *.jsonl | *.json.* | *.attestation* | *.sigstore) seed evidence_json "$f" named ;;
  esac
  case "$lower" in
    changelog* | news* | *.xml | *.atom | *.rss) seed evidence_text "$f" named ;;
    rustsec-*.md | products-*.md) seed evidence_text "$f" named; seed evidence_toml "$f" named ;;
  esac
  case "$lower" in
    *sums* | *.sha256 | *.sha512 | *.sha1 | *.md5 | distinfo | release | inrelease | packages*)
      seed checksums "$f" named ;;
  esac
  case "$lower" in
    *security.txt*) seed security_txt "$f" named ;;
  esac
  case "$lower" in
    *.sig | *.asc | *.minisig | *.gpg | *.sshsig | *.pgp) seed signatures "$f" named ;;
  esac
  case "$lower" in
    *.pub | *.key | keys | *.pem | *allowed_signers* | *.gpg | *.asc | *.crt | *keys*.json)
      seed keys "$f" named ;;
  esac
done < <(find "${sources[@]}" -type f -size -200k -print0 | sort -z)

# The render target writes NUL-separated pieces of its input into a report; start it from text
# that has broken renderers elsewhere: markup, quotes, control characters, table and code fences.
printf '%s\0' '<script>alert(1)</script>' '"quoted" & '\''single'\''' ']]><![CDATA[' \
  $'line one\nline two\r\n| a | b |' '```' $'\x01\x08\x0b\x1b[31m' '&amp;&#0;' 'π ☃ 😀' \
  >"$out/render/markup"
printf '%s' 'plain' >"$out/render/plain"
# Book pages hold many policies in ```vouch blocks; one seed per block.
while IFS= read -r -d '' page; do
  awk -v dir="$out/fmt_roundtrip" -v stem="$(basename "$page" .md)" '
    /^```vouch/ { inside = 1; k++; file = dir "/book-" stem "-" k; next }
    /^```/ { inside = 0; next }
    inside { print > file }' "$page"
done < <(find "$repo/book/src" -name '*.md' -print0)
cp -n "$out"/fmt_roundtrip/book-* "$out/check/" 2>/dev/null || true

for t in "${targets[@]}"; do
  printf 'seed: %-14s %5d seeds\n' "$t" "$(find "$out/$t" -type f | wc -l)"
done
