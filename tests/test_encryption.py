"""Encryption at rest: argon2id-keyed SQLCipher files, clear refusals, passphrase change."""

from __future__ import annotations

import logging
from datetime import date

import pytest
from sqlalchemy import select

from caseaudit.db import open_database
from caseaudit.errors import DatabaseError, PermissionDenied, ValidationError, WrongPassphrase
from caseaudit.models import CaseFile, ChangeLogEntry, Child, ChildIdentity
from caseaudit.services import accounts, encryption, trail
from caseaudit.vocabulary import PathwayStage, UserRole

PASSPHRASE = "amber kettle harbour lantern"
NAME = "Tallulah Oyelaran-Whitcombe"


def _add_child(db) -> None:
    with db.session() as s:
        child = Child(external_id="E1", case_key="C-0001")
        child.identity = ChildIdentity(given_name="Tallulah", family_name="Oyelaran-Whitcombe")
        s.add(CaseFile(child=child, current_stage=PathwayStage.CP_PLAN, opened_on=date.today()))


def _bytes_on_disk(path) -> bytes:
    found = b""
    for suffix in ("", "-wal", "-journal"):
        part = path.with_name(path.name + suffix)
        if part.exists():
            found += part.read_bytes()
    return found


def test_new_database_is_encrypted_with_an_argon2id_key(tmp_path):
    path = tmp_path / "council.sqlite"
    db = encryption.create_encrypted_database(path, PASSPHRASE)
    assert db.kind == "sqlcipher"
    _add_child(db)
    on_disk_while_open = _bytes_on_disk(path)
    db.close()
    for blob in (on_disk_while_open, _bytes_on_disk(path)):
        assert NAME.split()[1].encode() not in blob and b"Tallulah" not in blob
        assert not blob.startswith(b"SQLite format 3")
    salt = encryption.header_salt(path)
    assert salt is not None and len(salt) == 16
    derived = encryption.raw_key(encryption.derive_key(PASSPHRASE, salt))
    assert encryption.can_open(path, derived)
    assert not encryption.can_open(path, PASSPHRASE)  # not SQLCipher's own PBKDF2 key
    again = encryption.open_encrypted_database(path, PASSPHRASE)
    with again.session() as s:
        assert s.scalars(select(ChildIdentity.given_name)).one() == "Tallulah"
    again.close()


def test_the_same_data_unencrypted_is_readable_so_the_check_above_can_fail(tmp_path, caplog):
    path = tmp_path / "plain.sqlite"
    with caplog.at_level(logging.WARNING, logger="caseaudit"):
        db = encryption.create_unencrypted_database(path, "testing the importer")
    assert "UNENCRYPTED" in caplog.text and "testing the importer" in caplog.text
    _add_child(db)
    db.close()
    assert b"Tallulah" in _bytes_on_disk(path)


def test_unencrypted_needs_a_reason_and_encrypted_a_good_passphrase(tmp_path):
    with pytest.raises(ValidationError, match="needs a reason"):
        encryption.create_unencrypted_database(tmp_path / "a.sqlite", "  ")
    with pytest.raises(ValidationError, match="needs a passphrase"):
        encryption.create_local_database(tmp_path / "b.sqlite", None)
    with pytest.raises(ValidationError) as short:
        encryption.create_local_database(tmp_path / "c.sqlite", "short")
    assert "at least 10 characters" in short.value.problems[0]
    assert not any(tmp_path.iterdir())
    encryption.create_local_database(tmp_path / "d.sqlite", PASSPHRASE).close()
    with pytest.raises(ValidationError, match="already a database"):
        encryption.create_encrypted_database(tmp_path / "d.sqlite", PASSPHRASE)


