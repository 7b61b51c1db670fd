#!/usr/bin/env bash
# Checks deploy/kubernetes and deploy/systemd without a cluster or a running systemd:
#  - kubectl kustomize renders deploy/kubernetes (offline), and kubernetes-validate (PyPI, pinned,
#    in a virtual environment outside the checkout) validates every rendered object strictly
#    (unknown fields are errors) against the Kubernetes 1.30 and 1.37 schemas it ships;
#  - the Dockerfile parses (dockerfile, PyPI: Docker's own parser);
#  - systemd-analyze verify loads the units (the template as an instance), and the timer's
#    OnCalendar expression parses.
# Exits non-zero if a check fails or a tool is missing.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

passed=0 failed=0
ok() { passed=$((passed + 1)); echo "  ok    $*"; }
bad() { failed=$((failed + 1)); echo "  FAIL  $*"; }
need() { command -v "$1" >/dev/null || { echo "validate: $1 is not installed ($2)" >&2; exit 2; }; }
need kubectl "Debian: kubectl; only its offline 'kustomize' subcommand is used"
need systemd-analyze "Debian: systemd"
need python3 "Debian: python3"

venv="${SYNTAXLAKE_DEPLOY_VENV:-$HOME/.cache/syntaxlake/deploy-venv}"
if [[ ! -x "$venv/bin/kubernetes-validate" || ! -f "$venv/.pins-1" ]]; then
  python3 -m venv "$venv"
  "$venv/bin/pip" install -q --disable-pip-version-check "kubernetes-validate==1.37.0" "dockerfile==3.4.0"
  touch "$venv/.pins-1"
fi
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

if kubectl kustomize deploy/kubernetes >"$work/k8s.yaml" 2>"$work/kustomize.err"; then
  ok "kubectl kustomize deploy/kubernetes renders $(grep -c '^kind:' "$work/k8s.yaml") objects"
  for version in 1.30.0 1.37.0; do
    if "$venv/bin/kubernetes-validate" --strict --quiet -k "$version" "$work/k8s.yaml"; then
      ok "every object validates strictly against Kubernetes $version"
    else
      bad "objects do not validate against Kubernetes $version (above)"
    fi
  done
  if "$venv/bin/python" - "$work/k8s.yaml" <<'PY'
import sys, yaml
docs = [d for d in yaml.safe_load_all(open(sys.argv[1])) if d]
kinds = {d["kind"]: d for d in docs}
problems = []
for kind in ("Deployment", "CronJob"):
    if kind not in kinds:
        problems.append(f"no {kind}")
        continue
    spec = kinds[kind]["spec"]
    pod = spec["template"]["spec"] if kind == "Deployment" else spec["jobTemplate"]["spec"]["template"]["spec"]
    for c in pod["containers"]:
        sc = c.get("securityContext", {})
        if not (sc.get("readOnlyRootFilesystem") and sc.get("allowPrivilegeEscalation") is False):
            problems.append(f"{kind}/{c['name']}: root file system writable or privilege escalation allowed")
        if not (c.get("resources", {}).get("limits", {}).get("memory")):
            problems.append(f"{kind}/{c['name']}: no memory limit")
    if not pod.get("securityContext", {}).get("runAsNonRoot"):
        problems.append(f"{kind}: may run as root")
cron = kinds.get("CronJob", {}).get("spec", {})
if cron.get("concurrencyPolicy") != "Forbid" or cron.get("timeZone") != "Etc/UTC":
    problems.append("CronJob: concurrencyPolicy must be Forbid and timeZone Etc/UTC")
if "Secret" in kinds:
    problems.append("a Secret is part of the manifests: secret values do not belong in the repository")
for p in problems:
    print("    " + p)
sys.exit(1 if problems else 0)
PY
  then ok "workloads: non-root, read-only root file system, memory limits; CronJob Forbid in UTC; no Secret"
  else bad "workload policy (above)"; fi
else
  cat "$work/kustomize.err" >&2
  bad "kubectl kustomize deploy/kubernetes"
fi

if "$venv/bin/python" -c 'import dockerfile, sys; dockerfile.parse_file(sys.argv[1])' deploy/kubernetes/Dockerfile; then
  ok "deploy/kubernetes/Dockerfile parses"
else
  bad "deploy/kubernetes/Dockerfile does not parse"
fi

# verify needs the units under their instance names; a copy keeps the checkout as it is.
mkdir -p "$work/units"
cp deploy/systemd/syntaxlake.service "$work/units/"
cp 'deploy/systemd/syntaxlake-run@.service' 'deploy/systemd/syntaxlake-run@.timer' "$work/units/"
if (cd "$work/units" && systemd-analyze verify --man=no syntaxlake.service \
      'syntaxlake-run@ast-pipeline.service' 'syntaxlake-run@ast-pipeline.timer') >"$work/verify.out" 2>&1 \
   && [[ ! -s "$work/verify.out" ]]; then
  ok "systemd-analyze verify: syntaxlake.service, syntaxlake-run@ast-pipeline.service and .timer, no warnings"
else
  sed 's/^/    /' "$work/verify.out"
  bad "systemd-analyze verify (above)"
fi
calendar=$(sed -n 's/^OnCalendar=\(.\+\)$/\1/p' 'deploy/systemd/syntaxlake-run@.timer')
if [[ "$calendar" == *UTC ]] && systemd-analyze calendar "$calendar" >/dev/null; then
  ok "timer OnCalendar '$calendar' parses and is in UTC"
else
  bad "timer OnCalendar '$calendar' must parse and end in UTC"
fi

echo "validate: $passed passed, $failed failed"
[[ $failed -eq 0 ]]
