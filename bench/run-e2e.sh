#!/usr/bin/env bash
# End-to-end ingest run: start spanfold-server.jar with a fixed heap on free loopback ports, drive it with
# io.spanfold.bench.load.LoadGenerator, sample the server's heap and GC (jstat) and CPU time, optionally record a JFR
# profile of the server, then stop everything. Bounded: the load generator gets (its --duration + --warmup + 90 s)
# at most, the server 20 s to stop after SIGTERM.
#
# Usage (from the repository root, after `mvn -B -o -q -pl examples,bench -am package -DskipTests`):
#   bench/run-e2e.sh [--heap=512m] [--out=DIR] [--jfr] [--histogram] [--data=DIR] [--server-cpus=LIST] [--server-arg=FLAG ...]
#                    [--gc=G1|Z|Parallel|Serial] [--gc-log] [--server-jvm-arg=FLAG ...]
#                    -- [LoadGenerator flags, without --port/--query-port]
# --histogram writes class_histogram.txt (live objects after a full GC, then GC.heap_info) after the load;
# --data=DIR keeps the server's data in DIR (created if missing, NOT deleted afterwards: to fill a store once and
# measure against it in later runs); --server-cpus pins the server with taskset -c LIST; --server-arg passes one
# more flag to the server (repeatable, e.g. --server-arg=--storage.block-duration=1m); --gc picks the server's
# collector (default G1); --gc-log writes the server's GC log (-Xlog:gc, every pause with its duration) to gc.log and
# sums up the pauses in e2e.txt; --server-jvm-arg passes one more JVM option to the server (repeatable).
# e.g.
#   bench/run-e2e.sh --out=bench/results/e2e-http -- --duration=30s --warmup=5s --concurrency=16 --check-traces=100
#
# Files in DIR: server.log, loadgen.txt, summary.json (LoadGenerator --json), jstat.txt (one line a second),
# heap_info.txt (jcmd GC.heap_info after the load), e2e.txt (peak heap, GC and CPU figures), and with --jfr
# server.jfr plus top-frames.txt (the 25 most sampled top frames of jdk.ExecutionSample).
set -euo pipefail

HEAP=512m
OUT=bench/results/e2e
JFR=0
HISTO=0
KEEP_DATA=
SERVER_CPUS=
SERVER_ARGS=()
JVM_ARGS=()
GC=G1
GC_LOG=0
while [[ $# -gt 0 ]]; do
  case "$1" in
    --heap=*) HEAP="${1#*=}"; shift ;;
    --out=*) OUT="${1#*=}"; shift ;;
    --jfr) JFR=1; shift ;;
    --histogram) HISTO=1; shift ;;
    --data=*) KEEP_DATA="${1#*=}"; shift ;;
    --server-cpus=*) SERVER_CPUS="${1#*=}"; shift ;;
    --server-arg=*) SERVER_ARGS+=("${1#*=}"); shift ;;
    --server-jvm-arg=*) JVM_ARGS+=("${1#*=}"); shift ;;
    --gc=*) GC="${1#*=}"; shift ;;
    --gc-log) GC_LOG=1; shift ;;
    --) shift; break ;;
    *) echo "unknown option $1 (LoadGenerator flags go after --)" >&2; exit 2 ;;
  esac
done
LOADGEN_ARGS=("$@")

# SERVER_JAR / BENCH_JAR in the environment override the built jars (A/B runs of two builds)
SERVER_JAR=${SERVER_JAR:-examples/target/spanfold-server.jar}
BENCH_JAR=${BENCH_JAR:-bench/target/benchmarks.jar}
for f in "$SERVER_JAR" "$BENCH_JAR"; do
  [[ -f "$f" ]] || { echo "missing $f: run mvn -B -o -q -pl examples,bench -am package -DskipTests" >&2; exit 2; }
done
mkdir -p "$OUT"
OUT=$(cd "$OUT" && pwd)
if [[ -n "$KEEP_DATA" ]]; then
  mkdir -p "$KEEP_DATA"
  DATA=$(cd "$KEEP_DATA" && pwd)
else
  DATA=$(mktemp -d /tmp/spanfold-e2e-data.XXXXXX)
fi

# seconds of load the generator was asked for, for the time bound
secs() { local v="$1"; case "$v" in *ms) echo $(( ${v%ms} / 1000 + 1 ));; *s) echo "${v%s}";; *m) echo $(( ${v%m} * 60 ));;
  *h) echo $(( ${v%h} * 3600 ));; *) echo "$v";; esac; }
