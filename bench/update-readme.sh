#!/usr/bin/env bash
# Regenerates the README's Performance section from a bench run: bench/update-readme.sh RESULTS_DIR
# The results directory should live in the repository (e.g. bench/results/latest) so that the README's links
# to results.md and ratios.svg resolve.
set -euo pipefail
root="$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/.." && pwd)"
if [ $# -ne 1 ]; then
  echo "usage: bench/update-readme.sh RESULTS_DIR (a directory holding results.json)" >&2
  exit 2
fi
if [ ! -f "$1/results.json" ]; then
  echo "update-readme: no results.json in $1 (give the --out directory of a bench/run.sh run)" >&2
  exit 2
fi
dir="$(cd "$1" && pwd)"
link="$(realpath --relative-to="$root" "$dir")"
# shellcheck source=bin/lib-classpath.sh
. "$root/bin/lib-classpath.sh"
pgquorum_classpath bench
exec "$java_bin" -cp "$pgquorum_cp" io.pgquorum.bench.report.ReadmeSection "$dir/results.json" \
  "$root/README.md" "$link"
