"""Reading uploaded tables (.csv and .xlsx) row by row, for imports.

Rows are streamed — a 100 000-row file is never held in memory — and the header is mapped to
column keys by its Chinese names (with aliases). Problems come back as ``CellError`` values
naming the row and the column, so an import can report every bad row at once.

- CSV: UTF-8 (with or without BOM) or GBK/GB18030 (what Chinese Excel writes), detected by
  checking the whole file decodes as UTF-8.
- XLSX: openpyxl in read-only mode. Merged header cells read as empty in that mode, so the
  header is rebuilt: title rows above it are skipped, a cell merged down from the row above
  takes that row's label, and a two-level header (a merged group label over sub-labels) uses
  the sub-labels.
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from functools import wraps
from pathlib import Path

from django import forms
from django.conf import settings
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from openpyxl import load_workbook
from openpyxl.utils import get_column_letter

from .excel import write_workbook

HEADER_SEARCH_ROWS = 10
MAX_REPORTED_ERRORS = 50_000


class TableError(Exception):
    """The file as a whole cannot be read (wrong type, no header, missing columns…)."""


class UploadTooLarge(TableError):
    pass


class ImportRejected(Exception):
    """Some rows are bad: nothing was saved. ``errors`` (capped) go into the error report."""

    def __init__(self, errors: list, total: int, rows: int):
        self.errors = errors
        self.total = total
        self.rows = rows
        first = "；".join(str(e) for e in errors[:3])
        super().__init__(
            _(
                "共 %(rows)s 行数据，发现 %(n)s 处错误，未导入任何数据。请下载错误报告修改后重新导入。"
            )
            % {"rows": rows, "n": total}
            + (f"\n{first}" if first else "")
        )


class ErrorCollector:
    """Collects row errors up to ``MAX_REPORTED_ERRORS`` while counting them all."""

    def __init__(self):
        self.errors: list[CellError] = []
        self.total = 0

    def add(self, error: CellError) -> None:
        self.total += 1
        if len(self.errors) < MAX_REPORTED_ERRORS:
            self.errors.append(error)

    def extend(self, errors) -> None:
        for error in errors:
            self.add(error)

    def __bool__(self) -> bool:
        return self.total > 0


@dataclass(frozen=True)
class Column:
    """One expected column: ``key`` for code, ``label`` and ``aliases`` as users write them."""

    key: str
    label: str
    aliases: tuple[str, ...] = ()
    required: bool = True
    ignored: bool = False  # accepted in the header (e.g. from our own export) but not read


@dataclass(frozen=True)
class CellError:
    row: int
    column: str
    value: str
    message: str

    def __str__(self) -> str:
        where = _("第%(row)s行") % {"row": self.row} if self.row else ""
        if self.column:
            where += _("“%(column)s”") % {"column": self.column}
        return f"{where}：{self.message}" if where else self.message


@dataclass
class Row:
    number: int  # as the user sees it in Excel (1 = first line of the file)
    values: dict[str, object]
    errors: list[CellError] = field(default_factory=list)


def _normalize(label) -> str:
    text = str(label or "").strip()
    for old, new in (("（", "("), ("）", ")"), ("／", "/"), ("*", ""), ("＊", "")):
        text = text.replace(old, new)
    return "".join(text.split())


def max_upload_bytes() -> int:
    return int(settings.MAX_UPLOAD_MB) * 1024 * 1024


def check_upload_size(size: int) -> None:
    """Refuse a file over ``settings.MAX_UPLOAD_MB`` before reading a byte of it."""
    if size > max_upload_bytes():
        raise UploadTooLarge(
            _("文件大小为 %(size).1f MB，超过上限 %(limit)s MB，请拆分后分批导入")
            % {"size": size / 1024 / 1024, "limit": settings.MAX_UPLOAD_MB}
        )


def limit_upload_size(view):
    """Refuse an oversized upload before its body is read.

    CSRF checking reads the body, so the size is checked first (from Content-Length) and
    the CSRF check runs after it, as Django's docs show for custom upload handling. A refused
    request reaches the view with ``request.upload_refused`` set to the message and must not
    read ``request.POST``.
    """
    protected = csrf_protect(view)

    @csrf_exempt
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        request.upload_refused = ""
        if request.method == "POST":
            try:
                length = int(request.META.get("CONTENT_LENGTH") or 0)
            except ValueError:
                length = 0
            try:
                check_upload_size(length)
            except UploadTooLarge as exc:
                request.upload_refused = str(exc)
                return view(request, *args, **kwargs)
        return protected(request, *args, **kwargs)

    return wrapper


class TableUploadForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("文件"),
        help_text=gettext_lazy("Excel（.xlsx）或 CSV（UTF-8 或 GBK 编码）"),
        error_messages={"required": gettext_lazy("请选择要导入的文件")},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["file"].widget.attrs.update({"class": "form-control", "accept": ".xlsx,.csv"})

    @classmethod
    def for_request(cls, request) -> TableUploadForm:
        """The form for an import view behind @limit_upload_size: unbound when the upload
        was refused as too large (its body was never read), bound on POST otherwise."""
        if getattr(request, "upload_refused", None):
            return cls()
        return cls(request.POST or None, request.FILES or None)

    def clean_file(self):
        upload = self.cleaned_data["file"]
        try:
            check_upload_size(upload.size)
            check_extension(upload.name)
        except TableError as exc:
            raise forms.ValidationError(str(exc)) from exc
        return upload


def check_extension(name: str) -> str:
    suffix = Path(name).suffix.lower()
    if suffix not in (".csv", ".xlsx"):
        raise TableError(_("只支持 .xlsx 或 .csv 文件（请在 Excel 中“另存为”这两种格式之一）"))
    return suffix


def detect_csv_encoding(path: Path) -> str:
    """``utf-8-sig`` when the whole file is valid UTF-8, else ``gb18030`` (a superset of GBK)."""
    decoder = codecs.getincrementaldecoder("utf-8")()
    with open(path, "rb") as fh:
        try:
            while chunk := fh.read(1 << 20):
                decoder.decode(chunk)
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            return "gb18030"
    return "utf-8-sig"


def cell_text(value) -> str:
    """A cell as text: integral floats lose their ``.0`` (licence numbers typed as numbers)."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value).strip()


