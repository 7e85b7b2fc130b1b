#!/usr/bin/env bash
# A throwaway single-node Slurm cluster on this machine, for gdln's Slurm end-to-end
# test (test/slurm/slurm-e2e.test.ts) and for trying `gdln sweep --slurm` locally.
#
#   scripts/slurm-local.sh start    # writes a config, starts munged, slurmctld, slurmd; waits for the node
#   scripts/slurm-local.sh stop     # stops the three daemons (their state folder is removed)
#   scripts/slurm-local.sh env      # prints `export SLURM_CONF=...` for the client commands
#
# Needs root and Debian's packages (installs nothing itself):
#   apt-get install -y --no-install-recommends slurmctld slurmd slurm-client munge
# Everything lives under $GDLN_SLURM_DIR (default /tmp/gdln-slurm): config, munge key and
# socket, spool and state folders, pid and log files; nothing in /etc is touched. Client
# commands (sbatch, squeue, scancel, sinfo) find the config through SLURM_CONF.
# Exit status: 0 started/stopped; 3 cannot start here (not root, missing packages), with
# the reason on stderr (the test skips on 3); 1 a daemon failed to come up (logs printed).
set -euo pipefail

DIR=${GDLN_SLURM_DIR:-/tmp/gdln-slurm}
CONF=$DIR/slurm.conf
CTLD_PORT=${GDLN_SLURM_CTLD_PORT:-16817}
SLURMD_PORT=${GDLN_SLURM_SLURMD_PORT:-16818}

cannot() {
  echo "slurm-local: cannot start Slurm here: $*" >&2
  exit 3
}

pid_of() { [ -s "$1" ] && cat "$1" 2>/dev/null || true; }

stop() {
  # this private cluster's jobs (all of them: nobody else submits to it) end with it
  if [ -f "$CONF" ] && command -v scancel >/dev/null; then
    SLURM_CONF=$CONF timeout 10 scancel -u "$(id -un)" >/dev/null 2>&1 || true
    for _ in $(seq 30); do
      [ -z "$(SLURM_CONF=$CONF timeout 5 squeue -h -o %i 2>/dev/null || true)" ] && break
      sleep 0.2
    done
  fi
  for f in "$DIR/slurmd.pid" "$DIR/slurmctld.pid"; do
    pid=$(pid_of "$f")
    [ -n "$pid" ] && kill "$pid" 2>/dev/null || true
  done
  for _ in $(seq 50); do
    alive=0
    for f in "$DIR/slurmd.pid" "$DIR/slurmctld.pid"; do
      pid=$(pid_of "$f")
      [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null && alive=1
    done
    [ $alive = 0 ] && break
    sleep 0.1
  done
  for f in "$DIR/slurmd.pid" "$DIR/slurmctld.pid"; do
    pid=$(pid_of "$f")
    [ -n "$pid" ] && kill -9 "$pid" 2>/dev/null || true
  done
  if [ -S "$DIR/munge.socket" ]; then munged --stop --socket="$DIR/munge.socket" >/dev/null 2>&1 || true; fi
  pid=$(pid_of "$DIR/munged.pid")
  [ -n "$pid" ] && kill "$pid" 2>/dev/null || true
  rm -rf "$DIR"
}

start() {
  [ "$(id -u)" = 0 ] || cannot "needs root (slurmd runs jobs as their submitting user; this script runs everything as root)"
  for cmd in munged slurmctld slurmd sbatch squeue scancel sinfo; do
    command -v "$cmd" >/dev/null || cannot "$cmd not found (apt-get install -y slurmctld slurmd slurm-client munge)"
  done
  [ -e "$DIR" ] && stop
  mkdir -p "$DIR/ctld" "$DIR/spool" "$DIR/munge"
  chmod 0700 "$DIR" "$DIR/munge"

  # munge: its own key, socket, pid and log files (root, --force: no munge user needed)
  head -c 1024 /dev/urandom >"$DIR/munge/munge.key"
  chmod 0400 "$DIR/munge/munge.key"
  munged --force --key-file="$DIR/munge/munge.key" --socket="$DIR/munge.socket" \
    --pid-file="$DIR/munged.pid" --log-file="$DIR/munged.log" --seed-file="$DIR/munge/seed" \
    || { cat "$DIR/munged.log" >&2 2>/dev/null || true; echo "slurm-local: munged failed to start" >&2; exit 1; }

  local host cpus mem
  host=$(hostname -s)
  cpus=$(nproc)
  mem=$(awk '/MemTotal/ { printf "%d", $2 / 1024 * 0.8 }' /proc/meminfo)
  cat >"$CONF" <<EOF
# written by gdln scripts/slurm-local.sh: one node (this machine), one partition
ClusterName=gdln-local
SlurmctldHost=$host
SlurmUser=root
SlurmdUser=root
SlurmctldPort=$CTLD_PORT
SlurmdPort=$SLURMD_PORT
AuthType=auth/munge
CredType=cred/munge
AuthInfo=socket=$DIR/munge.socket
StateSaveLocation=$DIR/ctld
SlurmdSpoolDir=$DIR/spool
SlurmctldPidFile=$DIR/slurmctld.pid
SlurmdPidFile=$DIR/slurmd.pid
SlurmctldLogFile=$DIR/slurmctld.log
SlurmdLogFile=$DIR/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SelectType=select/cons_tres
SelectTypeParameters=CR_CPU
SchedulerType=sched/backfill
MpiDefault=none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
JobCompType=jobcomp/none
ReturnToService=2
KillWait=2
MinJobAge=600
InactiveLimit=0
MaxArraySize=10001
NodeName=$host CPUs=$cpus RealMemory=$mem State=UNKNOWN
PartitionName=debug Nodes=$host Default=YES MaxTime=INFINITE State=UP
EOF
  export SLURM_CONF=$CONF
  slurmctld -f "$CONF" -c || { cat "$DIR/slurmctld.log" >&2 2>/dev/null || true; echo "slurm-local: slurmctld failed to start" >&2; exit 1; }
  slurmd -f "$CONF" || { cat "$DIR/slurmd.log" >&2 2>/dev/null || true; echo "slurm-local: slurmd failed to start" >&2; exit 1; }

  for _ in $(seq 150); do
    state=$(sinfo -h -n "$host" -o %t 2>/dev/null || true)
    case "$state" in
      idle* | mix* | alloc*)
        echo "slurm-local: $host is $state; export SLURM_CONF=$CONF"
        return 0
        ;;
    esac
    sleep 0.2
  done
  echo "slurm-local: node $host did not become idle (state: ${state:-none}); logs:" >&2
  tail -n 30 "$DIR/slurmctld.log" "$DIR/slurmd.log" "$DIR/munged.log" >&2 2>/dev/null || true
  stop
  exit 1
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  env) echo "export SLURM_CONF=$CONF" ;;
  *)
    echo "usage: $0 start | stop | env" >&2
    exit 2
    ;;
esac