def test_wrong_passphrase_and_wrong_kind_of_file_are_clear_messages(tmp_path):
    encrypted = tmp_path / "enc.sqlite"
    encryption.create_encrypted_database(encrypted, PASSPHRASE).close()
    with pytest.raises(WrongPassphrase, match="passphrase for .* is wrong"):
        encryption.open_encrypted_database(encrypted, "not the passphrase")
    with pytest.raises(WrongPassphrase, match="is encrypted"):
        open_database(encrypted)
    plain = tmp_path / "plain.sqlite"
    open_database(plain).close()
    with pytest.raises(WrongPassphrase, match="plain .*unencrypted"):
        encryption.open_encrypted_database(plain, PASSPHRASE)
    with pytest.raises(WrongPassphrase, match="needs its passphrase"):
        encryption.open_encrypted_database(encrypted)


def test_files_keyed_the_older_way_still_open(tmp_path):
    path = tmp_path / "old.sqlite"
    # A caseaudit file keyed by SQLCipher's own derivation, as before argon2id keys.
    from sqlalchemy.engine import URL

    from caseaudit.db import create_db_engine, migrate

    engine = create_db_engine(
        URL.create("sqlite+pysqlcipher", password=PASSPHRASE, database=str(path)), "sqlcipher"
    )
    migrate(engine)
    engine.dispose()
    assert encryption.sqlcipher_key(path, PASSPHRASE) == PASSPHRASE
    db = encryption.open_encrypted_database(path, PASSPHRASE)
    assert db.kind == "sqlcipher"
    db.close()


class DictKeyStore:
    def __init__(self) -> None:
        self.keys: dict[str, str] = {}

    def get(self, database_id: str) -> str | None:
        return self.keys.get(database_id)

    def put(self, database_id: str, key: str) -> None:
        self.keys[database_id] = key

    def forget(self, database_id: str) -> None:
        self.keys.pop(database_id, None)


def test_a_key_store_can_stand_in_for_the_passphrase(tmp_path):
    store = DictKeyStore()
    path = tmp_path / "kept.sqlite"
    encryption.create_encrypted_database(path, PASSPHRASE, key_store=store).close()
    key = store.get(encryption.database_id(path))
    assert key is not None and encryption.is_raw_key(key) and PASSPHRASE not in key
    encryption.open_encrypted_database(path, key_store=store).close()


@pytest.mark.parametrize("legacy", [False, True])
def test_passphrase_change(tmp_path, legacy):
    path = tmp_path / "rekey.sqlite"
    if legacy:
        open_database(path, passphrase=PASSPHRASE).close()
        db = encryption.open_encrypted_database(path, PASSPHRASE)
    else:
        db = encryption.create_encrypted_database(path, PASSPHRASE)
    admin = accounts.create_first_administrator(db, "admin", "", "admin password")
    auditor = accounts.add_user(db, admin, "aud", "", UserRole.AUDITOR, "auditor password")
    _add_child(db)
    new = "quartz meadow bicycle thunder"
    with pytest.raises(PermissionDenied):
        encryption.change_passphrase(db, auditor, PASSPHRASE, new)
    with pytest.raises(WrongPassphrase):
        encryption.change_passphrase(db, admin, "not the passphrase", new)
    other = open_database(path, passphrase=encryption.sqlcipher_key(path, PASSPHRASE))
    with other.engine.connect() as held:  # another window has the database open
        held.exec_driver_sql("SELECT count(*) FROM child").all()
        with pytest.raises(DatabaseError, match="open elsewhere"):
            encryption.change_passphrase(db, admin, PASSPHRASE, new)
    other.close()
    db = encryption.open_encrypted_database(path, PASSPHRASE)
    db = encryption.change_passphrase(db, admin, PASSPHRASE, new)
    db.close()
    with pytest.raises(WrongPassphrase):
        encryption.open_encrypted_database(path, PASSPHRASE)
    reopened = encryption.open_encrypted_database(path, new)
    with reopened.session() as s:
        assert s.scalars(select(ChildIdentity.family_name)).one() == "Oyelaran-Whitcombe"
        last = s.scalars(select(ChangeLogEntry).order_by(ChangeLogEntry.id.desc())).first()
    assert (last.operation, last.user_id) == ("passphrase_change", admin.id)
    assert trail.verify(reopened).ok
    reopened.close()
    assert encryption.can_open(
        path, encryption.raw_key(encryption.derive_key(new, encryption.header_salt(path)))
    )


