#!/usr/bin/env bash
# Builds the four example evidence bundles of vouch, each the evidence of one release of
# "widget", ACME's small Python command-line tool that downloads a release manifest and checks
# the files it lists:
#
#   compliant/  widget 2.4.1, complete: every control of examples/policies/acme.vouch passes.
#   failing/    the same release with one realistic fault per automated control, so that every
#               automated control fails, each for its own reason; the manual controls have no
#               attestation, an unsigned and too old one, or one signed by an untrusted key.
#   waived/     widget 2.3.5, the backport release of the older 2.3 cycle, built by its legacy
#               pipeline: three controls fail, examples/waivers/waived.toml waives them, and
#               one of those waivers has expired, so its control still fails.
#   signed-sums/ widget 2.4.1 signed the way most projects sign: the artifacts carry no
#               signature of their own; only SHA256SUMS is signed (SHA256SUMS.asc), which
#               signs every artifact it lists with a matching digest. Every control passes.
#
# Each bundle has a sibling `NAME.test.toml` (a `vouch test` file: `vouch test examples`) that says how to evaluate it and what the
# outcome is, control by control; tests/examples.rs runs them.
#
# Usage: bash examples/bundles/build.sh [OUTDIR]
#
# From anywhere; writes the four bundles into OUTDIR (default: beside this script). It needs
# no network once the tools are installed, and installs missing ones. tests/examples.rs runs
# it into a scratch directory and checks that it reproduces the committed bundles.
#
# ## Tools
#
# Made by real tools: the product's tarball (GNU tar + gzip) and zip (Info-ZIP), SHA256SUMS
# (sha256sum), OpenPGP signatures (GnuPG: detached armored signatures, the cleartext-signed
# security.txt), minisign signatures (minisign), the DSSE signature over the SLSA provenance
# (openssl, Ed25519), and the CycloneDX SBOMs (cyclonedx-py, PyPI `cyclonedx-bom`, from the
# product's pinned requirements; then completed with the artifact's name, version and SHA-256,
# which the tool cannot know).
#
# Written by this script in the tool's or format's documented shape, because the tool cannot
# run here (no network, or no such tool): the Trivy report (`trivy fs --format json`, report
# schema 2, as in Trivy's own integration golden files), the testssl.sh scan (`--json-pretty`),
# the CSAF 2.0 advisories (security advisory profile), the OpenVEX 0.2.0 document (as
# `vexctl create` writes it), the in-toto statement, the Atom feed, the vulnerability register,
# CHANGELOG.md, security.txt and vouch's own TOML files. The vulnerabilities of widget
# itself (CVE-2026-4123x, GHSA-4m8r-q9wx-7v2c, SEC-2026-0xx) are fictitious; the one in a
# dependency, CVE-2024-47081 in requests 2.32.3 (GHSA-9hjg-9r4m-mvj7), is real. Host names are
# under the reserved `.example` domain, addresses from RFC 5737.
#
# ## Keys (examples/keys/, TEST ONLY: committed, unencrypted, never use them for anything real)
#
#   TEST-ONLY-widget-release.pub.asc / .sec.asc   OpenPGP Ed25519, "ACME Widget Releases":
#                                                 signs artifacts (.asc) and security.txt
#   TEST-ONLY-widget-release.minisign.pub / .key  minisign: signs artifacts (.minisig)
#   TEST-ONLY-widget-build.pub.pem / .key.pem     Ed25519 (PEM): the build platform's key,
#                                                 signs the SLSA provenance (DSSE envelope)
#   TEST-ONLY-personal-laptop.pub.asc / .sec.asc  OpenPGP Ed25519, a developer's own key that
#                                                 ACME does NOT trust: signs the failing
#                                                 bundle's zip, security.txt and training
#                                                 attestation
#   TEST-ONLY-priya-shah.pub.asc / .sec.asc       OpenPGP Ed25519, Priya Shah, security lead:
#                                                 signs the incident plan and training
#                                                 attestations (attestations/NAME.toml.asc)
#   TEST-ONLY-jo-bloggs.pub.asc / .sec.asc        OpenPGP Ed25519, Jo Bloggs, release manager:
#                                                 signs the rollback attestation
#
# All four bundles are evaluated trusting the same five public keys (see each
# `*.test.toml`): TEST-ONLY-widget-release.pub.asc, TEST-ONLY-widget-release.minisign.pub,
# TEST-ONLY-widget-build.pub.pem, and the two people's keys, TEST-ONLY-priya-shah.pub.asc and
# TEST-ONLY-jo-bloggs.pub.asc (an attestation counts only when signed by a trusted key). The
# personal-laptop key is never trusted; the failing
# bundle ships it in its KEYS file, which shows that a key inside the bundle never makes a
# signature trusted. The keys are generated only when absent (with fixed creation dates);
# delete them to make new ones, then rebuild.
#
# ## Reproducibility
#
# Re-running the script reproduces every file byte for byte: archives have fixed mtimes,
# owners and order (`gzip -n`, `zip -X`), every date is fixed, and every signature is made
# with an Ed25519 key, whose signatures are deterministic (GnuPG runs with
# `--faked-system-time`, minisign with a fixed trusted comment). Only new keys change the
# signatures. The one exception is the tool versions: the committed bundles were built with
# GNU tar 1.34, gzip 1.12, Zip 3.0, GnuPG 2.2.40, minisign 0.11, OpenSSL 3.0 and cyclonedx-py
# 7.5.0 (Debian 12); other versions may write slightly different bytes.
set -euo pipefail
export LC_ALL=C TZ=UTC
umask 022

here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
keys="$root/examples/keys"
out="${1:-$here}"
mkdir -p "$out"
out="$(cd "$out" && pwd)"
work="$(mktemp -d)"
cleanup() {
  local h
  for h in "$work"/gnupg.*; do
    [ -d "$h" ] && gpgconf --homedir "$h" --kill gpg-agent 2>/dev/null || true
  done
  rm -rf "$work"
}
trap cleanup EXIT

