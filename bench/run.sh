#!/usr/bin/env bash
# Benchmarks pgquorum against the incumbents (etcd; Patroni + etcd), side by side in one run.
#   bench/run.sh [--quick] [--out DIR] [--only dcs,jmh,failover,failover-raftlead,switchover,sync,cost,scaling,rebuild,soak,replica-loss] [--trials N] [--keep-scratch]
# Installs the incumbents from Debian's packages if missing (needs root for that), builds the project if needed,
# and writes results.json, results.md and ratios.svg into the results directory (default: bench-results).
# PostgreSQL and Patroni refuse to run as root: as root, the run itself happens as BENCH_USER (default
# pgquorum-bench, created if missing), which must be able to read this checkout and write the results directory.
set -euo pipefail
root="$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/.." && pwd)"
for a in "$@"; do
  case "$a" in
    -h|--help)
      sed -n '2,7p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'
      echo "Suites: jmh, dcs, scaling, failover, failover-raftlead, switchover, sync, cost, rebuild, soak, replica-loss (bench/README.md says what each measures)."
      exit 0 ;;
  esac
done

need_apt=()
[ -x /usr/bin/etcd ] || need_apt+=(etcd-server)
[ -x /usr/bin/etcdctl ] || need_apt+=(etcd-client)
[ -x /usr/bin/patroni ] || need_apt+=(patroni)
[ -x /usr/lib/postgresql/15/bin/initdb ] || need_apt+=(postgresql-15)
[ -x /usr/sbin/haproxy ] || need_apt+=(haproxy)
if [ ${#need_apt[@]} -gt 0 ]; then
  if [ "$(id -u)" -eq 0 ]; then
    echo "bench: installing ${need_apt[*]} from Debian's packages" >&2
    # Debian's postgresql package would create and start a cluster on 5432; the etcd package would start a
    # service: neither is wanted (the bench starts its own, on free ports).
    mkdir -p /etc/postgresql-common
    grep -qs '^create_main_cluster' /etc/postgresql-common/createcluster.conf \
      || echo 'create_main_cluster = false' >> /etc/postgresql-common/createcluster.conf
    apt-get update -q
    # The etcd-server and patroni packages would start system services (etcd on 2379): the tests and benchmarks
    # start their own on free ports. A temporary policy-rc.d keeps invoke-rc.d from starting anything.
    policy_made=""
    if [ ! -e /usr/sbin/policy-rc.d ]; then
      printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d && chmod 755 /usr/sbin/policy-rc.d && policy_made=1
    fi
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q "${need_apt[@]}"
    [ -z "$policy_made" ] || rm -f /usr/sbin/policy-rc.d
  else
    echo "bench: missing ${need_apt[*]}; run 'sudo apt-get install -y ${need_apt[*]}' (or run this as root)" >&2
    echo "bench: continuing; suites that need them report what they could not measure" >&2
  fi
fi

if [ "$(id -u)" -eq 0 ]; then
  user="${BENCH_USER:-pgquorum-bench}"
  id -u "$user" >/dev/null 2>&1 || useradd --create-home --shell /bin/bash "$user"
  args=""
  for a in "$@"; do args+=" $(printf '%q' "$a")"; done
  exec su "$user" -c "cd $(printf '%q' "$PWD") && $(printf '%q' "$root/bench/run.sh")$args"
fi

# shellcheck source=bin/lib-classpath.sh
. "$root/bin/lib-classpath.sh"
# Failover runs start daemons through bin/pgquorum, which needs the coordinator built too.
pgquorum_classpath coordinator >/dev/null
pgquorum_classpath bench
exec "$java_bin" ${BENCH_JAVA_OPTS:--Xmx2g} -Dpgquorum.home="$root" -cp "$pgquorum_cp" \
  io.pgquorum.bench.BenchMain "$@"
