#!/usr/bin/env bash
# Groups the jdk.ExecutionSample events of a server JFR recording (bench/run-e2e.sh --jfr) by component: each sample
# is charged to the innermost frame that belongs to spanfold or a library it uses; samples with JDK frames only
# (GC, compiler, I/O) form their own group. A second table splits the span store's samples into block completion
# (background), append on the ingest path and lookups.
# Usage: bench/jfr-components.sh bench/results/<run>/server.jfr
set -euo pipefail
jfr print --stack-depth 64 --events jdk.ExecutionSample "$1" >"${TMPDIR:-/tmp}/jfr-components.$$"
trap 'rm -f "${TMPDIR:-/tmp}/jfr-components.$$"' EXIT
echo "samples by component (innermost project/library frame):"
awk '
function cls(f) {
  if (f ~ /io\.spanfold\.core\.wire|io\.spanfold\.otlp\.json/) return "OTLP decode";
  if (f ~ /io\.spanfold\.core\.graph|redmetrics\.servicegraph/) return "service graph";
  if (f ~ /redmetrics/) return "span-metrics";
  if (f ~ /io\.spanfold\.core\.store|openhft|hppc/) return "span store (incl. Chronicle Map, hppc)";
  if (f ~ /io\.netty|io\.grpc/) return "Netty/gRPC, HTTP";
  if (f ~ /io\.spanfold/) return "other spanfold";
  return "";
}
/stackTrace = \[/ { inst = 1; c = ""; next }
inst && /^[ \t]*\]/ { if (c == "") c = "JDK only (GC, compiler, I/O)"; n[c]++; t++; inst = 0; next }
inst && c == "" { x = cls($0); if (x != "") c = x }
END { for (k in n) printf "%6d %5.1f%%  %s\n", n[k], 100 * n[k] / t, k; printf "%6d total\n", t }' \
  "${TMPDIR:-/tmp}/jfr-components.$$" | sort -rn
echo "span store samples by activity (share of all samples):"
awk '
/stackTrace = \[/ { inst = 1; s = ""; next }
inst && /^[ \t]*\]/ {
  c = "other store work"
  if (s ~ /BlockWriter\.complete|TenantStore\.complete/) c = "block completion (BlockWriter.complete, background thread)"
  else if (s ~ /HeadBlock\.append|HeadTraceIndex|TenantStore\.accept|SpanStore\.accept/) c = "append on the ingest path"
  else if (s ~ /TraceByIdHandler|TraceLookup|Bloom/) c = "trace-by-id lookups"
  if (s ~ /openhft|io\.spanfold\.core\.store/) n[c]++
  t++; inst = 0; next }
inst { s = s $0 }
END { for (k in n) printf "%6d %5.1f%%  %s\n", n[k], 100 * n[k] / t, k }' "${TMPDIR:-/tmp}/jfr-components.$$" | sort -rn
