"""Backups that are known to restore: the database (pg_dump's custom format) and the media
folder, in one dated folder with a manifest of what they hold.

    manage.py backup             -> BACKUP_ROOT/send-portal-20261203-141500Z/
                                      database.dump, media.tar.gz, manifest.json
    manage.py restore FOLDER     into an empty database and an empty MEDIA_ROOT

The manifest has the row count of every table, read in the very snapshot pg_dump dumps (an
exported snapshot), and every media file with its SHA-256. `restore` checks the two files
against their checksums before it starts and, once done, counts every table and media file
again and compares: a restore that differs exits 1 saying where."""

from __future__ import annotations

import datetime
import hashlib
import json
import os
import shutil
import subprocess
import tarfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import psycopg
from django.conf import settings
from django.db import connections
from psycopg import sql

DUMP, MEDIA, MANIFEST = "database.dump", "media.tar.gz", "manifest.json"


class BackupError(Exception):
    pass


def _database() -> dict:
    db = settings.DATABASES["default"]
    if db["ENGINE"] != "django.db.backends.postgresql":
        raise BackupError(
            f"Backups are of PostgreSQL databases only (DATABASE_URL is {db['ENGINE'].rsplit('.', 1)[-1]})."
        )
    return db


def _libpq_env(db: dict) -> dict[str, str]:
    # Connection details for pg_dump and pg_restore through the environment: the password
    # never appears in a process list.
    env = {**os.environ, "PGDATABASE": db["NAME"]}
    for key, var in (("HOST", "PGHOST"), ("PORT", "PGPORT"), ("USER", "PGUSER"), ("PASSWORD", "PGPASSWORD")):
        if db.get(key):
            env[var] = str(db[key])
    return env


def _connect(db: dict) -> psycopg.Connection:
    kwargs = {
        "dbname": db["NAME"],
        "host": db.get("HOST") or None,
        "port": db.get("PORT") or None,
        "user": db.get("USER") or None,
        "password": db.get("PASSWORD") or None,
    }
    return psycopg.connect(**{k: v for k, v in kwargs.items() if v is not None}, autocommit=True)


def _value(cursor: psycopg.Cursor[Any]) -> Any:
    """The one value of a query that always returns one row (an aggregate, a function)."""
    row = cursor.fetchone()
    assert row is not None
    return row[0]


def table_counts(conn: psycopg.Connection) -> dict[str, int]:
    tables = [
        row[0]
        for row in conn.execute(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' "
            "AND table_type = 'BASE TABLE' ORDER BY table_name"
        )
    ]
    return {
        t: _value(conn.execute(sql.SQL("SELECT count(*) FROM {}").format(sql.Identifier(t)))) for t in tables
    }


def media_files(root: Path) -> dict[str, str]:
    """Every file under root (relative path -> SHA-256)."""
    if not root.exists():
        return {}
    return {p.relative_to(root).as_posix(): _sha256(p) for p in sorted(root.rglob("*")) if p.is_file()}


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _run(cmd: list[str], env: dict[str, str]) -> None:
    # pg_dump / pg_restore with arguments built here, never from a request.
    done = subprocess.run(cmd, env=env, capture_output=True, text=True, check=False)  # noqa: S603
    if done.returncode != 0:
        raise BackupError(f"{cmd[0]} failed: {done.stderr.strip()[-2000:]}")


def backup(root: Path, now: datetime.datetime | None = None) -> Path:
    """Write a backup folder under root and return it. The folder appears only when complete."""
    db = _database()
    for tool in ("pg_dump", "pg_restore"):
        if not shutil.which(tool):
            raise BackupError(f"{tool} is not installed (Debian: postgresql-client).")
    now = now or datetime.datetime.now(datetime.UTC)
    final = root / f"send-portal-{now:%Y%m%d-%H%M%S}Z"
    if final.exists():
        raise BackupError(f"{final} already exists.")
    partial = root / f".{final.name}.partial"
    shutil.rmtree(partial, ignore_errors=True)
    partial.mkdir(parents=True)
    env = _libpq_env(db)
    try:
        with _connect(db) as conn:
            # Counted in the snapshot pg_dump then dumps, so the counts are the dump's own.
            conn.execute("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
            snapshot = _value(conn.execute("SELECT pg_export_snapshot()"))
            counts = table_counts(conn)
            _run(["pg_dump", "--format=custom", f"--snapshot={snapshot}", "--file", str(partial / DUMP)], env)
            conn.execute("COMMIT")
        # The archive must be readable by the pg_restore that will restore it.
        _run(["pg_restore", "--list", str(partial / DUMP)], env)
        media_root = Path(settings.MEDIA_ROOT)
        files = media_files(media_root)
        with tarfile.open(partial / MEDIA, "w:gz") as tar:
            for name in files:
                tar.add(media_root / name, arcname=name, recursive=False)
        manifest = {
            "created_at": now.isoformat(timespec="seconds"),
            "database": db["NAME"],
            "tables": counts,
            "media": files,
            "files": {DUMP: _sha256(partial / DUMP), MEDIA: _sha256(partial / MEDIA)},
        }
        (partial / MANIFEST).write_text(json.dumps(manifest, indent=1, sort_keys=True))
        partial.rename(final)
    except BaseException:
        shutil.rmtree(partial, ignore_errors=True)
        raise
    return final


@dataclass
class RestoreResult:
    tables: int
    rows: int
    media_files: int
    differences: list[str]


def restore(folder: Path) -> RestoreResult:
    """Restore a backup folder into the (empty) database and the (empty) MEDIA_ROOT."""
    db = _database()
    manifest_path = folder / MANIFEST
    if not manifest_path.is_file():
        raise BackupError(f"{folder} is not a backup folder (no {MANIFEST}).")
    manifest = json.loads(manifest_path.read_text())
    for name, expected in manifest["files"].items():
        if _sha256(folder / name) != expected:
            raise BackupError(f"{folder / name} does not match its checksum: the backup is damaged.")

    connections["default"].close()  # Django's own connection plays no part
    with _connect(db) as conn:
        existing = _value(
            conn.execute("SELECT count(*) FROM information_schema.tables WHERE table_schema = 'public'")
        )
    if existing:
        raise BackupError(
            f"Database {db['NAME']} is not empty ({existing} tables): restore "
            "into a new, empty database (createdb), then point DATABASE_URL at it."
        )
    media_root = Path(settings.MEDIA_ROOT)
    if media_files(media_root):
        raise BackupError(f"MEDIA_ROOT {media_root} is not empty: restore into an empty folder.")

    _run(
        [
            "pg_restore",
            "--no-owner",
            "--no-privileges",
            "--exit-on-error",
            "--single-transaction",
            "--dbname",
            db["NAME"],
            str(folder / DUMP),
        ],
        _libpq_env(db),
    )
    media_root.mkdir(parents=True, exist_ok=True)
    with tarfile.open(folder / MEDIA, "r:gz") as tar:
        tar.extractall(media_root, filter="data")

    with _connect(db) as conn:
        counts = table_counts(conn)
    differences = [
        f"table {t}: {manifest['tables'].get(t)} in the backup, {counts.get(t)} restored"
        for t in sorted(set(counts) | set(manifest["tables"]))
        if counts.get(t) != manifest["tables"].get(t)
    ]
    restored_media = media_files(media_root)
    differences += [
        f"media file {name}: missing or different"
        for name, digest in manifest["media"].items()
        if restored_media.get(name) != digest
    ]
    return RestoreResult(len(counts), sum(counts.values()), len(restored_media), differences)