def test_cli_creates_encrypted_and_changes_the_passphrase(tmp_path, capsys, monkeypatch):
    from caseaudit.cli import main

    path = tmp_path / "cli.sqlite"
    old, new = tmp_path / "old.txt", tmp_path / "new.txt"
    old.write_text(PASSPHRASE + "\n")
    new.write_text("quartz meadow bicycle thunder\n")
    monkeypatch.setenv("CASEAUDIT_PASSWORD", "admin password")
    base = ["--db", f"sqlcipher:///{path}", "--user", "admin"]
    assert main([*base, "--passphrase-file", str(old), "admin", "create", "admin"]) == 0
    assert encryption.can_open(
        path, encryption.raw_key(encryption.derive_key(PASSPHRASE, encryption.header_salt(path)))
    )
    change = ["passphrase", "change", "--new-passphrase-file", str(new)]
    assert main([*base, "--passphrase-file", str(old), *change]) == 0
    assert "passphrase was changed" in capsys.readouterr().out
    assert main([*base, "--passphrase-file", str(old), "trail", "verify"]) == 1
    assert "passphrase for" in capsys.readouterr().err
    assert main([*base, "--passphrase-file", str(new), "trail", "verify"]) == 0
    assert "intact: 2 entries" in capsys.readouterr().out


# -- the OS key store (keyring), opt-in ------------------------------------------------------
class DictKeyring:
    """A real ``keyring`` backend that keeps passwords in a dict (installed per test)."""

    @staticmethod
    def make():  # noqa: ANN205
        from keyring.backend import KeyringBackend
        from keyring.errors import PasswordDeleteError

        class _Backend(KeyringBackend):
            priority = 1

            def __init__(self) -> None:
                super().__init__()
                self.kept: dict[tuple[str, str], str] = {}

            def get_password(self, service, username):  # noqa: ANN001, ANN202
                return self.kept.get((service, username))

            def set_password(self, service, username, password):  # noqa: ANN001, ANN202
                self.kept[(service, username)] = password

            def delete_password(self, service, username):  # noqa: ANN001, ANN202
                if self.kept.pop((service, username), None) is None:
                    raise PasswordDeleteError("not kept")

        return _Backend()


@pytest.fixture
def os_keyring():
    import keyring

    previous = keyring.get_keyring()
    backend = DictKeyring.make()
    keyring.set_keyring(backend)
    yield backend
    keyring.set_keyring(previous)


@pytest.fixture
def no_keyring():
    import keyring
    from keyring.backends import fail

    previous = keyring.get_keyring()
    keyring.set_keyring(fail.Keyring())
    yield
    keyring.set_keyring(previous)


def _cli(path, *args, passphrase_file=None):  # noqa: ANN001, ANN202
    from caseaudit.cli import main

    pre = ["--db", str(path)]
    if passphrase_file is not None:
        pre += ["--passphrase-file", str(passphrase_file)]
    return main([*pre, *args])


def test_remember_key_keeps_the_key_not_the_passphrase(tmp_path, os_keyring, capsys, monkeypatch):
    monkeypatch.delenv("CASEAUDIT_PASSPHRASE", raising=False)
    path, secret = tmp_path / "kept.sqlite", tmp_path / "p.txt"
    secret.write_text(PASSPHRASE)
    assert _cli(path, "--remember-key", "db", "create", passphrase_file=secret) == 0
    kept = os_keyring.kept[("caseaudit", encryption.database_id(path))]
    assert encryption.is_raw_key(kept) and PASSPHRASE not in kept
    assert encryption.can_open(path, kept)
    capsys.readouterr()
    assert _cli(path, "db", "info") == 0  # no passphrase needed now
    assert "encrypted SQLite" in capsys.readouterr().out
    assert _cli(path, "db", "forget-key") == 0
    assert "Forgot the key" in capsys.readouterr().out and not os_keyring.kept
    assert _cli(path, "db", "info") == 1
    assert "is encrypted" in capsys.readouterr().err
    assert _cli(path, "db", "forget-key") == 0
    assert "No key was kept" in capsys.readouterr().out
    # Remembering when opening an existing file works too.
    assert _cli(path, "--remember-key", "db", "info", passphrase_file=secret) == 0
    assert os_keyring.kept[("caseaudit", encryption.database_id(path))] == kept


