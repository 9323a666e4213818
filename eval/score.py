"""Score review-flow end to end (file -> extract -> scan) against the independent set.

python eval/score.py [--split dev|held|all] [--build-dir DIR] [--rebuild]

Runs `review-flow extract --format json` and `review-flow scan --format json --reveal` once per
set (documents, PII cases, peer marking cases, real corpus), and prints tables. Always exits 0:
it reports, it does not gate.
"""

from __future__ import annotations

import argparse
import collections
import json
import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
CORPUS = os.path.normpath(os.path.join(ROOT, "..", "shared", "corpus"))
FORMATTING = {
    "fullwidth",
    "zero_width",
    "space_u3000",
    "grouped_digits",
    "linebreak_br",
    "para_break_cell",
    "para_break_body",
    "pdf_narrow_column",
    "field_result",
    "text_box",
    "run_per_char",
    "split_runs",
    "hidden_text",
    "comment",
    "comment_author",
    "tracked_del",
    "tracked_ins",
    "tracked_author",
    "doc_property",
    "header_footer",
    "loose_marking",
    "marking_alone",
    "party_header_split",
    "marking_in_header",
    "commercial_header",
}
IGNORED_CATS = {"unreadable", "active_content"}


def cli() -> str:
    exe = os.path.join(ROOT, ".venv", "bin", "review-flow")
    return exe if os.path.exists(exe) else (shutil.which("review-flow") or exe)


def run_json(args: list[str]) -> dict:
    t = time.time()
    p = subprocess.run([cli(), *args], capture_output=True, text=True)
    dt = time.time() - t
    try:
        out = json.loads(p.stdout) if p.stdout.strip() else {"documents": []}
    except json.JSONDecodeError:
        print(f"  !! could not parse output of {args[0]} (exit {p.returncode}): {p.stderr[:300]}")
        out = {"documents": []}
    out["_seconds"] = dt
    out["_stderr"] = p.stderr
    return out


def by_name(out: dict) -> dict:
    return {os.path.basename(d.get("path", "")): d for d in out.get("documents", [])}


# ------------------------------------------------------------------ locating values in extract text

SEP = r"[\s\u3000\u00a0\u00ad\u180e\u200b-\u200f\u202a-\u202e\u2060-\u2064\ufeff\-\u2010\u2011\u2013\u2014\uff0d_·]{0,4}"
CF = re.compile(r"[\s\u3000\u00a0\u00ad\u200b-\u200f\u2060-\u2064\ufeff]")


def _cre(c: str) -> str:
    if c.isascii() and c.isalnum():
        alts = {c, chr(ord(c) + 0xFEE0)}
        if c.isalpha():
            alts |= {
                c.lower(),
                c.upper(),
                chr(ord(c.lower()) + 0xFEE0),
                chr(ord(c.upper()) + 0xFEE0),
            }
        return "[" + "".join(sorted(alts)) + "]"
    if c in "★☆*＊":
        return "[★☆*＊]"
    if c in "@＠":
        return "[@＠]"
    if c in ".．":
        return "[.．]"
    if c in "(（":
        return "[(（]"
    if c in ")）":
        return "[)）]"
    return re.escape(c)


_cache: dict[str, re.Pattern] = {}


def needle(value: str) -> re.Pattern:
    if value in _cache:
        return _cache[value]
    chars = [c for c in value if not CF.match(c) and c not in "-－"]
    body = SEP.join(_cre(c) for c in chars)
    if chars and chars[0].isascii() and chars[0].isalnum():
        body = r"(?<![0-9A-Za-z０-９Ａ-Ｚａ-ｚ])" + body
    if chars and chars[-1].isascii() and chars[-1].isalnum():
        body = body + r"(?![0-9A-Za-z０-９Ａ-Ｚａ-ｚ])"
    pat = re.compile(body)
    _cache[value] = pat
    return pat


