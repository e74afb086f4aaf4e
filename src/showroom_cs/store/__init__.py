"""The SQLite store: one file, versioned migrations, typed rows, clear failures."""

from .database import Store, quick_check
from .errors import (
    CannotOpen,
    DatabaseLocked,
    DatabaseReadOnly,
    DiskFull,
    NewerSchema,
    NotADatabase,
    StoreError,
)
from .migrations import SCHEMA_VERSION

__all__ = [
    "SCHEMA_VERSION",
    "CannotOpen",
    "DatabaseLocked",
    "DatabaseReadOnly",
    "DiskFull",
    "NewerSchema",
    "NotADatabase",
    "Store",
    "StoreError",
    "quick_check",
]
