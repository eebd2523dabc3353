#!/usr/bin/env bash
# Runs weft's whole test suite: unit, integration and end-to-end (real processes on loopback).
# Needs only Java 17+ and Maven 3.8+.
set -euo pipefail
cd "$(dirname "$0")"
exec mvn -B verify "$@"
