"""Head office's DuckDB file: every showroom's weekly files, loaded once each.

`load` walks a folder, skips what it has seen (same path, size and time; or
the same content under any name, by SHA-256), checks the rest
(`schema.check_file`), and lets DuckDB read the good ones with explicit
column types, in batches. Each batch is one transaction: its files' rows are
checked once more inside DuckDB (one showroom and week, the row count the
closing row states, every cell of its type), and a file failing any check is
left out whole — a refused file changes nothing. The newest file loaded for a
showroom-week is current; the one it replaces stays, marked, as history.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import duckdb

from ..errors import ShowroomError
from ..export import HEADER_V1, csv_bytes, week_bounds
from .schema import (
    COLUMN_TYPES,
    COLUMN_TYPES_V1,
    TIME_FORMAT,
    Checked,
    Refused,
    check_code,
    check_file,
)

SCHEMA_VERSION = "1"
BATCH_FILES = 2000
# Columns only the file needs (the closing row's); the database keeps the rest.
_FILE_ONLY = ("row_kind", "file_rows", "file_sha256")
ROW_COLUMNS = {k: t for k, t in COLUMN_TYPES.items() if k not in _FILE_ONLY}

# No primary keys on the big tables: DuckDB writes an index out whole at every
# checkpoint (1.3 s per load at a year's 26,000 files); file_id is given by
# `load` and a path is deleted before it is stored again.
_DDL = f"""
CREATE TABLE IF NOT EXISTS hq_meta (key VARCHAR PRIMARY KEY, value VARCHAR);
CREATE TABLE IF NOT EXISTS files (
    file_id BIGINT NOT NULL,
    sha256 VARCHAR NOT NULL,
    file_name VARCHAR NOT NULL,
    path VARCHAR NOT NULL,
    showroom_code VARCHAR NOT NULL,
    week VARCHAR NOT NULL,
    week_start DATE NOT NULL,
    format_version VARCHAR NOT NULL,
    scope VARCHAR,
    case_rows BIGINT NOT NULL,
    loaded_at TIMESTAMP NOT NULL,
    is_current BOOLEAN NOT NULL,
    replaced_by BIGINT,
    replaced_at TIMESTAMP
);
CREATE TABLE IF NOT EXISTS paths (
    path VARCHAR NOT NULL, size BIGINT, mtime_ns BIGINT, sha256 VARCHAR
);
CREATE TABLE IF NOT EXISTS case_rows (
    file_id BIGINT NOT NULL,
    {", ".join(f"{key} {kind}" for key, kind in ROW_COLUMNS.items())}
);
CREATE TABLE IF NOT EXISTS regions (showroom_code VARCHAR PRIMARY KEY, region VARCHAR NOT NULL);
CREATE OR REPLACE VIEW weekly_rows AS
    SELECT r.* FROM case_rows r JOIN files f USING (file_id) WHERE f.is_current;
CREATE OR REPLACE VIEW showrooms AS
    SELECT showroom_code, coalesce(g.region, '未分区') AS region,
           min(f.week) AS first_week, max(f.week) AS last_week,
           count(*) FILTER (WHERE f.is_current) AS weeks_received
    FROM files f LEFT JOIN regions g USING (showroom_code)
    GROUP BY ALL;
"""

STATUS_LABELS = {"loaded": "已载入", "unchanged": "未变", "replaced": "已替换", "refused": "拒收"}


@dataclass(frozen=True)
class FileResult:
    """One file's outcome, as the per-file report prints it."""

    path: Path
    status: str  # a key of STATUS_LABELS
    detail: str = ""
    kind: str = ""  # why a file was refused (schema.REASONS)


@dataclass
class _Pending:
    path: Path
    sha256: str
    size: int
    mtime_ns: int
    checked: Checked
    file_id: int = 0


@dataclass
class LoadResult:
    files: list[FileResult] = field(default_factory=list)
    seconds: float = 0.0

    def count(self, status: str) -> int:
        return sum(result.status == status for result in self.files)


# (files done, files in all, what is being done): 检查 every file, then 载入 the new ones.
Progress = Callable[[int, int, str], None]


class HqBusy(ShowroomError):
    """The database file is held by another program."""


