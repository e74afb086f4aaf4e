"""The core is importable and works with PySide6 absent (it never imports Qt)."""

from __future__ import annotations

import pkgutil
import subprocess
import sys

import showroom_cs

# Run in a fresh interpreter where any attempt to import PySide6 fails.
SCRIPT = r"""
import sys, importlib, pkgutil
class NoQt:
    def find_spec(self, name, path=None, target=None):
        if name.split('.')[0] in ('PySide6', 'shiboken6'):
            raise ImportError('Qt is not available here')
sys.meta_path.insert(0, NoQt())
import showroom_cs
names = [m.name for m in pkgutil.walk_packages(showroom_cs.__path__, 'showroom_cs.')
         if not m.name.startswith(('showroom_cs.ui', 'showroom_cs.__main__'))]
for name in names:
    importlib.import_module(name)
from showroom_cs.store import Store
from showroom_cs.demo import generate
store = Store.in_memory()
result = generate(store, 20, seed=3)
print(len(names), result.cases, store.scalar('SELECT COUNT(*) FROM cases'))
"""


def test_every_core_module_imports_and_runs_without_qt() -> None:
    done = subprocess.run(
        [sys.executable, "-c", SCRIPT], capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    modules, generated, stored = (int(x) for x in done.stdout.split())
    core = [
        m.name
        for m in pkgutil.walk_packages(showroom_cs.__path__, "showroom_cs.")
        if not m.name.startswith(("showroom_cs.ui", "showroom_cs.__main__"))
    ]
    assert modules == len(core) > 10
    assert generated == stored == 20
