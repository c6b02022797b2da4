"""Exit 1 unless two conformance reports give the same verdicts: per level, per function, per clause.

Times, test ids and paths may differ (an installed run's laws live in site-packages); what is judged may not.
"""

import json
import sys


def verdicts(path: str) -> dict:
    data = json.load(open(path))
    found = {"exit_ok": data.get("exit_ok"), "verdicts": data.get("verdicts"), "spec": data.get("spec_version")}
    for entry in data["implementations"]:
        variant = entry["label"].rpartition("(")[2] if entry["label"].endswith(")") else ""
        found[variant] = {
            "verdicts": entry["verdicts"],
            "functions": {name: (f["levels"], f.get("found")) for name, f in entry["functions"].items()},
            "clauses": {cid: c["status"] for cid, c in entry["clauses"].items()},
            "differential": entry["differential"]["levels"],
        }
    return found


a, b = (verdicts(p) for p in sys.argv[1:3])
differences = [k for k in sorted(set(a) | set(b)) if a.get(k) != b.get(k)]
for key in differences:
    print(f"{key}:\n  {sys.argv[1]}: {a.get(key)}\n  {sys.argv[2]}: {b.get(key)}", file=sys.stderr)
print(f"same verdicts: {sys.argv[1]} and {sys.argv[2]}" if not differences else "verdicts differ", file=sys.stderr)
sys.exit(1 if differences else 0)
