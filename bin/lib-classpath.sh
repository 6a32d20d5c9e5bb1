# Shared by bin/ scripts: finds java and the module's jar + runtime libraries, building them on first use.
java_bin="${JAVA_HOME:+$JAVA_HOME/bin/}java"
pgquorum_classpath() {
  local module="$1"
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