# ---------------------------------------------------------------------------------------------
# Tools: install what is missing (apt packages, and cyclonedx-bom in a venv, the one .ci/run
# uses for the SBOM tests).
# ---------------------------------------------------------------------------------------------
need=()
command -v gpg >/dev/null || need+=(gnupg)
command -v minisign >/dev/null || need+=(minisign)
command -v openssl >/dev/null || need+=(openssl)
command -v zip >/dev/null || need+=(zip)
command -v sha256sum >/dev/null || need+=(coreutils)
command -v python3 >/dev/null || need+=(python3 python3-venv)
if ((${#need[@]})); then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    echo "build: installing ${need[*]}"
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >/dev/null
  else
    echo "build: missing ${need[*]}; install them and run again" >&2
    exit 1
  fi
fi
# cyclonedx-py: from $VOUCH_SBOM_TOOLS (the venv's bin directory .ci/run exports), else from
# that venv, installed there when missing.
sbom_venv="${VOUCH_SBOM_VENV:-${HOME:-/root}/.cache/vouch-ci/sbom-venv}"
cyclonedx_py="${VOUCH_SBOM_TOOLS:-$sbom_venv/bin}/cyclonedx-py"
if [ ! -x "$cyclonedx_py" ]; then
  echo "build: installing cyclonedx-bom into $sbom_venv"
  python3 -m venv "$sbom_venv"
  "$sbom_venv/bin/pip" install -q 'cyclonedx-bom==7.5.0'
  cyclonedx_py="$sbom_venv/bin/cyclonedx-py"
fi

epoch() { date -u -d "$1" +%s; }

# ---------------------------------------------------------------------------------------------
# Keys (only when absent).
# ---------------------------------------------------------------------------------------------
mkdir -p "$keys"
gpg_home() { # a fresh, throw-away GnuPG home
  local h
  h="$(mktemp -d "$work/gnupg.XXXXXX")"
  chmod 700 "$h"
  printf '%s\n' "$h"
}
gpg_keygen() { # NAME "USER ID" CREATED(YYYYmmddTHHMMSS)
  local name=$1 uid=$2 created=$3 h
  [ -f "$keys/$name.sec.asc" ] && return
  echo "build: generating OpenPGP test key $name"
  h="$(gpg_home)"
  gpg --homedir "$h" --batch --quiet --faked-system-time "$created!" --passphrase '' \
    --pinentry-mode loopback --quick-gen-key "$uid" ed25519 sign 3y 2>/dev/null
  gpg --homedir "$h" --batch --armor --export > "$keys/$name.pub.asc"
  gpg --homedir "$h" --batch --armor --pinentry-mode loopback --passphrase '' \
    --export-secret-keys > "$keys/$name.sec.asc"
}
gpg_keygen TEST-ONLY-widget-release \
  "ACME Widget Releases (TEST ONLY, not a real key) <widget-releases@acme.example>" 20260105T090000
gpg_keygen TEST-ONLY-personal-laptop \
  "Sam Developer (personal laptop, TEST ONLY) <sam@users.acme.example>" 20260210T180000
# People who attest manual controls and approve waivers (#14): a security lead and a release
# manager, each with their own key.
gpg_keygen TEST-ONLY-priya-shah \
  "Priya Shah (security lead, TEST ONLY) <priya.shah@acme.example>" 20260105T100000
gpg_keygen TEST-ONLY-jo-bloggs \
  "Jo Bloggs (release manager, TEST ONLY) <jo.bloggs@acme.example>" 20260105T110000
if [ ! -f "$keys/TEST-ONLY-widget-release.minisign.key" ]; then
  echo "build: generating minisign test key"
  minisign -G -W -f -p "$keys/TEST-ONLY-widget-release.minisign.pub" \
    -s "$keys/TEST-ONLY-widget-release.minisign.key" >/dev/null
fi
if [ ! -f "$keys/TEST-ONLY-widget-build.key.pem" ]; then
  echo "build: generating the build platform's Ed25519 test key"
  openssl genpkey -algorithm ED25519 -out "$keys/TEST-ONLY-widget-build.key.pem"
  openssl pkey -in "$keys/TEST-ONLY-widget-build.key.pem" -pubout \
    -out "$keys/TEST-ONLY-widget-build.pub.pem"
fi

# One GnuPG home per signing key, with only that key in it.
gpg_release="$(gpg_home)"
gpg --homedir "$gpg_release" --batch --quiet --import "$keys/TEST-ONLY-widget-release.sec.asc" 2>/dev/null
gpg_laptop="$(gpg_home)"
gpg --homedir "$gpg_laptop" --batch --quiet --import "$keys/TEST-ONLY-personal-laptop.sec.asc" 2>/dev/null
gpg_priya="$(gpg_home)"
gpg --homedir "$gpg_priya" --batch --quiet --import "$keys/TEST-ONLY-priya-shah.sec.asc" 2>/dev/null
gpg_jo="$(gpg_home)"
gpg --homedir "$gpg_jo" --batch --quiet --import "$keys/TEST-ONLY-jo-bloggs.sec.asc" 2>/dev/null

gpg_sign() { # HOME WHEN(YYYYmmddTHHMMSS) FILE: writes FILE.asc, detached and armored
  gpg --homedir "$1" --batch --quiet --yes --faked-system-time "$2!" --armor --detach-sign \
    --output "$3.asc" "$3" 2>/dev/null
}
gpg_clearsign() { # HOME WHEN IN OUT
  gpg --homedir "$1" --batch --quiet --yes --faked-system-time "$2!" --clearsign \
    --output "$4" "$3" 2>/dev/null
}
minisign_sign() { # WHEN(date) FILE: writes FILE.minisig with minisign's usual trusted comment
  local file=$2
  minisign -S -s "$keys/TEST-ONLY-widget-release.minisign.key" \
    -c "signature from the ACME widget release key (TEST ONLY)" \
    -t "$(printf 'timestamp:%s\tfile:%s\thashed' "$(epoch "$1")" "$(basename "$file")")" \
    -m "$file" -x "$file.minisig" >/dev/null
}

# ---------------------------------------------------------------------------------------------
# Evidence documents that no tool here can write: generated from one table of facts, so the
# register, advisories, changelog and feed of a bundle never contradict each other.
# ---------------------------------------------------------------------------------------------
cat > "$work/evidence.py" <<'PY'
"""Writes the JSON, TOML, Markdown and XML evidence of one example bundle.

python3 evidence.py sbom RAW ARTIFACT VERSION OUT       complete a cyclonedx-py SBOM
python3 evidence.py statement OUT VERSION ARTIFACT...   the SLSA provenance statement
python3 evidence.py documents VARIANT BUNDLE            everything else (see VARIANTS)
"""
import hashlib
import json
import os
import sys
import textwrap

DOWNLOADS = "https://downloads.acme.example/widget"
ADVISORIES = "https://acme.example/security/advisories"
PURL = "pkg:generic/acme/widget@{}"
SEVERITY_WORD = {"critical": "CRITICAL", "high": "HIGH", "medium": "MEDIUM", "low": "LOW"}
RELEASED = {  # widget versions named by the advisories, and when each shipped
    "2.2.9": "2026-02-17T12:00:00Z",
    "2.3.4": "2026-07-14T12:00:00Z",
    "2.3.5": "2026-10-01T10:00:00Z",
    "2.4.0": "2026-04-01T12:00:00Z",
    "2.4.1": "2026-10-01T12:00:00Z",
}

# The vulnerabilities of widget itself (fictitious), as ACME's product security team tracks
# them. `advisory` is the CSAF advisory that publishes one (high and critical fixes get one),
# `fixes` the releases that fix it, `no_fix` the affected versions of cycles past end of life.
VULNS = {
    "CVE-2026-41234": dict(
        advisory="ACME-SA-2026-003",
        title="Path traversal in manifest file names lets a hostile manifest write outside the download directory",
        cwe=("CWE-22", "Improper Limitation of a Pathname to a Restricted Directory ('Path Traversal')"),
        vector="CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H", score=9.8, severity="critical",
        text="widget 2.2.0 to 2.4.0 writes each file a release manifest lists to the path the manifest names, without normalising it. A manifest served by an attacker, or altered on a compromised mirror, can name a path such as `../../.profile` and have widget overwrite any file the user running it can write, which leads to code execution.",
        discovered="2026-09-30T14:20:00Z", published="2026-10-01T12:00:00Z",
        affected=["2.2.9", "2.3.4", "2.4.0"], fixes=["2.3.5", "2.4.1"], no_fix=["2.2.9"],
        mitigation="Until you have upgraded, run widget only against manifests from https://downloads.acme.example, as an unprivileged user, in an empty working directory.",
        credit="Reported by Alex Reyes through security@acme.example",
        changelog="Reject manifest file names that are absolute or contain `..`: a hostile manifest could write outside the download directory",
    ),
    "CVE-2026-41235": dict(
        advisory="ACME-SA-2026-004",
        title="TLS certificate verification is skipped when WIDGET_CA_BUNDLE names a missing file",
        cwe=("CWE-295", "Improper Certificate Validation"),
        vector="CVSS:3.1/AV:N/AC:H/PR:N/UI:N/S:U/C:H/I:H/A:N", score=7.4, severity="high",
        text="When the environment variable WIDGET_CA_BUNDLE names a file that does not exist, widget 2.3.0 to 2.4.0 falls back to downloading without verifying the server's TLS certificate. An attacker on the network path can then serve a forged manifest and forged files.",
        discovered="2026-09-27T09:00:00Z", published="2026-10-01T12:00:00Z",
        affected=["2.3.4", "2.4.0"], fixes=["2.3.5", "2.4.1"], no_fix=[],
        mitigation="Until you have upgraded, unset WIDGET_CA_BUNDLE or make sure the file it names exists.",
        credit="Found by ACME's internal code review",
        changelog="Fail closed when `WIDGET_CA_BUNDLE` names a missing file, instead of skipping TLS certificate verification",
    ),
    "SEC-2026-007": dict(
        advisory=None, cwe=("CWE-532", "Insertion of Sensitive Information into Log File"),
        vector="CVSS:3.1/AV:L/AC:L/PR:L/UI:N/S:U/C:H/I:N/A:N", score=5.5, severity="medium",
        discovered="2026-09-08T11:00:00Z", published="2026-10-01T12:00:00Z",
        affected=["2.4.0"], fixes=["2.4.1"], no_fix=[],
        changelog="No longer log manifest URLs, which may carry credentials, at debug level",
    ),
    # Only in the failing bundle:
    "CVE-2026-41236": dict(
        advisory="ACME-SA-2026-005",
        title="Unbounded manifest size lets a download server exhaust widget's memory",
        cwe=("CWE-400", "Uncontrolled Resource Consumption"),
        vector="CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:H", score=7.5, severity="high",
        text="widget 2.4.0 reads a release manifest into memory whatever its size. A download server, or an attacker in its place, can send an endless manifest and make widget exhaust the memory of the machine it runs on.",
        discovered="2026-09-28T08:00:00Z", published="2026-10-01T12:00:00Z",
        affected=["2.4.0"], fixes=["2.4.1"], no_fix=[],
        mitigation="Until you have upgraded, run widget with a memory limit (`ulimit -v`, or a container limit).",
        credit="Found by ACME's fuzzing",
        changelog="Refuse manifests larger than 1 MiB",
    ),
    "GHSA-4m8r-q9wx-7v2c": dict(
        advisory="ACME-SA-2026-006",
        title="Symbolic links in a release archive are followed when widget unpacks it",
        cwe=("CWE-59", "Improper Link Resolution Before File Access ('Link Following')"),
        vector="CVSS:3.1/AV:N/AC:L/PR:N/UI:R/S:U/C:H/I:H/A:N", score=8.1, severity="high",
        text="`widget unpack` in widget 2.4.0 follows symbolic links stored in a release archive, so a crafted archive can make it write files outside the target directory.",
        discovered="2026-09-29T15:00:00Z", published="2026-10-01T12:00:00Z",
        affected=["2.4.0"], fixes=["2.4.1"], no_fix=[],
        mitigation="Until you have upgraded, unpack archives with `tar --no-same-owner -xf` instead of `widget unpack`.",
        credit="Reported by Kim Osei through GitHub private vulnerability reporting",
        changelog="`widget unpack` no longer follows symbolic links stored in an archive",
    ),
    "CVE-2026-41237": dict(
        advisory="ACME-SA-2026-007",
        title="Redirects from https to plain http are followed when downloading artifacts",
        cwe=("CWE-319", "Cleartext Transmission of Sensitive Information"),
        vector="CVSS:3.1/AV:N/AC:H/PR:N/UI:N/S:U/C:N/I:H/A:N", score=5.9, severity="medium",
        text="widget 2.4.0 follows a redirect from an https download URL to a plain http one, so an attacker on the network path can substitute the file. The SHA-256 check of `widget verify` still detects the substitution.",
        discovered="2026-09-20T10:00:00Z", published="2026-10-01T12:00:00Z",
        affected=["2.4.0"], fixes=["2.4.1"], no_fix=[],
        mitigation="Run `widget verify` after every download; it detects a substituted file.",
        credit="Found by ACME's internal code review",
        changelog="Never follow a redirect from https to plain http",
    ),
    "SEC-2026-010": dict(
        advisory=None, cwe=None, vector=None, score=None, severity=None,
        discovered="2026-10-01T18:30:00Z", published=None, affected=[], fixes=[], no_fix=[],
        status="under_investigation",
    ),
}

# What each bundle holds, and its faults. Every fault is marked FAULT.
VARIANTS = {
    "compliant": dict(
        version="2.4.1", cycle="2.4",
        vulns=["CVE-2026-41234", "CVE-2026-41235", "SEC-2026-007"],
        scan_at="2026-09-29T06:14:03Z", tls_scan_at="2026-09-28T03:00:00Z",
        changes={}, omit_from_changelog=[], omit_from_feed=[],
    ),
    "failing": dict(
        version="2.4.1", cycle="2.4",
        vulns=["CVE-2026-41234", "CVE-2026-41235", "SEC-2026-007", "CVE-2026-41236",
               "GHSA-4m8r-q9wx-7v2c", "CVE-2026-41237", "SEC-2026-010"],
        # FAULT (VULN-SCAN): the scan ran a month before the release.
        scan_at="2026-09-01T06:14:03Z", tls_scan_at="2026-09-28T03:00:00Z",
        changes={
            # FAULT (PATCH-SLA): the critical was reported five days before its fix shipped.
            "CVE-2026-41234": dict(discovered="2026-09-26T10:00:00Z"),
            # FAULT (BACKPORTS): no fix for the supported 2.3 cycle.
            "CVE-2026-41235": dict(fixes=["2.4.1"], none_available=["2.3.4"]),
            # FAULT (ADVISORIES): the advisory gives no mitigation or workaround.
            "CVE-2026-41236": dict(mitigation=None),
            # FAULT (CVE-REPORTED): the GitHub advisory was published, no CVE was requested.
            # FAULT (VULN-TRIAGE): SEC-2026-010 (reported yesterday evening) has no severity.
        },
        # FAULT (CHANGELOG-SECURITY): the 2.4.1 notes forget SEC-2026-007.
        omit_from_changelog=["SEC-2026-007"],
        # FAULT (ADVISORY-FEED): the feed was not updated for ACME-SA-2026-007.
        omit_from_feed=["ACME-SA-2026-007"],
    ),
    "waived": dict(
        version="2.3.5", cycle="2.3",
        vulns=["CVE-2026-41234", "CVE-2026-41235"],
        scan_at="2026-09-29T05:52:41Z", tls_scan_at="2026-09-28T03:00:00Z",
        changes={}, omit_from_changelog=[], omit_from_feed=[],
    ),
}


def sha256(path):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 16), b""):
            h.update(chunk)
    return h.hexdigest()


def write(path, text):
    os.makedirs(os.path.dirname(path) or ".", exist_ok=True)
    with open(path, "w", encoding="utf-8", newline="\n") as f:
        f.write(text)


def write_json(path, doc):
    write(path, json.dumps(doc, indent=2, ensure_ascii=False) + "\n")


def vulns_of(variant):
    v = VARIANTS[variant]
    out = {}
    for vid in v["vulns"]:
        facts = dict(VULNS[vid])
        facts.update(v["changes"].get(vid, {}))
        facts.setdefault("none_available", [])
        facts.setdefault("status", "fixed")
        out[vid] = facts
    return out


def cycle_of(version):
    return ".".join(version.split(".")[:2])


# --- SBOM: cyclonedx-py knows the dependencies, not the artifact they were packaged into ----

def sbom(raw, artifact, version, out):
    with open(raw, encoding="utf-8") as f:
        doc = json.load(f)
    name = os.path.basename(artifact)
    component = doc["metadata"]["component"]
    component["purl"] = PURL.format(version)
    component["hashes"] = [{"alg": "SHA-256", "content": sha256(artifact)}]
    component["externalReferences"] = [
        {"type": "distribution", "url": f"{DOWNLOADS}/{version}/{name}"},
        {"type": "vcs", "url": "https://git.acme.example/widget/widget"},
    ]
    component["supplier"] = {"name": "ACME Ltd", "url": ["https://acme.example"]}
    # The dependency graph: widget needs requests, requests needs the rest.
    refs = {c["name"]: c["bom-ref"] for c in doc["components"]}
    others = sorted(r for n, r in refs.items() if n != "requests")
    doc["dependencies"] = [
        {"ref": component["bom-ref"], "dependsOn": [refs["requests"]]},
        {"ref": refs["requests"], "dependsOn": others},
    ] + [{"ref": r} for r in others]
    write(out, json.dumps(doc, indent=2, sort_keys=True, ensure_ascii=False) + "\n")


# --- SLSA provenance v1 (an in-toto statement; signed by the build platform as DSSE) --------

def statement(out, version, artifacts):
    # When the release pipeline ran, its id, and the SOURCE_DATE_EPOCH it built with.
    built = {"2.4.1": ("2026-10-01T08:58:12Z", "2026-10-01T09:04:40Z", "81231", "1790845200"),
             "2.3.5": ("2026-10-01T07:58:03Z", "2026-10-01T08:03:57Z", "81224", "1790841600")}[version]
    commit = hashlib.sha1(f"widget v{version}".encode()).hexdigest()
    doc = {
        "_type": "https://in-toto.io/Statement/v1",
        "subject": [{"name": os.path.basename(a), "digest": {"sha256": sha256(a)}} for a in artifacts],
        "predicateType": "https://slsa.dev/provenance/v1",
        "predicate": {
            "buildDefinition": {
                "buildType": "https://ci.acme.example/buildtypes/python-release/v1",
                "externalParameters": {
                    "repository": "https://git.acme.example/widget/widget",
                    "ref": f"refs/tags/v{version}",
                    "workflow": ".ci/release.yml",
                },
                "internalParameters": {"SOURCE_DATE_EPOCH": built[3]},
                "resolvedDependencies": [{
                    "uri": f"git+https://git.acme.example/widget/widget@refs/tags/v{version}",
                    "digest": {"gitCommit": commit},
                }],
            },
            "runDetails": {
                "builder": {"id": "https://ci.acme.example/runners/release-hardened@v3"},
                "metadata": {
                    "invocationId": f"https://ci.acme.example/widget/widget/-/pipelines/{built[2]}",
                    "startedOn": built[0],
                    "finishedOn": built[1],
                },
            },
        },
    }
    # The DSSE payload is these exact bytes: compact JSON, no final newline.
    write(out, json.dumps(doc, separators=(",", ":")))


# --- CSAF 2.0 security advisories ----------------------------------------------------------

def pid(version):
    return f"CSAFPID-WIDGET-{version}"


def csaf(vid, v):
    versions = sorted(set(v["affected"]) | set(v["fixes"]), key=lambda s: [int(p) for p in s.split(".")])
    remediations = []
    for fixed in v["fixes"]:
        olds = [a for a in v["affected"] if cycle_of(a) == cycle_of(fixed)]
        remediations.append({
            "category": "vendor_fix",
            "date": RELEASED[fixed],
            "details": f"Upgrade to widget {fixed} (the {cycle_of(fixed)} cycle).",
            "product_ids": [pid(a) for a in olds],
            "url": f"{DOWNLOADS}/{fixed}/",
        })
    for old in v["no_fix"]:
        remediations.append({
            "category": "no_fix_planned",
            "details": f"widget {cycle_of(old)} reached end of life on 2026-04-01 and gets no fix; upgrade to a supported cycle.",
            "product_ids": [pid(old)],
        })
    for old in v["none_available"]:
        remediations.append({
            "category": "none_available",
            "details": f"No fix is available for the {cycle_of(old)} cycle yet.",
            "product_ids": [pid(old)],
        })
    if v.get("mitigation"):
        remediations.append({
            "category": "mitigation",
            "details": v["mitigation"],
            "product_ids": [pid(a) for a in v["affected"]],
        })
    fixed_products = [f for f in v["fixes"]]
    vuln = {}
    if vid.startswith("CVE-"):
        vuln["cve"] = vid
    else:
        vuln["ids"] = [{"system_name": "GitHub Security Advisory", "text": vid}]
    vuln.update({
        "acknowledgments": [{"summary": v["credit"]}],
        "cwe": {"id": v["cwe"][0], "name": v["cwe"][1]},
        "discovery_date": v["discovered"],
        "notes": [{"category": "description", "text": v["text"], "title": "Vulnerability description"}],
        "product_status": {
            "fixed": [pid(f) for f in fixed_products],
            "known_affected": [pid(a) for a in v["affected"]],
        },
        "release_date": v["published"],
        "remediations": remediations,
        "scores": [{
            "cvss_v3": {
                "baseScore": v["score"],
                "baseSeverity": SEVERITY_WORD[v["severity"]],
                "vectorString": v["vector"],
                "version": "3.1",
            },
            "products": [pid(a) for a in v["affected"]],
        }],
        "title": v["title"],
    })
    ident = v["advisory"]
    return {
        "document": {
            "aggregate_severity": {"text": v["severity"].capitalize()},
            "category": "csaf_security_advisory",
            "csaf_version": "2.0",
            "distribution": {"tlp": {"label": "WHITE", "url": "https://www.first.org/tlp/"}},
            "lang": "en",
            "notes": [{
                "category": "summary",
                "text": f"{v['title']} ({vid}). Fixed in widget {' and '.join(v['fixes'])}.",
                "title": "Summary",
            }],
            "publisher": {
                "category": "vendor",
                "contact_details": "security@acme.example",
                "name": "ACME Product Security",
                "namespace": "https://acme.example",
            },
            "references": [{
                "category": "self",
                "summary": "This advisory",
                "url": f"{ADVISORIES}/{ident.lower()}.json",
            }],
            "title": f"widget: {v['title']}",
            "tracking": {
                "current_release_date": v["published"],
                "generator": {"date": v["published"], "engine": {"name": "examples/bundles/build.sh"}},
                "id": ident,
                "initial_release_date": v["published"],
                "revision_history": [{"date": v["published"], "number": "1", "summary": "Initial release"}],
                "status": "final",
                "version": "1",
            },
        },
        "product_tree": {"branches": [{
            "category": "vendor",
            "name": "ACME",
            "branches": [{
                "category": "product_name",
                "name": "Widget",
                "branches": [{
                    "category": "product_version",
                    "name": ver,
                    "product": {
                        "name": f"ACME Widget {ver}",
                        "product_id": pid(ver),
                        "product_identification_helper": {"purl": PURL.format(ver)},
                    },
                } for ver in versions],
            }],
        }]},
        "vulnerabilities": [vuln],
    }


# --- The vulnerability register (vouch's own format) ---------------------------------------

def register(variant, vulns):
    version = VARIANTS[variant]["version"]
    lines = [
        "# ACME product security's vulnerability register for widget, exported for the",
        f"# {version} release: every vulnerability of widget itself, reported or found, with the",
        "# dates the patch SLA is judged by. Dependencies' vulnerabilities come from the scan and",
        "# the VEX document.",
    ]
    for vid, v in vulns.items():
        lines += ["", "[[vulnerability]]", f'id = "{vid}"']
        if v.get("advisory"):
            lines.append(f'aliases = ["{v["advisory"]}"]')
        lines.append('package = "widget"')
        if v["severity"]:
            lines += [f'severity = "{v["severity"]}"', f'cvss = "{v["vector"]}"', f"cvss_score = {v['score']}"]
        lines += [f'status = "{v["status"]}"', f"discovered = {v['discovered']}"]
        if v["published"]:
            lines.append(f"disclosed = {v['published']}")
        # The fix of this release's cycle (a backport release has its own).
        fixes = [f for f in v["fixes"] if cycle_of(f) == cycle_of(version)]
        if v["status"] == "fixed" and fixes:
            lines += [f"fixed_at = {RELEASED[fixes[0]]}", f'fixed_in = "{fixes[0]}"']
    return "\n".join(lines) + "\n"


# --- CHANGELOG.md (Keep a Changelog) ---------------------------------------------------------

def changelog(variant, vulns):
    version = VARIANTS[variant]["version"]
    omit = VARIANTS[variant]["omit_from_changelog"]
    head = [
        "# Changelog",
        "",
        "All notable changes to widget are documented in this file. The format is based on",
        "[Keep a Changelog](https://keepachangelog.com/en/1.1.0/), and widget adheres to",
        "[Semantic Versioning](https://semver.org/spec/v2.0.0.html). Security fixes are listed",
        "under **Security** with their CVE, GHSA or ACME id; advisories are published at",
        f"<{ADVISORIES}/>.",
        "",
        "## [Unreleased]",
        "",
        f"## [{version}] - 2026-10-01",
        "",
        "### Security",
        "",
    ]
    for vid, v in vulns.items():
        if v["status"] != "fixed" or version not in v["fixes"] or vid in omit:
            continue
        ref = f", {v['advisory']}" if v.get("advisory") else ""
        backport = "Backport: " if variant == "waived" else ""
        item = f"- {backport}{v['changelog']} ({vid}, {v['severity']}{ref})."
        head += textwrap.wrap(item, 92, subsequent_indent="  ", break_on_hyphens=False)
    if version == "2.4.1":
        head += [
            "",
            "### Changed",
            "",
            "- widget never reads `~/.netrc` or proxy settings from the environment (requests",
            "  `trust_env = False`), so it is not affected by CVE-2024-47081 in requests 2.32.3;",
            "  see the VEX statement published with this release.",
            "",
            "## [2.4.0] - 2026-04-01",
            "",
            "### Added",
            "",
            "- `widget verify` checks every file of a manifest against its SHA-256 digest.",
            "- `WIDGET_CA_BUNDLE` names a CA bundle for private download hosts.",
            "",
            "### Changed",
            "",
            "- widget needs Python 3.9 or newer.",
            "",
            "[Unreleased]: https://git.acme.example/widget/widget/compare/v2.4.1...main",
            "[2.4.1]: https://git.acme.example/widget/widget/compare/v2.4.0...v2.4.1",
            "[2.4.0]: https://git.acme.example/widget/widget/compare/v2.3.0...v2.4.0",
        ]
    else:
        head += [
            "",
            "## [2.3.4] - 2026-07-14",
            "",
            "### Fixed",
            "",
            "- A manifest with a byte-order mark is read instead of rejected.",
            "",
            "## [2.3.0] - 2025-10-01",
            "",
            "### Added",
            "",
            "- `widget fetch --retry N` retries a failed download.",
            "",
            "[Unreleased]: https://git.acme.example/widget/widget/compare/v2.3.5...release-2.3",
            "[2.3.5]: https://git.acme.example/widget/widget/compare/v2.3.4...v2.3.5",
            "[2.3.4]: https://git.acme.example/widget/widget/compare/v2.3.0...v2.3.4",
        ]
    return "\n".join(head) + "\n"


# --- The advisory feed (Atom) -----------------------------------------------------------------

EARLIER_ADVISORIES = [  # published before these releases; their CSAF files are not in the bundles
    ("ACME-SA-2026-001", "2026-02-17T12:00:00Z", "widget: manifest signature check accepts an expired key", "CVE-2026-21873"),
    ("ACME-SA-2026-002", "2026-07-14T12:00:00Z", "widget: crash on a manifest with a byte-order mark", "CVE-2026-33012"),
]


def feed(variant, vulns):
    omit = VARIANTS[variant]["omit_from_feed"]
    entries = list(EARLIER_ADVISORIES)
    for vid, v in vulns.items():
        if v.get("advisory") and v["status"] == "fixed":
            entries.append((v["advisory"], v["published"], f"widget: {v['title']}", vid))
    entries = [e for e in entries if e[0] not in omit]
    entries.sort(key=lambda e: (e[1], e[0]), reverse=True)
    out = [
        '<?xml version="1.0" encoding="utf-8"?>',
        '<feed xmlns="http://www.w3.org/2005/Atom">',
        "  <title>ACME security advisories</title>",
        "  <subtitle>Security advisories for ACME products, newest first</subtitle>",
        f'  <link rel="self" href="{ADVISORIES}/feed.atom"/>',
        f'  <link rel="alternate" href="{ADVISORIES}/"/>',
        f"  <id>{ADVISORIES}/feed.atom</id>",
        f"  <updated>{entries[0][1]}</updated>",
        "  <author><name>ACME Product Security</name><email>security@acme.example</email></author>",
    ]
    for ident, when, title, vid in entries:
        out += [
            "  <entry>",
            f"    <title>{ident}: {xml(title)} ({vid})</title>",
            f'    <link rel="alternate" href="{ADVISORIES}/{ident.lower()}"/>',
            f'    <link rel="related" type="application/json" href="{ADVISORIES}/{ident.lower()}.json"/>',
            f"    <id>{ADVISORIES}/{ident.lower()}</id>",
            f"    <published>{when}</published>",
            f"    <updated>{when}</updated>",
            f"    <summary>{xml(title)}. See {ident} for the affected versions, fixes and mitigations.</summary>",
            "  </entry>",
        ]
    out.append("</feed>")
    return "\n".join(out) + "\n"


def xml(text):
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("`", "")


# --- OpenVEX: the dependency vulnerability widget is not affected by ------------------------

def openvex(version):
    return {
        "@context": "https://openvex.dev/ns/v0.2.0",
        "@id": f"https://acme.example/security/vex/widget-{version}.openvex.json",
        "author": "ACME Product Security <security@acme.example>",
        "role": "Document Creator",
        "timestamp": "2026-09-29T09:30:00Z",
        "version": 1,
        "statements": [{
            "vulnerability": {
                "@id": "https://nvd.nist.gov/vuln/detail/CVE-2024-47081",
                "name": "CVE-2024-47081",
                "aliases": ["GHSA-9hjg-9r4m-mvj7"],
            },
            "timestamp": "2026-09-29T09:30:00Z",
            "products": [{
                "@id": PURL.format(version),
                "subcomponents": [{"@id": "pkg:pypi/requests@2.32.3"}],
            }],
            "status": "not_affected",
            "justification": "inline_mitigations_already_exist",
            "impact_statement": "widget creates its requests Session with trust_env = False, so requests never reads ~/.netrc and the credentials leak of CVE-2024-47081 cannot happen.",
        }],
    }


# --- Trivy (`trivy fs --format json .` in the source tree), written as Trivy writes it ------

REQUIREMENTS = [  # name, version, line in requirements.txt, Trivy's package UID
    ("requests", "2.32.3", 1, "3d0b0a8e4f6d2c71"),
    ("urllib3", "2.5.0", 2, "9b7e1c44a2f0d856"),
    ("idna", "3.10", 3, "c41f2e9a7d0b3e18"),
    ("certifi", "2025.8.3", 4, "5e8a0c1d9f3b7a62"),
    ("charset-normalizer", "3.4.3", 5, "a07d3b6e2c9f4815"),
]


def trivy(version, created_at):
    packages = [{
        "Name": n,
        "Identifier": {"PURL": f"pkg:pypi/{n}@{v}", "UID": uid},
        "Version": v,
        "Locations": [{"StartLine": line, "EndLine": line}],
    } for n, v, line, uid in sorted(REQUIREMENTS)]
    return {
        "SchemaVersion": 2,
        "ReportID": "0199a1f4-2b7e-7c31-8d5a-6e0f4b9c2a17" if version == "2.4.1" else "0199a1f3-9c02-7e44-b1d6-2f8a5c7e0d93",
        "CreatedAt": created_at,
        "ArtifactName": f"widget-{version}",
        "ArtifactType": "filesystem",
        "Results": [{
            "Target": "requirements.txt",
            "Class": "lang-pkgs",
            "Type": "pip",
            "Packages": packages,
            "Vulnerabilities": [{
                "VulnerabilityID": "CVE-2024-47081",
                "PkgName": "requests",
                "PkgIdentifier": {"PURL": "pkg:pypi/requests@2.32.3", "UID": "3d0b0a8e4f6d2c71"},
                "InstalledVersion": "2.32.3",
                "FixedVersion": "2.32.4",
                "Status": "fixed",
                "SeveritySource": "ghsa",
                "PrimaryURL": "https://avd.aquasec.com/nvd/cve-2024-47081",
                "DataSource": {
                    "ID": "ghsa",
                    "Name": "GitHub Security Advisory pip",
                    "URL": "https://github.com/advisories?query=type%3Areviewed+ecosystem%3Apip",
                },
                "Fingerprint": "sha256:" + hashlib.sha256(b"requirements.txt:requests@2.32.3:CVE-2024-47081").hexdigest(),
                "Title": "requests: Requests vulnerable to .netrc credentials leak via malicious URLs",
                "Description": "Requests is a HTTP library. Due to a URL parsing issue, Requests releases prior to 2.32.4 may leak .netrc credentials to third parties for specific maliciously-crafted URLs. Users should upgrade to version 2.32.4 to receive a fix. For older versions of Requests, use of the .netrc file can be disabled with `trust_env=False` on your Requests Session.",
                "Severity": "MEDIUM",
                "CweIDs": ["CWE-522"],
                "VendorSeverity": {"ghsa": 2},
                "CVSS": {"ghsa": {"V3Vector": "CVSS:3.1/AV:N/AC:H/PR:N/UI:R/S:U/C:H/I:N/A:N", "V3Score": 5.3}},
                "References": [
                    "https://github.com/psf/requests/security/advisories/GHSA-9hjg-9r4m-mvj7",
                    "https://nvd.nist.gov/vuln/detail/CVE-2024-47081",
                ],
                "PublishedDate": "2025-06-09T18:15:24.983Z",
                "LastModifiedDate": "2025-06-12T16:06:47.857Z",
            }],
        }],
    }


# --- testssl.sh 3.2 (`--json-pretty`) of the download host ---------------------------------

def testssl(when_epoch):
    def item(i, sev, finding):
        return {"id": i, "severity": sev, "finding": finding}
    return {
        "Invocation": "testssl.sh --json-pretty scans/testssl-downloads.acme.example.json https://downloads.acme.example",
        "at": "release-runner:/usr/bin/openssl.Linux.x86_64",
        "version": "3.2.0 ",
        "openssl": "OpenSSL 3.0.13 from Tue Jan 30 12:00:00 2024",
        "startTime": str(when_epoch),
        "scanResult": [{
            "targetHost": "downloads.acme.example",
            "ip": "203.0.113.10",
            "port": "443",
            "rDNS": "downloads.acme.example.",
            "service": "HTTP",
            "protocols": [
                item("SSLv2", "OK", "not offered"),
                item("SSLv3", "OK", "not offered"),
                item("TLS1", "INFO", "not offered"),
                item("TLS1_1", "INFO", "not offered"),
                item("TLS1_2", "OK", "offered"),
                item("TLS1_3", "OK", "offered with final"),
            ],
            "ciphers": [
                item("cipherlist_NULL", "OK", "not offered"),
                item("cipherlist_aNULL", "OK", "not offered"),
                item("cipherlist_EXPORT", "OK", "not offered"),
                item("cipherlist_LOW", "OK", "not offered"),
                item("cipherlist_3DES_IDEA", "INFO", "not offered"),
                item("cipherlist_OBSOLETED", "INFO", "not offered"),
                item("cipherlist_STRONG_NOFS", "OK", "not offered"),
                item("cipherlist_STRONG_FS", "OK", "offered"),
            ],
            "headerResponse": [
                item("HSTS_time", "OK", "730 days (=63072000 seconds) > 15552000 seconds"),
                item("HSTS_subdomains", "OK", "includes subdomains"),
                item("HSTS_preload", "OK", "domain IS marked for preloading"),
            ],
        }],
        "scanTime": 57,
    }


def documents(variant, bundle):
    cfg = VARIANTS[variant]
    version = cfg["version"]
    vulns = vulns_of(variant)
    write(os.path.join(bundle, "vulnerabilities.toml"), register(variant, vulns))
    for vid, v in vulns.items():
        if v.get("advisory") and v["status"] == "fixed":
            write_json(os.path.join(bundle, "advisories", f"{v['advisory'].lower()}.json"), csaf(vid, v))
    write(os.path.join(bundle, "CHANGELOG.md"), changelog(variant, vulns))
    write(os.path.join(bundle, "advisories", "feed.atom"), feed(variant, vulns))
    write_json(os.path.join(bundle, "vex", f"widget-{version}.openvex.json"), openvex(version))
    write_json(os.path.join(bundle, "scans", f"trivy-widget-{version}.json"), trivy(version, cfg["scan_at"]))
    from datetime import datetime
    when = int(datetime.fromisoformat(cfg["tls_scan_at"].replace("Z", "+00:00")).timestamp())
    write_json(os.path.join(bundle, "scans", "testssl-downloads.acme.example.json"), testssl(when))


if __name__ == "__main__":
    cmd, args = sys.argv[1], sys.argv[2:]
    if cmd == "sbom":
        sbom(*args)
    elif cmd == "statement":
        statement(args[0], args[1], args[2:])
    elif cmd == "documents":
        documents(*args)
    else:
        sys.exit(f"unknown command {cmd}")
PY
evidence() { python3 "$work/evidence.py" "$@"; }

# ---------------------------------------------------------------------------------------------
# The product: widget, a small Python command-line tool, one source tree per version.
# ---------------------------------------------------------------------------------------------
source_tree() { # VERSION DIR
  local version=$1 dir=$2
  mkdir -p "$dir/src/widget"
  cat > "$dir/pyproject.toml" <<EOF
[build-system]
requires = ["setuptools>=69"]
build-backend = "setuptools.build_meta"

[project]
name = "widget"
version = "$version"
description = "Download an ACME release manifest and check the files it lists"
readme = "README.md"
license = "Apache-2.0"
requires-python = ">=3.9"
authors = [{ name = "ACME Ltd", email = "widget@acme.example" }]
dependencies = ["requests==2.32.3"]

[project.scripts]
widget = "widget.cli:main"

[project.urls]
Homepage = "https://acme.example/widget"
Security = "https://acme.example/.well-known/security.txt"
EOF
  cat > "$dir/requirements.txt" <<'EOF'
requests==2.32.3
urllib3==2.5.0
idna==3.10
certifi==2025.8.3
charset-normalizer==3.4.3
EOF
  cat > "$dir/README.md" <<EOF
# widget $version

widget downloads an ACME release manifest and checks every file it lists against its
SHA-256 digest.

    pip install widget-$version.tar.gz
    widget fetch https://downloads.acme.example/widget/latest/manifest.json

Report vulnerabilities as described in https://acme.example/.well-known/security.txt.
Licensed under the Apache License, Version 2.0.
EOF
  printf '"""widget: download an ACME release manifest and check the files it lists."""\n\n__version__ = "%s"\n' \
    "$version" > "$dir/src/widget/__init__.py"
  cat > "$dir/src/widget/cli.py" <<'EOF'
"""The `widget` command."""

import argparse
import hashlib
import os
import pathlib
import sys

import requests

MAX_MANIFEST = 1 << 20


def session():
    s = requests.Session()
    s.trust_env = False  # never read ~/.netrc or proxy settings from the environment
    ca = os.environ.get("WIDGET_CA_BUNDLE")
    if ca is not None and not os.path.isfile(ca):
        raise SystemExit(f"widget: WIDGET_CA_BUNDLE names a missing file: {ca}")
    s.verify = ca or True
    return s


def safe_name(name):
    path = pathlib.PurePosixPath(name)
    if path.is_absolute() or len(path.parts) != 1 or path.name in ("", ".", ".."):
        raise SystemExit(f"widget: refusing file name {name!r} from the manifest")
    return path.name


def fetch(url):
    s = session()
    r = s.get(url, timeout=30)
    r.raise_for_status()
    if len(r.content) > MAX_MANIFEST:
        raise SystemExit("widget: manifest larger than 1 MiB")
    for entry in r.json()["files"]:
        name = safe_name(entry["name"])
        body = s.get(entry["url"], timeout=300).content
        if hashlib.sha256(body).hexdigest() != entry["sha256"]:
            raise SystemExit(f"widget: {name}: SHA-256 mismatch")
        pathlib.Path(name).write_bytes(body)
        print(f"{name}: OK")


def main(argv=None):
    parser = argparse.ArgumentParser(prog="widget")
    parser.add_argument("command", choices=["fetch"])
    parser.add_argument("url")
    args = parser.parse_args(argv)
    fetch(args.url)
    return 0


if __name__ == "__main__":
    sys.exit(main())
EOF
}

package() { # VERSION WHEN(date) OUTDIR: writes OUTDIR/widget-VERSION.tar.gz and .zip
  local version=$1 when=$2 out=$3 name="widget-$1" tree
  tree="$(mktemp -d "$work/src.XXXXXX")"
  source_tree "$version" "$tree/$name"
  find "$tree/$name" -type d -exec chmod 755 {} +
  find "$tree/$name" -type f -exec chmod 644 {} +
  find "$tree/$name" -exec touch -d "$when" {} +
  mkdir -p "$out"
  tar --sort=name --format=gnu --mtime="$when" --owner=0 --group=0 --numeric-owner \
    -C "$tree" -cf - "$name" | gzip -n -9 > "$out/$name.tar.gz"
  (cd "$tree" && find "$name" -type f | sort > "$tree/files" &&
    rm -f "$out/$name.zip" && zip -q -X -D "$out/$name.zip" -@ < "$tree/files")
  cp "$tree/$name/pyproject.toml" "$tree/$name/requirements.txt" "$work/"
}

sboms() { # VERSION BUNDLE ARTIFACT...: one CycloneDX SBOM per artifact, linked by its digest
  local version=$1 bundle=$2 a
  shift 2
  mkdir -p "$bundle/sbom"
  # cyclonedx-py from the pinned requirements, reproducible, dated at the build.
  SOURCE_DATE_EPOCH="$(epoch "2026-10-01T09:00:00Z")" "$cyclonedx_py" requirements \
    --pyproject "$work/pyproject.toml" --output-reproducible --sv 1.6 \
    -o "$work/raw.cdx.json" "$work/requirements.txt" 2>/dev/null
  for a in "$@"; do
    evidence sbom "$work/raw.cdx.json" "$a" "$version" "$bundle/sbom/$(basename "$a").cdx.json"
  done
}

provenance() { # VERSION BUNDLE ARTIFACT...: SLSA provenance naming ARTIFACTs, signed as DSSE
  local version=$1 bundle=$2 type=application/vnd.in-toto+json len keyid sig
  shift 2
  mkdir -p "$bundle/provenance"
  evidence statement "$work/statement.json" "$version" "$@"
  len=$(wc -c < "$work/statement.json" | tr -d ' ')
  { printf 'DSSEv1 %d %s %d ' "${#type}" "$type" "$len"; cat "$work/statement.json"; } > "$work/pae.bin"
  sig=$(openssl pkeyutl -sign -rawin -inkey "$keys/TEST-ONLY-widget-build.key.pem" \
    -in "$work/pae.bin" | base64 -w0)
  keyid=$(openssl pkey -pubin -in "$keys/TEST-ONLY-widget-build.pub.pem" -outform DER |
    openssl dgst -sha256 -r | cut -d' ' -f1)
  printf '{"payloadType":"%s","payload":"%s","signatures":[{"keyid":"%s","sig":"%s"}]}\n' \
    "$type" "$(base64 -w0 < "$work/statement.json")" "$keyid" "$sig" \
    > "$bundle/provenance/widget-$version.intoto.jsonl"
}

security_txt() { # EXPIRES GPGHOME SIGNED_AT BUNDLE: .well-known/security.txt, cleartext-signed
  local expires=$1 home=$2 signed=$3 bundle=$4
  mkdir -p "$bundle/.well-known"
  cat > "$work/security.txt" <<EOF
# ACME's vulnerability disclosure contact (RFC 9116). Reports are read within one
# working day; see the policy for what happens next and how we credit reporters.
Contact: mailto:security@acme.example
Contact: https://acme.example/security/report
Expires: $expires
Encryption: https://acme.example/.well-known/security-team.asc
Policy: https://acme.example/security/disclosure-policy
Acknowledgments: https://acme.example/security/thanks
Preferred-Languages: en, de
Canonical: https://acme.example/.well-known/security.txt
CSAF: https://acme.example/.well-known/csaf/provider-metadata.json
EOF
  gpg_clearsign "$home" "$signed" "$work/security.txt" "$bundle/.well-known/security.txt"
}

support_toml() { # the published support periods of every widget cycle
  cat <<'EOF'
# widget's support periods, as published at https://acme.example/widget/support.
# support_until: end of bug fixes; eol: end of security fixes; eol_announced: when the
# end of life was published.

[[cycle]]
cycle = "2.4"
released = 2026-04-01
support_until = 2027-04-01
eol = 2027-10-01
eol_announced = 2026-04-01

[[cycle]]
cycle = "2.3"
released = 2025-10-01
support_until = 2026-04-01
eol = 2027-04-01
eol_announced = 2025-10-01

[[cycle]]
cycle = "2.2"
released = 2025-04-01
support_until = 2025-10-01
eol = 2026-04-01
eol_announced = 2025-04-01
EOF
}

# The statement of each manual control of the uk-sscop pack, quoted exactly: an attestation
# names its control and quotes its `manual "..."` statement, so that a signed attestation for
# one control cannot be replayed for another (#14).
statement_of() { # CONTROL
  case "$1" in
    ROLLBACK) echo "Rolling back a failed update to the previous release was tested" ;;
    INCIDENT-PLAN) echo "The incident response and customer communication plan exists and was reviewed" ;;
    TRAINING) echo "Developers and support staff were trained in patch triage, CVSS scoring, secure changelogs and advisories" ;;
    *) echo "build: no statement for control $1" >&2; exit 1 ;;
  esac
}

