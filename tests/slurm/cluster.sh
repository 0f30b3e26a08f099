#!/usr/bin/env bash
# A real one-node SLURM cluster on localhost, with accounting (slurmdbd on a local MariaDB), for
# tests/slurm/test_slurm.py. Debian 12, as root (or with sudo).
#
#   tests/slurm/cluster.sh install   # apt-get: slurm-wlm, slurmdbd, munge, mariadb-server (if missing)
#   tests/slurm/cluster.sh start     # write the configs, start munged, MariaDB, slurmdbd, slurmctld, slurmd
#                                    # (after stopping what an earlier start left running)
#   tests/slurm/cluster.sh stop      # stop every daemon that start started (by its pid file), remove its configs
#
# Daemons' state, logs and pid files live in $SLURM_TEST_DIR (default /tmp/oncomix-slurm). slurm.conf and
# slurmdbd.conf must be in /etc/slurm: the job step plugin drops SLURM_CONF inside each job.
set -euo pipefail

STATE=${SLURM_TEST_DIR:-/tmp/oncomix-slurm}
MARK="# written by oncomix tests/slurm/cluster.sh"
SUDO=$([ "$(id -u)" = 0 ] || echo sudo)
CPUS=$(nproc)
MEMORY_MB=$(($(awk '/MemTotal/ {print $2}' /proc/meminfo) / 1024 - 1024))

install() {
    command -v slurmctld >/dev/null && command -v slurmdbd >/dev/null && command -v mariadbd >/dev/null && return
    $SUDO apt-get update -qq
    $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq slurm-wlm slurmdbd munge mariadb-server
}

write_config() {  # $1 = path, stdin = content; never overwrite a configuration this script did not write
    if [ -e "$1" ] && ! grep -qF "$MARK" "$1"; then
        echo "$1 exists and was not written by this script: not touching a real cluster's configuration" >&2
        exit 1
    fi
    { echo "$MARK"; cat; } | $SUDO tee "$1" >/dev/null
}

wait_for() {  # $1 = what, then a command that succeeds once it is up
    local what=$1
    shift
    for _ in $(seq 60); do
        "$@" >/dev/null 2>&1 && return
        sleep 1
    done
    echo "$what did not come up; logs in $STATE" >&2
    exit 1
}

start() {
    stop  # daemons left by an earlier start that was not stopped
    mkdir -p "$STATE"/{state,spool,mysql}
    $SUDO mkdir -p /etc/slurm /run/munge /run/mysqld
    $SUDO chown munge:munge /run/munge
    $SUDO chown mysql:mysql /run/mysqld "$STATE/mysql"
    chmod 755 "$STATE"
    [ -s /etc/munge/munge.key ] || $SUDO /usr/sbin/mungekey --create
    $SUDO runuser -u munge -- /usr/sbin/munged --pid-file=/run/munge/munged.pid
    cp /run/munge/munged.pid "$STATE/munged.pid"

    $SUDO mariadb-install-db --user=mysql --datadir="$STATE/mysql" --skip-test-db >"$STATE/mariadb-install.log" 2>&1
    $SUDO runuser -u mysql -- /usr/sbin/mariadbd --datadir="$STATE/mysql" --socket=/run/mysqld/mysqld.sock \
        --bind-address=127.0.0.1 --port=3306 --pid-file=/run/mysqld/mariadbd.pid --log-error="$STATE/mariadbd.log" </dev/null >"$STATE/mariadbd.out" 2>&1 &
    wait_for MariaDB $SUDO mariadb --socket=/run/mysqld/mysqld.sock -e "select 1"
    cp /run/mysqld/mariadbd.pid "$STATE/mariadbd.pid"
    $SUDO mariadb --socket=/run/mysqld/mysqld.sock -e "
        create user if not exists 'slurm'@'localhost' identified by 'slurm';
        grant all on slurm_acct_db.* to 'slurm'@'localhost';"

    write_config /etc/slurm/slurmdbd.conf <<EOF
AuthType=auth/munge
DbdHost=localhost
SlurmUser=root
StorageType=accounting_storage/mysql
StorageHost=localhost
StorageLoc=slurm_acct_db
StorageUser=slurm
StoragePass=slurm
StoragePort=3306
PidFile=$STATE/slurmdbd.pid
LogFile=$STATE/slurmdbd.log
EOF
    $SUDO chmod 600 /etc/slurm/slurmdbd.conf
    write_config /etc/slurm/slurm.conf <<EOF
ClusterName=oncomix
SlurmctldHost=localhost
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
StateSaveLocation=$STATE/state
SlurmdSpoolDir=$STATE/spool
SlurmctldPidFile=$STATE/slurmctld.pid
SlurmdPidFile=$STATE/slurmd.pid
SlurmctldLogFile=$STATE/slurmctld.log
SlurmdLogFile=$STATE/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SelectType=select/cons_tres
SelectTypeParameters=CR_Core_Memory
DefMemPerCPU=1000
AccountingStorageType=accounting_storage/slurmdbd
AccountingStorageHost=localhost
AccountingStoreFlags=job_comment
JobAcctGatherType=jobacct_gather/linux
MpiDefault=none
ReturnToService=2
MinJobAge=600
NodeName=localhost CPUs=$CPUS RealMemory=$MEMORY_MB State=UNKNOWN
PartitionName=debug Nodes=ALL Default=YES MaxTime=INFINITE State=UP
EOF
    $SUDO /usr/sbin/slurmdbd
    wait_for slurmdbd $SUDO sacctmgr -n list cluster
    $SUDO sacctmgr -i add cluster oncomix >/dev/null 2>&1 || true
    $SUDO /usr/sbin/slurmctld
    $SUDO /usr/sbin/slurmd
    wait_for "the node" sh -c "sinfo -h -o %t | grep -q idle"
    sinfo
}

stop() {
    for daemon in slurmd slurmctld slurmdbd mariadbd munged; do
        local pidfile="$STATE/$daemon.pid" pid
        [ -s "$pidfile" ] || continue
        pid=$(cat "$pidfile")
        $SUDO kill "$pid" 2>/dev/null || true
        for _ in $(seq 30); do
            $SUDO kill -0 "$pid" 2>/dev/null || break
            sleep 1
        done
        rm -f "$pidfile"
    done
    # remove the configs this script wrote: with a slurm.conf and no controller, every Snakemake start waits
    # 10 s on the SLURM plugin's `scontrol show config`
    for config in /etc/slurm/slurm.conf /etc/slurm/slurmdbd.conf; do
        if [ -e "$config" ] && grep -qF "$MARK" "$config"; then $SUDO rm -f "$config"; fi
    done
}

"$@"