def locate(text: str, value: str) -> list[tuple[int, int]]:
    spans = [(m.start(), m.end()) for m in needle(value).finditer(text)]
    if spans:
        return spans
    core = "".join(c for c in value if not CF.match(c) and c not in "-－")
    if len(core) < 8:
        return []
    # wrapped in a narrow column: the halves stand apart with other cells' text between them
    for cut in range(4, len(core) - 2):
        for m1 in needle(core[:cut]).finditer(text):
            for m2 in needle(core[cut:]).finditer(text, m1.end(), min(len(text), m1.end() + 300)):
                return [(m1.start(), m1.end()), (m2.start(), m2.end())]
    return []


def overlaps(f: dict, spans) -> bool:
    return any(f["start"] < e and s < f["end"] for s, e in spans)


# ------------------------------------------------------------------ table printing


def table(title: str, header: list[str], rows: list[list]) -> None:
    print(f"\n{title}")
    cols = [header] + [[str(x) for x in r] for r in rows]

    def w(s):
        return sum(2 if ord(ch) > 0x2E80 else 1 for ch in s)

    widths = [max(w(r[i]) for r in cols) for i in range(len(header))]
    for k, r in enumerate(cols):
        print("  " + "  ".join(x + " " * (widths[i] - w(x)) for i, x in enumerate(r)))
        if k == 0:
            print("  " + "  ".join("-" * widths[i] for i in range(len(header))))


def ratio(a: int, b: int) -> str:
    return f"{a}/{b} ({a / b:.2f})" if b else "0/0"


# ------------------------------------------------------------------ the document set


def ensure_built(build_dir: str, rebuild: bool) -> str:
    docs = os.path.join(build_dir, "docs")
    lab = os.path.join(docs, "labels.json")
    src_m = max(
        os.path.getmtime(os.path.join(HERE, f)) for f in ("build.py", "gen.py", "render.py")
    )
    if rebuild or not os.path.exists(lab) or os.path.getmtime(lab) < src_m:
        if os.path.isdir(docs):
            shutil.rmtree(docs)
        t = time.time()
        subprocess.run(
            [sys.executable, os.path.join(HERE, "build.py"), docs],
            check=True,
            stdout=subprocess.DEVNULL,
        )
        print(f"built the document set in {time.time() - t:.1f}s")
    return docs


