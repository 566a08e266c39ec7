"""Matches Prowler's failed checks with Posture's failed rules, check by check, through crosswalk.tsv.

Usage: compare.py PROWLER_OCSF_JSON POSTURE_FAIL_JSON POSTURE_UNKNOWN_JSON CROSSWALK REASONS > results.md

Every Prowler FAIL is either matched by a Posture failure on the same resource (or account or
region, per the crosswalk's scope), or explained: by the crosswalk note of a check Posture has no
rule for, or by a line of reasons.tsv. Anything else is listed as UNEXPLAINED and makes the exit
status 1.
"""
import collections
import json
import sys


def tokens(uid, name):
    uid = uid or ""
    out = {uid, name or "", uid.rsplit("/", 1)[-1], uid.rsplit(":", 1)[-1]}
    out.discard("")
    return out


def load_crosswalk(path):
    rows = {}
    for line in open(path):
        if not line.strip() or line.startswith("#"):
            continue
        parts = line.rstrip("\n").split("\t")
        check, rule, scope = parts[0], parts[1], parts[2]
        rows[check] = {"rule": rule, "scope": scope, "note": parts[3] if len(parts) > 3 else ""}
    return rows


def load_reasons(path):
    reasons = []
    for line in open(path):
        if not line.strip() or line.startswith("#"):
            continue
        check, resource, reason = line.rstrip("\n").split("\t")
        reasons.append((check, resource, reason))
    return reasons


def reason_for(reasons, check, finding):
    for c, resource, reason in reasons:
        if c == check and (resource == "*" or resource in finding["tokens"]):
            return reason
    return None


def prowler_failures(path):
    out = collections.defaultdict(list)
    for f in json.load(open(path)):
        if f.get("status_code") != "FAIL":
            continue
        res = (f.get("resources") or [{}])[0]
        uid, name = res.get("uid", ""), res.get("name", "")
        out[f["metadata"]["event_code"]].append(
            {"uid": uid, "name": name, "region": res.get("region", ""), "tokens": tokens(uid, name)})
    return out


def posture_findings(path):
    out = collections.defaultdict(list)
    for f in json.load(open(path)):
        out[f["rule_id"]].append(
            {"uid": f["uid"], "name": f["name"], "region": f.get("region") or "", "tokens": tokens(f["uid"], f["name"])})
    return out


def matches(scope, p, q):
    if scope == "account":
        return True
    if scope == "region":
        return p["region"] == q["region"] or not p["region"] or not q["region"]
    return bool(p["tokens"] & q["tokens"])


def main():
    prowler = prowler_failures(sys.argv[1])
    fails = posture_findings(sys.argv[2])
    unknowns = posture_findings(sys.argv[3])
    cross = load_crosswalk(sys.argv[4])
    reasons = load_reasons(sys.argv[5])
    rows, unexplained = [], []
    totals = collections.Counter()
    for check in sorted(prowler):
        found = prowler[check]
        entry = cross.get(check)
        totals["prowler"] += len(found)
        if entry is None or entry["rule"] == "-":
            note = entry["note"] if entry else None
            for f in found:
                if note:
                    totals["explained"] += 1
                else:
                    unexplained.append((check, f["uid"] or f["name"], "no crosswalk entry"))
            rows.append((check, "-", len(found), 0, 0, note or "UNEXPLAINED: no crosswalk entry"))
            continue
        rule, scope = entry["rule"], entry["scope"]
        ours = fails.get(rule, [])
        unknown = unknowns.get(rule, [])
        matched, notes = 0, []
        for f in found:
            if any(matches(scope, f, q) for q in ours):
                matched += 1
                continue
            if any(matches(scope, f, q) for q in unknown):
                why = reason_for(reasons, check, f) or "Posture: unknown"
                notes.append(f"{f['name'] or f['uid']}: unknown in Posture ({why})")
                totals["explained"] += 1
                continue
            why = reason_for(reasons, check, f)
            if why:
                notes.append(f"{f['name'] or f['uid']}: {why}")
                totals["explained"] += 1
            else:
                unexplained.append((check, f["uid"] or f["name"], f"not failed by {rule}"))
                notes.append(f"{f['name'] or f['uid']}: UNEXPLAINED")
        totals["matched"] += matched
        rows.append((check, rule, len(found), len(ours), matched, "; ".join(notes)))
    print("| Prowler check | Posture rule | Prowler FAIL | Posture FAIL | matched | Prowler FAIL not matched: why |")
    print("|---|---|---|---|---|---|")
    for check, rule, n, ours, matched, note in rows:
        print(f"| `{check}` | {rule} | {n} | {ours} | {matched} | {note} |")
    print()
    print(f"Prowler FAIL findings: {totals['prowler']}; matched by a Posture failure: {totals['matched']}; "
          f"explained: {totals['explained']}; unexplained: {len(unexplained)}")
    for check, what, why in unexplained:
        print(f"- UNEXPLAINED `{check}` {what}: {why}", file=sys.stderr)
    return 1 if unexplained else 0


if __name__ == "__main__":
    sys.exit(main())
