#!/bin/bash
# CPU µs per request of one server mode (see plaintext.mts): server on core 0, wrk on core 1.
# usage (from the repository root): bash packages/phial/test/server/http1/bench/bench.sh h1 8082
mode=${1:-h1}; port=${2:-8082}; path=/plaintext
dir=$(dirname "$0")
taskset -c 0 node --import tsx "$dir/plaintext.mts" "$mode" "$port" > /dev/null 2>&1 &
pid=$!
sleep 3
taskset -c 1 wrk -t1 -c64 -d2s "http://127.0.0.1:$port$path" > /dev/null
read -r -a a < "/proc/$pid/stat"; u0=${a[13]}; s0=${a[14]}
out=$(taskset -c 1 wrk -t1 -c64 -d4s "http://127.0.0.1:$port$path")
read -r -a a < "/proc/$pid/stat"; u1=${a[13]}; s1=${a[14]}
kill "$pid"
reqs=$(echo "$out" | grep -oE '^ +[0-9]+ requests' | grep -oE '[0-9]+')
ticks=$(( (u1 - u0) + (s1 - s0) ))
hz=$(getconf CLK_TCK)
echo "$mode: $reqs requests, $(echo "$out" | grep Requests/sec), $(echo "scale=2; $ticks * 1000000 / $hz / $reqs" | bc) µs CPU/request"
