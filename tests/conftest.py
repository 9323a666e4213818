"""Shared fixtures: the shipped rules, one Scanner, text → Extracted, samples and the corpus."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import pytest

from review_flow.extract.limits import Limits
from review_flow.extract.model import Extracted
from review_flow.extract.text import extract as extract_text
from review_flow.scan import Scanner
from review_flow.scan.rules import RuleSet, default_rules_dir, load_rules

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = ROOT / "samples"


def _corpus() -> Path:
    """The shared real-world corpus: $REVIEW_FLOW_CORPUS, beside the checkout, or /work/shared.

    NOTE: CI clones main somewhere else on the same machine; the corpus stays where it is.
    """
    candidates = [ROOT.parent / "shared" / "corpus", Path("/work/shared/corpus")]
    if os.environ.get("REVIEW_FLOW_CORPUS"):
        candidates.insert(0, Path(os.environ["REVIEW_FLOW_CORPUS"]))
    return next((c for c in candidates if c.is_dir()), candidates[0])


CORPUS = _corpus()


@pytest.fixture(scope="session")
def rules() -> RuleSet:
    return load_rules(default_rules_dir())


@pytest.fixture(scope="session")
def scanner(rules: RuleSet) -> Scanner:
    return Scanner(rules)


def as_extracted(text: str) -> Extracted:
    """A plain-text document, one body segment per line, as `review-flow scan` would see it."""
    return extract_text(text.encode("utf-8"), "<text>", Limits())


@pytest.fixture
def sample():
    def find(name: str) -> Path:
        path = SAMPLES / name
        if not path.is_file():
            pytest.fail(f"sample {name} is missing: run `make samples`")
        return path

    return find


# -- samples and golden files ---------------------------------------------------------------------
GOLDEN = ROOT / "tests" / "golden"
# The sample documents themselves: not the generator script, the demo or the README.
SAMPLE_FILES = tuple(
    sorted(
        p
        for p in SAMPLES.glob("*")
        if p.is_file() and p.suffix not in {".py", ".md"} and not p.name.startswith(".")
    )
)


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--update-golden",
        action="store_true",
        default=False,
        help="rewrite tests/golden/*.json from the current scanner output instead of comparing",
    )


@pytest.fixture
def golden(request: pytest.FixtureRequest) -> Callable[[str, str], None]:
    """`golden(name, text)`: compare `text` with tests/golden/<name>, or rewrite it.

    With `pytest --update-golden` the file is written (review the diff like code); otherwise a
    missing or different file fails the test.
    """
    update = bool(request.config.getoption("--update-golden"))

    def check(name: str, text: str) -> None:
        path = GOLDEN / name
        if update:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
            return
        if not path.is_file():
            pytest.fail(f"golden file tests/golden/{name} is missing: run `pytest --update-golden`")
        want = path.read_text(encoding="utf-8")
        assert text == want, (
            f"scanner output differs from tests/golden/{name}; if the change is intended, run "
            "`pytest --update-golden` and review the diff"
        )

    return check


@pytest.fixture(params=["sqlite", "postgres"])
def db_url(request, tmp_path):
    """A fresh empty database URL, on SQLite and (when configured) on PostgreSQL."""
    from tests.dbkit import PG_URL, new_database

    if request.param == "postgres" and not PG_URL:
        pytest.skip("REVIEW_FLOW_TEST_DATABASE_URL is not set")
    yield from new_database(request.param, tmp_path)


@pytest.fixture
def bench(db_url, tmp_path):
    """A demo database with one user per role (see tests/dbkit.make_bench) and the real CLI."""
    from tests.dbkit import make_bench

    return make_bench(db_url, tmp_path / "keys")