def test_an_unusable_key_store_is_a_clear_message_not_a_crash(
    tmp_path, no_keyring, capsys, monkeypatch
):
    from caseaudit.services.keystore import KeyStoreUnavailable, OsKeyStore

    monkeypatch.delenv("CASEAUDIT_PASSPHRASE", raising=False)
    path, secret = tmp_path / "nostore.sqlite", tmp_path / "p.txt"
    secret.write_text(PASSPHRASE)
    assert _cli(path, "--remember-key", "db", "create", passphrase_file=secret) == 0
    captured = capsys.readouterr()
    assert "Created an encrypted database" in captured.out
    assert "no usable key store" in captured.err and "asked for each time" in captured.err
    assert _cli(path, "db", "info") == 1  # falls back to needing the passphrase
    err = capsys.readouterr().err
    assert "is encrypted" in err and "Traceback" not in err
    assert _cli(path, "db", "info", passphrase_file=secret) == 0
    assert _cli(path, "db", "forget-key") == 1
    assert "no usable key store" in capsys.readouterr().err
    store = OsKeyStore()
    assert store.get("anything") is None and store.problem
    with pytest.raises(KeyStoreUnavailable, match="no usable key store"):
        store.put("anything", "x'00'")


def test_a_stale_kept_key_falls_back_to_the_passphrase(tmp_path, os_keyring):
    from caseaudit.services.keystore import OsKeyStore
    from caseaudit.services.opening import open_for_use

    path = tmp_path / "stale.sqlite"
    encryption.create_encrypted_database(path, PASSPHRASE).close()
    OsKeyStore().put(encryption.database_id(path), "x'" + "00" * 32 + "'")
    notices: list[str] = []
    with pytest.raises(WrongPassphrase, match="is encrypted"):
        open_for_use(path, key_store=OsKeyStore(), notice=notices.append)
    assert "no longer opens it" in notices[0]
    open_for_use(path, key_store=OsKeyStore(), ask=lambda: PASSPHRASE).close()


# -- reports and exports from an encrypted database -----------------------------------------
def test_reports_and_exports_work_on_an_encrypted_database(tmp_path, monkeypatch, capsys):
    from caseaudit.cli import main
    from caseaudit.reports.sample_round import PASSWORD, build_sample_round

    path, secret = tmp_path / "round.sqlite", tmp_path / "p.txt"
    secret.write_text(PASSPHRASE)
    db = encryption.create_encrypted_database(path, PASSPHRASE)
    try:
        found = build_sample_round(db, audits=3, previous=())
    finally:
        db.close()
    monkeypatch.setenv("CASEAUDIT_PASSWORD", PASSWORD)
    monkeypatch.delenv("CASEAUDIT_USER", raising=False)
    monkeypatch.delenv("CASEAUDIT_PASSPHRASE", raising=False)
    base = ["--db", str(path), "--passphrase-file", str(secret), "--data-dir", str(tmp_path / "d")]
    base += ["--user", found.qa_username]
    pdf = tmp_path / "audit.pdf"
    audit = ["report", "audit", str(found.audit_ids[0]), "--out", str(pdf), "--no-sign"]
    assert main([*base, *audit]) == 0
    assert pdf.read_bytes().startswith(b"%PDF")
    folder = tmp_path / "csv"
    assert (
        main([*base, "export", str(found.round_id), "--format", "csv", "--out", str(folder)]) == 0
    )
    assert len(list(folder.glob("*.csv"))) == 5
    assert path.read_bytes()[:16] != b"SQLite format 3\x00"
    capsys.readouterr()
    assert main(["--db", str(path), *base[4:], *audit]) == 1  # without the passphrase: refused
    assert "is encrypted" in capsys.readouterr().err
