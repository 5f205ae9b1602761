#!/usr/bin/env python3
"""Extracts what govscan needs from the documented IAM privilege-escalation paths (the
DataDog/pathfinding.cloud layout: one YAML per path, Apache-2.0) into
data/iam/privesc-paths.json, which govscan compiles in (src/policy/privesc.rs).

Usage: scripts/compact-privesc-paths.py [PATHS_DIR]   (default ../shared/data/iam/privesc-paths)
Needs PyYAML (in the test venv: moto depends on it).
"""
import glob, json, os, sys
import yaml

def main():
    here = os.path.dirname(os.path.abspath(__file__))
    src = sys.argv[1] if len(sys.argv) > 1 else os.path.join(here, "..", "..", "shared", "data", "iam", "privesc-paths")
    out_path = os.path.join(here, "..", "data", "iam", "privesc-paths.json")
    paths = []
    for f in sorted(glob.glob(os.path.join(src, "*", "*.yaml"))):
        d = yaml.safe_load(open(f))
        paths.append({
            "id": d["id"],
            "name": d["name"],
            "category": d["category"],
            "services": d["services"],
            "description": " ".join(d["description"].split()),
            "required": [{"permission": p["permission"], "resource_constraints": p.get("resourceConstraints", "")}
                         for p in d["permissions"]["required"]],
            "reference": (d.get("references") or [{}])[0].get("url", ""),
        })
    tmp = out_path + ".tmp"
    with open(tmp, "w") as f:
        json.dump(paths, f, indent=1)
        f.write("\n")
    os.replace(tmp, out_path)
    print(f"{out_path}: {len(paths)} paths")

main()
