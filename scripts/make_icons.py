"""Render the window's icons (Material Design Icons) into resources/icons/mdi/.

    .venv/bin/pip install -e '.[icons]' && QT_QPA_PLATFORM=offscreen .venv/bin/python scripts/make_icons.py

Each icon is stored once as a black shape on transparent ground; the app
tints it when it loads it (ui/theme.py). The app does not import qtawesome
at run time: qtawesome goes through qtpy, whose star imports of every Qt
class cost ~0.15 s of each start.
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from showroom_cs.ui.theme import ICON_NAMES, ICON_PIXELS  # noqa: E402


def main() -> None:
    import qtawesome as qta
    from PySide6.QtWidgets import QApplication

    QApplication.instance() or QApplication(sys.argv)
    folder = ROOT / "resources/icons/mdi"
    folder.mkdir(parents=True, exist_ok=True)
    for name in ICON_NAMES:
        pixmap = qta.icon(f"mdi6.{name}", color="black").pixmap(ICON_PIXELS, ICON_PIXELS)
        if not pixmap.save(str(folder / f"{name}.png")):
            raise SystemExit(f"could not write {name}.png")
    print(f"{len(ICON_NAMES)} icons in {folder}")


if __name__ == "__main__":
    main()