attestation() { # FILE CONTROL DATE BY DETAILS EVIDENCE: the statement quoted, what was done in a comment
  mkdir -p "$(dirname "$1")"
  cat > "$1" <<EOF
# $5
[attestation]
control = "$2"
statement = "$(statement_of "$2")"
attested_by = "$4"
date = $3
evidence = ["$6"]
EOF
}

# Everything a release of VERSION ships, signed and attested as ACME's pipeline does it. The
# variants below then change what they need.
release_bundle() { # VARIANT VERSION PREVIOUS BUILT_AT SIGNED_AT RELEASED_AT BUNDLE
  local variant=$1 version=$2 previous=$3 built=$4 signed=$5 released=$6 bundle=$7
  local dist="$bundle/dist" tar zip
  rm -rf "$bundle"
  mkdir -p "$dist"
  package "$version" "$built" "$dist"
  tar="$dist/widget-$version.tar.gz"
  zip="$dist/widget-$version.zip"
  (cd "$dist" && sha256sum -- "widget-$version.tar.gz" "widget-$version.zip" > SHA256SUMS)
  for f in "$tar" "$zip"; do
    gpg_sign "$gpg_release" "$(date -u -d "$signed" +%Y%m%dT%H%M%S)" "$f"
    minisign_sign "$signed" "$f"
  done
  cp "$keys/TEST-ONLY-widget-release.pub.asc" "$bundle/KEYS"
  sboms "$version" "$bundle" "$tar" "$zip"
  provenance "$version" "$bundle" "$tar" "$zip"
  evidence documents "$variant" "$bundle"
  security_txt "2027-06-30T23:00:00.000Z" "$gpg_release" 20260915T090000 "$bundle"
  support_toml > "$bundle/support.toml"
  cat > "$bundle/release.toml" <<EOF
[release]
product = "widget"
version = "$version"
date = $released
previous = "$previous"
artifacts = ["dist/widget-$version.tar.gz", "dist/widget-$version.zip"]

[[distribution]]
url = "https://downloads.acme.example/widget/$version/widget-$version.tar.gz"

[[distribution]]
url = "https://downloads.acme.example/widget/$version/widget-$version.zip"
EOF
  attestation "$bundle/attestations/rollback.toml" ROLLBACK 2026-09-30 \
    "Jo Bloggs <jo.bloggs@acme.example>" \
    "Rolled widget $version-rc2 back to $previous on the staging fleet with the documented procedure; all health checks green within 4 minutes" \
    "https://ci.acme.example/widget/widget/-/jobs/552190"
  attestation "$bundle/attestations/incident-plan.toml" INCIDENT-PLAN 2026-06-12 \
    "Priya Shah <priya.shah@acme.example>" \
    "Incident response and customer communication plan IRP-3 reviewed at the Q2 security review: contact tree, status-page and advisory templates updated" \
    "https://wiki.acme.example/security/irp-3?version=14"
  attestation "$bundle/attestations/training.toml" TRAINING 2026-03-20 \
    "Priya Shah <priya.shah@acme.example>" \
    "All widget developers and support staff completed the 2026 security maintenance course: patch triage, CVSS scoring, secure changelogs, advisories" \
    "https://lms.acme.example/reports/sec-maint-2026"
  # Each attestation is signed by the person who gives it (a detached OpenPGP signature beside
  # it, `NAME.toml.asc`), on the day they attest: Jo Bloggs the rollback test, Priya Shah the
  # incident plan review and the training.
  gpg_sign "$gpg_jo" 20260930T160000 "$bundle/attestations/rollback.toml"
  gpg_sign "$gpg_priya" 20260612T150000 "$bundle/attestations/incident-plan.toml"
  gpg_sign "$gpg_priya" 20260320T120000 "$bundle/attestations/training.toml"
}

