#!/usr/bin/env bash
# measure at ~1M, ~10M, ~20M stored spans in a kept data dir, filling in between
set -u
cd /work/wt/e2e
D=/work/e2e-scale-data
R=bench/results/e2e-full-scale; mkdir -p $R; rm -rf $D
SA=(--server-arg=--storage.block-duration=1m)
# spans stored so far: accepted in the measured window + warmup requests (all answered 200 here) x 100
stored() { python3 -c "
import json,glob
t=0
for f in glob.glob('$R/*/summary.json'):
    d=json.load(open(f)); t+=d['acceptedSpans']+d['warmupRequests']*100
print(t)"; }
fill() { local want=$2 have; have=$(stored); local n=$(( (want - have) / 100 )); [[ $n -le 0 ]] && { echo "fill $1 skipped, have $have"; return; }
  bench/run-e2e.sh --data=$D "${SA[@]}" --out=$R/fill-$1 -- --requests=$n --duration=600s --concurrency=16 --progress=10s > $R/fill-$1.log 2>&1; echo "fill $1 rc=$? stored $(stored) $(du -sh $D | cut -f1) $(uptime)"; }
measure() { echo "measure $1 starts with stored $(stored)"; bench/run-e2e.sh --data=$D "${SA[@]}" --out=$R/at-$1 -- --duration=10s --warmup=5s --concurrency=16 --lookup-rate=100 --check-traces=200 > $R/at-$1.log 2>&1; echo "measure $1 rc=$? stored $(stored) $(du -sh $D | cut -f1) $(uptime)"; }


fill 1M 1000000
measure 1M
fill 10M 10000000
measure 10M
fill 20M 20000000
measure 20M
