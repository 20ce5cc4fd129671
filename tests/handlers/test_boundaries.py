"""handlers/ stays channel-neutral: no channel library, no httpx, nothing from bot."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

HANDLERS = Path(__file__).resolve().parents[2] / "handlers"
FORBIDDEN = ("telegram", "aiogram", "httpx", "bot")


def _imported_roots(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    roots: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            roots.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            roots.add(node.module.split(".")[0])
    return roots


def test_no_handler_module_imports_a_channel_library():
    """Every import statement in handlers/ names neither a channel library, httpx nor bot."""
    offenders = {
        path.name: sorted(_imported_roots(path) & set(FORBIDDEN)) for path in HANDLERS.rglob("*.py")
    }
    assert {name: found for name, found in offenders.items() if found} == {}
    assert len(offenders) >= 10


def test_loading_every_feature_pulls_in_no_channel_library():
    """Importing the engine with all features leaves telegram, httpx and bot unloaded."""
    probe = (
        "import sys, handlers.engine\n"
        f"print(sorted(m for m in sys.modules if m.split('.')[0] in {FORBIDDEN!r}))"
    )
    result = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "[]"
