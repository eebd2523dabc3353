#!/usr/bin/env bash
# Runs weft's benchmarks (they are not tests): control-plane propagation and the proxy comparison.
# Installs what they need (nginx, h2load from nghttp2-client) with apt-get when missing, builds the
# jars, and prints markdown for docs/BENCHMARKS.md. Run it on a quiet machine.
#   benchmarks/run.sh                 # everything
#   benchmarks/run.sh control-plane   # one benchmark, with its own flags after the name
#   benchmarks/run.sh proxy --rate 2000
set -euo pipefail
cd "$(dirname "$0")/.."

source benchmarks/prepare.sh
jar=benchmarks/target/benchmarks.jar
if (($#)); then
  exec java -jar "$jar" "$@"
fi
echo "## control plane: 100 sidecars"
java -jar "$jar" control-plane --sidecars 100
echo "## control plane: 1000 sidecars"
java -jar "$jar" control-plane --sidecars 1000
echo "## proxy"
java -jar "$jar" proxy
