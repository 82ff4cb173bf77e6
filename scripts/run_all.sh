#!/usr/bin/env bash
# Runs the web server, a Celery worker and Celery beat together in the foreground (`make run`,
# which has already started PostgreSQL/Redis, migrated and seeded). Ctrl-C, or any of the three
# exiting, stops all three.
#   RUN_ADDR=0.0.0.0:8000 scripts/run_all.sh   to listen elsewhere (default 127.0.0.1:8000)
set -uo pipefail
cd "$(dirname "$0")/.."
BIN=.venv/bin

# Job control: each background command gets its own process group, so that stopping it also
# stops its children (runserver's autoreloader child, the Celery pool processes).
set -m

pids=()
start() {
	"$@" &
	pids+=("$!")
}

cleanup() {
	trap - INT TERM EXIT
	for pid in "${pids[@]}"; do
		kill -TERM -- "-$pid" 2>/dev/null
	done
	# Celery finishes the task in hand on TERM (a warm shutdown): allow 10 s, then kill.
	for _ in $(seq 100); do
		[ -z "$(jobs -rp)" ] && break
		sleep 0.1
	done
	for pid in "${pids[@]}"; do
		kill -KILL -- "-$pid" 2>/dev/null
	done
	wait 2>/dev/null
}
trap 'cleanup; exit 130' INT
trap 'cleanup; exit 143' TERM
trap cleanup EXIT

start "$BIN/python" manage.py runserver "${RUN_ADDR:-127.0.0.1:8000}"
start "$BIN/celery" -A config worker -Q default,imports,pdf -l info --concurrency 2
start "$BIN/celery" -A config beat -l info --schedule .devdata/celerybeat-schedule

# Returns as soon as one of them exits (or a signal arrives, handled by the traps above).
wait -n
status=$?
echo "run_all: a process exited with status $status; stopping the others" >&2
exit "$status"
