#!/usr/bin/env bash
# Starts a one-node Slurm (slurmctld + slurmd on localhost, munge auth, no accounting) for
# `lathe run --executor slurm` and its tests; idempotent: returns at once when `sinfo` already shows
# the node idle or mixed. Needs root and Debian's slurm-wlm + munge (scripts/setup.sh installs them).
# Waits until the node is up (about 10 s); exits 1 with the daemons' logs when it is not within 60 s.
set -euo pipefail

ready() { sinfo -h -o '%t' 2>/dev/null | grep -qE '^(idle|mix|alloc)'; }
if ready; then exit 0; fi

for tool in slurmctld slurmd munged sinfo; do
  command -v "$tool" >/dev/null 2>&1 || { echo "start-slurm: $tool is missing; run scripts/setup.sh" >&2; exit 1; }
done

# munge: a 1024-byte key owned by munge, mode 400; the daemon runs as the munge user.
if [ ! -s /etc/munge/munge.key ]; then
  dd if=/dev/urandom of=/etc/munge/munge.key bs=1024 count=1 status=none
fi
chown munge:munge /etc/munge/munge.key && chmod 400 /etc/munge/munge.key
mkdir -p /run/munge /var/log/munge /var/lib/munge
chown munge:munge /run/munge /var/log/munge /var/lib/munge
if ! pgrep -u munge -x munged >/dev/null 2>&1; then
  runuser -u munge -- munged </dev/null >/dev/null 2>&1
fi

cpus="$(nproc)"
mem_mib="$(awk '/MemTotal/ { printf "%d", $2 / 1024 * 0.9 }' /proc/meminfo)"
mkdir -p /etc/slurm /var/spool/slurmctld /var/spool/slurmd /var/log/slurm
conf=/etc/slurm/slurm.conf
cat > "$conf.new" <<CONF
# Written by lathe scripts/start-slurm.sh: one node on localhost, no accounting.
ClusterName=lathe
SlurmctldHost=localhost
SlurmUser=root
AuthType=auth/munge
CredType=cred/munge
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SelectType=select/cons_tres
SelectTypeParameters=CR_Core_Memory
AccountingStorageType=accounting_storage/none
JobAcctGatherType=jobacct_gather/none
JobCompType=jobcomp/none
MpiDefault=none
ReturnToService=2
SchedulerType=sched/backfill
StateSaveLocation=/var/spool/slurmctld
SlurmdSpoolDir=/var/spool/slurmd
SlurmctldPidFile=/run/slurmctld.pid
SlurmdPidFile=/run/slurmd.pid
SlurmctldLogFile=/var/log/slurm/slurmctld.log
SlurmdLogFile=/var/log/slurm/slurmd.log
MinJobAge=600
NodeName=localhost CPUs=$cpus RealMemory=$mem_mib State=UNKNOWN
PartitionName=main Nodes=localhost Default=YES MaxTime=INFINITE State=UP
CONF
if ! cmp -s "$conf.new" "$conf"; then mv "$conf.new" "$conf"; else rm "$conf.new"; fi

# the daemons must not hold the caller's stdout open (a test reading it to the end would wait forever)
pgrep -x slurmctld >/dev/null 2>&1 || slurmctld </dev/null >/dev/null 2>&1
pgrep -x slurmd >/dev/null 2>&1 || slurmd </dev/null >/dev/null 2>&1

for _ in $(seq 1 120); do
  if ready; then exit 0; fi
  # A node left DOWN/DRAIN by an earlier start comes back once the daemons talk.
  if sinfo -h -o '%t' 2>/dev/null | grep -qE '^(down|drain|drng)'; then
    scontrol update NodeName=localhost State=RESUME >/dev/null 2>&1 || true
  fi
  sleep 0.5
done
echo "start-slurm: the node did not become idle within 60 s" >&2
sinfo >&2 || true
tail -n 20 /var/log/slurm/slurmctld.log /var/log/slurm/slurmd.log >&2 || true
exit 1
