"""The SQLite store: one file, versioned migrations, typed rows, clear failures."""

from .database import Store, quick_check
from .errors import (
    CannotCreate,
    CannotOpen,
    DatabaseLocked,
    DatabaseReadOnly,
    DiskFull,
    EmptyDatabase,
    NewerSchema,
    NotADatabase,
    StoreError,
)
from .migrations import SCHEMA_VERSION

__all__ = [
    "SCHEMA_VERSION",
    "CannotCreate",
    "CannotOpen",
    "DatabaseLocked",
    "DatabaseReadOnly",
    "DiskFull",
    "EmptyDatabase",
    "NewerSchema",
    "NotADatabase",
    "Store",
    "StoreError",
    "quick_check",
]