def score_docs(docs_dir: str, split: str) -> None:
    labels = json.loads(Path(docs_dir, "labels.json").read_text(encoding="utf-8"))["documents"]
    labels = [d for d in labels if split == "all" or d["split"] == split]
    files = [os.path.join(docs_dir, d["file"]) for d in labels]
    ex = run_json(["extract", *files, "--format", "json"])
    sc = run_json(["scan", *files, "--format", "json", "--reveal"])
    exm, scm = by_name(ex), by_name(sc)
    print(
        f"\n=== DOCUMENTS ({split}): {len(labels)} files; extract {ex['_seconds']:.1f}s, scan {sc['_seconds']:.1f}s"
    )

    conf = collections.Counter()
    dangerous, overblock, wrong = [], [], []
    item_stats = {
        k: collections.defaultdict(lambda: [0, 0, 0]) for k in ("category", "kind", "phenomenon")
    }
    fmt_found = fmt_total = 0
    pd_tp = pd_fp = 0
    pd_sev = collections.Counter()
    fp_list = []
    neg_stats = collections.defaultdict(lambda: [0, 0, 0])
    neg_flagged = []
    missed = []
    for d in labels:
        text = (exm.get(d["file"]) or {}).get("text") or ""
        res = scm.get(d["file"]) or {}
        findings = [f for f in res.get("findings") or [] if f.get("category") not in IGNORED_CATS]
        got = "error" if res.get("error") else res.get("verdict", "missing")
        conf[(d["expected_verdict"], got)] += 1
        if got != d["expected_verdict"]:
            wrong.append((d["id"], d["expected_verdict"], got))
        if d["expected_verdict"] in ("block", "review") and got == "clear":
            dangerous.append(d["id"])
        if d["expected_verdict"] == "clear" and got == "block":
            overblock.append(d["id"])
        personal_spans = []
        for it in d["items"]:
            spans = locate(text, it["value"])
            if it["category"] == "personal_data":
                personal_spans.extend(spans)
            found = bool(spans) and any(
                f["category"] == it["category"] and overlaps(f, spans) for f in findings
            )
            for key in ("category", "kind", "phenomenon"):
                st = item_stats[key][it[key] if key != "kind" else f"{it['category']}/{it['kind']}"]
                st[0] += found
                st[1] += 1
                st[2] += not spans
            if it["phenomenon"] in FORMATTING:
                fmt_total += 1
                fmt_found += found
            if not found:
                missed.append(
                    (
                        d["id"],
                        it["kind"],
                        it["phenomenon"],
                        it["value"],
                        "not in extract" if not spans else "",
                    )
                )
        for f in findings:
            if f["category"] != "personal_data":
                continue
            pd_sev[f.get("severity")] += 1
            if overlaps(f, personal_spans):
                pd_tp += 1
            else:
                pd_fp += 1
                hit = [n for n in d["negatives"] if overlaps(f, locate(text, n["value"]))]
                fp_list.append(
                    (
                        d["id"],
                        f.get("kind"),
                        f.get("severity"),
                        text[f["start"] : f["end"]][:40],
                        hit[0]["phenomenon"] if hit else "unlabelled",
                    )
                )
        for n in d["negatives"]:
            spans = locate(text, n["value"])
            flagged = [f for f in findings if overlaps(f, spans)]
            neg_stats[n["phenomenon"]][1] += 1
            neg_stats[n["phenomenon"]][2] += not spans
            if flagged:
                neg_stats[n["phenomenon"]][0] += 1
                f = flagged[0]
                neg_flagged.append(
                    (
                        d["id"],
                        n["phenomenon"],
                        n["value"][:30],
                        f"{f['category']}/{f.get('kind')}/{f.get('severity')}",
                    )
                )

    n = len(labels)
    acc = sum(v for (e, g), v in conf.items() if e == g)
    print(f"verdict accuracy: {ratio(acc, n)}")
    gots = ["block", "review", "clear", "error"]
    table(
        "confusion matrix (rows expected, columns got)",
        ["expected", *gots],
        [[e] + [conf[(e, g)] for g in gots] for e in ("block", "review", "clear")],
    )
    print(
        f"\ndangerous clears (expected block/review, got clear): {len(dangerous)}  {' '.join(dangerous)}"
    )
    print(f"blocked but expected clear: {len(overblock)}  {' '.join(overblock)}")
    if wrong:
        print("wrong verdicts: " + ", ".join(f"{i}({e}->{g})" for i, e, g in wrong))
    for key in ("category", "kind", "phenomenon"):
        table(
            f"item recall per {key}",
            [key, "found/total", "not in extract"],
            [[k, ratio(v[0], v[1]), v[2]] for k, v in sorted(item_stats[key].items())],
        )
    tot = pd_tp + pd_fp
    pd_items = item_stats["category"].get("personal_data", [0, 0, 0])
    print(
        f"\npersonal data: recall {ratio(pd_items[0], pd_items[1])}; precision (every finding counts) {ratio(pd_tp, tot)}"
    )
    print(f"personal-data findings by severity: {dict(pd_sev)}")
    if fp_list:
        c = collections.Counter(x[4] for x in fp_list)
        print(
            "false personal-data findings by what they hit: "
            + ", ".join(f"{k} {v}" for k, v in c.most_common())
        )
        for x in fp_list[:25]:
            print(f"   FP {x[0]} {x[1]}/{x[2]} {x[3]!r} ({x[4]})")
    table(
        "hard negatives flagged (any finding overlapping)",
        ["phenomenon", "flagged/total", "not located"],
        [[k, ratio(v[0], v[1]), v[2]] for k, v in sorted(neg_stats.items())],
    )
    for x in neg_flagged[:30]:
        print(f"   flagged {x[0]} {x[1]} {x[2]!r} by {x[3]}")
    print(f"\nvalues hidden by formatting: found {fmt_found}/{fmt_total}")
    if missed:
        print(f"missed items ({len(missed)}), first 40:")
        for x in missed[:40]:
            print(f"   miss {x[0]} {x[1]} [{x[2]}] {x[3]!r} {x[4]}")


