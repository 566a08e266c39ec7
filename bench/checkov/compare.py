#!/usr/bin/env python3
"""Agreement between Posture and Checkov on the checks both have (bench/checkov/crosswalk.yaml).

Reads Posture's `scan iac --format json --include-unknown` output, Posture's inventory (JSON) and
Checkov's JSON report; prints a Markdown report: per crosswalk entry, how many resources both
fail, both pass, only one fails, or Posture cannot decide; then every Checkov failure on a
crosswalked check that Posture does not report, with the reason from the crosswalk (or
"UNEXPLAINED").
"""

import json
import sys
from collections import defaultdict

import yaml


def load_checkov(path):
    doc = json.load(open(path))
    reports = doc if isinstance(doc, list) else [doc]
    checks = []
    for rep in reports:
        res = rep.get("results", {})
        for state, key in (("fail", "failed_checks"), ("pass", "passed_checks")):
            for c in res.get(key, []):
                checks.append({
                    "id": c["check_id"],
                    "name": c.get("check_name", ""),
                    "file": c["file_path"].lstrip("/"),
                    "resource": c["resource"],
                    "lines": c.get("file_line_range") or [0, 0],
                    "state": state,
                })
    return checks


def split_uid(uid):
    # iac:<file>#<address>
    body = uid[len("iac:"):] if uid.startswith("iac:") else uid
    file, _, address = body.partition("#")
    return file, address


def main(posture_json, inventory_json, checkov_json, crosswalk_yaml):
    ours = json.load(open(posture_json))["findings"]
    inventory = json.load(open(inventory_json))
    checkov = load_checkov(checkov_json)
    walk = yaml.safe_load(open(crosswalk_yaml))
    reasons = walk.get("reasons", {}) or {}

    resources = {split_uid(r["uid"]) for r in inventory}
    state = {}  # (rule, file, address) -> fail | unknown | error
    secrets = defaultdict(list)  # (rule, file) -> [line]
    for f in ours:
        file, address = split_uid(f["uid"])
        if f.get("suppressed"):
            continue
        state[(f["rule_id"], file, address)] = f["state"]
        if f["rule_id"].startswith("IAC.SECRETS"):
            secrets[(f["rule_id"], file)].append(f["line"])

    by_check = defaultdict(list)
    for c in checkov:
        by_check[c["id"]].append(c)

    rows, missed, extra = [], [], []
    for entry in walk["crosswalk"]:
        rule = entry["rule"]
        ids = entry["checkov"]
        per_resource = {}
        for cid in ids:
            for c in by_check.get(cid, []):
                key = (c["file"], c["resource"])
                prev = per_resource.get(key)
                if prev is None or c["state"] == "fail":
                    per_resource[key] = c
        counts = defaultdict(int)
        for (file, res), c in sorted(per_resource.items()):
            if rule.startswith("IAC.SECRETS"):
                lo, hi = c["lines"]
                mine = "fail" if any(lo <= ln <= hi for ln in secrets.get((rule, file), [])) else "pass"
            elif (file, res) not in resources:
                mine = "absent"
            else:
                # A VPC's implicit default security group is its own resource in Posture.
                mine = state.get((rule, file, res)) or state.get((rule, file, res + ".default_security_group"), "pass")
            theirs = c["state"]
            if mine == "fail" and theirs == "fail":
                counts["both fail"] += 1
            elif mine == "pass" and theirs == "pass":
                counts["both pass"] += 1
            elif mine == "fail":
                counts["only Posture fails"] += 1
                extra.append((rule, c["id"], file, res, c["name"]))
            elif theirs == "fail":
                counts[f"only Checkov fails (Posture {mine})"] += 1
                why = reasons.get(f"{rule} {c['id']} {file} {res}") or reasons.get(f"{rule} {c['id']}") or reasons.get(c["id"]) or "UNEXPLAINED"
                missed.append((rule, c["id"], file, res, c["lines"][0], mine, why))
            else:
                counts[f"Posture {mine}, Checkov {theirs}"] += 1
        rows.append((rule, ", ".join(ids), dict(counts)))

    total = defaultdict(int)
    for _, _, c in rows:
        for k, v in c.items():
            total[k] += v
    agree = total["both fail"] + total["both pass"]
    decided = sum(total.values())
    print(f"Crosswalk entries: {len(rows)}; resource×check pairs both tools evaluated: {decided}; "
          f"agreement: {agree}/{decided} ({100.0 * agree / max(decided, 1):.1f}%).\n")
    print("| Posture rule | Checkov checks | both fail | both pass | only Posture fails | only Checkov fails |")
    print("|---|---|---|---|---|---|")
    for rule, ids, c in rows:
        only_ck = sum(v for k, v in c.items() if k.startswith("only Checkov"))
        other = sum(v for k, v in c.items() if k.startswith("Posture "))
        tail = f" (+{other} unknown/other)" if other else ""
        print(f"| {rule} | {ids} | {c.get('both fail', 0)} | {c.get('both pass', 0)}{tail} | {c.get('only Posture fails', 0)} | {only_ck} |")
    print(f"\nCheckov failures on crosswalked checks that Posture does not report ({len(missed)}):\n")
    print("| Posture rule | Checkov check | file:line | resource | Posture says | reason |")
    print("|---|---|---|---|---|---|")
    for rule, cid, file, res, line, mine, why in missed:
        print(f"| {rule} | {cid} | {file}:{line} | {res} | {mine} | {why} |")
    print(f"\nPosture failures where Checkov passes the crosswalked check ({len(extra)}):\n")
    print("| Posture rule | Checkov check | file | resource | reason |")
    print("|---|---|---|---|---|")
    extra_unexplained = 0
    for rule, cid, file, res, name in extra:
        why = reasons.get(f"{rule} {cid} {file} {res}") or reasons.get(f"{rule} {cid}") or "UNEXPLAINED"
        extra_unexplained += why == "UNEXPLAINED"
        print(f"| {rule} | {cid} | {file} | {res} | {why} |")
    unexplained = sum(1 for m in missed if m[-1] == "UNEXPLAINED") + extra_unexplained
    print(f"\nUnexplained differences: {unexplained}")


if __name__ == "__main__":
    if len(sys.argv) != 5:
        sys.exit("usage: compare.py POSTURE.json INVENTORY.json CHECKOV.json crosswalk.yaml")
    main(*sys.argv[1:])
