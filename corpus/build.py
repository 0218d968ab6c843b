"""Build the generated formats of the demo corpus: ``make corpus`` (``python corpus/build.py``).

Reads ``corpus/catalogue.csv``; renders each ``corpus/src/<id>.md`` whose catalogued format is
pdf, docx or html into ``corpus/reviews/<id>.<format>``; writes ``corpus/reviews/metadata.csv``
(PDF and DOCX) and ``<id>.meta.yaml`` sidecars (HTML); regenerates the table in
``corpus/README.md``. Exits 1 if a source or review file cannot be used.
"""

from __future__ import annotations

import argparse
import logging
import sys
from pathlib import Path

_CORPUS_DIR = Path(__file__).resolve().parent
if str(_CORPUS_DIR.parent) not in sys.path:
    # run as a script, the repository root is not on the path
    sys.path.insert(0, str(_CORPUS_DIR.parent))

from corpus.builder.run import build_corpus  # noqa: E402


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--out",
        type=Path,
        default=None,
        help="folder for the built reviews (default corpus/reviews)",
    )
    parser.add_argument(
        "--no-readme", action="store_true", help="leave the table in corpus/README.md as it is"
    )
    parser.add_argument("-v", "--verbose", action="store_true", help="log every file written")
    args = parser.parse_args(argv)
    logging.basicConfig(
        level=logging.INFO if args.verbose else logging.WARNING, format="%(message)s"
    )
    report = build_corpus(_CORPUS_DIR, args.out, update_readme=not args.no_readme)
    print(
        f"corpus: {len(report.written)} files written, {len(report.current)} unchanged, "
        f"{len(report.removed)} stale removed, in {report.seconds:.1f} s"
    )
    for review_id, pages in sorted(report.pages.items()):
        print(f"  {review_id}.pdf: {pages} pages")
    if report.missing:
        print(f"not yet written ({len(report.missing)}): {', '.join(report.missing)}")
    for problem in report.problems:
        print(f"problem: {problem}", file=sys.stderr)
    return 1 if report.problems else 0


if __name__ == "__main__":
    sys.exit(main())