def _raw_rows(path: Path) -> Iterator[tuple[int, Sequence]]:
    """(row number, cells) for every row of the file's first sheet, streamed."""
    if path.suffix.lower() == ".csv":
        encoding = detect_csv_encoding(path)
        with open(path, encoding=encoding, newline="") as fh:
            for number, cells in enumerate(csv.reader(fh), start=1):
                yield number, cells
        return
    try:
        book = load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:
        raise TableError(_("无法读取该 Excel 文件，请确认是 .xlsx 格式且未加密")) from exc
    try:
        sheet = book.worksheets[0]
        for number, cells in enumerate(sheet.iter_rows(values_only=True), start=1):
            yield number, cells
    finally:
        book.close()


class Table:
    """An uploaded table mapped onto ``columns``; iterate ``rows()`` (once per pass)."""

    def __init__(self, path: Path | str, columns: Sequence[Column]):
        self.path = Path(path)
        self.columns = list(columns)
        self._lookup: dict[str, Column] = {}
        for column in self.columns:
            for name in (column.label, *column.aliases):
                self._lookup[_normalize(name)] = column
        self.header_row = 0
        self.positions: dict[str, int] = {}  # column key → cell index
        self.width = 0
        self.present: set[str] = set()

    # -- header ---------------------------------------------------------------------------
    def _known(self, cells) -> int:
        return sum(1 for c in cells if _normalize(c) in self._lookup)

    def _read_header(self, head: list[tuple[int, Sequence]]) -> None:
        if not head:
            raise TableError(_("文件是空的"))
        best = max(range(len(head)), key=lambda i: self._known(head[i][1]))
        if self._known(head[best][1]) == 0:
            expected = "、".join(c.label for c in self.columns if c.required)
            raise TableError(_("找不到表头行，第一行应是列名：%(names)s") % {"names": expected})
        labels = [_normalize(c) for c in head[best][1]]
        last = best
        above = [_normalize(c) for c in head[best - 1][1]] if best > 0 else []
        below = [_normalize(c) for c in head[best + 1][1]] if best + 1 < len(head) else []
        width = max(len(labels), len(below))
        labels += [""] * (width - len(labels))
        # A group label merged over sub-labels: the sub-labels name the columns.
        if any(
            i < len(below) and below[i] in self._lookup and labels[i] not in self._lookup
            for i in range(width)
        ):
            last = best + 1
            for i in range(width):
                if i < len(below) and below[i] in self._lookup and labels[i] not in self._lookup:
                    labels[i] = below[i]
        # A cell merged down from the row above reads as empty here.
        for i in range(width):
            if not labels[i] and i < len(above) and above[i] in self._lookup:
                labels[i] = above[i]
        self.header_row = head[last][0]
        unknown = []
        for index, label in enumerate(labels):
            if not label:
                continue
            column = self._lookup.get(label)
            if column is None:
                unknown.append(label)
                continue
            if column.key in self.positions:
                raise TableError(_("列“%(name)s”出现了两次") % {"name": column.label})
            self.positions[column.key] = index
        if unknown:
            raise TableError(
                _("无法识别的列：%(names)s。可用的列：%(known)s")
                % {"names": "、".join(unknown), "known": "、".join(c.label for c in self.columns)}
            )
        missing = [c.label for c in self.columns if c.required and c.key not in self.positions]
        if missing:
            raise TableError(_("缺少必需的列：%(names)s") % {"names": "、".join(missing)})
        self.present = set(self.positions)
        self.width = max(self.positions.values()) + 1
        self._labels = {c.key: c.label for c in self.columns}

    # -- rows -----------------------------------------------------------------------------
    def rows(self) -> Iterator[Row]:
        """Data rows after the header; blank rows are skipped. Reads the file afresh."""
        stream = _raw_rows(self.path)
        head: list[tuple[int, Sequence]] = []
        for item in stream:
            if any(cell_text(c) for c in item[1]):
                head.append(item)
            if len(head) >= HEADER_SEARCH_ROWS:
                break
        self.positions = {}
        self._read_header(head)
        pending = [item for item in head if item[0] > self.header_row]

        def all_rows():
            yield from pending
            yield from stream

        wanted = [
            (key, index, self._labels[key])
            for key, index in self.positions.items()
            if not self._column(key).ignored
        ]
        width = self.width
        for number, cells in all_rows():
            if cells.__class__ is list:  # a CSV row: all str, joined and stripped in C
                if not "".join(cells).strip():
                    continue
            elif not any(cell_text(c) for c in cells):
                continue
            values = {}
            count = len(cells)
            for key, index, _label in wanted:
                value = cells[index] if index < count else None
                if value.__class__ is str:
                    values[key] = value.strip()
                else:
                    values[key] = value if isinstance(value, dt.date) else cell_text(value)
            row = Row(number=number, values=values)
            for index in range(width, count):
                extra = cell_text(cells[index])
                if extra:
                    row.errors.append(
                        CellError(
                            number,
                            _("第%(letter)s列") % {"letter": get_column_letter(index + 1)},
                            extra,
                            _("多出一列数据（表头只有 %(n)s 列），请删除或检查是否错位")
                            % {"n": self.width},
                        )
                    )
            yield row

    def estimate_rows(self) -> int:
        """Roughly how many rows the file has (for progress), without parsing it."""
        if self.path.suffix.lower() == ".csv":
            count = 0
            with open(self.path, "rb") as fh:
                while chunk := fh.read(1 << 20):
                    count += chunk.count(b"\n")
            return max(count, 1)
        try:
            book = load_workbook(self.path, read_only=True)
            rows = book.worksheets[0].max_row or 1
            book.close()
            return rows
        except Exception:
            return 1

    def _column(self, key: str) -> Column:
        return next(c for c in self.columns if c.key == key)

    def label(self, key: str) -> str:
        return self._column(key).label


def write_error_report(path: Path | str, errors, *, total: int | None = None) -> int:
    """An .xlsx listing each problem (行号, 列, 值, 问题); returns the rows written."""

    def rows():
        for count, error in enumerate(errors):
            if count >= MAX_REPORTED_ERRORS:
                yield ["", "", "", _("错误过多，仅列出前 %(n)s 条") % {"n": MAX_REPORTED_ERRORS}]
                return
            yield [error.row or "", error.column, error.value, error.message]

    with open(path, "wb") as fh:
        return write_workbook(
            fh,
            headers=[_("行号"), _("列"), _("值"), _("问题")],
            rows=rows(),
            title=_("错误报告"),
            widths=[8, 16, 30, 60],
        )
