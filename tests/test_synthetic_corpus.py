"""benchmarks/synthetic_corpus.py: seeded, news-like, places from the division table, growing vocabulary."""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "benchmarks"))

from synthetic_corpus import main, write_corpus  # noqa: E402

from kg.divisions import division_table  # noqa: E402


def test_same_seed_same_bytes_other_seed_other_text(tmp_path: Path) -> None:
    write_corpus(tmp_path / "a", 0.03, seed=1)
    write_corpus(tmp_path / "b", 0.03, seed=1)
    write_corpus(tmp_path / "c", 0.03, seed=2)
    names = sorted(p.name for p in (tmp_path / "a").iterdir())
    assert names == sorted(p.name for p in (tmp_path / "b").iterdir())
    assert all((tmp_path / "a" / n).read_bytes() == (tmp_path / "b" / n).read_bytes() for n in names)
    first = "synthetic-000000.txt"
    assert (tmp_path / "a" / first).read_bytes() != (tmp_path / "c" / first).read_bytes()


def test_size_manifest_and_places_from_the_division_table(tmp_path: Path) -> None:
    files, size = write_corpus(tmp_path, 0.05)
    pages = sorted(tmp_path.glob("*.txt"))
    assert len(pages) == files and sum(p.stat().st_size for p in pages) == size >= 50_000
    manifest = json.loads((tmp_path / "manifest.json").read_text(encoding="utf-8"))["documents"]
    assert sorted(manifest) == [p.name for p in pages]
    table = division_table()
    for page in pages:
        county = manifest[page.name]["place"]
        assert table.level(county) == "County"
        assert county in page.read_text(encoding="utf-8")
    text = "".join(p.read_text(encoding="utf-8") for p in pages)
    assert "结对帮扶" in text and "驻村第一书记" in text and "党支部书记" in text


def test_new_pages_bring_new_villages(tmp_path: Path) -> None:
    """Distinct village mentions keep growing with size instead of repeating a fixed set."""
    write_corpus(tmp_path / "small", 0.02)
    write_corpus(tmp_path / "large", 0.08)

    def villages(directory: Path) -> set[str]:
        text = "".join(p.read_text(encoding="utf-8") for p in directory.glob("*.txt"))
        return set(re.findall(r"(?:镇|乡|街道|苏木)([^，。、镇乡]{1,4}?(?:村|社区))", text))

    small, large = villages(tmp_path / "small"), villages(tmp_path / "large")
    assert len(small) > 20
    assert len(large) > 3 * len(small)


def test_cli_refuses_a_non_empty_directory(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "old.txt").write_text("x", encoding="utf-8")
    assert main(["--size-mb", "0.01", "--out", str(tmp_path)]) == 2
    assert capsys.readouterr().err == f"{tmp_path}: not empty; give a new directory\n"
