#!/usr/bin/env bash
# Builds vouch with profile-guided optimisation (PGO).
#
#   1. builds vouch instrumented (`-Cprofile-generate`),
#   2. runs it on a training workload: the shipped examples and the standard pack's tests
#      (`vouch test`), then `--version`, `check`, `fmt --check`, `graph` and `evaluate` of the
#      example bundles in every report format, each in a process of its own, as users start it,
#   3. merges what the runs counted with the llvm-profdata of rustc's own LLVM version,
#   4. builds vouch again with those counts (`-Cprofile-use`), so the compiler inlines and
#      lays out code for the paths those runs took,
#   5. checks the result: every example evaluates to the same report as with the
#      instrumented build, byte for byte.
#
# The binary is `$CARGO_TARGET_DIR/pgo/vouch` (`target/pgo/vouch` by default). PGO changes
# how fast vouch runs, never what it does: the same source, the same report. Both builds are
# full release builds (fat LTO): about 20 minutes on two cores. CI does not run this script;
# `cargo build --release` stays the plain build, and the release binary until this script
# also remakes `link/symbol-order.txt` for PGO's layout (HACKING.md, "The release binary").
#
# Needs llvm-profdata of the LLVM major version `rustc -vV` names: `llvm-profdata-N` or
# `/usr/lib/llvm-N/bin/llvm-profdata` (Debian: `apt-get install llvm-N`, which this script
# runs when it is root and apt-get is there), or rustup's `llvm-tools` component.
set -euo pipefail
cd "$(dirname "$0")/.."

host="$(rustc -vV | sed -n 's/^host: //p')"
llvm_major="$(rustc -vV | sed -n 's/^LLVM version: \([0-9]*\).*/\1/p')"
if [[ -z "$host" || -z "$llvm_major" ]]; then
  echo "error: cannot read the host and LLVM version from \`rustc -vV\`" >&2
  exit 2
fi

# The llvm-profdata that reads this rustc's raw profiles: the raw format changes with LLVM.
find_profdata() {
  local sysroot
  sysroot="$(rustc --print sysroot)"
  for candidate in \
    "llvm-profdata-$llvm_major" \
    "/usr/lib/llvm-$llvm_major/bin/llvm-profdata" \
    "$sysroot/lib/rustlib/$host/bin/llvm-profdata"; do
    if command -v "$candidate" > /dev/null 2>&1; then
      command -v "$candidate"
      return 0
    fi
  done
  return 1
}
if ! profdata="$(find_profdata)"; then
  if [[ "$(id -u)" == 0 ]] && command -v apt-get > /dev/null; then
    echo "installing llvm-$llvm_major (llvm-profdata) with apt-get" >&2
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "llvm-$llvm_major" > /dev/null
  fi
  profdata="$(find_profdata)" || {
    echo "error: no llvm-profdata for LLVM $llvm_major (rustc's): install llvm-$llvm_major, or run \`rustup component add llvm-tools\`" >&2
    exit 2
  }
fi

target="${CARGO_TARGET_DIR:-target}"
mkdir -p "$target/pgo"
pgo="$(cd "$target/pgo" && pwd)"
raw="$pgo/raw"
rm -rf "$raw" "$pgo/vouch.profdata" "$pgo/reports"
mkdir -p "$raw" "$pgo/reports"

# `--target` keeps the flags off build scripts and proc macros, which run while building.
echo "1/5 instrumented build" >&2
RUSTFLAGS="-Cprofile-generate=$raw" cargo build --release --locked --bin vouch \
  --target "$host" --target-dir "$pgo/generate"
instrumented="$pgo/generate/$host/release/vouch"

echo "2/5 training runs" >&2
keys=(
  --trust examples/keys/TEST-ONLY-widget-release.pub.asc
  --trust examples/keys/TEST-ONLY-widget-release.minisign.pub
  --trust examples/keys/TEST-ONLY-widget-build.pub.pem
  --trust examples/keys/TEST-ONLY-priya-shah.pub.asc
  --trust examples/keys/TEST-ONLY-jo-bloggs.pub.asc
)
# Runs the binary `$1` on every example bundle, writing each report under `$2`.
evaluate_examples() {
  local bin="$1" out="$2" bundle format waivers
  for bundle in compliant failing signed-sums waived; do
    waivers=()
    if [[ "$bundle" == waived ]]; then
      waivers=(--waivers examples/waivers/waived.toml)
    fi
    for format in json markdown html sarif junit oscal; do
      # Exit 1 (a failing control) is what the failing examples are for.
      "$bin" evaluate --policy examples/policies/acme.vouch --bundle "examples/bundles/$bundle" \
        --as-of 2026-10-02 "${keys[@]}" "${waivers[@]}" --format "$format" \
        > "$out/$bundle.$format" 2> /dev/null || [[ $? == 1 ]]
    done
  done
}
"$instrumented" test examples/bundles stdlib-policies/uk-sscop/tests > /dev/null
"$instrumented" --version > /dev/null
"$instrumented" check examples/policies/acme.vouch stdlib-policies/uk-sscop/uk_sscop.vouch > /dev/null
"$instrumented" fmt --check examples/policies/acme.vouch > /dev/null
"$instrumented" graph --bundle examples/bundles/compliant --as-of 2026-10-02 "${keys[@]}" \
  --format json > /dev/null
mkdir -p "$pgo/reports/instrumented" "$pgo/reports/optimised"
evaluate_examples "$instrumented" "$pgo/reports/instrumented"

echo "3/5 merging the profiles with $profdata" >&2
"$profdata" merge -o "$pgo/vouch.profdata" "$raw"

echo "4/5 optimised build" >&2
RUSTFLAGS="-Cprofile-use=$pgo/vouch.profdata" cargo build --release --locked --bin vouch \
  --target "$host" --target-dir "$pgo/use"
cp "$pgo/use/$host/release/vouch" "$pgo/vouch"

echo "5/5 checking the reports" >&2
evaluate_examples "$pgo/vouch" "$pgo/reports/optimised"
if ! diff -r "$pgo/reports/instrumented" "$pgo/reports/optimised" > /dev/null; then
  echo "error: the optimised build's reports differ from the instrumented build's:" >&2
  diff -r "$pgo/reports/instrumented" "$pgo/reports/optimised" >&2 || true
  exit 1
fi
echo "$pgo/vouch"
