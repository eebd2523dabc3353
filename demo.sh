#!/usr/bin/env bash
# Runs the weft demo mesh on loopback: a control plane, three greeters each with a sidecar, and a
# client calling through its own sidecar. Builds first if needed (Java 17+ and Maven 3.8+ only).
# Ctrl-C stops every process it started. Options: ./demo.sh --help  (e.g. --mode failover)
set -euo pipefail
cd "$(dirname "$0")"
jar=demo/target/weft-demo.jar
if [[ ! -f "$jar" ]] || [[ -n "$(find . -path ./.git -prune -o -path '*/target' -prune -o \
    \( -name '*.java' -o -name '*.proto' -o -name 'pom.xml' -o -name '*.xml' \) -newer "$jar" -print -quit)" ]]; then
  echo "weft demo: building (mvn -DskipTests package) ..."
  mvn -B -q -DskipTests package
fi
exec java -jar "$jar" "$@"
