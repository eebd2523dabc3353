#!/usr/bin/env bash
# CPU time per proxied call: the greeter direct, behind nginx (grpc_pass, 1 worker) and behind a
# weft sidecar's outbound proxy, each driven by h2load at a fixed rate (one connection, one stream)
# after a warm-up; prints the CPU the serving process used (user + system, and each apart, from
# /proc/<pid>/stat) divided by the calls, and h2load's mean time per request. Loopback only;
# everything it starts is stopped on exit.
#   benchmarks/cpu-per-call.sh [rate] [seconds] [rounds]      # defaults: 1000 10 3
set -euo pipefail
cd "$(dirname "$0")/.."
source benchmarks/prepare.sh

rate=${1:-1000}
seconds=${2:-10}
rounds=${3:-3}
jar=benchmarks/target/benchmarks.jar
work=$(mktemp -d)
pids=()
trap 'kill "${pids[@]}" 2>/dev/null || true; wait 2>/dev/null || true; rm -rf "$work"' EXIT

# The port a process printed, matched by a regex whose last number is the port (waits up to 60 s).
port_in() {
  for _ in $(seq 1 300); do
    local port
    port=$(grep -oE "$2" "$1" 2>/dev/null | head -1 | grep -oE '[0-9]+$' || true)
    if [[ -n $port ]]; then echo "$port"; return; fi
    sleep 0.2
  done
  echo "no port in $1" >&2; exit 1
}

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }

java -Xms64m -Xmx256m -cp "$jar" io.weft.demo.DemoMain server --port 0 --instance-id g1 \
  >"$work/greeter.log" 2>&1 & greeter=$!; pids+=("$greeter")
java -Xmx256m -cp "$jar" io.weft.controlplane.ControlPlaneMain --port 0 --admin-port 0 \
  --bind-address 127.0.0.1 >"$work/cp.log" 2>&1 & pids+=($!)
greeter_port=$(port_in "$work/greeter.log" 'listening on [0-9.]+:[0-9]+')
cp_port=$(port_in "$work/cp.log" 'grpc=[0-9.]+:[0-9]+')
java -XX:+UseSerialGC -XX:+UseTransparentHugePages -Xms16m -Xmx256m -Xss512k -cp "$jar" \
  io.weft.sidecar.SidecarMain \
  --service greeter --instance-id g1 --app-port "$greeter_port" --inbound-port -1 \
  --advertise-address 127.0.0.1 --advertise-port "$greeter_port" \
  --control-plane "127.0.0.1:$cp_port" --outbound-port 0 --admin-port 0 \
  >"$work/sidecar.log" 2>&1 & sidecar=$!; pids+=("$sidecar")
outbound_port=$(port_in "$work/sidecar.log" 'outbound=[0-9.]+:[0-9]+')

nginx_port=$(free_port)
mkdir -p "$work/nginx/logs"
cat >"$work/nginx/nginx.conf" <<CONF
worker_processes 1;
daemon off;
pid $work/nginx/nginx.pid;
error_log $work/nginx/logs/error.log;
events { worker_connections 1024; }
http {
  access_log off;
  upstream greeter { server 127.0.0.1:$greeter_port; keepalive 16; keepalive_requests 100000000; }
  server {
    listen 127.0.0.1:$nginx_port http2;
    keepalive_requests 100000000;
    location / { grpc_pass grpc://greeter; }
  }
}
CONF
nginx -p "$work/nginx" -c "$work/nginx/nginx.conf" & nginx=$!; pids+=("$nginx")
for _ in $(seq 1 100); do nginx_worker=$(pgrep -P "$nginx" | head -1 || true); [[ -n $nginx_worker ]] && break; sleep 0.1; done

printf '\x00\x00\x00\x00\x07\x0a\x05bench' >"$work/hello.bin"
h2() { # port rate seconds [authority]
  local authority=()
  [[ -n ${4:-} ]] && authority=(-H ":authority: $4")
  h2load -t 1 -c 1 -m 1 --rps "$2" -D "$3" -d "$work/hello.bin" -H 'content-type: application/grpc' \
    -H 'te: trailers' "${authority[@]}" "http://127.0.0.1:$1/helloworld.Greeter/SayHello"
}
cpu_ticks() { awk '{print $14, $15}' "/proc/$1/stat"; }
# Clock ticks of 10 ms (10,000 µs each) per call.
per_call() { echo $(( $1 * 10000 / ($2 > 0 ? $2 : 1) )); }

# Wait until the sidecar routes: its first call may wait for the endpoints.
for _ in $(seq 1 100); do
  h2 "$outbound_port" 10 1 greeter | grep -q ' 0 failed' && break
  sleep 0.2
done

echo "| round | path | calls | CPU per call µs | of which user µs | of which system µs | h2load mean time per request |"
echo "|---|---|---|---|---|---|---|"
for round in $(seq 1 "$rounds"); do
  for path in direct nginx weft; do
    case $path in
      direct) port=$greeter_port; pid=$greeter; authority="" ;;
      nginx) port=$nginx_port; pid=$nginx_worker; authority="" ;;
      weft) port=$outbound_port; pid=$sidecar; authority=greeter ;;
    esac
    h2 "$port" "$rate" 5 "$authority" >/dev/null
    read -r user_before system_before < <(cpu_ticks "$pid")
    out=$(h2 "$port" "$rate" "$seconds" "$authority")
    read -r user_after system_after < <(cpu_ticks "$pid")
    calls=$(grep -oE '[0-9]+ succeeded' <<<"$out" | grep -oE '[0-9]+')
    mean=$(awk '/time for request:/ {print $6}' <<<"$out")
    user=$(( user_after - user_before ))
    system=$(( system_after - system_before ))
    echo "| $round | $path | $calls | $(per_call $(( user + system )) "$calls")" \
      "| $(per_call "$user" "$calls") | $(per_call "$system" "$calls") | $mean |"
  done
done
