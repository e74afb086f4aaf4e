"""Make the old-format copies of the messy test ledger: .xls and .ods.

python-calamine only reads, so the old binary Excel format and the
OpenDocument copy are made from the .xlsx (tests/ledgers.py) by LibreOffice,
once, and kept here beside this script:

    .venv/bin/python tests/data/make_ledgers.py

needs `soffice` (Debian: libreoffice-calc-nogui). Run it again after
changing the ledger in tests/ledgers.py.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).parent
sys.path.insert(0, str(HERE.parents[1]))

from tests.ledgers import write_xlsx  # noqa: E402


def main() -> None:
    with tempfile.TemporaryDirectory() as scratch:
        source = write_xlsx(Path(scratch) / "ledger-messy.xlsx")
        for kind in ("xls", "ods"):
            subprocess.run(
                ["soffice", "--headless", "--convert-to", kind, "--outdir", scratch, str(source)],
                check=True,
                capture_output=True,
                timeout=120,
            )
            made = source.with_suffix(f".{kind}")
            shutil.copyfile(made, HERE / made.name)
            print(f"{HERE / made.name}: {made.stat().st_size} bytes")


if __name__ == "__main__":
    main()