# ------------------------------------------------------------------ PII cases


def score_pii(build_dir: str, split: str) -> None:
    path = os.path.join(HERE, "pii_cases.jsonl")
    if not os.path.exists(path):
        subprocess.run([sys.executable, os.path.join(HERE, "pii_cases.py")], check=True)
    cases = [
        json.loads(x) for x in Path(path).read_text(encoding="utf-8").splitlines() if x.strip()
    ]
    cases = [c for c in cases if split == "all" or c["split"] == split]
    d = os.path.join(build_dir, "pii")
    shutil.rmtree(d, ignore_errors=True)
    os.makedirs(d)
    for c in cases:
        with open(os.path.join(d, c["id"] + ".txt"), "w", encoding="utf-8") as f:
            f.write(c["text"] + "\n")
    ex = run_json(
        ["extract", *[os.path.join(d, c["id"] + ".txt") for c in cases], "--format", "json"]
    )
    sc = run_json(["scan", d, "--format", "json", "--reveal"])
    exm, scm = by_name(ex), by_name(sc)
    print(f"\n=== PII CASES ({split}): {len(cases)} cases; scan {sc['_seconds']:.1f}s")
    per_kind = collections.defaultdict(lambda: [0, 0])
    neg_clean = neg_total = 0
    neg_bad, pos_miss = [], []
    for c in cases:
        fn = c["id"] + ".txt"
        text = (exm.get(fn) or {}).get("text") or c["text"]
        fs = [
            f for f in (scm.get(fn) or {}).get("findings") or [] if f["category"] == "personal_data"
        ]
        if c["negative"]:
            neg_total += 1
            if fs:
                neg_bad.append(
                    (
                        c["id"],
                        c["text"][:50],
                        ",".join(f"{f.get('kind')}:{text[f['start'] : f['end']]}" for f in fs)[:60],
                    )
                )
            else:
                neg_clean += 1
        for e in c["expect"]:
            spans = locate(text, e["value"])
            ok = any(overlaps(f, spans) for f in fs) if spans else False
            per_kind[e["kind"]][0] += ok
            per_kind[e["kind"]][1] += 1
            if not ok:
                pos_miss.append((c["id"], e["kind"], c["text"][:50]))
    tot = [sum(v[0] for v in per_kind.values()), sum(v[1] for v in per_kind.values())]
    table(
        "PII cases: recall per kind",
        ["kind", "found/total"],
        [[k, ratio(*v)] for k, v in sorted(per_kind.items())] + [["ALL", ratio(*tot)]],
    )
    print(f"\nnegative cases clean (no personal_data finding): {ratio(neg_clean, neg_total)}")
    for x in neg_bad[:20]:
        print(f"   flagged negative {x[0]} {x[1]!r} -> {x[2]}")
    for x in pos_miss[:20]:
        print(f"   missed {x[0]} {x[1]} {x[2]!r}")


# ------------------------------------------------------------------ real corpus


def score_real() -> None:
    real = os.path.join(CORPUS, "real")
    exp = json.loads(Path(real, "expected.json").read_text(encoding="utf-8"))
    sc = run_json(["scan", real, "--format", "json"])
    scm = by_name(sc)
    print(f"\n=== REAL CORPUS: {len(scm)} files; scan {sc['_seconds']:.1f}s")
    rows, ok_n, blocked_pub = [], 0, []
    for name, e in sorted(exp.items()):
        if name.startswith("_"):
            continue
        r = scm.get(name, {})
        got = "error" if r.get("error") else r.get("verdict", "missing")
        want = e["expect"]
        if got != "error" and want == "error" and "content_expect" in e:
            want = e["content_expect"]
        ok = got == want or (want == "not_block" and got in ("clear", "review"))
        ok_n += ok
        if got == "block" and want in ("not_block", "clear", "review"):
            blocked_pub.append(name)
        cats = collections.Counter(f["category"] for f in r.get("findings") or [])
        rows.append(
            [
                name,
                want,
                got,
                "ok" if ok else "WRONG",
                ",".join(f"{k}:{v}" for k, v in sorted(cats.items())),
            ]
        )
    table("real corpus: expected vs got", ["file", "expected", "got", "", "findings"], rows)
    print(
        f"\nreal corpus agreement: {ratio(ok_n, len(rows))}; real published documents blocked: {len(blocked_pub)} {' '.join(blocked_pub)}"
    )


