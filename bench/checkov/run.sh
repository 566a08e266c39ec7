#!/usr/bin/env bash
# Posture and Checkov on the TerraGoat Terraform, in one run: wall time (median of several runs),
# peak memory (/usr/bin/time -v), and agreement per resource on the checks both have
# (crosswalk.yaml). Writes target/bench-checkov/report.md.
#
#   bench/checkov/run.sh [CORPUS]      # default: ../shared/corpora/terragoat/terraform
#   RUNS=5 CHECKOV_RUNS=3 bench/checkov/run.sh
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
corpus=$(cd "${1:-$root/../shared/corpora/terragoat/terraform}" && pwd)
out=$root/target/bench-checkov
venv=$root/target/checkov-venv
runs=${RUNS:-5}
checkov_runs=${CHECKOV_RUNS:-3}
mkdir -p "$out"

if [ ! -x "$venv/bin/checkov" ]; then
    python3 -m venv "$venv"
    "$venv/bin/pip" install --quiet checkov
fi
# POSTURE_BIN=path uses an existing binary (e.g. a debug build) instead of building release.
if [ -n "${POSTURE_BIN:-}" ]; then
    posture=$POSTURE_BIN
else
    cargo build --quiet --release -p posture-cli
    posture=$root/target/release/posture
fi
build=$(case "$posture" in */release/*) echo release;; */debug/*) echo debug;; *) echo custom;; esac)

# Wall seconds and peak RSS (KiB) of one command, from GNU time's verbose output.
measure() {
    local log=$1; shift
    /usr/bin/time -v "$@" 2> "$log" > "$log.stdout" || true
    local wall rss
    wall=$(grep 'Elapsed (wall clock)' "$log" | awk '{print $NF}' | awk -F: '{ if (NF == 3) print $1*3600 + $2*60 + $3; else print $1*60 + $2 }')
    rss=$(grep 'Maximum resident set size' "$log" | awk '{print $NF}')
    echo "$wall $rss"
}

median() { sort -g | awk '{a[NR]=$1} END {print (NR % 2) ? a[(NR+1)/2] : (a[NR/2] + a[NR/2+1]) / 2}'; }

: > "$out/posture.times"
for i in $(seq "$runs"); do
    rm -f "$out/posture.db"*
    measure "$out/posture.time" "$posture" --db "$out/posture.db" --format json scan iac "$corpus" --include-unknown >> "$out/posture.times"
done
cp "$out/posture.time.stdout" "$out/posture.json"
"$posture" --db "$out/posture.db" --format json inventory --account "iac:$(basename "$corpus")" > "$out/inventory.json"

: > "$out/checkov.times"
for i in $(seq "$checkov_runs"); do
    measure "$out/checkov.time" "$venv/bin/checkov" -d "$corpus" --framework terraform -o json --skip-download >> "$out/checkov.times"
done
cp "$out/checkov.time.stdout" "$out/checkov.json"

p_wall=$(awk '{print $1}' "$out/posture.times" | median)
p_rss=$(awk '{print $2}' "$out/posture.times" | sort -n | tail -1)
c_wall=$(awk '{print $1}' "$out/checkov.times" | median)
c_rss=$(awk '{print $2}' "$out/checkov.times" | sort -n | tail -1)
ratio=$(awk -v c="$c_wall" -v p="$p_wall" 'BEGIN { printf "%.1f", (p > 0) ? c / p : 0 }')

{
    echo "# Posture vs Checkov on $(basename "$(dirname "$corpus")")/$(basename "$corpus")"
    echo
    echo "| tool | wall time (median) | peak memory |"
    echo "|---|---|---|"
    echo "| posture $("$posture" --version | awk '{print $2}') ($build build, $runs runs) | ${p_wall} s | $((p_rss / 1024)) MiB |"
    echo "| checkov $("$venv/bin/checkov" --version) ($checkov_runs runs) | ${c_wall} s | $((c_rss / 1024)) MiB |"
    echo
    echo "Posture is **${ratio}×** faster (Checkov median / Posture median)."
    echo
    python3 "$here/compare.py" "$out/posture.json" "$out/inventory.json" "$out/checkov.json" "$here/crosswalk.yaml"
} > "$out/report.md"
cat "$out/report.md"
