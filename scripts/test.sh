#!/usr/bin/env bash
# Runs every test of the solution on a machine that has only the .NET SDK.
# - Installs PostgreSQL's server binaries and Chromium (Debian packages) when they are missing; the
#   tests start and stop their own private clusters on free loopback ports, so no server is set up
#   here, and drive the dashboard in Chromium through Playwright (which downloads no browser).
# - Builds in Release, runs all test projects, then the JavaScript client's tests (node, against the
#   built server; npm ci from the committed lock file) and type check (tsc), and closes with the line
#   "N passed, N failed" summed over both runners (a test that did not run counts as failed).
#   Exits non-zero on failure.
set -uo pipefail
cd "$(dirname "$0")/.."

results=TestResults
configuration=${CONFIGURATION:-Release}

have_postgres() {
  ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1
}

install_postgres() {
  echo "PostgreSQL server binaries not found: installing Debian's postgresql package."
  local sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  # The tests make their own clusters; keep the package from creating and starting a default one.
  $sudo mkdir -p /etc/postgresql-common
  [ -f /etc/postgresql-common/createcluster.conf ] || echo "create_main_cluster = false" | $sudo tee /etc/postgresql-common/createcluster.conf >/dev/null
  apt_install postgresql
}

apt_install() {
  local sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  if [ -z "${apt_updated:-}" ]; then
    $sudo apt-get update -qq || return 1
    apt_updated=1
  fi
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "$@" >/dev/null
}

have_postgres || install_postgres || { echo "Could not install PostgreSQL."; echo "0 passed, 1 failed"; exit 1; }
if [ ! -x /usr/bin/chromium ]; then
  echo "Chromium not found: installing Debian's chromium package for the dashboard tests."
  apt_install chromium || { echo "Could not install Chromium."; echo "0 passed, 1 failed"; exit 1; }
fi
if [ ! -x /usr/bin/mosquitto_pub ] || [ ! -x /usr/bin/mosquitto_sub ]; then
  echo "mosquitto_pub/mosquitto_sub not found: installing Debian's mosquitto-clients package for the MQTT tests."
  apt_install mosquitto-clients || { echo "Could not install mosquitto-clients."; echo "0 passed, 1 failed"; exit 1; }
fi
if [ ! -x /usr/sbin/haproxy ]; then
  echo "haproxy not found: installing Debian's haproxy package for the cluster's load-balancer test."
  apt_install haproxy || { echo "Could not install haproxy."; echo "0 passed, 1 failed"; exit 1; }
fi
if ! /usr/bin/python3 -c 'import paho.mqtt' 2>/dev/null; then
  echo "paho-mqtt not found: installing Debian's python3-paho-mqtt package for the docs' MQTT firmware example."
  apt_install python3-paho-mqtt || { echo "Could not install python3-paho-mqtt."; echo "0 passed, 1 failed"; exit 1; }
fi

if ! dotnet build Equip.sln -c "$configuration" -nologo -v quiet; then
  echo "The build failed."
  echo "0 passed, 1 failed"
  exit 1
fi

rm -rf "$results"
dotnet test Equip.sln -c "$configuration" --no-build -nologo \
  --logger "trx" --logger "console;verbosity=normal" --results-directory "$results" \
  --blame-hang-timeout 10m
status=$?

passed=0
failed=0
shopt -s nullglob
trx_files=("$results"/*.trx)
for trx in "${trx_files[@]}"; do
  counters=$(grep -o '<Counters [^>]*>' "$trx" | head -n 1)
  value() { echo "$counters" | sed -n "s/.* $1=\"\([0-9]*\)\".*/\1/p"; }
  total=$(value total); p=$(value passed)
  passed=$((passed + ${p:-0}))
  failed=$((failed + ${total:-0} - ${p:-0}))
done
if [ ${#trx_files[@]} -eq 0 ]; then
  echo "No test results were written."
  failed=$((failed + 1))
fi
[ "$failed" -eq 0 ] || status=1

# The JavaScript client: its type declarations are checked against its sources (tsc, from the
# lock file), then its tests start the Release build of the server themselves.
node_log="$results/node.tap"
typecheck_log="$results/node-typecheck.log"
if (cd Equip.Client.Js && npm ci --no-audit --no-fund --loglevel=error && npm test) > "$node_log" 2>&1; then
  node_status=0
else
  node_status=1
fi
if (cd Equip.Client.Js && npm run typecheck) > "$typecheck_log" 2>&1; then
  echo "JavaScript client: the type check passed."
else
  echo "JavaScript client: the type check failed:"
  tail -n 30 "$typecheck_log"
  failed=$((failed + 1))
  status=1
fi
node_passed=$(sed -n 's/^# pass \([0-9]*\)$/\1/p' "$node_log" | tail -n 1)
node_failed=$(sed -n 's/^# fail \([0-9]*\)$/\1/p' "$node_log" | tail -n 1)
if [ -z "$node_passed" ]; then
  echo "The JavaScript client's tests did not run:"
  tail -n 30 "$node_log"
  node_failed=$((${node_failed:-0} + 1))
fi
passed=$((passed + ${node_passed:-0}))
failed=$((failed + ${node_failed:-0}))
[ "$node_status" -eq 0 ] && [ "${node_failed:-0}" -eq 0 ] || status=1
echo "JavaScript client: ${node_passed:-0} passed, ${node_failed:-0} failed"
# Each failed node test, with the start of its error (the YAML block TAP writes after it).
awk '
  /^(    )?not ok/ { print "FAILED (node): " $0; block = 1; lines = 0; next }
  block && /^ *\.\.\.$/ { block = 0; next }
  block && /^ *(ok|not ok|# Subtest)/ { block = 0 }
  block && lines++ < 12 && !/duration_ms|^ *---$/ { print "    " $0 }
' "$node_log" | head -n 60

# CI shows only the end of the output: name every failed test there, with the start of its message.
for trx in "${trx_files[@]}"; do
  awk '
    /<UnitTestResult / && /outcome="Failed"/ {
      match($0, /testName="[^"]*"/); name = substr($0, RSTART + 10, RLENGTH - 11)
      print "FAILED: " name; failing = 1; lines = 0; next
    }
    failing && /<Message>/ { inmessage = 1; sub(/.*<Message>/, "") }
    failing && inmessage {
      done = sub(/<\/Message>.*/, "")
      if (lines++ < 15) print "    " $0
      if (done) { inmessage = 0; failing = 0 }
    }
    /<\/UnitTestResult>/ { failing = 0; inmessage = 0 }
  ' "$trx" | sed -e 's/&quot;/"/g' -e "s/&apos;/'/g" -e 's/&lt;/</g' -e 's/&gt;/>/g' -e 's/&amp;/\&/g'
done

echo "$passed passed, $failed failed"
exit $status
