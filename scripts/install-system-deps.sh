#!/usr/bin/env bash
# Installs the system tools the tests run for real: shellcheck (generated scripts),
# PostgreSQL 15 (the Slack app's persistence tests), kubectl with kustomize and
# promtool and prometheus (the system test builds every overlay and checks every rule and query;
# the Prometheus connector's tests start a real server on loopback),
# git (promotion against a local config repository), jq (generated CI build steps run by a
# shell). Debian/Ubuntu only; no-op when all are present.
set -euo pipefail
need=()
command -v shellcheck >/dev/null 2>&1 || need+=(shellcheck)
ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || need+=(postgresql)
command -v kubectl >/dev/null 2>&1 || need+=(kubectl)
{ command -v promtool >/dev/null 2>&1 && command -v prometheus >/dev/null 2>&1; } || need+=(prometheus)
command -v git >/dev/null 2>&1 || need+=(git)
command -v jq >/dev/null 2>&1 || need+=(jq)
[ "${#need[@]}" -eq 0 ] && exit 0
if ! command -v apt-get >/dev/null 2>&1; then
  echo "install-system-deps: please install ${need[*]} with your package manager" >&2
  exit 1
fi
sudo=()
[ "$(id -u)" -eq 0 ] || sudo=(sudo)
"${sudo[@]}" apt-get update -qq
DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
