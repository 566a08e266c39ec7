#!/usr/bin/env bash
# Core benchmarks (issue: core): rule-engine throughput, and `posture scan snapshot` wall time and
# peak memory on deterministic synthetic estates. Usage: bench/run.sh [SIZES...] (default 100000 1000000)
set -euo pipefail
cd "$(dirname "$0")/.."
sizes=("${@:-100000 1000000}")
read -r -a sizes <<< "${sizes[*]}"
out=${BENCH_OUT:-bench/out}
mkdir -p "$out"
cargo build --release -q -p posture-cli -p posture-bench
bin=target/release

echo "== rule evaluation throughput (one core)"
"$bin/eval-throughput" 200000 | tee "$out/eval-throughput.json"

for n in "${sizes[@]}"; do
  estate="$out/estate-$n.ndjson.gz"
  [ -f "$estate" ] || "$bin/gen-estate" "$n" "$estate"
  for run in first rescan; do
    [ "$run" = first ] && rm -f "$out/scan-$n.db" "$out/scan-$n.db-wal" "$out/scan-$n.db-shm"
    /usr/bin/time -v "$bin/posture" --db "$out/scan-$n.db" scan snapshot "$estate" \
      > "$out/scan-$n-$run.txt" 2> "$out/scan-$n-$run.time"
    wall=$(grep 'Elapsed (wall clock)' "$out/scan-$n-$run.time" | awk '{print $NF}')
    rss=$(grep 'Maximum resident set size' "$out/scan-$n-$run.time" | awk '{print $NF}')
    echo "== scan snapshot $n resources ($run): wall $wall, peak RSS $((rss / 1024)) MiB — $(head -1 "$out/scan-$n-$run.txt")"
  done
done

# Security graph (issue 7): build, permissions, paths and queries on a synthetic 1M-resource estate.
echo "== security graph, 1M resources"
/usr/bin/time -v "$bin/graph-bench" 1000000 > "$out/graph-bench.json" 2> "$out/graph-bench.time"
cat "$out/graph-bench.json"
echo "   wall $(grep 'Elapsed (wall clock)' "$out/graph-bench.time" | awk '{print $NF}'), peak RSS $(( $(grep 'Maximum resident set size' "$out/graph-bench.time" | awk '{print $NF}') / 1024 )) MiB"
