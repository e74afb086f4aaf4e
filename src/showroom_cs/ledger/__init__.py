"""Moving in: reading a showroom's old complaint ledger (客诉台账).

`read` opens the file (.xlsx, .xls, .ods, CSV) and finds its header,
`fields` matches the headers to the app's fields, `parse` reads each row as
the case it will become, `plan` is the dry run (import / already imported /
refused), `report` writes the refused rows as a workbook. The import itself
is an operation like every other write: `operations.imports`.
"""

from .fields import Field, LedgerError, apply_overrides, match_columns, read_map_file
from .plan import Fate, Plan, PlannedRow, plan_import
from .read import LedgerTable, SourceRow, read_table, sheet_names

__all__ = [
    "Fate",
    "Field",
    "LedgerError",
    "LedgerTable",
    "Plan",
    "PlannedRow",
    "SourceRow",
    "apply_overrides",
    "match_columns",
    "plan_import",
    "read_map_file",
    "read_table",
    "sheet_names",
]
