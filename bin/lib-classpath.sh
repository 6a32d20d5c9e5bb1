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
