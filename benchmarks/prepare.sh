#!/usr/bin/env bash
# Installs what the benchmarks need (nginx, h2load from nghttp2-client) with apt-get when missing
# and builds the jars. Sourced by the benchmark scripts; run from the repository root.
set -euo pipefail

need=()
command -v nginx >/dev/null || need+=(nginx)
command -v h2load >/dev/null || need+=(nghttp2-client)
if ((${#need[@]})); then
  sudo=""; [[ $(id -u) -eq 0 ]] || sudo="sudo"
  $sudo apt-get update -q && $sudo apt-get install -y -q "${need[@]}"
fi

mvn -B -q -DskipTests package -pl benchmarks -am
