"""The command line as a user meets it: help, the scan JSON contract, exit codes, masking, rules.

Most cases run `review_flow.cli.app` in-process with typer's CliRunner (stdout and stderr are
captured apart). The cases that need the real entry point (`main()` turns a ReviewFlowError into
exit 2) or the exact stderr lines of a batch run `python -m review_flow` in a child process.
Expensive runs (every sample, scanned or extracted once) are module-scoped fixtures.
"""

from __future__ import annotations

import hashlib
import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import typer.main
from typer.testing import CliRunner, Result

from review_flow.cli import app
from review_flow.scan.rules import default_rules_dir, load_rules
from tests.conftest import ROOT, SAMPLE_FILES, SAMPLES

CATEGORIES = {"state_secret", "work_secret", "personal_data", "commercial_secret", "party_document"}
SEVERITIES = {"block", "warn", "info"}
VERDICTS = {"block", "review", "clear"}
# DESIGN.md, Extraction: "Each piece keeps where it came from (body, table, header, comment,
# deleted, hidden, property, page N)", and the list of what the text includes before that.
DOCUMENTED_WHERE = {
    "body", "table", "header", "footer", "footnote", "endnote", "textbox", "comment",
    "inserted", "deleted", "hidden", "property", "page",
}  # fmt: skip
DOCUMENT_KEYS = {"path", "sha256", "verdict", "error", "findings"}
FINDING_KEYS = {
    "rule", "category", "kind", "severity", "start", "end", "where", "excerpt", "message",
}  # fmt: skip
CLEAR_SAMPLES = ("01_clean_notice.docx", "05_work_plan.pdf")
FLAGGED_SAMPLES = {
    "02_secret_header.docx": "block",
    "03_personal_data.docx": "review",
    "04_party_committee.docx": "block",
    "06_joint_notice.txt": "review",
}
SAMPLE_NAMES = [p.name for p in SAMPLE_FILES]
OLE_HEADER = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 504

RUNNER = CliRunner()


def invoke(*args: str | Path, env: dict[str, str | None] | None = None) -> Result:
    """Run the app in-process; an unexpected exception is re-raised, not turned into exit 1."""
    result = RUNNER.invoke(app, [str(a) for a in args], env=env)
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise result.exception
    return result


def run_cli(*args: str | Path) -> subprocess.CompletedProcess[str]:
    """`python -m review_flow ARGS…` in a child process, through the real entry point."""
    return subprocess.run(
        [sys.executable, "-m", "review_flow", *map(str, args)],
        capture_output=True,
        text=True,
        encoding="utf-8",
        cwd=ROOT,
        timeout=120,
        check=False,
    )


def documents(result: Result | subprocess.CompletedProcess[str]) -> list[dict]:
    return json.loads(result.stdout)["documents"]


def by_name(docs: list[dict]) -> dict[str, dict]:
    return {Path(d["path"]).name: d for d in docs}


def squeeze(text: str) -> str:
    return re.sub(r"\s+", "", text)


