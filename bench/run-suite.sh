#!/usr/bin/env bash
# Issue 7's whole measurement suite, one command: the in-process full path (JMH + CPU-time companion), the server jar
# end to end (closed loop, 100 000 spans/s with trace-by-id lookups, one-span traces for the heap), and with --scale the
# 1 M → 10 M → 20 M stored-spans series. Every step is bounded in time and stops what it starts; each writes its raw
# output under OUT. Record the figures in bench/RESULTS.md with the machine line this script prints first.
#
# Usage (repository root): bench/run-suite.sh [--out=DIR] [--scale] [--scale-data=DIR] [--quick]
#   --quick   shorter runs (for a smoke test of the script itself, not for results)
#   --scale   also fill a kept store to 1 M, 10 M and 20 M spans and measure at each size (≈ 12 GB of disk, ~5 min)
set -euo pipefail

OUT=bench/results/suite-$(date -u +%Y%m%dT%H%M)
SCALE=0
SCALE_DATA=/tmp/spanfold-scale-data
QUICK=0
while [[ $# -gt 0 ]]; do
  case "$1" in
    --out=*) OUT="${1#*=}"; shift ;;
    --scale) SCALE=1; shift ;;
    --scale-data=*) SCALE_DATA="${1#*=}"; shift ;;
    --quick) QUICK=1; shift ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
done
mkdir -p "$OUT"
JAR=bench/target/benchmarks.jar
[[ -f $JAR && -f examples/target/spanfold-server.jar ]] || {
  echo "build first: mvn -B -o -q -pl examples,bench -am package -DskipTests" >&2; exit 2; }
FLAGS=$(grep -o '<chronicle.jvm.flags>[^<]*' pom.xml | sed 's/<chronicle.jvm.flags>//')

D=30s; W=15s; I=3
[[ $QUICK == 1 ]] && { D=5s; W=3s; I=1; }

{
  echo "date: $(date -u +%FT%TZ)"
  echo "machine: nproc $(nproc), $(free -g | awk '/Mem:/ {print $2}') GiB, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)"
  echo "java: $(java -version 2>&1 | head -1)"
  echo "git: $(git rev-parse --short HEAD)"
  echo "load before: $(cut -d' ' -f1-3 /proc/loadavg)"
} | tee "$OUT/machine.txt"

# a failed step is reported and the suite goes on to the next one
run() { "$@" || echo "  step exited with status $?" | tee -a "$OUT/steps.txt"; }
show() { tail -n 25 "$1/loadgen.txt" 2>/dev/null || true; cat "$1/e2e.txt" 2>/dev/null || true; }
step() { echo "== $1 (load $(cut -d' ' -f1-3 /proc/loadavg), $(date -u +%T))" | tee -a "$OUT/steps.txt"; }

step "JMH FullPathBenchmark"
run timeout 900 java -jar $JAR FullPathBenchmark -f 1 -wi 2 -i $I -w 2s -r 2s -prof gc \
  -rf json -rff "$OUT/fullpath.json" >"$OUT/fullpath.txt" 2>&1
grep -E '^FullPathBenchmark|^Benchmark|gc.alloc.rate.norm ' "$OUT/fullpath.txt" | grep -v '±.*≈' || true

step "FullPathCpuTime all"
# shellcheck disable=SC2086
run timeout 600 java $FLAGS -cp $JAR io.spanfold.bench.ingest.FullPathCpuTime all 10000 $((I + 1)) \
  >"$OUT/fullpath-cputime.txt" 2>&1
grep -E 'round|thread ' "$OUT/fullpath-cputime.txt" || true

step "e2e closed loop, OTLP/HTTP protobuf"
run bench/run-e2e.sh --gc-log --out="$OUT/e2e-closed" -- --duration=$D --warmup=$W --concurrency=16 --lookup-rate=100 \
  --check-traces=200 >"$OUT/e2e-closed.log" 2>&1
show "$OUT/e2e-closed"

step "e2e 100 000 spans/s open loop with lookups"
run bench/run-e2e.sh --gc-log --out="$OUT/e2e-100k" -- --rate=100000 --duration=$D --warmup=$W --concurrency=64 \
  --lookup-rate=100 --check-traces=200 >"$OUT/e2e-100k.log" 2>&1
show "$OUT/e2e-100k"

step "e2e one-span traces (heap)"
run bench/run-e2e.sh --histogram --out="$OUT/e2e-trace1" -- --trace-spans=1 --duration=$D --warmup=$W \
  --concurrency=16 --check-traces=200 >"$OUT/e2e-trace1.log" 2>&1
show "$OUT/e2e-trace1"

if [[ $SCALE == 1 ]]; then
  rm -rf "$SCALE_DATA"
  SA=(--data="$SCALE_DATA" --server-arg=--storage.block-duration=1m)
  stored=0
  for target in 1000000 10000000 20000000; do
    n=$(( (target - stored) / 100 ))
    step "fill to $target stored spans ($n requests)"
    run bench/run-e2e.sh "${SA[@]}" --out="$OUT/scale-fill-$target" -- --requests=$n --duration=600s \
      --concurrency=16 >"$OUT/scale-fill-$target.log" 2>&1
    stored=$target
    step "measure at $target stored spans ($(du -sh "$SCALE_DATA" | cut -f1) on disk)"
    run bench/run-e2e.sh --gc-log "${SA[@]}" --out="$OUT/scale-at-$target" -- --rate=100000 --duration=$D --warmup=$W \
      --concurrency=64 --lookup-rate=100 --check-traces=200 >"$OUT/scale-at-$target.log" 2>&1
    show "$OUT/scale-at-$target"
    stored=$(( stored + 100000 * ${D%s} + 100000 * ${W%s} ))
  done
  rm -rf "$SCALE_DATA"
fi
step "done"
