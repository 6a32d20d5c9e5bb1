# Shared by bin/ scripts: finds java and a program's class path (the jar of the module that holds its main class,
# plus that module's runtime libraries).
#   Unpacked release bundle (dist/ builds it): every runtime jar is in lib/ once, and lib/<module>.classpath
#   lists the ones <module> runs with (lib/<name>.jar entries; see the root pom's runtime-classpath). No build.
#   Source tree: <module>/target/<module>-*.jar plus <module>/target/lib, built on first use.
java_bin="${JAVA_HOME:+$JAVA_HOME/bin/}java"
pgquorum_classpath() {
  local module="$1"
  if [ -f "$root/lib/$module.classpath" ]; then
    local jar entries
    jar="$(ls "$root/lib/$module"-[0-9]*.jar 2>/dev/null | head -1 || true)"
    if [ -z "$jar" ]; then
      echo "pgquorum: $root/lib has $module.classpath but no $module jar: the bundle is incomplete" >&2
      exit 1
    fi
    entries="$(cat "$root/lib/$module.classpath")"
    pgquorum_cp="$jar${entries:+:$root/${entries//:/:$root/}}"
    return
  fi
  local target="$root/$module/target"
  local jar
  jar="$(ls "$target"/"$module"-*.jar 2>/dev/null | grep -Ev -- '-(sources|tests)\.jar$' | head -1 || true)"
  if [ -z "$jar" ] || [ ! -d "$target/lib" ]; then
    echo "pgquorum: building $module (first run, takes a minute)..." >&2
    (cd "$root" && ./mvnw -B -q -DskipTests -pl "$module" -am package) >&2
    jar="$(ls "$target"/"$module"-*.jar | grep -Ev -- '-(sources|tests)\.jar$' | head -1)"
  fi
  pgquorum_cp="$jar:$target/lib/*"
}