LOAD_SECS=10
WARM_SECS=0
for a in "${LOADGEN_ARGS[@]}"; do
  case "$a" in --duration=*) LOAD_SECS=$(secs "${a#*=}");; --warmup=*) WARM_SECS=$(secs "${a#*=}");; esac
done
BOUND=$(( LOAD_SECS + WARM_SECS + 90 ))

JFR_OPTS=()
if [[ $JFR == 1 ]]; then
  JFR_OPTS=(-XX:StartFlightRecording=filename="$OUT/server.jfr",settings=profile,dumponexit=true)
fi

case "$GC" in
  G1|Z|Parallel|Serial|Shenandoah) ;;
  *) echo "--gc must be G1, Z, Parallel, Serial or Shenandoah, not $GC" >&2; exit 2 ;;
esac
if [[ $GC_LOG == 1 ]]; then
  JVM_ARGS+=(-Xlog:gc,gc+phases=info,safepoint:file="$OUT/gc.log":uptime,level,tags)
fi

PIN=()
[[ -n "$SERVER_CPUS" ]] && PIN=(taskset -c "$SERVER_CPUS")
echo "data dir $DATA: $(du -sh "$DATA" | cut -f1) before the run" >"$OUT/data.txt"
"${PIN[@]}" java -Xmx"$HEAP" -Xms"$HEAP" -XX:+Use${GC}GC "${JFR_OPTS[@]}" "${JVM_ARGS[@]}" -jar "$SERVER_JAR" --bind=127.0.0.1 \
  --otlp.grpc.port=0 --otlp.http.port=0 --http.port=0 --data.dir="$DATA" "${SERVER_ARGS[@]}" \
  >"$OUT/server.log" 2>&1 &
SERVER=$!
SAMPLER=
cleanup() {
  [[ -n "$SAMPLER" ]] && kill "$SAMPLER" 2>/dev/null || true
  if kill -0 "$SERVER" 2>/dev/null; then
    kill -TERM "$SERVER" 2>/dev/null || true
    for _ in $(seq 1 40); do kill -0 "$SERVER" 2>/dev/null || break; sleep 0.5; done
    kill -KILL "$SERVER" 2>/dev/null || true
  fi
  wait "$SERVER" 2>/dev/null || true
  if [[ -n "$KEEP_DATA" ]]; then
    echo "data dir $DATA: $(du -sh "$DATA" | cut -f1) after the run (kept)" >>"$OUT/data.txt"
  else
    rm -rf "$DATA"
  fi
}
trap cleanup EXIT

# the server logs "spanfold listening: otlp-grpc=H:P otlp-http=H:P http=H:P data=..."
for _ in $(seq 1 60); do
  grep -q "spanfold listening" "$OUT/server.log" && break
  kill -0 "$SERVER" 2>/dev/null || { echo "server exited:" >&2; cat "$OUT/server.log" >&2; exit 1; }
  sleep 0.5
done
LINE=$(grep -m1 "spanfold listening" "$OUT/server.log") || { echo "server did not start in 30 s" >&2; exit 1; }
GRPC_PORT=$(sed -E 's/.*otlp-grpc=[^ ]*:([0-9]+).*/\1/' <<<"$LINE")
HTTP_PORT=$(sed -E 's/.*otlp-http=[^ ]*:([0-9]+).*/\1/' <<<"$LINE")
QUERY_PORT=$(sed -E 's/.* http=[^ ]*:([0-9]+).*/\1/' <<<"$LINE")
PORT=$HTTP_PORT
for a in "${LOADGEN_ARGS[@]}"; do [[ "$a" == "--protocol=grpc" ]] && PORT=$GRPC_PORT; done
echo "server pid $SERVER heap $HEAP gc $GC ${JVM_ARGS[*]}: otlp-grpc :$GRPC_PORT otlp-http :$HTTP_PORT query :$QUERY_PORT" | tee "$OUT/e2e.txt"

jstat -gc "$SERVER" 1000 >"$OUT/jstat.txt" 2>/dev/null &
SAMPLER=$!
cpu_secs() { awk -v hz="$(getconf CLK_TCK)" '{ printf "%.1f", ($14 + $15) / hz }' "/proc/$1/stat"; }
CPU0=$(cpu_secs "$SERVER")
echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg)" | tee -a "$OUT/e2e.txt"

