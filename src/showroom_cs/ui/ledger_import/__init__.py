"""导入旧台账: the wizard that moves a showroom's old complaint ledger in
(the dialog, its three steps, and the preview's model)."""

from .dialog import LedgerImportDialog

__all__ = ["LedgerImportDialog"]
