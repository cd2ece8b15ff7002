"""SQLite persistence of the emulator: JSON documents in one table, one lock per process.

Every write runs in one transaction under the store's lock, so concurrent requests never see
"database is locked" from inside one emulator; WAL and a busy timeout cover several processes
sharing a file. A write is committed before its response is sent, so an acknowledged write
survives `kill -9`.
"""

from __future__ import annotations

import json
import secrets
import sqlite3
import string
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime, timezone
from typing import Any, TypeVar

Doc = dict[str, Any]
T = TypeVar("T")

_ID_ALPHABET = string.ascii_letters + string.digits

_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS documents (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    collection TEXT NOT NULL,
    id TEXT NOT NULL,
    organization_id TEXT NOT NULL,
    parent_id TEXT,
    doc TEXT NOT NULL,
    UNIQUE (collection, id)
);
CREATE INDEX IF NOT EXISTS documents_org ON documents (collection, organization_id);
CREATE INDEX IF NOT EXISTS documents_parent ON documents (collection, parent_id);
"""


def new_id() -> str:
    """An 8-character alphanumeric id, like Didomi's."""
    return "".join(secrets.choice(_ID_ALPHABET) for _ in range(8))


def now_iso() -> str:
    """The current time as Didomi writes it: ISO-8601, milliseconds, `Z`."""
    return datetime.now(timezone.utc).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def public_view(doc: Doc) -> Doc:
    """A stored document without the emulator's private (`_`-prefixed) fields."""
    return {k: v for k, v in doc.items() if not k.startswith("_")}


class Store:
    """Documents grouped in collections (`notices`, `configs`, ...), scoped by organization."""

    def __init__(self, path: str) -> None:
        self.path = path
        self._lock = threading.RLock()
        self._conn = sqlite3.connect(path, check_same_thread=False, isolation_level=None)
        self._conn.execute("PRAGMA busy_timeout = 10000")
        if path != ":memory:":
            self._conn.execute("PRAGMA journal_mode = WAL")
        self._conn.execute("PRAGMA synchronous = NORMAL")
        self._conn.executescript(_SCHEMA)

    def close(self) -> None:
        """Close the database connection."""
        with self._lock:
            self._conn.close()

    @contextmanager
    def transaction(self) -> Iterator[None]:
        """Run the enclosed reads and writes atomically (re-entrant)."""
        with self._lock:
            if self._conn.in_transaction:
                yield
                return
            self._conn.execute("BEGIN IMMEDIATE")
            try:
                yield
            except BaseException:
                self._conn.execute("ROLLBACK")
                raise
            self._conn.execute("COMMIT")

    def atomically(self, fn: Callable[[], T]) -> T:
        """Call `fn` inside one transaction and return its result."""
        with self.transaction():
            return fn()

    # -- meta -------------------------------------------------------------------------------

    def meta(self, key: str, default: Callable[[], str]) -> str:
        """Return the persisted value of `key`, creating it with `default()` the first time."""
        with self.transaction():
            row = self._conn.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
            if row is not None:
                return str(row[0])
            value = default()
            self._conn.execute("INSERT INTO meta (key, value) VALUES (?, ?)", (key, value))
            return value

    # -- documents ----------------------------------------------------------------------------

    def insert(self, collection: str, doc: Doc, parent_id: str | None = None) -> Doc:
        """Insert `doc` (which carries `id` and `organization_id`)."""
        with self.transaction():
            self._conn.execute(
                "INSERT INTO documents (collection, id, organization_id, parent_id, doc) "
                "VALUES (?, ?, ?, ?, ?)",
                (collection, doc["id"], doc["organization_id"], parent_id, json.dumps(doc)),
            )
        return doc

    def replace(self, collection: str, doc: Doc) -> Doc:
        """Overwrite the stored document with the same id."""
        with self.transaction():
            cur = self._conn.execute(
                "UPDATE documents SET doc = ? WHERE collection = ? AND id = ?",
                (json.dumps(doc), collection, doc["id"]),
            )
            if cur.rowcount != 1:
                raise KeyError(f"{collection}/{doc['id']}")
        return doc

    def delete(self, collection: str, doc_id: str) -> None:
        """Remove a document."""
        with self.transaction():
            self._conn.execute(
                "DELETE FROM documents WHERE collection = ? AND id = ?", (collection, doc_id)
            )

    def get(self, collection: str, doc_id: str) -> Doc | None:
        """The document with this id, or None."""
        with self._lock:
            row = self._conn.execute(
                "SELECT doc FROM documents WHERE collection = ? AND id = ?", (collection, doc_id)
            ).fetchone()
        return None if row is None else dict(json.loads(row[0]))

    def find(
        self,
        collection: str,
        organization_ids: list[str] | None = None,
        parent_id: str | None = None,
    ) -> list[Doc]:
        """Documents of a collection in insertion order, narrowed by organization and parent."""
        sql = "SELECT doc FROM documents WHERE collection = ?"
        args: list[Any] = [collection]
        if organization_ids is not None:
            sql += f" AND organization_id IN ({','.join('?' * len(organization_ids))})"
            args.extend(organization_ids)
        if parent_id is not None:
            sql += " AND parent_id = ?"
            args.append(parent_id)
        sql += " ORDER BY seq"
        with self._lock:
            rows = self._conn.execute(sql, args).fetchall()
        return [dict(json.loads(r[0])) for r in rows]
