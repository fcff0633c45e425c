#!/usr/bin/env bash
# The README's "A first tour", run as written against the demo, checking what each step shows.
# Starts what scripts/run starts (the simulated upstream, riskcapd on a fresh SQLite store, the
# demo load), extracts the tour's shell block from README.md, runs it from a directory laid out
# like the repository root (build/ and examples/), with `riskcap` recording each call, then
# checks every step's visible effect. Usage: tests/tour/run_tour.sh [BUILD_DIR]  (ctest: tour);
# TOUR_KEEP=1 keeps the work directory (each call's output is in calls/).
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
BUILD=$(cd "${1:-$ROOT/build}" && pwd)
WORK=$(mktemp -d /tmp/riskcap-tour.XXXXXX)
LOG=$WORK/calls
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  if [[ -n ${TOUR_KEEP:-} ]]; then echo "tour: kept $WORK" >&2; else rm -rf "$WORK"; fi
}
trap cleanup EXIT
fail() {
  echo "tour: FAIL: $*" >&2
  for f in "$WORK"/riskcapd.err; do [[ -f $f ]] && tail -5 "$f" >&2; done
  exit 1
}
wait_for() {  # wait_for FILE PATTERN: until FILE has a line matching PATTERN (20 s at most)
  for _ in $(seq 200); do grep -q "$2" "$1" 2>/dev/null && return 0; sleep 0.1; done
  fail "no '$2' in $1: $(cat "$1" "${1%.*}.err" 2>/dev/null | tail -3)"
}

# ---- what scripts/run starts ----
cd "$WORK"
/usr/bin/python3 "$ROOT/examples/upstream-sim/upstream_sim.py" serve --port 0 --seed 7 \
    --funds 300 >sim.out 2>sim.err &
pids+=($!)
wait_for sim.out '^url '
SIM=$(sed -n 's/^url //p' sim.out)
DAY=$(sed -n 's/^as-of //p' sim.out)
export RISKCAP_DB=sqlite:riskcap.db RISKCAP_LISTEN=127.0.0.1:0 RISKCAP_SOURCE=$SIM
"$BUILD/server/riskcapd" migrate >/dev/null
LOADER=$("$BUILD/server/riskcapd" keys create --role ADMIN --label tour-loader)
"$BUILD/server/riskcapd" >riskcapd.out 2>riskcapd.err &
pids+=($!)
wait_for riskcapd.err 'riskcapd listening'
export RISKCAP_SERVER
RISKCAP_SERVER=$(sed -n 's/.*riskcapd listening.* address=\([^ ]*\).*/\1/p' riskcapd.err | head -1)
RISKCAP_SERVER=${RISKCAP_SERVER//\"/}
[[ -n $RISKCAP_SERVER ]] || fail "no address in riskcapd's log"
start=$SECONDS
RISKCAP_TOKEN=$LOADER RISKCAP_BIN=$BUILD/client/riskcap "$ROOT/scripts/demo-load" "$DAY" "$SIM" \
    >demo-load.out 2>&1 || fail "demo load: $(cat demo-load.out)"
echo "tour: demo loaded for $DAY in $((SECONDS - start)) s: $(tail -1 demo-load.out)"

# ---- a directory like the repository root, with a recording riskcap ----
mkdir -p build/client "$LOG" && ln -s "$BUILD/server" build/server && ln -s "$ROOT/examples" .
cat >build/client/riskcap <<WRAPPER
#!/usr/bin/env bash
n=\$(( \$(cat "$LOG/count" 2>/dev/null || echo 0) + 1 )); echo "\$n" >"$LOG/count"
printf '%s\n' "\$*" >"$LOG/\$n.args"
"$BUILD/client/riskcap" "\$@" >"$LOG/\$n.out" 2>"$LOG/\$n.err"; rc=\$?
echo "\$rc" >"$LOG/\$n.rc"; cat "$LOG/\$n.out"; cat "$LOG/\$n.err" >&2; exit "\$rc"
WRAPPER
chmod +x build/client/riskcap
awk '/^## A first tour/ {tour = 1} tour && /^```sh$/ {on = 1; next} on && /^```$/ {exit} on' \
    "$ROOT/README.md" >tour.sh
[[ $(grep -c '^riskcap ' tour.sh) -ge 8 ]] || fail "README tour block not found: $(cat tour.sh)"
unset RISKCAP_TOKEN
bash -euo pipefail tour.sh >tour.out 2>tour.err || fail "the tour stopped: $(tail -5 tour.err)"

# ---- each step's visible effect ----
call() {  # call PREFIX: the number of the first recorded call whose arguments start with PREFIX
  local n
  for n in $(seq "$(cat "$LOG/count")"); do
    if [[ $(cat "$LOG/$n.args") == "$1"* ]]; then echo "$n"; return; fi
  done
  fail "the tour never ran 'riskcap $1'"
}
out() { cat "$LOG/$(call "$1").out"; }
expect() {  # expect PREFIX REGEX WHAT
  out "$1" | grep -Eq -- "$2" || fail "'riskcap $1' shows no $3: $(out "$1" | head -20)"
}
for rc in "$LOG"/*.rc; do
  [[ $(cat "$rc") == 0 ]] || fail "'riskcap $(cat "${rc%.rc}.args")' exited $(cat "$rc")"
done

expect "status --summary" '^Funds monitored +[0-9]+' "labelled fund count"
expect "status --summary" '^Validation rate +[0-9]+\.[0-9]{2}%' "validation rate as a percentage"
expect "status --summary" '^Funds: Multimercado +[0-9]+' "class per line"
expect "status --summary" 'breach [1-9]' "breach count"
expect "status --limit BREACH" 'BREACH' "breaching fund"
expect "status --limit BREACH" '[0-9]+\.[0-9]{2}%' "utilisation as a percentage"
expect "status --limit BREACH" '[0-9]{1,3},[0-9]{3}\.[0-9]{2}' "money with separators"
for rule in OVERDUE NEVER_SUBMITTED IMPLAUSIBLE_MARGIN LIMIT_WARNING LIMIT_BREACH NAV_CRITICAL; do
  expect "finding list --state OPEN" "$rule" "$rule finding"
done
expect "job list" 'SUCCEEDED' "succeeded job"
submitted=$(out "margin submit" | awk -F, 'NR == 2 {print $1}')
[[ $submitted =~ ^[0-9]+$ ]] || fail "margin submit printed no submission id: $(out "margin submit")"
[[ $(cat "$LOG/$(call "margin validate").args") == "margin validate $submitted "* ]] ||
  fail "the validate step did not validate submission $submitted"
expect "margin validate" 'VALIDATED' "validated state"
expect "status --fund 1000" 'RECEIVED_VALIDATED' "validated fund 1000"
expect "status --fund 1000" '2,5[0-9]{2},[0-9]{3}\.[0-9]{2}' "new 2.5 million margin"
[[ -s build/dashboard.html ]] || fail "riskcap report wrote no build/dashboard.html"
grep -q '<html' build/dashboard.html || fail "build/dashboard.html is not HTML"
expect "calc saccr" '"ead": 569\.' "BCBS 279 example 1 EAD of 569"
echo "tour: PASS ($(cat "$LOG/count") riskcap calls, $((SECONDS - start)) s)"