# Class-data sharing (AppCDS) for a program's JVM: sets pgquorum_cds_opts, JVM options to pass as
# "${pgquorum_cds_opts[@]}" (possibly none), for the class path pgquorum_classpath found.
#   pgquorum_cds <module> <record: yes|no>
# Why: a daemon's start costs about 5 CPU s, much of it parsing and verifying the same 8,000 library classes every
# time; mapped from an archive they cost less per start, and the classes' pages are shared with the node's
# watchdog JVM (and other JVMs of the same build on the machine) instead of copied into each one's metaspace
# (measured on a demo cluster: a daemon's PSS 124-132 -> 95-99 MiB; bench/README.md, `cost`).
# How an archive comes about, with no step for the user: a run with record=yes (a node or a witness, pgctl, the
# fault runner; not --help and the like) writes the names of the classes it loads (-XX:DumpLoadedClassList) to
# <module>-<key>.classlist.<pid>, and a detached helper waits until that list has not grown for 10 s (the
# program has started up, or exited) and dumps an archive from it (-Xshare:dump: about 15 CPU s and 400 MB, once,
# beside the running program rather than before it). Every later run maps the archive: a node from its next
# start on. <key> is a checksum of the JDK's and the class path's files (name, size, mtime), so a rebuild or a JDK
# upgrade gets a new archive; a dump removes other keys' files that no run has used for an hour.
# Where: $PGQUORUM_CDS_DIR if set; else <module>/target/cds in a source tree; in a bundle systemd's
# $CACHE_DIRECTORY (the units' CacheDirectory=), else $XDG_CACHE_HOME (~/.cache)/pgquorum; no archive when the
# place is not writable. PGQUORUM_CDS=off turns it all off.
# Safe to get wrong: the JVM checks an archive against its class path and JDK and ignores one that is missing,
# damaged or does not match (-Xshare:auto, the default; -Xlog:cds=off keeps that quiet) and loads classes the
# usual way. ArchiveRelocationMode=0 maps the archive at its own base address, so its pages stay clean and shared
# (the JDK's default, 1, relocates it to a random address, which rewrites, and so copies, every page: measured,
# the watchdog JVM then grows from 18 to 61 MiB PSS); the flag is diagnostic, so the dump runs with it too, and a
# JDK that does not know it fails the dump (a .failed file, no archive) rather than the program's start.
# Ordering assumptions: an archive is only ever published by rename (mv within one directory: atomic), never
# written in place, so no JVM maps a half-written one, and a mapped archive is never truncated under its JVM
# (that would be SIGBUS); rm of an archive leaves the mapped file to its readers. flock -n lets one dump run at a
# time; a helper that finds it taken leaves the archive to the one that holds it.
# The same options are in WatchdogProcess.command (Java), for the watchdog JVM that maps the daemon's archive.
pgquorum_cds_flags=(-Xlog:cds=off -Xlog:cds+dynamic=off -XX:+UnlockDiagnosticVMOptions -XX:ArchiveRelocationMode=0)
pgquorum_cds() {
  local module="$1" record="$2"
  pgquorum_cds_opts=()
  if [ "${PGQUORUM_CDS:-on}" = off ]; then
    return 0
  fi
  local dir
  if [ -n "${PGQUORUM_CDS_DIR:-}" ]; then
    dir="$PGQUORUM_CDS_DIR"
  elif [ -d "$root/$module/target" ] && [ ! -f "$root/lib/$module.classpath" ]; then
    dir="$root/$module/target/cds"
  elif [ -n "${CACHE_DIRECTORY:-}" ]; then
    dir="${CACHE_DIRECTORY%%:*}"
  else
    dir="${XDG_CACHE_HOME:-${HOME:-/nonexistent}/.cache}/pgquorum"
  fi
  if [ "$record" != yes ] && [ ! -d "$dir" ]; then
    return 0
  fi
  [ -d "$dir" ] || mkdir -p "$dir" 2>/dev/null || return 0
  [ -w "$dir" ] || return 0
  # An archive is code the JVM maps and runs: only from a directory this user owns and no one else may write.
  local mode
  mode="$(stat -c %a "$dir" 2>/dev/null)" || return 0
  if [ ! -O "$dir" ] || [ $((8#$mode & 8#022)) -ne 0 ]; then
    return 0
  fi
  local java_real key entry files=()
  java_real="$(readlink -f "$(command -v "$java_bin" || true)")" || return 0
  [ -x "$java_real" ] || return 0
  files=("$java_real" "${java_real%/bin/java}/lib/server/libjvm.so")
  local IFS=:
  for entry in $pgquorum_cp; do
    if [ "${entry##*/}" = "*" ]; then
      files+=("${entry%\*}"*.jar)
    else
      files+=("$entry")
    fi
  done
  IFS=$' \t\n'
  # One stat for all files (every start runs this); missing ones just drop out of the checksum.
  read -r key _ < <(stat -c '%n %s %Y' "${files[@]}" 2>/dev/null | cksum)
  local archive="$dir/$module-$key.jsa"
  if [ -f "$archive" ]; then
    # Marks it in use: the dump of another key (another JDK running the same build, say) removes only archives
    # no run has used for an hour, so two keys in use never remove each other's.
    touch -c "$archive" 2>/dev/null || true
    # The property tells the daemon which archive to hand to its watchdog JVM (WatchdogProcess).
    pgquorum_cds_opts=("-XX:SharedArchiveFile=$archive" "${pgquorum_cds_flags[@]}" "-Dpgquorum.cds.archive=$archive")
  elif [ "$record" = yes ] && [ ! -f "$dir/$module-$key.failed" ] && command -v flock >/dev/null \
      && command -v setsid >/dev/null; then
    local list="$dir/$module-$key.classlist.$$"
    pgquorum_cds_opts=("-XX:DumpLoadedClassList=$list")
    # Detached (its own session, re-parented at once): not a child of the program this script becomes, and not
    # stopped with that program's process group. Without the program's preloads and JVM options: under
    # libfaketime (the fault runner's clock-rate faults) the dump would record faked jar times, and the archive
    # would match no normal run.
    (env -u LD_PRELOAD -u JAVA_TOOL_OPTIONS -u _JAVA_OPTIONS -u JDK_JAVA_OPTIONS \
      setsid bash -c "$(declare -f pgquorum_cds_dump); pgquorum_cds_dump \"\$@\"" pgquorum_cds_dump \
      "$java_bin" "$dir" "$module-$key" "$list" "$pgquorum_cp" "${pgquorum_cds_flags[@]}" \
      </dev/null >/dev/null 2>&1 &)
  fi
}

# The helper pgquorum_cds starts: java dir name list classpath flags... Waits for the list to settle (at most 5
# min), then dumps <dir>/<name>.jsa from it, unless another helper does or did.
pgquorum_cds_dump() {
  local java="$1" dir="$2" name="$3" list="$4" cp="$5" waited=0
  shift 5
  local archive="$dir/$name.jsa" log="$dir/$name.dump.$$" snapshot="$dir/$name.snapshot.$$"
  # The program starts writing its list only after this helper has started: give it 30 s to appear.
  while :; do
    [ ! -f "$archive" ] && [ "$waited" -lt 300 ] && { [ -f "$list" ] || [ "$waited" -lt 30 ]; } || return 0
    if [ -f "$list" ] && [ $(($(printf '%(%s)T' -1) - $(stat -c %Y "$list" || echo 0))) -ge 10 ]; then
      break
    fi
    sleep 2
    waited=$((waited + 2))
  done
  exec 9>"$dir/${name%-*}.lock"
  flock -n 9 || return 0
  [ ! -f "$archive" ] || return 0
  # Other keys' files untouched for an hour are from earlier builds or JDKs (see the touch in pgquorum_cds).
  find "$dir" -maxdepth 1 -name "${name%-*}-[0-9]*.*" ! -name "$name.*" -mmin +60 -exec rm -f {} + 2>/dev/null
  # A copy without a last line the program may still be writing.
  cp "$list" "$snapshot" || return 0
  if [ -n "$(tail -c 1 "$snapshot")" ]; then
    sed -i '$d' "$snapshot"
  fi
  # Serial GC as the programs use (no heap objects archived that they could not use), C1 only: the dump is mostly
  # native work, this trims its CPU a little.
  if "$java" -Xmx256m -XX:+UseSerialGC -XX:TieredStopAtLevel=1 "$@" -Xshare:dump \
      -XX:SharedClassListFile="$snapshot" -XX:SharedArchiveFile="$archive.$$" -cp "$cp" >"$log" 2>&1; then
    mv -f "$archive.$$" "$archive"
    rm -f "$log" "$snapshot" "$dir/$name".classlist.*
  else
    rm -f "$archive.$$" "$snapshot"
    mv -f "$log" "$dir/$name.failed"
  fi
}
