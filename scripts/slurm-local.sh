#!/usr/bin/env bash
# A single-node Slurm cluster on this machine, for testing job arrays: `start DIR` installs
# slurm-wlm and munge if missing (Debian), writes DIR/slurm.conf, starts munged, slurmctld and
# slurmd, waits for the node to be idle and prints the SLURM_CONF to use; `stop DIR` stops them.
# Needs root. Everything it writes is under DIR (and munge's own /run/munge).
set -euo pipefail
action=${1:?usage: slurm-local.sh start|stop DIR}
dir=${2:?usage: slurm-local.sh start|stop DIR}
conf="$dir/slurm.conf"

if [ "$action" = stop ]; then
    for pid in "$dir/slurmd.pid" "$dir/slurmctld.pid"; do
        [ -f "$pid" ] && kill "$(cat "$pid")" 2>/dev/null || true
    done
    exit 0
fi

if ! command -v slurmctld >/dev/null || ! command -v munged >/dev/null; then
    apt-get update -qq >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq slurm-wlm munge >/dev/null
fi
mkdir -p "$dir/state" "$dir/spool" "$dir/log" /run/munge
chown munge:munge /run/munge
[ -f /etc/munge/munge.key ] || { dd if=/dev/urandom of=/etc/munge/munge.key bs=1 count=1024 2>/dev/null; chown munge:munge /etc/munge/munge.key; chmod 400 /etc/munge/munge.key; }
pgrep -x munged >/dev/null || munged --force 2>/dev/null
host=$(hostname -s)
cpus=$(nproc)
cat > "$conf" <<CONF
ClusterName=actlab-test
SlurmctldHost=$host
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
StateSaveLocation=$dir/state
SlurmdSpoolDir=$dir/spool
SlurmctldPidFile=$dir/slurmctld.pid
SlurmdPidFile=$dir/slurmd.pid
SlurmctldLogFile=$dir/log/slurmctld.log
SlurmdLogFile=$dir/log/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
MpiDefault=none
SchedulerType=sched/builtin
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
ReturnToService=2
NodeName=$host CPUs=$cpus RealMemory=1000 State=UNKNOWN
PartitionName=test Nodes=ALL Default=YES MaxTime=INFINITE State=UP
CONF
export SLURM_CONF="$conf"
slurmctld -f "$conf"
slurmd -f "$conf"
for _ in $(seq 1 30); do
    if sinfo -h -o %t 2>/dev/null | grep -qx idle; then
        echo "$conf"
        exit 0
    fi
    sleep 1
done
echo "slurm-local: the node did not become idle in 30 s; see $dir/log" >&2
exit 1
