#!/usr/bin/env python3
"""Writes docs/conformance-5.0.md: every MQTT 5.0 statement that binds the server, mapped to the tests
that cite it (test display names carry the ids, e.g. "[MQTT-3.1.2-4]") or to the written reason in
docs/spec/mqtt-5.0-reasons.tsv. Run from the repository root; --check fails if the page is stale or a
statement has neither a test nor a reason."""
import csv, pathlib, re, sys

ROOT = pathlib.Path(__file__).resolve().parent.parent
TESTS = ROOT / "tern-broker/src/test/java/dev/tern/broker"
SCAN = [TESTS / "spec/v5", TESTS / "interop"]
OUT = ROOT / "docs/conformance-5.0.md"

def statements():
    rows = []
    with open(ROOT / "docs/spec/mqtt-5.0-statements.tsv", encoding="utf-8") as f:
        for line in f:
            if line.startswith("#") or line.startswith("id\t"):
                continue
            parts = line.rstrip("\n").split("\t")
            if len(parts) == 4 and parts[2] in ("server", "both"):
                rows.append(parts)
    return rows

def reasons():
    out = {}
    p = ROOT / "docs/spec/mqtt-5.0-reasons.tsv"
    with open(p, encoding="utf-8") as f:
        for line in f:
            if line.startswith("#") or not line.strip():
                continue
            sid, why = line.rstrip("\n").split("\t", 1)
            out[sid] = why
    return out

ANNOT = re.compile(r'@(?:DisplayName|ParameterizedTest)\((.*?)\)\s*\n(?:\s*@[^\n]*\n)*\s*(?:public\s+)?void\s+(\w+)\(',
                   re.S)
IDS = re.compile(r'\[(MQTT-\d+\.\d+(?:\.\d+)?-\d+)(?:, (MQTT-[\d.]+-\d+))?\]')

def citations():
    cites = {}
    for d in SCAN:
        for f in sorted(d.glob("*.java")):
            text = f.read_text(encoding="utf-8")
            prefix = "v5." if d.name == "v5" else ""
            for m in ANNOT.finditer(text):
                label = m.group(1)
                for ids in IDS.findall(label):
                    for sid in ids:
                        if sid:
                            cites.setdefault(sid, {}).setdefault(prefix + f.stem, set()).add(m.group(2))
    return cites

def cell(by_class):
    parts = []
    for cls in sorted(by_class):
        parts.append(cls + ": " + ", ".join("`" + m + "`" for m in sorted(by_class[cls])))
    return "; ".join(parts)

def render():
    rows, why, cites = statements(), reasons(), citations()
    missing = [r[0] for r in rows if r[0] not in cites and r[0] not in why]
    lines = [HEADER.rstrip("\n").format(n=len(rows), tested=sum(1 for r in rows if r[0] in cites),
                                         reasoned=sum(1 for r in rows if r[0] not in cites and r[0] in why)), "",
             "| Statement | Binds | Requirement (in brief) | Checked by |", "| --- | --- | --- | --- |"]
    for sid, section, binds, summary in rows:
        if sid in cites:
            check = cell(cites[sid])
            if sid in why:
                check += " — " + why[sid]
        else:
            check = "*Not tested:* " + why.get(sid, "MISSING")
        lines.append(f"| {sid} | {binds} | {summary.replace('|', '/')} | {check} |")
    lines.append("")
    lines.append(FOOTER)
    return "\n".join(lines) + "\n", missing

HEADER = (pathlib.Path(__file__).resolve().parent / "conformance-5.0-header.md").read_text(encoding="utf-8")
FOOTER = (pathlib.Path(__file__).resolve().parent / "conformance-5.0-footer.md").read_text(encoding="utf-8")

if __name__ == "__main__":
    text, missing = render()
    if "--check" in sys.argv:
        current = OUT.read_text(encoding="utf-8") if OUT.exists() else ""
        if missing or current != text:
            print("stale docs/conformance-5.0.md" + (": no test or reason for " + ", ".join(missing) if missing else ""))
            sys.exit(1)
        sys.exit(0)
    if "--missing" in sys.argv:
        print("\n".join(missing))
        sys.exit(0)
    OUT.write_text(text, encoding="utf-8")
    print(f"wrote {OUT.relative_to(ROOT)}; missing: {len(missing)}")