# ---------------------------------------------------------------------------------------------
# compliant/: widget 2.4.1, everything in order.
# ---------------------------------------------------------------------------------------------
release_bundle compliant 2.4.1 2.4.0 "2026-10-01T09:00:00Z" "2026-10-01T11:30:00Z" \
  "2026-10-01T12:00:00Z" "$out/compliant"
echo "build: wrote $out/compliant"

# ---------------------------------------------------------------------------------------------
# failing/: the same release, one fault per automated control.
# ---------------------------------------------------------------------------------------------
b="$out/failing"
release_bundle failing 2.4.1 2.4.0 "2026-10-01T09:00:00Z" "2026-10-01T11:30:00Z" \
  "2026-10-01T12:00:00Z" "$b"

# FAULT (CHECKSUMS): SHA256SUMS still holds the tarball's digest from the release-candidate
# build of the evening before; the tarball was rebuilt and the file not regenerated.
package 2.4.1 "2026-09-30T17:00:00Z" "$work/rc"
(cd "$work/rc" && sha256sum -- widget-2.4.1.tar.gz) > "$work/rc.sum"
(cd "$b/dist" && { cat "$work/rc.sum"; grep ' widget-2.4.1.zip$' SHA256SUMS; } > SHA256SUMS.new &&
  mv SHA256SUMS.new SHA256SUMS)

