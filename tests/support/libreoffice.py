"""Opening the files the bot writes in LibreOffice, where it is installed."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

needs_libreoffice = pytest.mark.skipif(
    shutil.which("soffice") is None,
    reason="soffice (LibreOffice) is not installed here: the file is not converted",
)
"""Marks a test that converts a file with LibreOffice: it runs wherever soffice is."""


def convert(path: Path, to: str) -> Path:
    """Convert `path` with LibreOffice (`pdf`, `csv`) beside it; fail on any error."""
    done = subprocess.run(
        ["soffice", "--headless", "--convert-to", to, "--outdir", str(path.parent), str(path)],
        capture_output=True,
        timeout=180,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    converted = path.with_suffix(f".{to}")
    assert converted.stat().st_size > 0, done.stdout
    return converted
