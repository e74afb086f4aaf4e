"""Prove a shop's Windows build cannot stop on a missing wheel.

For each supported Python, pip resolves every runtime dependency of the app
and of the bundle (PyInstaller) as a Windows (win_amd64) installation would,
taking binary wheels only, without installing anything. pip judges
Windows-only sub-dependencies by the machine it runs on, so PyInstaller's
(pefile, pywin32-ctypes) are named here. Prints what it found; exits 1 when
any Python cannot be served.

    .venv/bin/python scripts/check_windows_wheels.py
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
import tomllib
from pathlib import Path

PYTHONS = ("3.11", "3.12", "3.13")
WINDOWS_ONLY = ("pefile", "pywin32-ctypes")


def requirements() -> list[str]:
    project = tomllib.loads(Path("pyproject.toml").read_text(encoding="utf-8"))["project"]
    return [*project["dependencies"], *project["optional-dependencies"]["build"], *WINDOWS_ONLY]


def resolve(python: str, wanted: list[str], scratch: Path) -> list[tuple[str, str, str]]:
    report = scratch / f"report-{python}.json"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "install",
            "--dry-run",
            "--quiet",
            "--ignore-installed",
            "--only-binary=:all:",
            "--platform",
            "win_amd64",
            "--python-version",
            python,
            "--target",
            str(scratch / "target"),
            "--report",
            str(report),
            *wanted,
        ],
        check=True,
        stderr=subprocess.DEVNULL,
    )
    found = json.loads(report.read_text(encoding="utf-8"))["install"]
    return [
        (
            item["metadata"]["name"],
            item["metadata"]["version"],
            item["download_info"]["url"].rsplit("/", 1)[-1],
        )
        for item in found
    ]


def main() -> int:
    wanted = requirements()
    failed = []
    with tempfile.TemporaryDirectory() as folder:
        for python in PYTHONS:
            try:
                wheels = resolve(python, wanted, Path(folder))
            except subprocess.CalledProcessError:
                failed.append(python)
                print(f"Python {python} on win_amd64: cannot be served from wheels")
                continue
            odd = [name for name, _, file in wheels if not file.endswith(".whl")]
            if odd:
                failed.append(python)
            native = sorted(f"{n} {v}" for n, v, f in wheels if f.endswith("win_amd64.whl"))
            print(
                f"Python {python} on win_amd64: {len(wheels)} wheels; Windows builds: {', '.join(native)}"
            )
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
