"""Merge the JSON reports of several ``neurocore-hw mutants`` runs into one Markdown page.

``make mutants`` writes docs/mutants.md in one run; when the units are measured in
separate runs (other cycle counts for the large ones, or on two machines), this puts the
pieces together:

    .venv/bin/python docs/scripts/mutants_page.py a.json b.json -o docs/mutants.md \\
        --command "neurocore-hw mutants --all ..." --command "..."
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from rtl_gen.verify.mutation import MutationReport, markdown


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("reports", nargs="+", help="JSON files of `mutants --json`")
    parser.add_argument("-o", "--output", required=True, help="Markdown page to write")
    parser.add_argument("--command", action="append", default=[],
                        help="the command that measured each file (repeatable)")
    args = parser.parse_args()
    reports = [MutationReport.from_dict(d) for path in args.reports
               for d in json.loads(Path(path).read_text())]
    text = markdown(reports, "`, `".join(args.command))
    Path(args.output).write_text(text)
    print(f"wrote {args.output} ({len(reports)} units)")


if __name__ == "__main__":
    main()
