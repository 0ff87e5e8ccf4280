#!/usr/bin/env bash
# Canary health gate: fails when the health endpoint does not answer 2xx.
set -euo pipefail

readonly HEALTH_URL='http://localhost:8080/health'

curl -fsS --max-time 5 "${HEALTH_URL}" || exit 1
