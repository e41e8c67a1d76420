#!/usr/bin/env bash
# Run a command (the whole suite) RUNS times in a row (default 3) while one busy loop per core
# keeps every core busy; stop at the first failure. Each run's time and outcome is printed; the
# exit status is the first failing run's (0 when every run passed). The loops are ended by their
# own PIDs whatever happens.
set -u
runs=${RUNS:-3}
cores=$(python3 -c 'import os; print(os.cpu_count() or 1)')
loops=()
trap 'kill "${loops[@]}" 2>/dev/null' EXIT
for _ in $(seq "$cores"); do
  python3 -c 'while True: pass' &
  loops+=($!)
done
echo "test-under-load: $cores busy loop(s) (pids ${loops[*]}), $runs run(s) of: $*"
for run in $(seq "$runs"); do
  started=$SECONDS
  "$@"
  status=$?
  if [ "$status" -ne 0 ]; then
    echo "test-under-load: run $run of $runs FAILED (exit $status) after $((SECONDS - started)) s"
    exit "$status"
  fi
  echo "test-under-load: run $run of $runs passed in $((SECONDS - started)) s"
done
