#!/usr/bin/env bash
# Remakes link/symbol-order.txt, the order build.rs gives the linker: the functions that
# `vouch --version`, `vouch check` of the standard pack and `vouch evaluate` of the compliant
# example execute (as callgrind lists them), the first run's first. Run it after a toolchain
# or dependency update, then build again:
#
#     link/make-symbol-order.sh && cargo build --release
#
# Needs valgrind. Symbols not in the binary (the C library's) are left out.
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release --bin vouch
target="${CARGO_TARGET_DIR:-target}"
bin="$target/release/vouch"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

runs=(
  "--version"
  "check stdlib-policies/uk-sscop/uk_sscop.vouch"
  "evaluate --policy examples/policies/acme.vouch --bundle examples/bundles/compliant --as-of 2026-10-02 --trust examples/keys/TEST-ONLY-widget-release.pub.asc --trust examples/keys/TEST-ONLY-widget-release.minisign.pub --trust examples/keys/TEST-ONLY-widget-build.pub.pem --trust examples/keys/TEST-ONLY-priya-shah.pub.asc --trust examples/keys/TEST-ONLY-jo-bloggs.pub.asc"
)
n=0
for run in "${runs[@]}"; do
  n=$((n + 1))
  # shellcheck disable=SC2086 # each run is a list of arguments
  valgrind --tool=callgrind --demangle=no --callgrind-out-file="$work/$n.out" "$bin" $run \
    > /dev/null 2> "$work/$n.log" || true
done

nm --defined-only "$bin" | awk '{ print $NF }' | sort -u > "$work/defined"
# fn=(id) name and cfn=(id) name lines, in file order; a trailing '2 marks recursion.
sed -n -E "s/^c?fn=\([0-9]+\) (.*)$/\1/p" "$work"/*.out \
  | sed -E "s/'[0-9]+$//" \
  | awk '!seen[$0]++' \
  | awk 'NR == FNR { defined[$0] = 1; next } defined[$0]' "$work/defined" - \
  > link/symbol-order.txt
echo "link/symbol-order.txt: $(wc -l < link/symbol-order.txt) functions"