# FAULT (SIGNED-ARTIFACTS): the zip was re-signed on a developer's laptop with their own key,
# which ACME does not trust (their key was added to KEYS, which changes nothing), and has no
# minisign signature.
rm "$b/dist/widget-2.4.1.zip.asc" "$b/dist/widget-2.4.1.zip.minisig"
gpg_sign "$gpg_laptop" 20261001T114500 "$b/dist/widget-2.4.1.zip"
cat "$keys/TEST-ONLY-personal-laptop.pub.asc" >> "$b/KEYS"

# FAULT (PROVENANCE): the build platform's provenance names only the tarball; the zip was
# repackaged by hand after the build.
provenance 2.4.1 "$b" "$b/dist/widget-2.4.1.tar.gz"

# FAULT (SBOM): no SBOM for the zip.
rm "$b/sbom/widget-2.4.1.zip.cdx.json"

# FAULT (TLS-ONLY): a mirror serves the release over plain http.
cat >> "$b/release.toml" <<'EOF'

[[distribution]]
url = "http://mirror.acme.example/widget/2.4.1/widget-2.4.1.tar.gz"
EOF

# FAULT (VDP) and FAULT (ACME-SECURITY-TXT-SIGNED): the security.txt was last edited in
# February, signed with the editor's own key, and expired a month ago.
security_txt "2026-09-01T00:00:00.000Z" "$gpg_laptop" 20260212T100000 "$b"

