#!/usr/bin/env bash
# Stops the cluster tools/slurm/start-local-cluster.sh started in DIR: running jobs are killed, then slurmd, slurmctld and
# munged stop (by the pid files in DIR only). DIR itself is left; delete it afterwards.
#   sudo tools/slurm/stop-local-cluster.sh DIR
set -uo pipefail
DIR="${1:?usage: stop-local-cluster.sh DIR}"
[ -f "$DIR/slurm.conf" ] || { echo "stop-local-cluster: $DIR/slurm.conf does not exist: not a cluster folder" >&2; exit 2; }
export SLURM_CONF="$DIR/slurm.conf"
PATH="/usr/sbin:/sbin:$PATH"
scancel --full --quiet --partition=local 2>/dev/null || true

# Sends TERM to the process in a pid file and waits up to 15 s for it to end, then KILL.
stop() {
  local file="$1" pid
  [ -f "$file" ] || return 0
  pid="$(cat "$file" 2>/dev/null || true)"
  [[ "$pid" =~ ^[0-9]+$ ]] || return 0
  kill -TERM "$pid" 2>/dev/null || return 0
  for _ in $(seq 1 30); do kill -0 "$pid" 2>/dev/null || return 0; sleep 0.5; done
  kill -KILL "$pid" 2>/dev/null || true
}
stop "$DIR/slurmd.pid"
stop "$DIR/slurmctld.pid"
stop "$DIR/munge/munged.pid"
echo "stop-local-cluster: stopped the cluster in $DIR" >&2
