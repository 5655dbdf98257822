#!/bin/sh
# Makes sure `prometheus` and `promtool` are on PATH for test/alerting.test.ts.
# Installs Debian's `prometheus` package (2.42 on bookworm) when they are
# missing and we are root; does nothing when they are there (idempotent).
# The package's own service is never started: the test runs its own
# Prometheus on a random loopback port with a temporary data directory, and a
# packaged daemon on 0.0.0.0:9090 would only be in the way.
set -eu

say() { echo "ensure-prometheus: $*" >&2; }

# Under CI a missing Prometheus is an error (the alert test must run there);
# elsewhere the alert tests skip themselves, so say so and carry on.
give_up() {
  say "$1"
  if [ "${CI:-}" = "true" ]; then exit 1; fi
  say "continuing: test/alerting*.test.ts will be skipped on this machine"
  exit 0
}

if command -v prometheus >/dev/null 2>&1 && command -v promtool >/dev/null 2>&1; then
  exit 0
fi

if [ "$(id -u)" != 0 ]; then
  give_up "prometheus/promtool not found and not root: install Debian's 'prometheus' package (apt-get install prometheus) or put both binaries on PATH"
fi
if ! command -v apt-get >/dev/null 2>&1; then
  give_up "prometheus/promtool not found and apt-get is not available: put both binaries on PATH"
fi

# policy-rc.d exit 101 tells invoke-rc.d/deb-systemd-invoke not to start
# services the package installs. Leave an existing policy alone.
POLICY=/usr/sbin/policy-rc.d
MADE_POLICY=
if [ ! -e "$POLICY" ]; then
  printf '#!/bin/sh\nexit 101\n' >"$POLICY"
  chmod 755 "$POLICY"
  MADE_POLICY=1
fi
cleanup() { if [ -n "$MADE_POLICY" ]; then rm -f "$POLICY"; fi; }
trap cleanup EXIT INT TERM

say "installing Debian package 'prometheus' (apt-get update && apt-get install -y --no-install-recommends prometheus)"
export DEBIAN_FRONTEND=noninteractive
LOG=$(mktemp)
if ! { apt-get update -qq && apt-get install -y -qq --no-install-recommends prometheus; } >"$LOG" 2>&1; then
  cat "$LOG" >&2
  rm -f "$LOG"
  give_up "apt-get failed (output above)"
fi
rm -f "$LOG"

# On a systemd machine the unit may have been enabled; keep it from starting
# on boot and stop it if something started it anyway.
if command -v systemctl >/dev/null 2>&1 && [ -d /run/systemd/system ]; then
  systemctl disable --now prometheus >/dev/null 2>&1 || true
fi

if ! command -v prometheus >/dev/null 2>&1 || ! command -v promtool >/dev/null 2>&1; then
  give_up "installed the package but prometheus/promtool are still not on PATH"
fi
say "installed $(prometheus --version 2>&1 | head -n 1)"