# FAULT (SUPPORT-PERIODS, SUPPORTED-RELEASE, EOL-NOTICE): support.toml was last updated for
# 2.3.0. The 2.4 cycle is missing, 2.3 has no end-of-life date, and 2.2's end of life was
# announced only six months ahead.
cat > "$b/support.toml" <<'EOF'
# widget's support periods, as published at https://acme.example/widget/support.
# support_until: end of bug fixes; eol: end of security fixes; eol_announced: when the
# end of life was published.

[[cycle]]
cycle = "2.3"
released = 2025-10-01
support_until = 2026-04-01

[[cycle]]
cycle = "2.2"
released = 2025-04-01
support_until = 2025-10-01
eol = 2026-04-01
eol_announced = 2025-10-01
EOF

# The manual controls: no rollback test attested; the incident plan's last review is more
# than a year old and its attestation is unsigned; the training was attested by a developer
# and signed with their personal key, which ACME does not trust (it is in the bundle's KEYS,
# which changes nothing).
rm "$b/attestations/rollback.toml" "$b/attestations/rollback.toml.asc" \
  "$b/attestations/incident-plan.toml.asc"
attestation "$b/attestations/incident-plan.toml" INCIDENT-PLAN 2025-06-15 \
  "Priya Shah <priya.shah@acme.example>" \
  "Incident response and customer communication plan IRP-2 reviewed at the Q2 security review" \
  "https://wiki.acme.example/security/irp-2?version=9"