def write_site_rule(folder: Path, *, hit: str, miss: str = "本项目无最高限价。") -> Path:
    """A site rules directory with one commercial-secret keyword rule: 标底, severity block."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "site.toml").write_text(
        "version = 1\n"
        'category = "commercial_secret"\n\n'
        "[[rule]]\n"
        'id = "site.bid_floor"\n'
        'kind = "keyword"\n'
        'recognizer = "keyword"\n'
        'severity = "block"\n'
        'keywords = ["标底"]\n'
        'message = "标底: the floor price of a tender is a commercial secret until opening"\n'
        f"examples.hit = [{json.dumps(hit, ensure_ascii=False)}]\n"
        f"examples.miss = [{json.dumps(miss, ensure_ascii=False)}]\n",
        encoding="utf-8",
    )
    return folder


# -- one run over every sample, shared by the tests below ----------------------------------------
@pytest.fixture(scope="module")
def scanned() -> dict[str, dict]:
    """`scan --format json` of every sample, masked, by file name."""
    result = invoke("scan", *SAMPLE_FILES, "--format", "json")
    assert result.exit_code == 1, result.stderr
    return by_name(documents(result))


@pytest.fixture(scope="module")
def revealed() -> dict[str, dict]:
    """The same scan with --reveal."""
    result = invoke("scan", *SAMPLE_FILES, "--format", "json", "--reveal")
    assert result.exit_code == 1, result.stderr
    return by_name(documents(result))


@pytest.fixture(scope="module")
def extracted() -> dict[str, dict]:
    """`extract --format json` of every sample, by file name."""
    result = invoke("extract", *SAMPLE_FILES, "--format", "json")
    assert result.exit_code == 0, result.stderr
    return by_name(documents(result))


def segment_at(doc: dict, offset: int) -> dict | None:
    return next((s for s in doc["segments"] if s["start"] <= offset < s["end"]), None)


# -- help ----------------------------------------------------------------------------------------
def _walk(command, path: tuple[str, ...] = ()):
    """Every registered command and group of the Typer app, as (path, click command)."""
    yield path, command
    for name, sub in getattr(command, "commands", {}).items():
        yield from _walk(sub, (*path, name))


COMMANDS = list(_walk(typer.main.get_command(app)))


def test_the_app_has_the_documented_commands() -> None:
    paths = {" ".join(path) for path, _ in COMMANDS}
    assert {"", "extract", "scan", "rules", "rules list", "rules test"} <= paths


@pytest.mark.parametrize(
    ("path", "command"), COMMANDS, ids=[" ".join(p) or "review-flow" for p, _ in COMMANDS]
)
def test_every_command_has_help_text(path: tuple[str, ...], command) -> None:
    summary = (command.help or "").strip().split("\n\n")[0]
    assert summary, f"`review-flow {' '.join(path)}` has no docstring/help"

    result = invoke(*path, "--help")

    assert result.exit_code == 0, result.output
    assert squeeze(summary) in squeeze(result.stdout)
    for param in command.params:
        if param.name != "help":
            assert getattr(param, "help", None), f"{' '.join(path)}: {param.name} has no help"


def test_root_help_lists_extract_scan_and_rules() -> None:
    result = invoke("--help")

    assert result.exit_code == 0
    listed = re.findall(r"^│\s*(\S+)\s", result.stdout, re.MULTILINE)
    assert {"extract", "scan", "rules"} <= set(listed), result.stdout


# -- the scan JSON contract ----------------------------------------------------------------------
def test_scan_reports_every_sample_in_the_order_given(scanned: dict[str, dict]) -> None:
    assert list(scanned) == SAMPLE_NAMES


@pytest.mark.parametrize("name", SAMPLE_NAMES)
def test_scan_json_follows_the_design_contract(name: str, scanned: dict[str, dict]) -> None:
    doc = scanned[name]

    assert set(doc) >= DOCUMENT_KEYS
    assert doc["sha256"] == hashlib.sha256((SAMPLES / name).read_bytes()).hexdigest()
    assert re.fullmatch(r"[0-9a-f]{64}", doc["sha256"])
    assert doc["verdict"] in VERDICTS
    assert doc["error"] is None
    assert isinstance(doc["findings"], list)
    for f in doc["findings"]:
        assert set(f) >= FINDING_KEYS, f
        assert f["category"] in CATEGORIES, f
        assert f["severity"] in SEVERITIES, f
        assert f["where"] in DOCUMENTED_WHERE, f
        assert isinstance(f["start"], int), f
        assert isinstance(f["end"], int), f
        assert 0 <= f["start"] < f["end"], f
        assert f["rule"], f
        assert f["kind"], f
        assert f["excerpt"], f
        assert f["message"], f
    severities = {f["severity"] for f in doc["findings"]}
    want = (
        "block"
        if "block" in severities
        else "review"
        if "warn" in severities or doc.get("unreadable_pages")
        else "clear"
    )
    assert doc["verdict"] == want, doc["reasons"]


@pytest.mark.parametrize("name", SAMPLE_NAMES)
def test_finding_offsets_point_into_the_extracted_text(
    name: str, revealed: dict[str, dict], scanned: dict[str, dict], extracted: dict[str, dict]
) -> None:
    text = extracted[name]["text"]
    findings = revealed[name]["findings"]

    for f in findings:
        assert text[f["start"] : f["end"]] == f["value"], f
        seg = segment_at(extracted[name], f["start"])
        assert seg is not None, f"finding {f['rule']} at {f['start']} is in no segment"
        assert f["where"] == seg["where"], f
        assert f.get("page") == seg.get("page"), f
    # masking changes what is shown, never where it is
    spans = [(f["rule"], f["start"], f["end"]) for f in scanned[name]["findings"]]
    assert spans == [(f["rule"], f["start"], f["end"]) for f in findings]


def test_extract_text_output_is_the_json_text(extracted: dict[str, dict]) -> None:
    result = invoke("extract", *SAMPLE_FILES)

    assert result.exit_code == 0, result.stderr
    want = "".join(f"==> {p} <==\n{extracted[p.name]['text']}\n" for p in SAMPLE_FILES)
    assert result.stdout == want


# -- exit codes ----------------------------------------------------------------------------------
def test_scan_exits_0_when_every_file_is_clear() -> None:
    result = invoke("scan", *(SAMPLES / n for n in CLEAR_SAMPLES), "--format", "json")

    assert result.exit_code == 0, result.stdout
    assert [d["verdict"] for d in documents(result)] == ["clear", "clear"]


@pytest.mark.parametrize(("name", "verdict"), FLAGGED_SAMPLES.items())
def test_scan_exits_1_when_a_file_is_to_review_or_block(name: str, verdict: str) -> None:
    result = invoke("scan", SAMPLES / name, "--format", "json")

    assert result.exit_code == 1
    assert [d["verdict"] for d in documents(result)] == [verdict]


def test_scan_exits_1_when_one_file_of_a_batch_is_flagged() -> None:
    result = invoke("scan", SAMPLES / CLEAR_SAMPLES[0], SAMPLES / "02_secret_header.docx")

    assert result.exit_code == 1
    assert "1 block, 0 review, 1 clear" in result.stdout


@pytest.mark.parametrize(
    ("filename", "content", "reason"),
    [
        pytest.param("empty.docx", b"", r"empty", id="empty-file"),
        pytest.param("old.doc", OLE_HEADER, r"corrupt OLE compound file", id="ole-doc"),
    ],
)
def test_scan_exits_2_when_a_file_cannot_be_read(
    filename: str, content: bytes, reason: str, tmp_path: Path
) -> None:
    bad = tmp_path / filename
    bad.write_bytes(content)

    result = invoke("scan", bad, "--format", "json")

    assert result.exit_code == 2
    (doc,) = documents(result)
    assert re.search(reason, doc["error"])
    assert doc["verdict"] != "clear"
    assert f"review-flow: error: {bad}: " in result.stderr


def test_batch_with_unreadable_files_reports_the_good_one_and_exits_2(tmp_path: Path) -> None:
    empty, ole = tmp_path / "empty.docx", tmp_path / "old.doc"
    empty.write_bytes(b"")
    ole.write_bytes(OLE_HEADER)
    good = SAMPLES / CLEAR_SAMPLES[0]

    outcome = run_cli("scan", empty, good, ole, "--format", "json")

    assert outcome.returncode == 2, outcome.stderr
    errors = [ln for ln in outcome.stderr.splitlines() if not ln.startswith("  hint: ")]
    assert errors == [
        f"review-flow: error: {empty}: empty file (0 bytes)",
        f"review-flow: error: {ole}: "
        "corrupt OLE compound file (sector shift 0): not a readable .doc/.wps/.xls",
    ]
    first, second, third = documents(outcome)
    assert [first["path"], second["path"], third["path"]] == [str(empty), str(good), str(ole)]
    assert second["error"] is None
    assert second["verdict"] == "clear"
    assert re.fullmatch(r"[0-9a-f]{64}", second["sha256"])
    for bad in (first, third):
        assert bad["error"], bad
        assert bad["verdict"] != "clear"
        assert bad["findings"] == []


def test_batch_text_output_counts_the_unreadable_file(tmp_path: Path) -> None:
    empty = tmp_path / "empty.pdf"
    empty.write_bytes(b"")

    result = invoke("scan", empty, SAMPLES / CLEAR_SAMPLES[1])

    assert result.exit_code == 2
    assert "2 file(s): 0 block, 0 review, 1 clear, 1 unreadable" in result.stdout


@pytest.mark.parametrize("fmt", ["text", "json"])
def test_missing_rules_directory_exits_2_with_one_line(tmp_path: Path, fmt: str) -> None:
    outcome = run_cli(
        "scan", SAMPLES / CLEAR_SAMPLES[0], "--rules", tmp_path / "nowhere", "--format", fmt
    )

    assert outcome.returncode == 2
    assert "Traceback" not in outcome.stderr
    assert outcome.stderr.startswith("review-flow: error: rules directory ")
    assert "nowhere" in outcome.stderr
    assert outcome.stdout == ""


def test_scan_with_nothing_to_scan_exits_2(tmp_path: Path) -> None:
    result = invoke("scan", tmp_path)

    assert result.exit_code == 2
    assert "no files to scan" in result.stderr


# -- `scan` without typer (cli/scanning.py) -----------------------------------------------------
@pytest.mark.parametrize(
    "args",
    [
        ("--format", "json", "-j", "2", *FLAGGED_SAMPLES),
        ("--reveal", "-f", "text", "--jobs", "1", "03_personal_data.docx"),
        ("--rules=rules", "--jobs=1", *CLEAR_SAMPLES, "--format=json"),
        (str(SAMPLES),),
    ],
)
def test_plain_scan_writes_what_the_typer_command_writes(args: tuple[str, ...]) -> None:
    paths = [str(SAMPLES / a) if a in SAMPLE_NAMES else a for a in args]
    typer_run = invoke("scan", *paths)
    plain = run_cli("scan", *paths)
    assert (plain.returncode, plain.stdout) == (typer_run.exit_code, typer_run.stdout)
    assert plain.stderr == typer_run.stderr


@pytest.mark.parametrize(
    "argv",
    [
        ["scan"], ["scan", "--help"], ["scan", "-h"], ["scan", "-fjson", "a.docx"],
        ["scan", "--jobs", "two", "a.docx"], ["scan", "--jobs", "-1", "a.docx"],
        ["scan", "--format", "xml", "a.docx"], ["scan", "--", "a.docx"], ["scan", ""],
        ["scan", "--reveal=yes", "a.docx"], ["scan", "a.docx", "--rules"],
        ["--verbose", "scan", "a.docx"], ["extract", "a.docx"], [],
    ],
)  # fmt: skip
def test_anything_but_a_plain_scan_goes_through_typer(argv: list[str]) -> None:
    from review_flow.cli.scanning import fast_scan

    assert fast_scan(argv) is None


# -- masking -------------------------------------------------------------------------------------
PERSONAL = "03_personal_data.docx"


@pytest.fixture(scope="module")
def raw_personal_data(extracted: dict[str, dict]) -> list[str]:
    """The raw ID, mobile and card numbers of sample 03, read from what `extract` prints."""
    text = extracted[PERSONAL]["text"]
    ids = re.findall(r"(?<![0-9])[0-9]{17}[0-9X](?![0-9])", text)
    mobiles = re.findall(r"(?<![0-9])1[3-9][0-9]{9}(?![0-9])", text)
    cards = re.findall(r"(?<![0-9])62[0-9]{17}(?![0-9])", text)
    # 3 table rows, plus the ID in the tracked deletion and the mobile in the comment
    assert (len(ids), len(mobiles), len(cards)) == (4, 4, 3), (ids, mobiles, cards)
    return ids + mobiles + cards


@pytest.mark.parametrize("fmt", ["text", "json"])
def test_scan_without_reveal_never_prints_raw_personal_numbers(
    fmt: str, raw_personal_data: list[str]
) -> None:
    result = invoke("scan", SAMPLES / PERSONAL, "--format", fmt)

    assert result.exit_code == 1
    shown = [v for v in raw_personal_data if v in result.stdout or v in result.stderr]
    assert shown == []


def test_scan_json_masks_numbers_as_documented(scanned: dict[str, dict]) -> None:
    findings = scanned[PERSONAL]["findings"]
    ids = [f["value"] for f in findings if f["kind"] == "id_card"]
    mobiles = [f["value"] for f in findings if f["kind"] == "mobile"]

    assert len(ids) == 4
    assert all(re.fullmatch(r"[0-9]{4}\*{10}[0-9X]{4}", v) for v in ids), ids
    assert len(mobiles) == 4
    assert all(re.fullmatch(r"1[0-9]{2}\*{4}[0-9]{4}", v) for v in mobiles), mobiles


@pytest.mark.parametrize("fmt", ["text", "json"])
def test_scan_with_reveal_prints_the_raw_personal_numbers(
    fmt: str, raw_personal_data: list[str]
) -> None:
    result = invoke("scan", SAMPLES / PERSONAL, "--format", fmt, "--reveal")

    assert result.exit_code == 1
    missing = [v for v in raw_personal_data if v not in result.stdout]
    assert missing == []


def test_scan_without_reveal_never_prints_a_name_it_masks_elsewhere(
    revealed: dict[str, dict],
) -> None:
    names = {f["value"] for f in revealed[PERSONAL]["findings"] if f["kind"] == "name"}
    names = {n for n in names if re.fullmatch(r"[\u4e00-\u9fff]{2,4}", n)}
    assert {"陈志明", "王秀英", "李建国"} <= names

    result = invoke("scan", SAMPLES / PERSONAL, "--format", "json")

    assert [n for n in sorted(names) if n in result.stdout] == []


# -- directories ---------------------------------------------------------------------------------
def test_a_directory_argument_scans_the_supported_files_under_it(tmp_path: Path) -> None:
    folder = tmp_path / "来文"
    (folder / "sub").mkdir(parents=True)
    shutil.copy(SAMPLES / "01_clean_notice.docx", folder)
    shutil.copy(SAMPLES / "02_secret_header.docx", folder)
    shutil.copy(SAMPLES / "05_work_plan.pdf", folder / "sub")
    (folder / "notes.xyz").write_text("不是公文", encoding="utf-8")

    result = invoke("scan", folder, "--format", "json")

    assert result.exit_code == 1
    docs = documents(result)
    assert [Path(d["path"]).relative_to(folder).as_posix() for d in docs] == [
        "01_clean_notice.docx",
        "02_secret_header.docx",
        "sub/05_work_plan.pdf",
    ]
    assert [d["verdict"] for d in docs] == ["clear", "block", "clear"]


# -- rules ---------------------------------------------------------------------------------------
def test_rules_list_shows_every_rule_id_at_80_columns() -> None:
    ids = [rule.id for rule in load_rules(default_rules_dir()).rules]

    result = invoke("rules", "list", env={"COLUMNS": "80"})

    assert result.exit_code == 0
    assert [i for i in ids if i not in result.stdout] == []


def test_rules_list_shows_every_rule_id_and_the_count() -> None:
    rules = load_rules(default_rules_dir())

    result = invoke("rules", "list", env={"COLUMNS": "250"})

    assert result.exit_code == 0
    assert [r.id for r in rules.rules if r.id not in result.stdout] == []
    assert f"{len(rules.rules)} rules, {len(rules.mentions)} mention patterns" in result.stdout


def _example_count(rules_dirs: list[Path]) -> int:
    rules = load_rules(default_rules_dir(), *rules_dirs)
    return sum(len(r.examples.hit) + len(r.examples.miss) for r in (*rules.rules, *rules.mentions))


def test_rules_test_passes_every_shipped_example() -> None:
    n = _example_count([])

    result = invoke("rules", "test")

    assert result.exit_code == 0, result.stdout
    assert result.stdout.splitlines()[-1] == f"{n}/{n} examples pass"


def test_rules_test_names_a_site_rule_whose_example_is_wrong(tmp_path: Path) -> None:
    site = write_site_rule(tmp_path / "site", hit="本项目采用综合评分法。")  # no 标底: cannot hit
    n = _example_count([site])

    result = invoke("rules", "test", "--rules", site)

    assert result.exit_code == 1
    assert "FAIL site.bid_floor hit: '本项目采用综合评分法。'" in result.stdout.splitlines()
    assert result.stdout.splitlines()[-1] == f"{n - 1}/{n} examples pass"


def test_site_rule_keyword_makes_a_text_block(tmp_path: Path) -> None:
    site = write_site_rule(tmp_path / "site", hit="本项目标底为100万元。")
    notice = tmp_path / "招标通知.txt"
    notice.write_text("关于某工程招标的通知\n本项目标底为人民币三百万元。\n", encoding="utf-8")

    without = invoke("scan", notice, "--format", "json")
    result = invoke("scan", notice, "--format", "json", "--rules", site)

    assert without.exit_code == 0
    assert documents(without)[0]["verdict"] == "clear"
    assert result.exit_code == 1
    (doc,) = documents(result)
    assert doc["verdict"] == "block"
    (finding,) = [f for f in doc["findings"] if f["rule"] == "site.bid_floor"]
    assert (finding["category"], finding["severity"], finding["value"]) == (
        "commercial_secret",
        "block",
        "标底",
    )
    text = notice.read_text(encoding="utf-8")
    assert text[finding["start"] : finding["end"]] == "标底"


# -- extract -------------------------------------------------------------------------------------
@pytest.mark.parametrize("name", SAMPLE_NAMES)
def test_extract_json_segments_are_labelled_slices_of_the_text(
    name: str, extracted: dict[str, dict]
) -> None:
    doc = extracted[name]
    text, segments = doc["text"], doc["segments"]

    assert doc["error"] is None
    assert segments
    previous_end = 0
    for seg in segments:
        assert seg["where"] in DOCUMENTED_WHERE, seg
        assert previous_end <= seg["start"] < seg["end"] <= len(text), seg
        assert text[seg["start"] : seg["end"]].strip(), seg
        previous_end = seg["end"]