def connect(db: Path, *, read_only: bool = False) -> duckdb.DuckDBPyConnection:
    """Open head office's database file; a new file gets the tables and views.

    Read-only (a report) lets head office keep its own read-only sessions
    open on the file. Another program writing to it is an environment error,
    explained in Chinese (`HqBusy`)."""
    from ..errors import RuleError

    try:
        con = duckdb.connect(str(db), read_only=read_only)
    except duckdb.Error as exc:
        raise HqBusy(
            f"无法打开总部数据库「{db.name}」：它可能正被其他程序（如 DuckDB 命令行）使用，"
            f"请关闭后再试。（{exc}）"
        ) from None
    # Rows need no order (every query says its own): DuckDB then inserts in
    # parallel, 1.6x faster here. The command draws its own progress bar.
    con.execute("SET preserve_insertion_order = false; SET enable_progress_bar = false")
    found = con.execute(
        "SELECT count(*) FROM duckdb_tables() WHERE table_name = 'hq_meta'"
    ).fetchone()
    version = None
    if found and found[0]:
        row = con.execute("SELECT value FROM hq_meta WHERE key = 'schema_version'").fetchone()
        version = row[0] if row else None
    if version == SCHEMA_VERSION:
        return con
    if version is not None or read_only:
        con.close()
        raise RuleError(
            f"「{db.name}」不是本程序的总部数据库（数据版本 {version or '无'}，"
            f"本程序为 {SCHEMA_VERSION}）。"
        )
    con.execute(_DDL)
    con.execute("INSERT INTO hq_meta VALUES ('schema_version', ?)", [SCHEMA_VERSION])
    return con


def weekly_paths(folder: Path) -> list[Path]:
    """Every .csv under `folder`, in a stable order (a half-copied .part is not one)."""
    return sorted(p for p in folder.rglob("*") if p.suffix.lower() == ".csv" and p.is_file())


def load(
    con: duckdb.DuckDBPyConnection,
    folder: Path,
    *,
    today: dt.date,
    allow_full: bool = False,
    progress: Progress | None = None,
    batch_files: int = BATCH_FILES,
) -> LoadResult:
    """Load every new or changed weekly file under `folder`; see the module's docstring."""
    # Absolute paths: the same file is known however the folder was named.
    paths = weekly_paths(folder.resolve())
    seen = {
        row[0]: (row[1], row[2], row[3]) for row in con.execute("SELECT * FROM paths").fetchall()
    }
    known = {row[0] for row in con.execute("SELECT sha256 FROM files").fetchall()}
    results: dict[Path, FileResult] = {}
    pending: list[_Pending] = []
    same_path: list[tuple[str, int, int, str]] = []  # paths to remember (unchanged content)
    fresh: dict[str, Path] = {}
    total = len(paths)
    for number, path in enumerate(paths, 1):
        if progress and number % 250 == 0:
            progress(number, total, "检查")
        stat = path.stat()
        previous = seen.get(str(path))
        if previous is not None and previous[:2] == (stat.st_size, stat.st_mtime_ns):
            results[path] = FileResult(path, "unchanged")
            continue
        data = path.read_bytes()
        sha = content_hash(path.name, data)
        if sha in known:
            results[path] = FileResult(path, "unchanged", "与已载入的文件内容相同")
            same_path.append((str(path), stat.st_size, stat.st_mtime_ns, sha))
            continue
        if sha in fresh:
            results[path] = FileResult(path, "unchanged", f"与本次的「{fresh[sha].name}」内容相同")
            continue
        try:
            checked = check_file(path.name, data, today=today, allow_full=allow_full)
        except Refused as exc:
            results[path] = FileResult(path, "refused", exc.message, exc.kind)
            continue
        fresh[sha] = path
        pending.append(_Pending(path, sha, stat.st_size, stat.st_mtime_ns, checked))
    # Files for the same showroom-week: the one written last is the newest.
    pending.sort(key=lambda p: (p.mtime_ns, str(p.path)))
    next_id = int(con.execute("SELECT coalesce(max(file_id), 0) FROM files").fetchone()[0])  # type: ignore[index]
    for item in pending:
        next_id += 1
        item.file_id = next_id
    if progress:
        progress(total, total, "检查")
    done = 0
    if same_path:
        _remember_paths(con, same_path)
    for start in range(0, len(pending), batch_files):
        batch = pending[start : start + batch_files]
        results.update(_load_batch(con, batch))
        done += len(batch)
        if progress:
            progress(done, len(pending), "载入")
    return LoadResult([results[path] for path in paths])


