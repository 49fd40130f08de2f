#!/usr/bin/env bash
# Audit the installed Python dependencies for known vulnerabilities with pip-audit.
#   scripts/audit.sh [extra pip-audit options]      e.g. -s osv
# Prints every finding and exits 1 when there is one. When the vulnerability service cannot be reached (offline,
# a mirror without PyPI's JSON API), it says so and exits 0: a network problem never fails the build.
set -u
cd "$(dirname "$0")/.."
PY=${PYTHON:-.venv/bin/python}
PIP_AUDIT=${PIP_AUDIT:-.venv/bin/pip-audit}
if [ ! -x "$PIP_AUDIT" ]; then
  echo "audit: $PIP_AUDIT not found (install the dev extra: pip install -e '.[dev]'); skipped."
  exit 0
fi
report=$(mktemp)
errors=$(mktemp)
trap 'rm -f "$report" "$errors"' EXIT

"$PIP_AUDIT" --local --skip-editable --progress-spinner off --timeout 30 --format json --output "$report" "$@" \
  2>"$errors"
rc=$?

"$PY" - "$report" "$errors" "$rc" <<'PYEOF'
import json
import sys

report, errors, rc = sys.argv[1], sys.argv[2], int(sys.argv[3])
try:
    deps = json.load(open(report))["dependencies"]
except (OSError, ValueError, KeyError):
    tail = open(errors).read().strip().splitlines()[-3:]
    print("audit: pip-audit could not reach the vulnerability service; nothing was audited.")
    print("\n".join("  " + line for line in tail))
    sys.exit(0)
vulns = [(d["name"], d["version"], v) for d in deps for v in d.get("vulns", [])]
skipped = [d for d in deps if "skip_reason" in d]
audited = len(deps) - len(skipped)
for name, version, v in vulns:
    fixed = ", ".join(v.get("fix_versions") or []) or "no fix yet"
    print(f"{name} {version}: {v['id']} (fixed in: {fixed}) {' '.join(v.get('aliases') or [])}".rstrip())
if audited == 0 and deps:
    print(f"audit: none of the {len(deps)} packages could be looked up (the package index answered without "
          "vulnerability data, e.g. an offline mirror); nothing was audited.")
    sys.exit(0)
print(f"audit: {audited} packages audited, {len(skipped)} skipped, {len(vulns)} known vulnerabilities.")
sys.exit(1 if vulns else 0)
PYEOF