# ------------------------------------------------------------------ peer marking cases


def score_peer(build_dir: str) -> None:
    cases = [
        json.loads(x)
        for x in Path(CORPUS, "peer_marking_cases.jsonl").read_text(encoding="utf-8").splitlines()
    ]
    d = os.path.join(build_dir, "peer")
    shutil.rmtree(d, ignore_errors=True)
    os.makedirs(d)
    for k, c in enumerate(cases):
        with open(os.path.join(d, f"peer{k:02d}.txt"), "w", encoding="utf-8") as f:
            f.write(c["text"] + "\n")
    sc = run_json(["scan", d, "--format", "json"])
    scm = by_name(sc)
    print(f"\n=== PEER MARKING CASES: {len(cases)}")
    found = pos = clean = neg = 0
    disagree_peer, disagree_scan = [], []
    for k, c in enumerate(cases):
        types = {e["type"] for e in c["expect"]}
        ours_pos = bool(types & {"SECRET_MARKING", "SECRET_KEYWORD"})
        why = ""
        if c["text"].strip() == "绝  密★":
            ours_pos, why = (
                True,
                "GB/T 9704: a level word spaced out before ★ still stands as a marking",
            )
        elif not c["negative"] and not ours_pos:
            why = "份号/紧急程度 alone is not a secrecy marking: must not block (peer asserts a copy-number/urgency hit)"
        if why:
            disagree_peer.append((f"peer{k:02d}", c["text"][:30], c["peer_label"], why))
        r = scm.get(f"peer{k:02d}.txt", {})
        fs = [
            f
            for f in r.get("findings") or []
            if f["category"] in ("state_secret", "work_secret")
            and f.get("severity") in ("block", "warn")
        ]
        if ours_pos:
            pos += 1
            found += bool(fs)
            if not fs:
                disagree_scan.append(
                    (f"peer{k:02d}", c["text"][:30], "marking expected, none found")
                )
        else:
            neg += 1
            bad = fs or r.get("verdict") == "block"
            clean += not bad
            if bad:
                disagree_scan.append(
                    (f"peer{k:02d}", c["text"][:30], f"flagged ({r.get('verdict')})")
                )
    print(
        f"marking found: {ratio(found, pos)}; negatives clean (no block/warn secrecy finding, not blocked): {ratio(clean, neg)}"
    )
    print("where our reading of the standard differs from the peer's label:")
    for x in disagree_peer:
        print(f"   {x[0]} {x[1]!r}: peer '{x[2]}' -- ours: {x[3]}")
    print("scanner vs our reading:")
    for x in disagree_scan:
        print(f"   {x[0]} {x[1]!r}: {x[2]}")


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--split", choices=["dev", "held", "all"], default="dev")
    ap.add_argument("--build-dir", default=os.path.join(ROOT, "build", "eval"))
    ap.add_argument("--rebuild", action="store_true")
    a = ap.parse_args()
    os.makedirs(a.build_dir, exist_ok=True)
    t = time.time()
    try:
        docs = ensure_built(a.build_dir, a.rebuild)
        score_docs(docs, a.split)
        score_pii(a.build_dir, a.split)
        score_real()
        score_peer(a.build_dir)
    except Exception as e:  # report, never gate
        print(f"scoring stopped: {type(e).__name__}: {e}")
    print(f"\n(total {time.time() - t:.0f}s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
