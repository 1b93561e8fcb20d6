#!/usr/bin/env bash
# A one-node Slurm cluster on this machine, for trying `istanas sweep --runner slurm` for real (and for the test that does).
#
#   sudo tools/slurm/start-local-cluster.sh [DIR]      # DIR: where its state lives (default: a new temporary folder)
#   export SLURM_CONF=DIR/slurm.conf                    # the script prints this line; then sbatch, squeue, scancel work
#   sudo tools/slurm/stop-local-cluster.sh DIR         # stops it (DIR can then be deleted)
#
# Debian/Ubuntu, as root: installs slurmctld, slurmd, slurm-client and munge with apt-get when they are missing (only
# Debian's packages; `apt-get update` and the install are each bounded by ISTANAS_APT_TIMEOUT seconds, default 300).
# Everything else stays inside DIR: a new munge key and munged on its own socket, slurm.conf, the state and spool
# folders, the logs and pid files. No system service is started or changed, no cgroups are used (proctrack/linuxproc,
# task/none), and the daemons listen on 127.0.0.1 only (NodeName=localhost; free ports are picked, or set
# SLURMCTLD_PORT / SLURMD_PORT). The node has this machine's CPUs and half its memory; jobs run as the submitting user.
# Exit codes: 0 started; 3 not root; 4 the packages are missing and could not be installed; 5 a daemon did not start
# (its log is printed).
set -euo pipefail

if [ "$(id -u)" -ne 0 ]; then
  echo "start-local-cluster: must run as root (it installs packages and starts slurmd, which runs jobs as their users)" >&2
  exit 3
fi

DIR="${1:-$(mktemp -d /tmp/istanas-slurm.XXXXXX)}"
mkdir -p "$DIR"
DIR="$(cd "$DIR" && pwd)"
chmod 0700 "$DIR"

need=()
for tool in slurmctld slurmd sbatch munged mungekey; do
  command -v "$tool" >/dev/null 2>&1 || [ -x "/usr/sbin/$tool" ] || need+=("$tool")