# A version-1 week with no case is a bare header, the same bytes for every
# showroom and week: only its name tells them apart.
_EMPTY_V1 = csv_bytes(HEADER_V1, [])


def content_hash(name: str, data: bytes) -> str:
    """What makes a file the same file: its bytes (SHA-256), and for a version-1
    empty week its name as well."""
    digest = hashlib.sha256(data)
    if data == _EMPTY_V1:
        digest.update(name.encode("utf-8"))
    return digest.hexdigest()


def _remember_paths(con: duckdb.DuckDBPyConnection, rows: list[tuple[str, int, int, str]]) -> None:
    """Paths whose content was already loaded: next time their size and time suffice."""
    columns = [list(column) for column in zip(*rows, strict=True)]
    con.begin()
    try:
        con.execute("DELETE FROM paths WHERE path IN (SELECT unnest($1::VARCHAR[]))", [columns[0]])
        con.execute(
            "INSERT INTO paths SELECT unnest($1), unnest($2), unnest($3), unnest($4)", columns
        )
        con.commit()
    except BaseException:
        con.rollback()
        raise


def _read_options(types: dict[str, str], version: str, *, rejects: bool) -> str:
    columns = ", ".join(f"'{key}': '{kind}'" for key, kind in types.items())
    options = (
        f"columns = {{{columns}}}, header = true, filename = true, auto_detect = false, "
        f"delim = ',', quote = '\"', escape = '\"', timestampformat = '{TIME_FORMAT}'"
    )
    if rejects:
        options += (
            f", store_rejects = true, rejects_table = 'hq_rejects_v{version}', "
            f"rejects_scan = 'hq_scans_v{version}'"
        )
    return options


_TYPES = {"2": COLUMN_TYPES, "1": COLUMN_TYPES_V1}


def _load_batch(con: duckdb.DuckDBPyConnection, batch: list[_Pending]) -> dict[Path, FileResult]:
    """Read the batch into temporary tables and check it there; then one
    transaction keeps the good files' rows and marks what they replace."""
    by_path = {str(item.path): item for item in batch}
    versions = {item.checked.version for item in batch}
    refused: dict[str, FileResult] = {}
    for version in _stage_files(con, batch):
        refused.update(_rejected_lines(con, version, by_path))
    refused.update(_check_staged(con, versions, by_path, refused))
    good = [item for item in batch if str(item.path) not in refused]
    con.execute(
        "UPDATE hq_batch SET good = true WHERE path IN (SELECT unnest($1::VARCHAR[]))",
        [[str(item.path) for item in good]],
    )
    con.begin()
    try:
        if "2" in versions:
            con.execute(
                "INSERT INTO case_rows BY NAME SELECT b.file_id, "
                "s.* EXCLUDE (filename, row_kind, file_rows, file_sha256) "
                "FROM hq_stage_v2 s JOIN hq_batch b ON s.filename = b.path "
                "WHERE b.good AND s.row_kind = '案件'"
            )
        if "1" in versions:
            # Version 1 has labels only: a label stands for its key (the app's
            # default lists use the label as the key).
            con.execute(
                "INSERT INTO case_rows BY NAME SELECT b.file_id, s.* EXCLUDE (filename), "
                "s.channel AS channel_key, s.category AS category_key, "
                "s.product_category AS product_category_key "
                "FROM hq_stage_v1 s JOIN hq_batch b ON s.filename = b.path WHERE b.good"
            )
        results = {by_path[path].path: result for path, result in refused.items()}
        results.update(_register(con, good))
        con.commit()
    except BaseException:
        con.rollback()
        raise
    finally:
        con.execute(
            "DROP TABLE IF EXISTS hq_stage_v1; DROP TABLE IF EXISTS hq_stage_v2; "
            "DROP TABLE IF EXISTS hq_batch"
        )
    return results


