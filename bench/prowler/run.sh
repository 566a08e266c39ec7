#!/usr/bin/env bash
# Posture vs Prowler on the same seeded moto estate, in one run: wall time, peak memory, and the
# misconfigurations each reports, matched per check through crosswalk.tsv.
#
#   bash bench/prowler/run.sh            # builds posture --release, installs what is missing
#   POSTURE=target/debug/posture bash bench/prowler/run.sh   # any other posture binary
#
# Writes target/bench-prowler/: each tool's output, time -v reports, results.md (the per-check
# table) and summary.txt.
set -euo pipefail
cd "$(dirname "$0")/../.."
root=$PWD
out=$root/target/bench-prowler
rm -rf "$out" && mkdir -p "$out"

moto_venv=$root/target/moto-venv
if [ ! -x "$moto_venv/bin/moto_server" ]; then
  python3 -m venv "$moto_venv"
  "$moto_venv/bin/pip" install --quiet --disable-pip-version-check 'moto[server]==5.2.5' 'boto3>=1.35'
fi
prowler_venv=$root/target/prowler-venv
if [ ! -x "$prowler_venv/bin/prowler" ]; then
  python3 -m venv "$prowler_venv"
  "$prowler_venv/bin/pip" install --quiet --disable-pip-version-check 'prowler==5.46.0'
fi
posture=${POSTURE:-}
if [ -z "$posture" ]; then
  cargo build --release -q -p posture-cli
  posture=$root/target/release/posture
fi

port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
url=http://127.0.0.1:$port
MOTO_EC2_LOAD_DEFAULT_AMIS=false MOTO_IAM_LOAD_MANAGED_POLICIES=true \
  "$moto_venv/bin/moto_server" -H 127.0.0.1 -p "$port" >"$out/moto.log" 2>&1 &
moto_pid=$!
trap 'kill $moto_pid 2>/dev/null || true' EXIT
for _ in $(seq 100); do
  python3 -c "import socket; socket.create_connection(('127.0.0.1', $port), 1)" 2>/dev/null && break
  sleep 0.2
done
"$moto_venv/bin/python" crates/cli/tests/aws/seed.py "$url" >"$out/seed-ids.json" 2>"$out/seed.log"

# Same account, region, credentials and endpoint for both tools.
export AWS_ENDPOINT_URL=$url AWS_ACCESS_KEY_ID=testing AWS_SECRET_ACCESS_KEY=testing
export AWS_REGION=us-east-1 AWS_DEFAULT_REGION=us-east-1 AWS_EC2_METADATA_DISABLED=true
region=us-east-1
# Prowler retries a call 3 times by default (boto3 standard retrier); Posture gets the same budget.
# The same services on both sides (Prowler names Lambda `awslambda` and keeps VPC checks in `vpc`).
posture_services=iam,s3,ec2,kms,rds,lambda,cloudtrail,elb,elbv2,logs,sns,sqs,secretsmanager,ecr,eks,dynamodb,guardduty,securityhub,accessanalyzer,config,organizations
prowler_services="iam s3 ec2 vpc kms rds awslambda cloudtrail elb elbv2 cloudwatch sns sqs secretsmanager ecr eks dynamodb guardduty securityhub accessanalyzer config organizations"

db=$out/posture.db
/usr/bin/time -v -o "$out/posture.time" "$posture" --db "$db" --format json \
  scan aws --regions "$region" --services "$posture_services" --max-attempts 3 >"$out/posture-scan.json" 2>"$out/posture.log"
"$posture" --db "$db" --format json findings --state fail >"$out/posture-fail.json"
"$posture" --db "$db" --format json findings --state unknown >"$out/posture-unknown.json"

# shellcheck disable=SC2086
/usr/bin/time -v -o "$out/prowler.time" "$prowler_venv/bin/prowler" aws -f "$region" --services $prowler_services \
  -M json-ocsf -o "$out/prowler" -F prowler --no-banner >"$out/prowler.log" 2>&1 || true
prowler_json=$out/prowler/prowler.ocsf.json
[ -s "$prowler_json" ] || { echo "Prowler wrote no findings; see $out/prowler.log" >&2; exit 1; }

secs() { awk -F': ' '/Elapsed \(wall clock\)/ {n=split($2,t,":"); s=0; for(i=1;i<=n;i++) s=s*60+t[i]; print s}' "$1"; }
kib() { awk -F': ' '/Maximum resident set size/ {print $2}' "$1"; }
p_s=$(secs "$out/posture.time"); q_s=$(secs "$out/prowler.time")
p_k=$(kib "$out/posture.time"); q_k=$(kib "$out/prowler.time")
set +e
python3 bench/prowler/compare.py "$prowler_json" "$out/posture-fail.json" "$out/posture-unknown.json" \
  bench/prowler/crosswalk.tsv bench/prowler/reasons.tsv >"$out/results.md" 2>"$out/unexplained.txt"
compare=$?
set -e
{
  echo "posture: ${p_s}s wall, $((p_k / 1024)) MiB peak RSS, $(python3 -c "import json; print(len(json.load(open('$out/posture-fail.json'))))") failed checks"
  echo "prowler: ${q_s}s wall, $((q_k / 1024)) MiB peak RSS"
  python3 -c "print(f'wall-time ratio (prowler / posture): {$q_s / $p_s:.1f}x')"
  tail -1 "$out/results.md"
  cat "$out/unexplained.txt"
} | tee "$out/summary.txt"
exit $compare