done
if [ ${#need[@]} -gt 0 ]; then
  if ! command -v apt-get >/dev/null 2>&1; then
    echo "start-local-cluster: ${need[*]} missing and there is no apt-get: install Slurm (slurmctld, slurmd, client) and munge" >&2
    exit 4
  fi
  limit="${ISTANAS_APT_TIMEOUT:-300}"
  echo "start-local-cluster: installing slurmctld slurmd slurm-client munge (apt-get, at most ${limit}s per step)" >&2
  export DEBIAN_FRONTEND=noninteractive
  # The packages would start system-wide munge and slurm services; this cluster needs none of them: deny service starts
  # during the install (Debian's policy-rc.d), unless the machine already has its own policy.
  if [ ! -e /usr/sbin/policy-rc.d ]; then
    printf '#!/bin/sh\n# tools/slurm/start-local-cluster.sh: no service starts while it installs\nexit 101\n' >/usr/sbin/policy-rc.d
    chmod 0755 /usr/sbin/policy-rc.d
    trap 'rm -f /usr/sbin/policy-rc.d' EXIT
  fi
  if ! timeout "$limit" apt-get update -qq >"$DIR/apt.log" 2>&1 ||
     ! timeout "$limit" apt-get install -y -qq --no-install-recommends slurmctld slurmd slurm-client munge >>"$DIR/apt.log" 2>&1; then
    echo "start-local-cluster: apt-get could not install the packages (log: $DIR/apt.log):" >&2
    tail -n 5 "$DIR/apt.log" >&2
    exit 4
  fi
  if grep -q "^# tools/slurm/start-local-cluster.sh" /usr/sbin/policy-rc.d 2>/dev/null; then rm -f /usr/sbin/policy-rc.d; fi
  trap - EXIT
fi
PATH="/usr/sbin:/sbin:$PATH"

# A TCP port nobody listens on (from /proc/net/tcp*, state 0A = LISTEN), from a start that differs per cluster.
listening() {
  local f address state
  for f in /proc/net/tcp /proc/net/tcp6; do
    [ -r "$f" ] || continue
    while read -r _ address _ state _; do
      [ "$state" = "0A" ] && echo "$((16#${address##*:}))"
    done < <(tail -n +2 "$f")
  done
}
free_port() {
  local taken port
  taken=" $(listening | tr '\n' ' ') $* "
  port=$((20000 + RANDOM % 20000))
  while [[ "$taken" == *" $port "* ]]; do port=$((port + 1)); done
  echo "$port"
}
CTLD_PORT="${SLURMCTLD_PORT:-$(free_port)}"
SLURMD_PORT="${SLURMD_PORT:-$(free_port "$CTLD_PORT")}"

mkdir -p "$DIR/munge" "$DIR/ctld" "$DIR/spool" "$DIR/log"
chmod 0700 "$DIR/munge"
[ -f "$DIR/munge/munge.key" ] || mungekey --create --keyfile="$DIR/munge/munge.key" >/dev/null
chmod 0600 "$DIR/munge/munge.key"
SOCKET="$DIR/munge/munge.socket"
munged --force --key-file="$DIR/munge/munge.key" --socket="$SOCKET" --pid-file="$DIR/munge/munged.pid" \
  --log-file="$DIR/log/munged.log" --seed-file="$DIR/munge/munged.seed" || { cat "$DIR/log/munged.log" >&2; exit 5; }

CPUS="$(env -u OMP_NUM_THREADS -u OMP_THREAD_LIMIT nproc)" # nproc obeys OMP_NUM_THREADS
MEMORY_MB=$(( $(awk '/^MemTotal:/ { print $2 }' /proc/meminfo) / 1024 / 2 ))
cat >"$DIR/slurm.conf" <<CONF
# Written by tools/slurm/start-local-cluster.sh: a one-node cluster on 127.0.0.1, state in $DIR.
ClusterName=istanas-local
SlurmctldHost=localhost(127.0.0.1)
SlurmctldPort=$CTLD_PORT
SlurmdPort=$SLURMD_PORT
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
AuthInfo=socket=$SOCKET
CredType=cred/munge
StateSaveLocation=$DIR/ctld
SlurmdSpoolDir=$DIR/spool
SlurmctldPidFile=$DIR/slurmctld.pid
SlurmdPidFile=$DIR/slurmd.pid
SlurmctldLogFile=$DIR/log/slurmctld.log
SlurmdLogFile=$DIR/log/slurmd.log
SlurmctldDebug=info
SlurmdDebug=info
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
JobCompType=jobcomp/none
MpiDefault=none
MailProg=/bin/true
SwitchType=switch/none
SchedulerType=sched/builtin
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
ReturnToService=2
SlurmdTimeout=300
InactiveLimit=0
KillWait=10
MaxArraySize=10001
NodeName=localhost NodeAddr=127.0.0.1 NodeHostname=localhost CPUs=$CPUS RealMemory=$MEMORY_MB State=UNKNOWN
PartitionName=local Nodes=localhost Default=YES MaxTime=INFINITE State=UP
CONF
export SLURM_CONF="$DIR/slurm.conf"

slurmctld -f "$SLURM_CONF" || { cat "$DIR/log/slurmctld.log" >&2; exit 5; }
slurmd -f "$SLURM_CONF" -N localhost || { cat "$DIR/log/slurmd.log" >&2; exit 5; }

# Ready when the node is idle (bounded: 60 s).
for _ in $(seq 1 120); do
  state="$(sinfo -h -N -n localhost -o '%T' 2>/dev/null || true)"
  if [ "$state" = "idle" ]; then
    echo "start-local-cluster: one-node cluster up ($CPUS CPUs, ports $CTLD_PORT/$SLURMD_PORT), state in $DIR" >&2
    echo "export SLURM_CONF=$SLURM_CONF"
    exit 0
  fi
  sleep 0.5
done
echo "start-local-cluster: the node did not become idle within 60 s (state: '${state:-none}'); logs:" >&2
tail -n 20 "$DIR/log/slurmctld.log" "$DIR/log/slurmd.log" >&2 || true
"$(dirname "$0")/stop-local-cluster.sh" "$DIR" >/dev/null 2>&1 || true
exit 5