def _stage_files(con: duckdb.DuckDBPyConnection, batch: list[_Pending]) -> list[str]:
    """The batch's files as a temporary table, and each version's rows as DuckDB
    read them; returns the versions read again line by line because a cell
    could not be read as its type (the fast read stops at the first such cell,
    the careful one sets the line aside in hq_rejects_v<version>, 30 % slower)."""
    columns: dict[str, list[object]] = {
        "path": [str(i.path) for i in batch],
        "file_name": [i.path.name for i in batch],
        "file_id": [i.file_id for i in batch],
        "sha256": [i.sha256 for i in batch],
        "size": [i.size for i in batch],
        "mtime_ns": [i.mtime_ns for i in batch],
        "version": [i.checked.version for i in batch],
        "showroom_code": [i.checked.showroom_code for i in batch],
        "week": [i.checked.week for i in batch],
        "week_start": [week_bounds(i.checked.week)[0].date() for i in batch],
        "scope": [i.checked.scope for i in batch],
        "case_rows": [i.checked.rows for i in batch],
    }
    selects = ", ".join(f"unnest(${n + 1}) AS {name}" for n, name in enumerate(columns))
    con.execute(
        f"CREATE OR REPLACE TEMP TABLE hq_batch AS SELECT {selects}, false AS good",
        list(columns.values()),
    )
    careful = []
    for version, types in _TYPES.items():
        files = [str(i.path) for i in batch if i.checked.version == version]
        if not files:
            continue
        stage = f"CREATE OR REPLACE TEMP TABLE hq_stage_v{version} AS SELECT * FROM read_csv"
        try:
            con.execute(f"{stage}($1, {_read_options(types, version, rejects=False)})", [files])
        except duckdb.Error:
            con.execute(f"DROP TABLE IF EXISTS hq_rejects_v{version}")
            con.execute(f"DROP TABLE IF EXISTS hq_scans_v{version}")
            con.execute(f"{stage}($1, {_read_options(types, version, rejects=True)})", [files])
            careful.append(version)
    return careful


def _rejected_lines(
    con: duckdb.DuckDBPyConnection, version: str, by_path: dict[str, _Pending]
) -> dict[str, FileResult]:
    """Files with a line DuckDB could not read as the schema's types."""
    rows = con.execute(
        f"SELECT s.file_path, min(e.line), arg_min(e.error_message, e.line) "
        f"FROM hq_rejects_v{version} e JOIN hq_scans_v{version} s USING (scan_id, file_id) "
        "GROUP BY s.file_path"
    ).fetchall()
    return {
        path: FileResult(
            by_path[path].path,
            "refused",
            f"「{by_path[path].path.name}」第 {line} 行无法读取：{message}",
            "damaged",
        )
        for path, line, message in rows
    }


def _check_staged(
    con: duckdb.DuckDBPyConnection,
    versions: set[str],
    by_path: dict[str, _Pending],
    refused: dict[str, FileResult],
) -> dict[str, FileResult]:
    """What DuckDB read of each file against what the file says of itself."""
    found: dict[str, FileResult] = {}
    seen: set[str] = set()
    for version in sorted(versions):
        kind = "row_kind" if version == "2" else "'案件'"
        for path, cases, ends, odd, keys, which, distinct in con.execute(
            f"""
            SELECT filename,
                   count(*) FILTER (WHERE {kind} = '案件'),
                   count(*) FILTER (WHERE {kind} = '合计'),
                   count(*) FILTER (WHERE {kind} IS DISTINCT FROM '案件'
                                      AND {kind} IS DISTINCT FROM '合计'
                                      OR format_version IS DISTINCT FROM '{version}'),
                   count(DISTINCT (showroom_code, week)),
                   string_agg(DISTINCT showroom_code || ' ' || week, '、'),
                   count(DISTINCT case_no) FILTER (WHERE {kind} = '案件')
            FROM hq_stage_v{version} GROUP BY filename
            """
        ).fetchall():
            seen.add(path)
            item = by_path[path]
            name = item.path.name
            if path in refused:
                continue
            problem = None
            if keys > 1:
                problem = (
                    f"「{name}」里有 {which}：一个文件只应有一个门店的一周。",
                    "two_showrooms",
                )
            elif odd or (version == "2" and ends != 1):
                problem = (f"「{name}」有不属于本格式的行：文件已损坏。", "damaged")
            elif cases != item.checked.rows or distinct != cases:
                problem = (
                    f"「{name}」读出 {cases} 件案件（{distinct} 个不同编号），"
                    f"文件自己写的是 {item.checked.rows} 件：文件已损坏。",
                    "damaged",
                )
            if problem:
                found[path] = FileResult(item.path, "refused", *problem)
    for path, item in by_path.items():
        if path not in seen and path not in refused and item.checked.rows:
            found[path] = FileResult(
                item.path, "refused", f"「{item.path.name}」读不出任何行。", "damaged"
            )
    return found


