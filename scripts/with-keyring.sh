#!/usr/bin/env bash
# Runs a command inside a private D-Bus session with an unlocked gnome-keyring, so keytar talks
# to a real Secret Service. Usage: scripts/with-keyring.sh npm test
set -euo pipefail
if [ "${1:-}" != "--inside" ]; then
  exec dbus-run-session -- "$0" --inside "$@"
fi
shift
scratch=$(mktemp -d)
chmod 0700 "$scratch"
mkdir -m 0700 "$scratch/runtime" "$scratch/data"
export XDG_RUNTIME_DIR="$scratch/runtime" XDG_DATA_HOME="$scratch/data"
eval "$(printf 'ci-keyring-password' | gnome-keyring-daemon --unlock --components=secrets)"
export GNOME_KEYRING_CONTROL
trap 'rm -rf "$scratch"' EXIT
"$@"
