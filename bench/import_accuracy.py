"""Benchmark: how many fields of a directive are read right from damaged text.

Runs extract_directive on every damaged variant of the two test documents (the An Hưng
công văn and a kế hoạch: accents stripped, OCR swaps, broken lines, page footers, doubled
spaces, a blank number and day…; tests/support/damaged_text.py) and, with --harsh, on a few
variants where several kinds of damage are piled up. A field is right when it equals the
expected value exactly: the clean document's, with the variant's letter damage applied to
the text it quotes; a field the variant removed is right when it is left empty (and so named
missing). Prints the accuracy per field and overall, and the fields read wrong.

    .venv/bin/python bench/import_accuracy.py
    .venv/bin/python bench/import_accuracy.py --harsh

It is a script, not a test; it reads nothing but the files in tests/fixtures.
"""

from __future__ import annotations

import argparse
import dataclasses
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from handlers.document_fields import ExtractedDirective, extract_directive
from tests.support.damaged_text import (
    D_AS_P,
    O_AS_6,
    U_AS_W,
    Variant,
    both,
    doubled_spaces,
    make_variant,
    page_break,
    strip_diacritics,
    variants,
    without_blank_lines,
    wrapped,
)

FIELDS = [field.name for field in dataclasses.fields(ExtractedDirective)]


def harsh_variants() -> list[Variant]:
    """Variants with letter and layout damage piled up, beyond what the tests require."""
    letter, plan = "congvan-an-hung-2026.txt", "kehoach-an-hung-2025.txt"
    pdf_like = both(wrapped(45), page_break, without_blank_lines)
    return [
        make_variant(
            "công văn: no accents, ố → 6, wrapped at 45, footer, no blank lines, double spaces",
            letter,
            both(strip_diacritics, O_AS_6),
            both(pdf_like, doubled_spaces),
        ),
        make_variant(
            "kế hoạch: ư → w, đ → p, ố → 6, wrapped at 40, footer, no blank lines",
            plan,
            both(U_AS_W, D_AS_P, O_AS_6),
            both(wrapped(40), page_break, without_blank_lines),
        ),
        make_variant("công văn wrapped at 38, no blank lines", letter, None, pdf_like),
        make_variant(
            "kế hoạch wrapped at 38, no blank lines",
            plan,
            None,
            both(wrapped(38), without_blank_lines),
        ),
    ]


def measure(cases: list[Variant]) -> tuple[dict[str, int], int, list[str]]:
    """Return the right answers per field, the missing lists named right, and the misses."""
    right = dict.fromkeys(FIELDS, 0)
    missing_right = 0
    wrong: list[str] = []
    for case in cases:
        read = extract_directive(case.text)
        for name in FIELDS:
            if getattr(read, name) == getattr(case.expected, name):
                right[name] += 1
            else:
                wrong.append(f"{case.name}: {name}")
        missing_right += read.missing == case.expected.missing
    return right, missing_right, wrong


def main() -> int:
    """Print the accuracy per field and overall."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--harsh", action="store_true", help="add the piled-up damage variants")
    args = parser.parse_args()
    cases = variants() + (harsh_variants() if args.harsh else [])
    right, missing_right, wrong = measure(cases)
    total = len(cases)
    print(f"{total} damaged variants of 2 documents, {len(FIELDS)} fields each")
    print(f"{'field':<14}{'right':>7}{'accuracy':>10}")
    for name in FIELDS:
        print(f"{name:<14}{right[name]:>4}/{total:<3}{right[name] / total:>9.1%}")
    overall, fields = sum(right.values()), total * len(FIELDS)
    print(f"{'overall':<14}{overall:>4}/{fields:<3}{overall / fields:>9.1%}")
    print(f"{'missing named':<14}{missing_right:>4}/{total:<3}{missing_right / total:>9.1%}")
    for miss in wrong:
        print(f"wrong: {miss}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
