"""Every schema change, in order. Append new migrations; never edit a released one.

The schema version of a file is the number of these applied to it.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import sqlite3
from collections.abc import Callable
from typing import TypeVar

from sqlite_utils import Database
from sqlite_utils.migrations import Migrations

from ..pinyin_keys import name_keys

_Fn = TypeVar("_Fn", bound=Callable[[Database], None])

MIGRATIONS = Migrations("showroom_cs")
MIGRATION_NAMES: list[str] = []


def _migration(name: str) -> Callable[[_Fn], _Fn]:
    MIGRATION_NAMES.append(name)
    return MIGRATIONS(name=name)


def run_script(db: Database, script: str) -> None:
    """Run several statements inside the caller's transaction.

    `executescript` would commit first, so statements (triggers included) are
    split with sqlite3.complete_statement and run one by one.
    """
    pending = ""
    for line in script.splitlines(keepends=True):
        pending += line
        if sqlite3.complete_statement(pending):
            db.execute(pending)
            pending = ""
    if pending.strip():
        raise ValueError(f"incomplete SQL statement: {pending[:80]}")


@_migration("0001_cases_and_timeline")
def m0001_cases_and_timeline(db: Database) -> None:
    run_script(
        db,
        """
        CREATE TABLE settings (
            key TEXT PRIMARY KEY,
            value TEXT NOT NULL
        );

        CREATE TABLE staff (
            id INTEGER PRIMARY KEY,
            name TEXT NOT NULL,
            role TEXT NOT NULL,
            active INTEGER NOT NULL DEFAULT 1,
            pin_hash TEXT,
            created_at TEXT NOT NULL
        );

        -- Per-day case number counters: a number once issued is never issued again.
        CREATE TABLE case_no_counters (
            day TEXT PRIMARY KEY,
            last_seq INTEGER NOT NULL
        );

        CREATE TABLE cases (
            id INTEGER PRIMARY KEY,
            case_no TEXT NOT NULL UNIQUE,
            received_at TEXT NOT NULL,
            received_by INTEGER NOT NULL REFERENCES staff(id),
            channel TEXT NOT NULL,
            customer_name TEXT NOT NULL,
            customer_phone TEXT NOT NULL,
            customer_address TEXT NOT NULL DEFAULT '',
            order_no TEXT NOT NULL DEFAULT '',
            purchase_date TEXT,
            install_date TEXT,
            product_category TEXT NOT NULL DEFAULT '',
            brand_model TEXT NOT NULL DEFAULT '',
            subject TEXT NOT NULL DEFAULT '',
            category TEXT NOT NULL,
            description TEXT NOT NULL,
            demands TEXT NOT NULL DEFAULT '[]',
            demand_note TEXT NOT NULL DEFAULT '',
            severity TEXT NOT NULL CHECK (severity IN ('normal', 'important', 'urgent')),
            needs_visit INTEGER NOT NULL DEFAULT 0,
            stage TEXT NOT NULL,
            owner_id INTEGER REFERENCES staff(id),
            department TEXT NOT NULL DEFAULT '',
            assigned_at TEXT,
            valid INTEGER,
            validity_reason TEXT NOT NULL DEFAULT '',
            invalid_explanation TEXT NOT NULL DEFAULT '',
            investigation_notes TEXT NOT NULL DEFAULT '',
            cause_analysis TEXT NOT NULL DEFAULT '',
            responsibility TEXT,
            solution_kind TEXT,
            solution_steps TEXT NOT NULL DEFAULT '',
            solution_due TEXT,
            solution_cost_fen INTEGER NOT NULL DEFAULT 0,
            rectification_result TEXT NOT NULL DEFAULT '',
            rectified_by INTEGER REFERENCES staff(id),
            rectified_at TEXT,
            review_round INTEGER NOT NULL DEFAULT 0,
            satisfaction INTEGER CHECK (satisfaction BETWEEN 1 AND 5),
            closing_cause TEXT NOT NULL DEFAULT '',
            closing_actions TEXT NOT NULL DEFAULT '',
            closing_improvement TEXT NOT NULL DEFAULT '',
            closed_at TEXT,
            escalation_level INTEGER NOT NULL DEFAULT 0 CHECK (escalation_level BETWEEN 0 AND 3),
            overdue INTEGER NOT NULL DEFAULT 0,
            reopen_count INTEGER NOT NULL DEFAULT 0,
            void_reason TEXT NOT NULL DEFAULT '',
            on_spot INTEGER NOT NULL DEFAULT 0,
            next_due_at TEXT,
            next_due_kind TEXT,
            updated_at TEXT NOT NULL
        );
        CREATE INDEX cases_stage_received ON cases(stage, received_at);
        CREATE INDEX cases_received ON cases(received_at);
        CREATE INDEX cases_phone ON cases(customer_phone);
        CREATE INDEX cases_owner ON cases(owner_id, stage);
        CREATE INDEX cases_open_due ON cases(next_due_at)
            WHERE next_due_at IS NOT NULL;

        -- Evidence in disputes: a case row is voided, never deleted.
        CREATE TRIGGER cases_no_delete BEFORE DELETE ON cases
        BEGIN
            SELECT RAISE(ABORT, '投诉案件不能删除，只能作废');
        END;

        CREATE TABLE events (
            id INTEGER PRIMARY KEY,
            case_id INTEGER NOT NULL REFERENCES cases(id),
            at TEXT NOT NULL,
            actor_id INTEGER REFERENCES staff(id),
            kind TEXT NOT NULL,
            note TEXT NOT NULL DEFAULT '',
            -- JSON {column: [old, new]} of every case column the action changed
            changes TEXT
        );
        CREATE INDEX events_case ON events(case_id, id);
        CREATE INDEX events_at ON events(at);

        -- The timeline is append-only, whatever program opens the file.
        CREATE TRIGGER events_no_update BEFORE UPDATE ON events
        BEGIN
            SELECT RAISE(ABORT, '时间线只能追加，不能修改');
        END;
        CREATE TRIGGER events_no_delete BEFORE DELETE ON events
        BEGIN
            SELECT RAISE(ABORT, '时间线只能追加，不能删除');
        END;

        CREATE TABLE clocks (
            id INTEGER PRIMARY KEY,
            case_id INTEGER NOT NULL REFERENCES cases(id),
            kind TEXT NOT NULL,
            started_at TEXT NOT NULL,
            due_at TEXT NOT NULL,
            met_at TEXT,
            breached_at TEXT,
            cancelled_at TEXT
        );
        CREATE INDEX clocks_case ON clocks(case_id);
        CREATE INDEX clocks_open_due ON clocks(due_at)
            WHERE met_at IS NULL AND cancelled_at IS NULL;

        CREATE TABLE approvals (
            id INTEGER PRIMARY KEY,
            case_id INTEGER NOT NULL REFERENCES cases(id),
            kind TEXT NOT NULL,
            amount_fen INTEGER NOT NULL CHECK (amount_fen > 0),
            requested_by INTEGER NOT NULL REFERENCES staff(id),
            requested_at TEXT NOT NULL,
            status TEXT NOT NULL DEFAULT 'pending',
            decided_by INTEGER REFERENCES staff(id),
            decided_at TEXT,
            note TEXT NOT NULL DEFAULT '',
            -- when the approved gift/compensation was handed over; each approval pays once
            carried_out_at TEXT
        );
        CREATE INDEX approvals_case ON approvals(case_id);
        CREATE INDEX approvals_pending ON approvals(status) WHERE status = 'pending';

        CREATE TABLE reviews (
            id INTEGER PRIMARY KEY,
            case_id INTEGER NOT NULL REFERENCES cases(id),
            round INTEGER NOT NULL,
            reviewer_id INTEGER NOT NULL REFERENCES staff(id),
            at TEXT NOT NULL,
            passed INTEGER NOT NULL,
            items TEXT NOT NULL DEFAULT '[]',
            open_problems TEXT NOT NULL DEFAULT '',
            UNIQUE (case_id, round)
        );

        CREATE TABLE contacts (
            id INTEGER PRIMARY KEY,
            case_id INTEGER NOT NULL REFERENCES cases(id),
            at TEXT NOT NULL,
            by_id INTEGER NOT NULL REFERENCES staff(id),
            method TEXT NOT NULL,
            purpose TEXT NOT NULL,
            reached INTEGER NOT NULL,
            satisfaction INTEGER CHECK (satisfaction BETWEEN 1 AND 5),
            customer_words TEXT NOT NULL DEFAULT '',
            next_action TEXT NOT NULL DEFAULT ''
        );
        CREATE INDEX contacts_case ON contacts(case_id, at);
        CREATE INDEX contacts_at ON contacts(at);

        CREATE TABLE appointments (
            id INTEGER PRIMARY KEY,
            case_id INTEGER NOT NULL REFERENCES cases(id),
            kind TEXT NOT NULL,
            staff_id INTEGER NOT NULL REFERENCES staff(id),
            starts_at TEXT NOT NULL,
            ends_at TEXT NOT NULL,
            address TEXT NOT NULL DEFAULT '',
            status TEXT NOT NULL DEFAULT 'planned',
            note TEXT NOT NULL DEFAULT ''
        );
        CREATE INDEX appointments_case ON appointments(case_id);
        CREATE INDEX appointments_starts ON appointments(starts_at);
        """,
    )


@_migration("0002_search")
def m0002_search(db: Database) -> None:
    """Full-text and pinyin search; fills the new columns for existing cases."""
    run_script(
        db,
        """
        ALTER TABLE cases ADD COLUMN name_pinyin TEXT NOT NULL DEFAULT '';
        ALTER TABLE cases ADD COLUMN name_initials TEXT NOT NULL DEFAULT '';
        CREATE INDEX cases_name_pinyin ON cases(name_pinyin);
        CREATE INDEX cases_name_initials ON cases(name_initials);

        -- Trigram FTS over what a clerk types into the search box. External
        -- content: the text lives once, in `cases`.
        CREATE VIRTUAL TABLE cases_fts USING fts5(
            case_no, customer_name, customer_phone, description, brand_model, product_category,
            content='cases', content_rowid='id', tokenize='trigram'
        );
        CREATE TRIGGER cases_fts_insert AFTER INSERT ON cases
        BEGIN
            INSERT INTO cases_fts(rowid, case_no, customer_name, customer_phone,
                                  description, brand_model, product_category)
            VALUES (new.id, new.case_no, new.customer_name, new.customer_phone,
                    new.description, new.brand_model, new.product_category);
        END;
        CREATE TRIGGER cases_fts_update AFTER UPDATE OF
            case_no, customer_name, customer_phone, description, brand_model, product_category
            ON cases
        BEGIN
            INSERT INTO cases_fts(cases_fts, rowid, case_no, customer_name, customer_phone,
                                  description, brand_model, product_category)
            VALUES ('delete', old.id, old.case_no, old.customer_name, old.customer_phone,
                    old.description, old.brand_model, old.product_category);
            INSERT INTO cases_fts(rowid, case_no, customer_name, customer_phone,
                                  description, brand_model, product_category)
            VALUES (new.id, new.case_no, new.customer_name, new.customer_phone,
                    new.description, new.brand_model, new.product_category);
        END;
        INSERT INTO cases_fts(cases_fts) VALUES ('rebuild');
        """,
    )
    rows = db.execute("SELECT id, customer_name FROM cases").fetchall()
    db.conn.executemany(
        "UPDATE cases SET name_pinyin = ?, name_initials = ? WHERE id = ?",
        [(*name_keys(name), case_id) for case_id, name in rows],
    )


@_migration("0003_attachments")
def m0003_attachments(db: Database) -> None:
    """Photos and scans kept with a case; the files live beside the database."""
    run_script(
        db,
        """
        CREATE TABLE attachments (
            id INTEGER PRIMARY KEY,
            case_id INTEGER NOT NULL REFERENCES cases(id),
            kind TEXT NOT NULL,
            file_name TEXT NOT NULL,
            stored_name TEXT NOT NULL UNIQUE,
            size INTEGER NOT NULL,
            sha256 TEXT NOT NULL,
            added_at TEXT NOT NULL,
            added_by INTEGER NOT NULL REFERENCES staff(id),
            voided_at TEXT,
            void_reason TEXT NOT NULL DEFAULT ''
        );
        CREATE INDEX attachments_case ON attachments(case_id);
        -- Evidence: an attachment is voided, never deleted.
        CREATE TRIGGER attachments_no_delete BEFORE DELETE ON attachments
        BEGIN
            SELECT RAISE(ABORT, '附件不能删除，只能作废');
        END;
        """,
    )


@_migration("0004_exports")
def m0004_exports(db: Database) -> None:
    """The history of weekly head-office files, and indexes for statistics by period."""
    run_script(
        db,
        """
        CREATE TABLE exports (
            id INTEGER PRIMARY KEY,
            week TEXT NOT NULL,
            exported_at TEXT NOT NULL,
            by_id INTEGER NOT NULL REFERENCES staff(id),
            full INTEGER NOT NULL,
            rows INTEGER NOT NULL,
            sha256 TEXT NOT NULL,
            file_name TEXT NOT NULL
        );
        CREATE INDEX exports_week ON exports(week);
        -- Statistics by period: time limits kept or missed, cases closed.
        CREATE INDEX clocks_met ON clocks(met_at) WHERE met_at IS NOT NULL;
        CREATE INDEX clocks_due ON clocks(due_at);
        CREATE INDEX cases_closed ON cases(closed_at) WHERE closed_at IS NOT NULL;
        """,
    )


@_migration("0005_first_contact_at")
def m0005_first_contact_at(db: Database) -> None:
    """When the customer was first reached, kept on the case (and so on its
    timeline); filled for existing cases from their calls and visits."""
    run_script(
        db,
        """
        ALTER TABLE cases ADD COLUMN first_contact_at TEXT;
        UPDATE cases SET first_contact_at = (
            SELECT MIN(at) FROM (
                SELECT at FROM contacts WHERE contacts.case_id = cases.id AND reached = 1
                UNION ALL
                SELECT at FROM events WHERE events.case_id = cases.id AND kind = 'visit_done'
                UNION ALL
                SELECT received_at WHERE on_spot = 1
            )
        );
        """,
    )


@_migration("0006_planned_calls")
def m0006_planned_calls(db: Database) -> None:
    """When a follow-up call is planned (a slot in a calling window), beside
    when it is due. Calls already open keep their due time as their plan."""
    run_script(
        db,
        """
        ALTER TABLE clocks ADD COLUMN planned_at TEXT;
        UPDATE clocks SET planned_at = due_at
            WHERE kind IN ('progress_call', 'follow_up_call')
            AND met_at IS NULL AND cancelled_at IS NULL;
        CREATE INDEX clocks_open_planned ON clocks(planned_at)
            WHERE planned_at IS NOT NULL AND met_at IS NULL AND cancelled_at IS NULL;
        -- A person's visits still to make (今日待办, free call slots), without
        -- walking years of visits made.
        CREATE INDEX appointments_planned ON appointments(staff_id, starts_at)
            WHERE status = 'planned';
        """,
    )


@_migration("0007_settings_log")
def m0007_settings_log(db: Database) -> None:
    """Who changed which setting (or staff member), when, from what to what.
    Append-only, like the timeline."""
    run_script(
        db,
        """
        CREATE TABLE settings_log (
            id INTEGER PRIMARY KEY,
            at TEXT NOT NULL,
            by_id INTEGER NOT NULL REFERENCES staff(id),
            item TEXT NOT NULL,
            old TEXT,
            new TEXT
        );
        CREATE INDEX settings_log_at ON settings_log(at);
        CREATE TRIGGER settings_log_no_update BEFORE UPDATE ON settings_log
        BEGIN
            SELECT RAISE(ABORT, '设置修改记录只能追加，不能修改');
        END;
        CREATE TRIGGER settings_log_no_delete BEFORE DELETE ON settings_log
        BEGIN
            SELECT RAISE(ABORT, '设置修改记录只能追加，不能删除');
        END;
        """,
    )


@_migration("0008_accountability_and_improvements")
def m0008_accountability_and_improvements(db: Database) -> None:
    """The customer's form of address (for the call script), the cause
    category found at closing, the managers' responsibility findings (a log of
    their own: the timeline is read by every clerk) and the improvement
    measures followed through to done, each linked to its cases."""
    run_script(
        db,
        """
        ALTER TABLE cases ADD COLUMN customer_title TEXT NOT NULL DEFAULT '';
        ALTER TABLE cases ADD COLUMN cause_key TEXT NOT NULL DEFAULT '';
        CREATE INDEX cases_closed_cause ON cases(closed_at, cause_key);
        CREATE TABLE accountability (
            id INTEGER PRIMARY KEY,
            case_id INTEGER NOT NULL REFERENCES cases(id),
            at TEXT NOT NULL,
            by_id INTEGER NOT NULL REFERENCES staff(id),
            responsibility TEXT NOT NULL,
            department TEXT NOT NULL,
            person TEXT NOT NULL DEFAULT '',
            measure TEXT NOT NULL DEFAULT 'none',
            measure_note TEXT NOT NULL DEFAULT '',
            amount_fen INTEGER NOT NULL DEFAULT 0
        );
        CREATE INDEX accountability_case ON accountability(case_id, id);
        CREATE TRIGGER accountability_no_update BEFORE UPDATE ON accountability
        BEGIN
            SELECT RAISE(ABORT, '责任认定只能追加，不能修改');
        END;
        CREATE TRIGGER accountability_no_delete BEFORE DELETE ON accountability
        BEGIN
            SELECT RAISE(ABORT, '责任认定只能追加，不能删除');
        END;
        CREATE TABLE improvements (
            id INTEGER PRIMARY KEY,
            text TEXT NOT NULL,
            owner_id INTEGER NOT NULL REFERENCES staff(id),
            due_date TEXT NOT NULL,
            created_at TEXT NOT NULL,
            created_by INTEGER NOT NULL REFERENCES staff(id),
            done_at TEXT,
            done_by INTEGER REFERENCES staff(id),
            done_note TEXT NOT NULL DEFAULT ''
        );
        CREATE INDEX improvements_open ON improvements(done_at, due_date);
        CREATE TABLE improvement_cases (
            improvement_id INTEGER NOT NULL REFERENCES improvements(id),
            case_id INTEGER NOT NULL REFERENCES cases(id),
            PRIMARY KEY (improvement_id, case_id)
        );
        CREATE INDEX improvement_cases_case ON improvement_cases(case_id);
        CREATE TRIGGER improvements_no_delete BEFORE DELETE ON improvements
        BEGIN
            SELECT RAISE(ABORT, '改进措施不能删除');
        END;
        """,
    )


# What a review round saw: the case's columns as they stood when it was written.
_REVIEW_FACTS_0009 = (
    "solution_kind",
    "solution_steps",
    "solution_due",
    "solution_cost_fen",
    "rectification_result",
    "rectified_by",
    "rectified_at",
    "owner_id",
)
# The sweep's words before events carried data: "首次响应超时（应于 11-21 17:00 前完成）".
_OLD_MISS = re.compile(r"(?:^|；)([^；（]+?)超时（应于 (\d\d)-(\d\d) (\d\d:\d\d) 前完成）")
_OLD_CLOCK_LABELS = {
    "首次响应": "first_contact",
    "上门": "home_visit",
    "整改反馈": "feedback",
    "进度回访": "progress_call",
    "复核问题整改": "review_fix",
    "回访": "follow_up_call",
}


@_migration("0009_history_facts")
def m0009_history_facts(db: Database) -> None:
    """What happened, kept as facts instead of read back from the case's
    current state or from sentences:

    - each review round keeps the solution, rectification, rectifier and
      owner it reviewed (rebuilt for existing rounds from the timeline), and
      the reviewer's opinion;
    - a time limit ended because a newer one of its kind replaced it names
      that one (`superseded_by`);
    - timeline events carry structured data beside their words; the sweep's
      existing misses get theirs (clock and due time) from the clocks they
      marked, or, for a miss later undone, from the sweep's own words;
    - hand-overs (an escalation, an assignment, a rectification to review)
      reach their people as notices until they open the case, and a case
      under review names who was asked to review it;
    - case numbers sort as issued past 999 a day (an index on the order).
    """
    run_script(
        db,
        """
        ALTER TABLE reviews ADD COLUMN solution_kind TEXT;
        ALTER TABLE reviews ADD COLUMN solution_steps TEXT NOT NULL DEFAULT '';
        ALTER TABLE reviews ADD COLUMN solution_due TEXT;
        ALTER TABLE reviews ADD COLUMN solution_cost_fen INTEGER NOT NULL DEFAULT 0;
        ALTER TABLE reviews ADD COLUMN rectification_result TEXT NOT NULL DEFAULT '';
        ALTER TABLE reviews ADD COLUMN rectified_by INTEGER REFERENCES staff(id);
        ALTER TABLE reviews ADD COLUMN rectified_at TEXT;
        ALTER TABLE reviews ADD COLUMN owner_id INTEGER REFERENCES staff(id);
        ALTER TABLE reviews ADD COLUMN opinion TEXT NOT NULL DEFAULT '';
        ALTER TABLE clocks ADD COLUMN superseded_by INTEGER REFERENCES clocks(id);
        ALTER TABLE cases ADD COLUMN reviewer_id INTEGER REFERENCES staff(id);
        CREATE INDEX cases_reviewer ON cases(reviewer_id) WHERE stage = 'under_review';
        ALTER TABLE events ADD COLUMN data TEXT;
        CREATE TABLE notices (
            id INTEGER PRIMARY KEY,
            case_id INTEGER NOT NULL REFERENCES cases(id),
            staff_id INTEGER NOT NULL REFERENCES staff(id),
            event_id INTEGER NOT NULL REFERENCES events(id),
            reason TEXT NOT NULL,
            at TEXT NOT NULL,
            seen_at TEXT,
            -- moot before it was seen: someone else reviewed, the case closed
            ended_at TEXT
        );
        CREATE INDEX notices_unseen ON notices(staff_id, at)
            WHERE seen_at IS NULL AND ended_at IS NULL;
        CREATE INDEX notices_case ON notices(case_id, staff_id);
        CREATE INDEX cases_case_no_order ON cases(substr(case_no, 1, 12), length(case_no), case_no);
        """,
    )
    _rebuild_review_facts(db)
    _date_old_misses(db)


def _rebuild_review_facts(db: Database) -> None:
    """Each existing round gets the case's columns as its timeline had them
    when the round was written (the register event holds them all, each later
    event the ones it changed)."""
    reviewed = db.execute("SELECT case_id, id, at FROM reviews ORDER BY case_id, round").fetchall()
    rounds: dict[int, list[tuple[int, str]]] = {}
    for case_id, review_id, at in reviewed:
        rounds.setdefault(case_id, []).append((review_id, at))
    for case_id, its_rounds in rounds.items():
        state: dict[str, object] = {}
        events = db.execute(
            "SELECT at, changes FROM events WHERE case_id = ? ORDER BY id", (case_id,)
        ).fetchall()
        position = 0
        for review_id, at in its_rounds:
            while position < len(events) and events[position][0] <= at:
                for column, (_, new) in json.loads(events[position][1] or "{}").items():
                    state[column] = new
                position += 1
            db.execute(
                f"UPDATE reviews SET {', '.join(f'{c} = ?' for c in _REVIEW_FACTS_0009)} WHERE id = ?",
                [
                    *(
                        state.get(c) if state.get(c) is not None else _EMPTY.get(c)
                        for c in _REVIEW_FACTS_0009
                    ),
                    review_id,
                ],
            )


_EMPTY: dict[str, object] = {
    "solution_steps": "",
    "solution_cost_fen": 0,
    "rectification_result": "",
}


def _date_old_misses(db: Database) -> None:
    """Give the sweep's existing events their data: which limits were missed
    and when each fell due. The timeline's append-only trigger is lifted for
    this one fill of a new column and put back in the same transaction."""
    data: list[tuple[str, int]] = []
    for event_id, case_id, at, note in db.execute(
        "SELECT id, case_id, at, note FROM events WHERE kind = 'overdue'"
    ).fetchall():
        marked = db.execute(
            "SELECT kind, due_at FROM clocks WHERE case_id = ? AND breached_at = ? ORDER BY due_at, id",
            (case_id, at),
        ).fetchall()
        missed = [{"clock": kind, "due_at": due} for kind, due in marked]
        if not missed:  # the miss was undone later (a new due time ahead)
            missed = _misses_in_words(note, at)
        data.append((json.dumps({"missed": missed}, ensure_ascii=False), event_id))
    if not data:
        return
    run_script(db, "DROP TRIGGER events_no_update;")
    db.conn.executemany("UPDATE events SET data = ? WHERE id = ?", data)
    run_script(
        db,
        """
        CREATE TRIGGER events_no_update BEFORE UPDATE ON events
        BEGIN
            SELECT RAISE(ABORT, '时间线只能追加，不能修改');
        END;
        """,
    )


def _misses_in_words(note: str, at: str) -> list[dict[str, str]]:
    year = int(at[:4])
    out = []
    for label, month, day, time in _OLD_MISS.findall(note):
        kind = _OLD_CLOCK_LABELS.get(label.strip())
        if kind is None:
            continue
        due = f"{year}-{month}-{day} {time}:00"
        if due > at:  # written in January about a December limit
            due = f"{year - 1}-{month}-{day} {time}:00"
        out.append({"clock": kind, "due_at": due})
    return out


@_migration("0010_access")
def m0010_access(db: Database) -> None:
    """Who came in at which door: wrong PINs counted per person (so a restart
    or a second program does not reset them), and an append-only log of
    failed attempts, lockouts and their clearing, and of what left the shop
    (exports, copies, restores, prints from the command line). An export made
    from the command line without logging in names nobody."""
    run_script(
        db,
        """
        CREATE TABLE pin_attempts (
            -- 'staff:<id>', or 'name:<text>' for a name typed at the command line
            subject TEXT PRIMARY KEY,
            failures INTEGER NOT NULL DEFAULT 0,
            locked_until TEXT
        );
        CREATE TABLE audit_log (
            id INTEGER PRIMARY KEY,
            at TEXT NOT NULL,
            staff_id INTEGER REFERENCES staff(id),
            door TEXT NOT NULL,
            action TEXT NOT NULL,
            detail TEXT NOT NULL DEFAULT ''
        );
        CREATE INDEX audit_log_at ON audit_log(at);
        CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
        BEGIN
            SELECT RAISE(ABORT, '安全记录只能追加，不能修改');
        END;
        CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
        BEGIN
            SELECT RAISE(ABORT, '安全记录只能追加，不能删除');
        END;
        CREATE TABLE exports_new (
            id INTEGER PRIMARY KEY,
            week TEXT NOT NULL,
            exported_at TEXT NOT NULL,
            by_id INTEGER REFERENCES staff(id),
            full INTEGER NOT NULL,
            rows INTEGER NOT NULL,
            sha256 TEXT NOT NULL,
            file_name TEXT NOT NULL
        );
        INSERT INTO exports_new SELECT id, week, exported_at, by_id, full, rows, sha256, file_name
            FROM exports;
        DROP TABLE exports;
        ALTER TABLE exports_new RENAME TO exports;
        CREATE INDEX exports_week ON exports(week);
        """,
    )


@_migration("0011_opening_hours_limits")
def m0011_opening_hours_limits(db: Database) -> None:
    """首次响应, 上门, 整改反馈 and 复核问题整改 now count the hours the showroom
    is open. The open limits not yet missed are recomputed under the new rule
    (their case's timeline says so, one line per case); what was already
    missed stays missed, and nothing else changes."""
    from .. import sla
    from ..domain import ClockKind, Severity
    from ..settings import settings_from_rows

    settings = settings_from_rows(dict(db.execute("SELECT key, value FROM settings").fetchall()))
    now = _now_text()
    rows = db.execute(
        "SELECT k.id, k.case_id, k.kind, k.started_at, k.due_at, k.planned_at, c.severity "
        "FROM clocks k JOIN cases c ON c.id = k.case_id "
        "WHERE k.met_at IS NULL AND k.cancelled_at IS NULL AND k.breached_at IS NULL "
        "AND c.stage NOT IN ('closed', 'invalid', 'voided') ORDER BY k.case_id, k.id"
    ).fetchall()
    moved: dict[int, list[tuple[str, str, str]]] = {}
    for clock_id, case_id, kind, started, old_due, planned, severity in rows:
        clock = ClockKind(kind)
        due = sla.due_at(clock, _parse(started), Severity(severity), settings)
        if planned is not None and _parse(planned) >= due:  # a call put off to the customer's time
            continue
        new_due = due.isoformat(sep=" ", timespec="seconds")
        if new_due != old_due:
            db.execute("UPDATE clocks SET due_at = ? WHERE id = ?", (new_due, clock_id))
            moved.setdefault(case_id, []).append((clock.label, old_due, new_due))
    for case_id, shifts in moved.items():
        words = "；".join(f"{label} {old[5:16]} → {new[5:16]}" for label, old, new in shifts)
        data = [{"clock": label, "from": old, "to": new} for label, old, new in shifts]
        db.execute(
            "INSERT INTO events (case_id, at, actor_id, kind, note, data) "
            "VALUES (?, ?, NULL, 'due_times_moved', ?, ?)",
            (
                case_id,
                now,
                f"时限改为按营业时间计时：{words}",
                json.dumps({"moved": data}, ensure_ascii=False),
            ),
        )
        nearest = db.execute(
            "SELECT kind, due_at FROM clocks WHERE case_id = ? AND met_at IS NULL "
            "AND cancelled_at IS NULL ORDER BY due_at LIMIT 1",
            (case_id,),
        ).fetchone()
        db.execute(
            "UPDATE cases SET next_due_kind = ?, next_due_at = ? WHERE id = ?",
            (nearest[0], nearest[1], case_id),
        )


def _parse(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text)


def _now_text() -> str:
    return dt.datetime.now().replace(microsecond=0).isoformat(sep=" ")


@_migration("0012_ledger_import")
def m0012_ledger_import(db: Database) -> None:
    """Moving in from the showroom's old complaint ledger (客诉台账): each
    imported case keeps the ledger's own number (searchable beside the app's
    case number), and every import and every row it took is recorded, so
    importing the same file again (or a longer version of it) adds only the
    rows not yet taken. A row is known by its ledger number and receipt date
    when it has a number, else by a hash of its content (`row_key`).
    Append-only, like the timeline."""
    run_script(
        db,
        """
        ALTER TABLE cases ADD COLUMN ledger_no TEXT NOT NULL DEFAULT '';
        CREATE INDEX cases_ledger_no ON cases(ledger_no COLLATE NOCASE) WHERE ledger_no != '';
        CREATE TABLE ledger_imports (
            id INTEGER PRIMARY KEY,
            at TEXT NOT NULL,
            by_id INTEGER NOT NULL REFERENCES staff(id),
            door TEXT NOT NULL,
            file_name TEXT NOT NULL,
            sheet TEXT NOT NULL DEFAULT '',
            file_sha256 TEXT NOT NULL,
            rows_read INTEGER NOT NULL,
            imported INTEGER NOT NULL,
            refused INTEGER NOT NULL,
            already INTEGER NOT NULL,
            backup TEXT NOT NULL DEFAULT '',
            report TEXT NOT NULL DEFAULT ''
        );
        CREATE TABLE ledger_rows (
            row_key TEXT PRIMARY KEY,
            case_id INTEGER NOT NULL UNIQUE REFERENCES cases(id),
            import_id INTEGER NOT NULL REFERENCES ledger_imports(id),
            row_no INTEGER NOT NULL,
            content_sha256 TEXT NOT NULL
        );
        CREATE INDEX ledger_rows_import ON ledger_rows(import_id);
        CREATE TRIGGER ledger_imports_no_update BEFORE UPDATE ON ledger_imports
        BEGIN
            SELECT RAISE(ABORT, '导入记录只能追加，不能修改');
        END;
        CREATE TRIGGER ledger_imports_no_delete BEFORE DELETE ON ledger_imports
        BEGIN
            SELECT RAISE(ABORT, '导入记录只能追加，不能删除');
        END;
        CREATE TRIGGER ledger_rows_no_update BEFORE UPDATE ON ledger_rows
        BEGIN
            SELECT RAISE(ABORT, '导入记录只能追加，不能修改');
        END;
        CREATE TRIGGER ledger_rows_no_delete BEFORE DELETE ON ledger_rows
        BEGIN
            SELECT RAISE(ABORT, '导入记录只能追加，不能删除');
        END;
        """,
    )


SCHEMA_VERSION = len(MIGRATION_NAMES)