set +e
timeout "$BOUND" java -Xmx1g -cp "$BENCH_JAR" io.spanfold.bench.load.LoadGenerator --port="$PORT" \
  --query-port="$QUERY_PORT" --json="$OUT/summary.json" "${LOADGEN_ARGS[@]}" 2>&1 | tee "$OUT/loadgen.txt"
RC=${PIPESTATUS[0]}
set -e

CPU1=$(cpu_secs "$SERVER")
jcmd "$SERVER" GC.heap_info >"$OUT/heap_info.txt" 2>&1 || true
if [[ $HISTO == 1 ]]; then
  # the live set after the load: GC.class_histogram runs a full GC first
  jcmd "$SERVER" GC.class_histogram 2>&1 | head -30 >"$OUT/class_histogram.txt" || true
  jcmd "$SERVER" GC.heap_info >>"$OUT/class_histogram.txt" 2>&1 || true
fi
kill "$SAMPLER" 2>/dev/null || true
SAMPLER=
# jstat -gc columns: S0C S1C S0U S1U EC EU OC OU MC MU CCSC CCSU YGC YGCT FGC FGCT [CGC CGCT] GCT (KiB, s)
awk 'NR > 1 && $1 ~ /^[0-9.]+$/ {
       used = ($3 + $4 + $6 + $8) / 1024; committed = ($1 + $2 + $5 + $7) / 1024; old = $8 / 1024
       if (used > maxUsed) maxUsed = used; if (committed > maxCommitted) maxCommitted = committed
       if (old > maxOld) maxOld = old; ygc = $13; fgc = $15; gct = $NF; n++ }
     END { printf "server heap (jstat, %d samples): peak used %.0f MiB, peak committed %.0f MiB, peak old gen %.0f MiB;" \
             " young GCs %d, full GCs %d, GC time %.2f s\n", n, maxUsed, maxCommitted, maxOld, ygc, fgc, gct }' \
  "$OUT/jstat.txt" | tee -a "$OUT/e2e.txt"
if [[ $GC_LOG == 1 && -f "$OUT/gc.log" ]]; then
  # G1/Parallel/Serial: "[gc] GC(n) Pause Young (Normal) ... 12.345ms"; ZGC: "[gc,phases] ... Pause Mark Start 0.1ms"
  # safepoints (every stop of the Java threads, GC or not): "... Total: N ns"
  # (mawk has no asort: the pauses are sorted by sort -n)
  PAUSES=$(awk '/\[gc(,phases)?[ \]]/ && /Pause/ && /ms$/ { v = $NF; sub(/ms$/, "", v); print v }' "$OUT/gc.log" | sort -n)
  SAFEPOINTS=$(awk '/\[safepoint/ && /Total: / { for (i = 1; i <= NF; i++) if ($i == "Total:") print $(i + 1) / 1e6 }' \
    "$OUT/gc.log" | sort -n)
  summarize() { awk -v what="$1" 'NF { a[++n] = $1; sum += $1 } END { if (n == 0) { printf "%s: none", what; exit }
    p = int(n * 0.99); if (p < 1) p = 1; over = 0; for (i = 1; i <= n; i++) if (a[i] > 1) over++
    printf "%s: %d, total %.1f ms, p50 %.2f, p99 %.2f, max %.2f ms, %d over 1 ms", what, n, sum, a[int((n + 1) / 2)], a[p], a[n], over }'; }
  echo "$(summarize "gc pauses (gc.log)" <<<"$PAUSES"); $(summarize "safepoints" <<<"$SAFEPOINTS")" | tee -a "$OUT/e2e.txt"
fi
echo "server CPU during the run: $(awk -v a="$CPU0" -v b="$CPU1" 'BEGIN { printf "%.1f", b - a }') s" | tee -a "$OUT/e2e.txt"
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)" | tee -a "$OUT/e2e.txt"

if [[ $JFR == 1 ]]; then
  jcmd "$SERVER" JFR.dump filename="$OUT/server.jfr" >/dev/null 2>&1 || true
  # top frame of each execution sample: the first "at" line after "stackTrace = ["
  jfr print --events jdk.ExecutionSample "$OUT/server.jfr" \
    | awk '/stackTrace = \[/ { getline; sub(/^[ \t]+/, ""); sub(/[ \t]+line:.*/, ""); print }' \
    | sort | uniq -c | sort -rn | head -25 >"$OUT/top-frames.txt" || true
  echo "JFR top frames (samples, frame):" | tee -a "$OUT/e2e.txt"
  tee -a "$OUT/e2e.txt" <"$OUT/top-frames.txt"
fi
exit "$RC"