attestation "$b/attestations/training.toml" TRAINING 2026-03-20 \
  "Sam Developer <sam@users.acme.example>" \
  "Everyone did the course, I think" \
  "https://lms.acme.example/reports/sec-maint-2026"
gpg_sign "$gpg_laptop" 20260320T120000 "$b/attestations/training.toml"
echo "build: wrote $b"

# ---------------------------------------------------------------------------------------------
# waived/: widget 2.3.5, the backport release, from the 2.3 cycle's legacy pipeline.
# ---------------------------------------------------------------------------------------------
b="$out/waived"
release_bundle waived 2.3.5 2.3.4 "2026-10-01T08:00:00Z" "2026-10-01T09:40:00Z" \
  "2026-10-01T10:00:00Z" "$b"

# Waived (W-2026-031, in force): the 2.3 cycle is still mirrored over plain http for customers
# whose appliances cannot do TLS 1.2.
cat >> "$b/release.toml" <<'EOF'

[[distribution]]
url = "http://legacy-mirror.acme.example/widget/2.3.5/widget-2.3.5.tar.gz"
EOF

# Waived (W-2026-032, in force): the 2.3 cycle builds on the legacy runner, which emits no
# provenance.
rm -r "$b/provenance"

# Waived by W-2026-019, which expired on 2026-09-15: no SBOM for the zip.
rm "$b/sbom/widget-2.3.5.zip.cdx.json"
echo "build: wrote $b"

# ---------------------------------------------------------------------------------------------
# signed-sums/: widget 2.4.1 signed only through its checksum file: no signature over either
# artifact, one detached signature over SHA256SUMS by the release key, made at the time the
# compliant bundle's artifact signatures were. SIGNED-ARTIFACTS passes through the chain
# artifact <- SHA256SUMS (matching digest) <- SHA256SUMS.asc (trusted key).
# ---------------------------------------------------------------------------------------------
b="$out/signed-sums"
release_bundle compliant 2.4.1 2.4.0 "2026-10-01T09:00:00Z" "2026-10-01T11:30:00Z" \
  "2026-10-01T12:00:00Z" "$b"
rm "$b"/dist/*.tar.gz.asc "$b"/dist/*.zip.asc "$b"/dist/*.minisig
gpg_sign "$gpg_release" 20261001T113000 "$b/dist/SHA256SUMS"
echo "build: wrote $b"
