"""Fixtures for the pure budgeting rules: the real Pabulib elections and pabutools' view of them.

The Pabulib files live outside the repository, in ``<repo>/../shared/data/pabulib`` (override with
the ``PABULIB_DIR`` environment variable). Tests that need them skip, saying why, when the folder
is absent (through the root conftest's ``missing()``, so that CI fails instead).
"""

from __future__ import annotations

import os
from fractions import Fraction
from functools import cache
from pathlib import Path

import pytest

from conftest import missing

REPO_ROOT = Path(__file__).resolve().parents[2]


def pabulib_dir() -> Path:
    override = os.environ.get("PABULIB_DIR")
    return Path(override) if override else REPO_ROOT.parent / "shared" / "data" / "pabulib"


SKIP_REASON = (
    f"Pabulib data folder not found at {pabulib_dir()} "
    "(set PABULIB_DIR to the folder holding the .pb files to run these tests)"
)


def pabulib_files() -> list[str]:
    folder = pabulib_dir()
    return sorted(p.name for p in folder.glob("*.pb")) if folder.is_dir() else []


# Files on which pabutools needs more than a few seconds per rule (more voters or projects).
BIG_FILES = {
    "Poland_Lodz_2022.pb",
    "Hungary_Budapest_2024.pb",
    "Poland_Warszawa_2021_Mokotow.pb",
    "Poland_Warszawa_2021_Bemowo.pb",
    "France_Toulouse_2022.pb",
}


def file_params(names: list[str] | None = None, slow: set[str] = BIG_FILES) -> list:
    """pytest parameters for Pabulib file names; a single skipped one if the folder is absent."""
    available = pabulib_files()
    if not available:
        # The test's ``pabulib_folder`` fixture reports the missing data (a failure in CI).
        return [pytest.param(None, id="no-data")]
    chosen = available if names is None else [n for n in names if n in available]
    return [
        pytest.param(n, marks=[pytest.mark.slow] if n in slow else [], id=n.removesuffix(".pb"))
        for n in chosen
    ]


@pytest.fixture(scope="session")
def pabulib_folder() -> Path:
    folder = pabulib_dir()
    if not folder.is_dir() or not pabulib_files():
        missing(SKIP_REASON)  # a skip locally; REQUIRE_SERVICES=1 (CI) makes it a failure
    return folder


# pabutools is about 3x faster on Łódź when identical ballots are merged into a multiprofile
# (23,571 distinct ballots for 90,494 voters); on Budapest and Mokotów it is slower, so only here.
MULTIPROFILE_FILES = {"Poland_Lodz_2022.pb"}


@cache
def pabutools_election(path: str):
    """pabutools' (instance, profile) for a file, parsed once per test session."""
    from pabutools.election import parse_pabulib

    instance, profile = parse_pabulib(path)
    if Path(path).name in MULTIPROFILE_FILES:
        profile = profile.as_multiprofile()
    return instance, profile


@cache
def our_election(path: str):
    from budgeting.pabulib import read_election

    return read_election(path)


def as_fraction(x) -> Fraction:
    return Fraction(int(x.numerator), int(x.denominator))
