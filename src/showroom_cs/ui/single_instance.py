"""A second start on the same database brings the first window forward.

The OS lock (`instance.InstanceLock`) decides who runs; this is the courtesy
on top: the running window listens on a local socket named after the
database file, and a second start that cannot take the lock knocks there
instead of showing an error. A knock nobody answers (the window is on
another PC sharing the file) gets the "open elsewhere" message.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

from PySide6.QtCore import QObject, Signal
from PySide6.QtNetwork import QLocalServer, QLocalSocket

KNOCK_TIMEOUT_MS = 1500


def server_name(db_path: Path) -> str:
    key = str(db_path.resolve()).casefold().encode()
    return "showroom-cs-" + hashlib.sha256(key).hexdigest()[:20]


def knock(db_path: Path) -> bool:
    """Ask the window running on this database to come forward; False if none answers."""
    socket = QLocalSocket()
    socket.connectToServer(server_name(db_path))
    if not socket.waitForConnected(KNOCK_TIMEOUT_MS):
        return False
    socket.write(b"show\n")
    socket.waitForBytesWritten(KNOCK_TIMEOUT_MS)
    socket.disconnectFromServer()
    return True


class SecondStartListener(QObject):
    """Listens for knocks. Signals: showRequested() when a second start knocked."""

    showRequested = Signal()

    def __init__(self, db_path: Path, parent: QObject | None = None) -> None:
        super().__init__(parent)
        name = server_name(db_path)
        # Safe: we hold the database lock, so a socket left under this name
        # belongs to a window that crashed.
        QLocalServer.removeServer(name)
        self.server = QLocalServer(self)
        self.server.listen(name)
        self.server.newConnection.connect(self._knocked)

    def _knocked(self) -> None:
        while self.server.hasPendingConnections():
            connection = self.server.nextPendingConnection()
            connection.disconnectFromServer()
            connection.deleteLater()
        self.showRequested.emit()
