"""The frozen app's entry point (PyInstaller runs a script, not a package)."""

import os
import sys

# A windowed Windows build has no console: give prints somewhere harmless.
if sys.stdout is None:
    sys.stdout = open(os.devnull, "w", encoding="utf-8")  # noqa: SIM115
if sys.stderr is None:
    sys.stderr = open(os.devnull, "w", encoding="utf-8")  # noqa: SIM115

from showroom_cs.cli import main

sys.exit(main())
