"""`make backup` / `make restore` (manage.py backup / restore): a backup restores into a fresh
database with every table's rows and every media file, checked here independently of the
commands' own comparison."""

import hashlib
import os
import secrets
import subprocess
import sys
from pathlib import Path

import psycopg
import pytest
from django.conf import settings
from django.db import connection
from psycopg import sql

from pupils.tests.factories import PupilFactory
from reports.models import FiguresCheck
from trusts.tests.factories import SchoolFactory, senco

pytestmark = pytest.mark.django_db(transaction=True)


def database_url(name: str) -> str:
    db = connection.settings_dict
    auth = db["USER"] + (f":{db['PASSWORD']}" if db["PASSWORD"] else "")
    return f"postgres://{auth}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{name}"


def manage(*args: str, database: str, media_root: Path) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_ALLOW_ASYNC_UNSAFE"}
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "send_portal.settings.test",
            "DATABASE_URL": database_url(database),
            "MEDIA_ROOT": str(media_root),
        }
    )
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )


def counts(name: str) -> dict[str, int]:
    with psycopg.connect(database_url(name)) as conn:
        tables = [r[0] for r in conn.execute("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")]
        return {
            t: conn.execute(sql.SQL("SELECT count(*) FROM {}").format(sql.Identifier(t))).fetchone()[0]
            for t in tables
        }


def files(root: Path) -> dict[str, str]:
    return {
        p.relative_to(root).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in root.rglob("*")
        if p.is_file()
    }


@pytest.fixture
def fresh_database():
    name = f"test_restore_{secrets.token_hex(4)}"
    with psycopg.connect(database_url("postgres"), autocommit=True) as conn:
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    yield name
    with psycopg.connect(database_url("postgres"), autocommit=True) as conn:
        conn.execute(sql.SQL("DROP DATABASE {} WITH (FORCE)").format(sql.Identifier(name)))


@pytest.fixture
def backed_up(tmp_path):
    school = SchoolFactory()
    senco(school)
    PupilFactory.create_batch(3, school=school)
    FiguresCheck.objects.create(differences=[])
    media = tmp_path / "media"
    (media / "board-packs" / "2026").mkdir(parents=True)
    (media / "board-packs" / "2026" / "pack.pdf").write_bytes(b"%PDF-1.7\n" + bytes(range(256)) * 40)
    (media / "census.csv").write_text("UPN,Surname\n")
    done = manage(
        "backup",
        "--output-dir",
        str(tmp_path / "backups"),
        database=connection.settings_dict["NAME"],
        media_root=media,
    )
    assert done.returncode == 0, done.stderr
    [folder] = (tmp_path / "backups").iterdir()
    assert folder.name.startswith("send-portal-") and folder.name.endswith("Z")
    assert {p.name for p in folder.iterdir()} == {"database.dump", "media.tar.gz", "manifest.json"}
    return folder, media


def test_a_backup_restores_into_a_fresh_database_with_every_table_and_media_file(
    backed_up, fresh_database, tmp_path
):
    folder, media = backed_up
    restored_media = tmp_path / "restored-media"
    done = manage("restore", str(folder), database=fresh_database, media_root=restored_media)
    assert done.returncode == 0, done.stderr
    assert "as in the backup" in done.stdout

    original = counts(connection.settings_dict["NAME"])
    assert original["pupils_pupil"] == 3 and len(original) > 40
    assert counts(fresh_database) == original
    assert files(restored_media) == files(media) and len(files(media)) == 2


def test_restore_refuses_a_database_that_is_not_empty_and_changes_nothing(backed_up, tmp_path):
    folder, _ = backed_up
    before = counts(connection.settings_dict["NAME"])
    done = manage(
        "restore",
        str(folder),
        database=connection.settings_dict["NAME"],
        media_root=tmp_path / "restored-media",
    )
    assert done.returncode == 1 and "is not empty" in done.stderr
    assert counts(connection.settings_dict["NAME"]) == before
    assert not (tmp_path / "restored-media").exists()


def test_restore_refuses_a_damaged_backup(backed_up, fresh_database, tmp_path):
    folder, _ = backed_up
    archive = folder / "media.tar.gz"
    archive.write_bytes(archive.read_bytes()[:-10])
    done = manage("restore", str(folder), database=fresh_database, media_root=tmp_path / "restored-media")
    assert done.returncode == 1 and "does not match its checksum" in done.stderr
    assert counts(fresh_database) == {}
