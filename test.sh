#!/usr/bin/env bash
# Runs every TwinCity test. Installs what the tests need when it is missing (Debian packages:
# PostgreSQL server binaries, mosquitto and its clients, Chromium; as root or through sudo), then runs
# `dotnet test` on the solution with any arguments passed on. The tests start and stop their own
# PostgreSQL, mosquitto and browser; nothing needs to be running beforehand.
set -euo pipefail
cd "$(dirname "$0")"

missing=()
[ -x /usr/sbin/mosquitto ] || command -v mosquitto >/dev/null 2>&1 || missing+=(mosquitto)
command -v mosquitto_sub >/dev/null 2>&1 || missing+=(mosquitto-clients)
compgen -G "/usr/lib/postgresql/*/bin/initdb" >/dev/null || missing+=(postgresql)
[ -x /usr/bin/chromium ] || missing+=(chromium)
command -v npm >/dev/null 2>&1 || missing+=(npm)

if [ ${#missing[@]} -gt 0 ]; then
  echo "test.sh: installing ${missing[*]}"
  sudo=""
  if [ "$(id -u)" -ne 0 ]; then
    command -v sudo >/dev/null 2>&1 || { echo "test.sh: need root or sudo to install ${missing[*]}" >&2; exit 1; }
    sudo="sudo"
  fi
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
  # Debian starts these as services where it can; the tests run their own on free ports.
  $sudo service mosquitto stop >/dev/null 2>&1 || true
  $sudo service postgresql stop >/dev/null 2>&1 || true
fi

log=$(mktemp)
trap 'rm -f "$log"' EXIT
status=0
dotnet test TwinCity.sln "$@" 2>&1 | tee "$log" || status=$?

# One closing line over all test assemblies.
awk '/(Passed|Failed)! +- Failed: / {
       for (i = 1; i <= NF; i++) { gsub(",", "", $(i+1)); if ($i == "Failed:") f += $(i+1); if ($i == "Passed:") p += $(i+1); if ($i == "Skipped:") s += $(i+1) }
     }
     END { if (p + f + s > 0) printf "%d passed, %d failed, %d skipped\n", p, f, s }' "$log"
exit $status
