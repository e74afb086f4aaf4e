"""打印 and 导出PDF of the paper forms; each is an event on the case's timeline.

The PDF made by the core is what prints: its pages are rendered onto the
printer chosen in the system print dialog (Qt's own PDF module is not part
of the PySide6 wheels we ship, so PDFium draws them).
"""

from __future__ import annotations

import logging
import tempfile
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QPoint, QRect, QSize, Qt
from PySide6.QtGui import QImage, QPainter
from PySide6.QtPrintSupport import QPrintDialog, QPrinter
from PySide6.QtWidgets import QFileDialog, QMessageBox, QWidget

from .. import operations as op
from ..domain import Case
from .session import Session

log = logging.getLogger(__name__)

PRINT_DPI = 300


def _form_title(form: str, review_round: int | None = None) -> str:
    from ..pdf import form_title

    title = form_title(form)
    return f"{title}（第 {review_round} 次）" if review_round else title


def form_pdf(session: Session, case: Case, form: str, review_round: int | None = None) -> bytes:
    from ..pdf import render  # reportlab loads when first printing, not at start

    return render(session.store, case, form, review_round=review_round)


def print_pdf(data: bytes, printer: QPrinter) -> int:
    """Send every page of a PDF to `printer`; returns the number of pages printed.

    PDFium rasterises each page at the printer's resolution; the paper then
    carries exactly what 导出PDF saves.
    """
    import pypdfium2 as pdfium  # loaded on the first print, not at start-up

    document = pdfium.PdfDocument(data)
    painter = QPainter()
    if not painter.begin(printer):
        return 0
    try:
        area = painter.viewport().size()
        for number in range(len(document)):
            if number:
                printer.newPage()
            page = document[number]
            width, height = page.get_size()
            fitted = QSize(round(width), round(height)).scaled(
                area, Qt.AspectRatioMode.KeepAspectRatio
            )
            # 300 dpi is sharp on paper; the printer's own 1200 dpi would need
            # half a gigabyte per page.
            bitmap = page.render(scale=PRINT_DPI / 72, rev_byteorder=True)
            pixels = bytes(bitmap.buffer)
            image = QImage(
                pixels, bitmap.width, bitmap.height, bitmap.stride, QImage.Format.Format_RGB888
            )
            painter.drawImage(QRect(QPoint(0, 0), fitted), image)
    finally:
        painter.end()
    return len(document)


def print_form(
    session: Session,
    case: Case,
    form: str,
    parent: QWidget | None = None,
    printer: QPrinter | None = None,
    review_round: int | None = None,
) -> bool:
    """打印: the system print dialog (or a given printer), then a timeline event."""
    title = _form_title(form, review_round)
    pages = print_with_dialog(
        parent, form_pdf(session, case, form, review_round), f"打印{title}", printer
    )
    if pages:
        _record(session, case, title, pages=pages)
    return bool(pages)


def _record(
    session: Session, case: Case, title: str, *, pages: int | None = None, file_name: str = ""
) -> None:
    """The print on the case's timeline; a database that can only be read
    cannot take it, and the application log keeps it instead."""
    if session.read_only:
        log.warning("%s of %s printed while read-only: not on its timeline", title, case.case_no)
        return
    op.record_output(session.ctx(), case.id, title, pages=pages, file_name=file_name)


def print_with_dialog(
    parent: QWidget | None, data: bytes, title: str, printer: QPrinter | None = None
) -> int:
    """The system print dialog titled `title` (unless a printer is given), then
    the PDF onto the paper; the number of pages printed, 0 when cancelled."""
    if printer is None:
        printer = QPrinter(QPrinter.PrinterMode.HighResolution)
        dialog = QPrintDialog(printer, parent)
        dialog.setWindowTitle(title)
        if dialog.exec() != QPrintDialog.DialogCode.Accepted:
            return 0
    return print_pdf(data, printer)


def save_pdf(
    parent: QWidget | None,
    data: Callable[[], bytes],
    file_name: str,
    target: Path | None = None,
) -> Path | None:
    """导出PDF to `target` or where the person chooses (suggesting `file_name`);
    a folder that cannot be written is explained. None when cancelled or failed."""
    if target is None:
        target = choose_pdf_path(parent, file_name)
        if target is None:
            return None
    try:
        target.write_bytes(data())
    except OSError as exc:
        QMessageBox.warning(
            parent,
            "没有保存",
            f"无法写入「{target}」：{exc.strerror or exc}。请换一个文件夹，或检查磁盘空间。",
        )
        return None
    return target


def choose_pdf_path(parent: QWidget | None, file_name: str) -> Path | None:
    """The save dialog for a PDF, suggesting `file_name`; None when cancelled."""
    suggested = Path(tempfile.gettempdir()) / file_name
    name, _ = QFileDialog.getSaveFileName(parent, "导出PDF", str(suggested), "PDF (*.pdf)")
    return Path(name) if name else None


def export_form(
    session: Session,
    case: Case,
    form: str,
    parent: QWidget | None = None,
    target: Path | None = None,
    review_round: int | None = None,
) -> Path | None:
    """导出PDF: save the form where the person chooses, then a timeline event."""
    title = _form_title(form, review_round)
    data = form_pdf(session, case, form, review_round)
    if target is None:
        target = choose_pdf_path(parent, f"{case.case_no}-{title}.pdf")
        if target is None:
            return None
    target.write_bytes(data)
    _record(session, case, title, file_name=target.name)
    return target
