#!/usr/bin/env bash
# Prints the path of Debian 12's kubectl 1.20 (package kubernetes-client), unpacking it under
# node_modules/.cache the first time. It cannot be installed next to the kubectl 1.32 the image ships
# (dpkg refuses to overwrite /usr/bin/kubectl), so it is downloaded and extracted instead; the
# emulator tests use it as the older client that validates manifests against /openapi/v2.
set -euo pipefail
root="$(cd "$(dirname "$0")/../../.." && pwd)"
dir="$root/node_modules/.cache/kubectl-1.20"
bin="$dir/usr/bin/kubectl"
if [ ! -x "$bin" ]; then
  work="$(mktemp -d)"
  trap 'rm -rf "$work"' EXIT
  (cd "$work" && apt-get download kubernetes-client >/dev/null 2>&1) ||
    { apt-get update -qq >/dev/null && (cd "$work" && apt-get download kubernetes-client >/dev/null 2>&1); }
  mkdir -p "$dir"
  dpkg -x "$work"/kubernetes-client_*.deb "$dir"
fi
echo "$bin"