def _register(con: duckdb.DuckDBPyConnection, good: list[_Pending]) -> dict[Path, FileResult]:
    """The good files become current for their showroom-week; a file already
    current there is kept as history, replaced by the newer one."""
    current = {
        (code, week): file_id
        for code, week, file_id in con.execute(
            "SELECT showroom_code, week, file_id FROM files WHERE is_current"
        ).fetchall()
    }
    results: dict[Path, FileResult] = {}
    old_ids: list[int] = []
    new_ids: list[int] = []
    for item in good:  # in file_id order: the later replaces the earlier
        key = (item.checked.showroom_code, item.checked.week)
        what = f"{key[0]} {key[1]}，{item.checked.rows} 件，版本 {item.checked.version}"
        if item.checked.version == "1":
            what += "（版本 1 无法证明文件完整）"
        previous = current.get(key)
        if previous is None:
            results[item.path] = FileResult(item.path, "loaded", what)
        else:
            old_ids.append(previous)
            new_ids.append(item.file_id)
            results[item.path] = FileResult(item.path, "replaced", what + "，替换了之前收到的一份")
        current[key] = item.file_id
    now = dt.datetime.now().replace(microsecond=0)
    con.execute(
        "INSERT INTO files SELECT file_id, sha256, file_name, path, showroom_code, week, "
        "week_start, version, scope, case_rows, $1, true, NULL, NULL FROM hq_batch WHERE good",
        [now],
    )
    # Then what each replaced, including a file replaced within this batch.
    if old_ids:
        con.execute(
            "UPDATE files SET is_current = false, replaced_by = u.new_id, replaced_at = $3 "
            "FROM (SELECT unnest($1::BIGINT[]) AS old_id, unnest($2::BIGINT[]) AS new_id) u "
            "WHERE files.file_id = u.old_id",
            [old_ids, new_ids, now],
        )
    con.execute("DELETE FROM paths WHERE path IN (SELECT path FROM hq_batch WHERE good)")
    con.execute("INSERT INTO paths SELECT path, size, mtime_ns, sha256 FROM hq_batch WHERE good")
    return results


def set_regions(con: duckdb.DuckDBPyConnection, path: Path) -> int:
    """Replace the region of every showroom by a CSV of 门店编码,区域 (UTF-8,
    with or without BOM); a file with any unusable line changes nothing."""
    import csv
    import io

    from ..errors import RuleError

    try:
        text = path.read_bytes().decode("utf-8-sig")
    except UnicodeDecodeError:
        raise RuleError(
            f"区域表「{path.name}」不是 UTF-8 编码（请在 Excel 中另存为 CSV UTF-8）。"
        ) from None
    reader = csv.reader(io.StringIO(text, newline=""))
    header = [cell.strip() for cell in next(reader, [])]
    if header[:2] != ["门店编码", "区域"]:
        raise RuleError(f"区域表「{path.name}」第 1 行应为「门店编码,区域」。")
    mapping: dict[str, str] = {}
    for row in reader:
        if not any(cell.strip() for cell in row):
            continue
        where = f"区域表「{path.name}」第 {reader.line_num} 行"
        if len(row) < 2 or not row[1].strip():
            raise RuleError(f"{where}缺少区域。")
        code = row[0].strip()
        problem = check_code(code)
        if problem:
            raise RuleError(f"{where}：{problem}")
        if code in mapping and mapping[code] != row[1].strip():
            raise RuleError(f"{where}：门店 {code} 已在前面分到「{mapping[code]}」。")
        mapping[code] = row[1].strip()
    con.begin()
    try:
        con.execute("DELETE FROM regions")
        if mapping:
            con.execute(
                "INSERT INTO regions SELECT unnest($1::VARCHAR[]), unnest($2::VARCHAR[])",
                [list(mapping), list(mapping.values())],
            )
        con.commit()
    except BaseException:
        con.rollback()
        raise
    return len(mapping)
