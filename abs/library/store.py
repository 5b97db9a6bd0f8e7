"""The deal library: save versions, read history, record runs and exports, archive deals.

Storage only: this module never runs the engine (``abs`` does not import ``waterfall`` or
``scenarios``). Running a version and recording its measures, exporting from the library and
verifying a filed workbook live in :mod:`ui.library_service`, which the CLI and the dashboard
share.

Every statement is built with SQLAlchemy, so all user text (keys, messages, authors, paths) is
bound as a parameter, never formatted into SQL. Writes run in one transaction each: a save
either stores the blobs, the deal row and the version together or stores nothing.

Examples
--------
>>> import tempfile, pathlib
>>> from abs.examples import example_deal_path
>>> folder = pathlib.Path(tempfile.mkdtemp())
>>> lib = Library.open(f"sqlite:///{folder / 'lib.sqlite'}")
>>> v = lib.save_files(example_deal_path("rugao-labelled"), key="rugao", message="首版 first")
>>> (v.version.ref, v.created)
('rugao@1', True)
>>> lib.load("rugao").name == lib.load("rugao@1").name
True
>>> lib.close()
"""

from __future__ import annotations

import datetime as dt
import math
import re
import unicodedata
import zlib
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

import pandas as pd
from sqlalchemy import Connection, Engine, Row, and_, func, insert, select, update
from sqlalchemy.exc import DBAPIError, IntegrityError

from abs.asset import Pool
from abs.deal import Deal
from abs.library import db
from abs.library.config import default_author, resolve_url
from abs.library.errors import ImmutableError, LibraryError, NotFoundError
from abs.library.models import (
    ARCHIVE_ACTIONS,
    AUTHOR_MAX,
    EXPORT_KINDS,
    KEY_MAX,
    LEGACY_MEASURE_NAMES,
    MEASURES_FORMAT,
    NAME_MAX,
    SECTIONS,
    ArchiveRow,
    Blob,
    DealRow,
    ExportRow,
    MeasureRow,
    RunRow,
    VersionRow,
)
from abs.library.provenance import sha256_bytes
from abs.library.records import (
    RUN_KINDS,
    ArchiveEntry,
    DealInfo,
    ExportInfo,
    NewRun,
    RecordList,
    RunInfo,
    SaveResult,
    VersionInfo,
    yuan_to_fen,
)

#: Blobs smaller than this are stored raw (compression would not pay).
COMPRESS_MIN_BYTES = 256
#: How often a save retries after losing a race for a version number.
SAVE_RETRIES = 5
#: Shortest run-id prefix accepted.
RUN_PREFIX_MIN = 6
#: Separator of ``key@version`` references.
REF_SEP = "@"

_RUN_ID = re.compile(r"^[0-9a-f-]+$")


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def check_key(key: str) -> str:
    """A deal key as stored: stripped; 1–200 characters; no ``@``, no control characters.

    Raises
    ------
    LibraryError
        Naming the rule and the key received.

    Examples
    --------
    >>> check_key("  qingdao-pure ")
    'qingdao-pure'
    """
    if not isinstance(key, str):
        raise LibraryError(f"deal key must be text; got {key!r}")
    text = key.strip()
    if not text:
        raise LibraryError(f"deal key must not be empty; got {key!r}")
    if len(text) > KEY_MAX:
        raise LibraryError(f"deal key is longer than {KEY_MAX} characters; got {len(text)}")
    if REF_SEP in text:
        raise LibraryError(
            f"deal key must not contain '{REF_SEP}' (it separates key and version); got {key!r}"
        )
    if any(unicodedata.category(ch)[0] == "C" for ch in text):
        raise LibraryError(f"deal key must not contain control characters; got {key!r}")
    return text


def _check_text(label: str, value: str, *, limit: int | None = None, empty: bool = False) -> str:
    if not isinstance(value, str):
        raise LibraryError(f"{label} must be text; got {value!r}")
    text = value.strip()
    if not text and not empty:
        raise LibraryError(f"{label} must not be empty; got {value!r}")
    if limit is not None and len(text) > limit:
        raise LibraryError(f"{label} is longer than {limit} characters; got {len(text)}")
    if "\x00" in text:
        raise LibraryError(f"{label} must not contain NUL characters")
    return text


def parse_ref(ref: str) -> tuple[str, int | None]:
    """``key`` → (key, None = newest); ``key@3`` / ``key@v3`` → (key, 3); ``key@latest``.

    Raises
    ------
    LibraryError
        A version part that is not a positive number.

    Examples
    --------
    >>> parse_ref("qingdao@v12"), parse_ref("qingdao"), parse_ref("qingdao@latest")
    (('qingdao', 12), ('qingdao', None), ('qingdao', None))
    """
    key, sep, version = ref.strip().rpartition(REF_SEP) if REF_SEP in ref else (ref, "", "")
    if not sep:
        return check_key(ref), None
    label = version.strip().lower()
    if label in ("", "latest", "head"):
        return check_key(key), None
    digits = label[1:] if label.startswith("v") else label
    if not digits.isdigit() or int(digits) < 1:
        raise LibraryError(
            f"{ref!r}: the version after '@' must be a number ≥ 1 (e.g. {key}@3) or 'latest'; "
            f"got {version!r}"
        )
    return check_key(key), int(digits)


def _pack(data: bytes) -> tuple[str, bytes]:
    if len(data) >= COMPRESS_MIN_BYTES:
        packed = zlib.compress(data, 6)
        if len(packed) < len(data):
            return "zlib", packed
    return "raw", data


def _unpack(sha256: str, codec: str, data: bytes) -> bytes:
    raw = zlib.decompress(data) if codec == "zlib" else bytes(data)
    if sha256_bytes(raw) != sha256:
        raise LibraryError(
            f"dabs library: stored bytes of blob {sha256[:12]}… do not match their SHA-256 "
            "(the database was damaged or edited outside dabs)"
        )
    return raw


def _finite(value: float | None) -> float | None:
    if value is None:
        return None
    v = float(value)
    return v if math.isfinite(v) else None


def _json_safe(obj: Any) -> Any:
    """JSON-ready copy: non-finite floats become None (JSON has no NaN)."""
    if isinstance(obj, float):
        return obj if math.isfinite(obj) else None
    if isinstance(obj, dict):
        return {str(k): _json_safe(v) for k, v in obj.items()}
    if isinstance(obj, list | tuple):
        return [_json_safe(v) for v in obj]
    return obj


def _local(stamp: dt.datetime, offset_min: int) -> dt.datetime:
    return stamp.astimezone(dt.timezone(dt.timedelta(minutes=offset_min)))


_VERSION_COLUMNS = (
    DealRow.key,
    VersionRow.number,
    VersionRow.parent_id,
    VersionRow.author,
    VersionRow.message,
    VersionRow.created_at,
    VersionRow.deal_sha256,
    VersionRow.deal_file,
    VersionRow.tape_sha256,
    VersionRow.tape_name,
    VersionRow.deal_name,
    VersionRow.deal_kind,
    VersionRow.issue_amount_fen,
    VersionRow.pool_amount_fen,
    VersionRow.asset_count,
    VersionRow.tranche_count,
    VersionRow.id,
)


def _version_select() -> Any:
    return select(*_VERSION_COLUMNS).join(DealRow, DealRow.id == VersionRow.deal_id)


def _version_info(row: Row[Any], parents: dict[int, int]) -> VersionInfo:
    return VersionInfo(
        key=row.key,
        number=row.number,
        parent=None if row.parent_id is None else parents.get(row.parent_id),
        author=row.author,
        message=row.message,
        created_at=row.created_at,
        deal_sha256=row.deal_sha256,
        deal_file=row.deal_file,
        tape_sha256=row.tape_sha256,
        tape_name=row.tape_name,
        deal_name=row.deal_name,
        deal_kind=row.deal_kind,
        issue_amount_fen=row.issue_amount_fen,
        pool_amount_fen=row.pool_amount_fen,
        asset_count=row.asset_count,
        tranche_count=row.tranche_count,
        id=row.id,
    )


def _run_info(row: Row[Any], version: str) -> RunInfo:
    return RunInfo(
        id=row.id,
        version=version,
        kind=row.kind,
        created_at=_local(row.created_at, row.utc_offset_min),
        author=row.author,
        seed=row.seed,
        mc_paths=row.mc_paths,
        scenario_count=row.scenario_count,
        stress_set=row.stress_set,
        stress_content=row.stress_content,
        stress_sha256=row.stress_sha256,
        stress_file=row.stress_file,
        assumptions=dict(row.assumptions),
        options=dict(row.options),
        software=dict(row.software),
        deal_sha256=row.deal_sha256,
        tape_sha256=row.tape_sha256,
        timings=dict(row.timings),
        measures_format=row.measures_format,
    )


def _export_info(row: Row[Any]) -> ExportInfo:
    return ExportInfo(
        id=row.id,
        run_id=row.run_id,
        kind=row.kind,
        path=row.path,
        sha256=row.sha256,
        size=row.size,
        stored=row.blob_sha256 is not None,
        created_at=row.created_at,
        author=row.author,
    )


class Library:
    """A deal library on SQLite or PostgreSQL (see the module docstring).

    Open it with :meth:`open`; use it as a context manager or call :meth:`close`.
    """

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    # --- opening ---------------------------------------------------------------------------

    @classmethod
    def open(cls, url: str | None = None, *, migrate: bool = True) -> Library:
        """Open the library at ``url`` (default ``$DABS_DB_URL`` or the user's SQLite file).

        Parameters
        ----------
        url : str, optional
            SQLAlchemy URL (``sqlite:///PATH``, ``postgresql+psycopg://…``) or a file path.
        migrate : bool
            Bring the schema to the newest revision first (default). A new SQLite file is
            created with its folder.

        Raises
        ------
        LibraryError
            Bad URL, unreachable database, or a schema newer than this dabs.
        """
        engine = db.create_library_engine(resolve_url(url))
        lib = cls(engine)
        try:
            if migrate:
                db.upgrade(engine)
            else:
                lib.revision()
        except BaseException:
            engine.dispose()
            raise
        return lib

    @property
    def url(self) -> str:
        """The database URL with any password hidden."""
        return self.engine.url.render_as_string(hide_password=True)

    @property
    def backend(self) -> str:
        """``sqlite`` or ``postgresql``."""
        return self.engine.dialect.name

    def revision(self) -> str | None:
        """Schema revision recorded in the database."""
        try:
            with db.read_transaction(self.engine) as conn:
                return db.current_revision(conn)
        except DBAPIError as exc:
            raise LibraryError(f"dabs library: cannot open {self.url}: {exc.orig}") from None

    def close(self) -> None:
        """Release the connections."""
        self.engine.dispose()

    def __enter__(self) -> Library:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # --- blobs -----------------------------------------------------------------------------

    def _put_blob(self, conn: Connection, data: bytes) -> str:
        sha = sha256_bytes(data)
        codec, packed = _pack(data)
        values = {
            "sha256": sha,
            "size": len(data),
            "codec": codec,
            "data": packed,
            "created_at": _now(),
        }
        if conn.dialect.name == "postgresql":
            from sqlalchemy.dialects.postgresql import insert as pg_insert

            conn.execute(pg_insert(Blob).values(values).on_conflict_do_nothing())
        else:
            from sqlalchemy.dialects.sqlite import insert as sqlite_insert

            conn.execute(sqlite_insert(Blob).values(values).on_conflict_do_nothing())
        return sha

    def blob(self, sha256: str) -> bytes:
        """Stored bytes with SHA-256 ``sha256`` (checked against it on the way out).

        Raises
        ------
        NotFoundError
            No such blob.
        """
        with db.read_transaction(self.engine) as conn:
            row = conn.execute(
                select(Blob.codec, Blob.data).where(Blob.sha256 == sha256)
            ).one_or_none()
        if row is None:
            raise NotFoundError(f"dabs library: no stored content with SHA-256 {sha256}")
        return _unpack(sha256, row.codec, row.data)

    # --- saving ----------------------------------------------------------------------------

    def save(
        self,
        key: str,
        *,
        deal_bytes: bytes,
        message: str,
        author: str | None = None,
        deal_file: str = "deal.json",
        tape: bytes | None = None,
        tape_name: str | None = None,
        parent: int | None = None,
        allow_unchanged: bool = False,
    ) -> SaveResult:
        """Save a new version of deal ``key`` (created on its first save).

        Parameters
        ----------
        key : str
            The deal's library key (see :func:`check_key`).
        deal_bytes : bytes
            The deal file exactly as the structurer has it (UTF-8 JSON); stored as is, so its
            SHA-256 equals the one printed in 模型说明.
        message, author : str
            Why this version exists, and who saved it (default ``$DABS_AUTHOR`` or the OS user).
        deal_file : str
            File name shown in listings (default ``deal.json``).
        tape, tape_name : bytes and str, optional
            The tape the deal reads (CSV or XLSX; the name's suffix picks the reader). Needed
            when the deal names a ``tape`` and embeds no pool.
        parent : int, optional
            Version this one was edited from (default: the newest at the time of saving).
        allow_unchanged : bool
            Store a new version even when deal and tape equal the newest version's.

        Returns
        -------
        SaveResult
            ``created`` is False when nothing changed (the newest version is returned).

        Raises
        ------
        DealSpecError, TapeError
            The deal or tape is invalid (nothing is stored).
        LibraryError
            Bad key/message, an archived deal, an unknown parent, or no tape for a deal that
            needs one.
        """
        from abs.classify import classify_deal
        from abs.io import parse_deal
        from abs.tape import read_tape_bytes

        key = check_key(key)
        message = _check_text("message (-m)", message)
        author = _check_text("author", author or default_author(), limit=AUTHOR_MAX)
        deal_file = _check_text("deal file name", deal_file, limit=NAME_MAX)
        deal = parse_deal(deal_bytes, source=f"{key}: {deal_file}")
        pool: Pool | None = deal.pool
        if tape is not None:
            if not tape_name:
                raise LibraryError(f"{key}: a tape needs its file name (.csv or .xlsx)")
            tape_name = _check_text("tape file name", Path(tape_name).name, limit=NAME_MAX)
            pool = read_tape_bytes(tape, filename=tape_name, cutoff_date=deal.dates.cutoff_date)
        elif deal.pool is None and deal.tape is not None:
            raise LibraryError(
                f"{key}: the deal reads its pool from tape {deal.tape!r}; give the tape bytes "
                "(dabs library save DEAL --tape PATH)"
            )
        summary: dict[str, Any] = {
            "deal_name": deal.name,
            "deal_kind": None,
            "issue_amount_fen": sum(yuan_to_fen(t.balance) for t in deal.tranches),
            "pool_amount_fen": None,
            "asset_count": None,
            "tranche_count": len(deal.tranches),
        }
        if pool is not None:
            with_pool = deal.model_copy(update={"pool": pool})
            summary["deal_kind"] = classify_deal(with_pool).kind.value
            summary["pool_amount_fen"] = sum(a.amount_fen for a in pool.assets)
            summary["asset_count"] = pool.asset_count
        last: IntegrityError | None = None
        for _ in range(SAVE_RETRIES):
            try:
                return self._save_once(
                    key,
                    deal_bytes=deal_bytes,
                    deal_file=deal_file,
                    tape=tape,
                    tape_name=tape_name if tape is not None else None,
                    message=message,
                    author=author,
                    parent=parent,
                    allow_unchanged=allow_unchanged,
                    summary=summary,
                )
            except IntegrityError as exc:  # lost a race for the version number: try again
                last = exc
        raise LibraryError(
            f"{key}: could not save after {SAVE_RETRIES} attempts (concurrent saves): {last}"
        )

    def _deal_row_for_update(self, conn: Connection, key: str, author: str) -> Any:
        values = {"key": key, "created_at": _now(), "created_by": author, "archived": False}
        if conn.dialect.name == "postgresql":
            from sqlalchemy.dialects.postgresql import insert as pg_insert

            conn.execute(pg_insert(DealRow).values(values).on_conflict_do_nothing())
        else:
            from sqlalchemy.dialects.sqlite import insert as sqlite_insert

            conn.execute(sqlite_insert(DealRow).values(values).on_conflict_do_nothing())
        return conn.execute(
            select(DealRow.id, DealRow.archived).where(DealRow.key == key).with_for_update()
        ).one()

    def _save_once(
        self,
        key: str,
        *,
        deal_bytes: bytes,
        deal_file: str,
        tape: bytes | None,
        tape_name: str | None,
        message: str,
        author: str,
        parent: int | None,
        allow_unchanged: bool,
        summary: dict[str, Any],
    ) -> SaveResult:
        with db.write_transaction(self.engine) as conn:
            deal = self._deal_row_for_update(conn, key, author)
            if deal.archived:
                raise LibraryError(
                    f"{key}: the deal is archived; restore it first (dabs library restore {key})"
                )
            latest = conn.execute(
                _version_select()
                .where(VersionRow.deal_id == deal.id)
                .order_by(VersionRow.number.desc())
                .limit(1)
            ).one_or_none()
            deal_sha = sha256_bytes(deal_bytes)
            tape_sha = None if tape is None else sha256_bytes(tape)
            if (
                latest is not None
                and not allow_unchanged
                and latest.deal_sha256 == deal_sha
                and latest.tape_sha256 == tape_sha
            ):
                parents = self._parent_numbers(conn, [latest])
                return SaveResult(version=_version_info(latest, parents), created=False)
            parent_id: int | None = None
            if parent is not None:
                parent_id = conn.execute(
                    select(VersionRow.id).where(
                        VersionRow.deal_id == deal.id, VersionRow.number == parent
                    )
                ).scalar_one_or_none()
                if parent_id is None:
                    raise NotFoundError(f"{key}: no version {parent} to save on top of")
            elif latest is not None:
                parent_id = latest.id
            self._put_blob(conn, deal_bytes)
            if tape is not None:
                self._put_blob(conn, tape)
            number = 1 if latest is None else latest.number + 1
            new_id = conn.execute(
                insert(VersionRow)
                .values(
                    deal_id=deal.id,
                    number=number,
                    parent_id=parent_id,
                    author=author,
                    message=message,
                    created_at=_now(),
                    deal_sha256=deal_sha,
                    deal_file=deal_file,
                    tape_sha256=tape_sha,
                    tape_name=tape_name,
                    **summary,
                )
                .returning(VersionRow.id)
            ).scalar_one()
            row = conn.execute(_version_select().where(VersionRow.id == new_id)).one()
            return SaveResult(
                version=_version_info(row, self._parent_numbers(conn, [row])), created=True
            )

    def save_files(
        self,
        deal_path: str | Path,
        *,
        message: str,
        key: str | None = None,
        tape_path: str | Path | None = None,
        author: str | None = None,
        parent: int | None = None,
        allow_unchanged: bool = False,
    ) -> SaveResult:
        """Save a deal file (path or example name) and the tape it reads.

        ``key`` defaults to :func:`default_key`; ``tape_path`` to the deal's ``tape`` (relative
        to the deal file).

        Raises
        ------
        DealSpecError
            Missing or invalid deal file; a tape named by the deal that does not exist.
        """
        from abs.errors import DealSpecError
        from abs.io import parse_deal, resolve_deal_path

        path = resolve_deal_path(deal_path)
        if not path.is_file():
            raise DealSpecError(f"{path}: deal file not found")
        deal_bytes = path.read_bytes()
        tape: bytes | None = None
        tape_file: Path | None = None
        if tape_path is not None:
            tape_file = Path(tape_path)
        else:
            deal = parse_deal(deal_bytes, source=str(path))
            if deal.pool is None and deal.tape is not None:
                tape_file = Path(deal.tape)
                if not tape_file.is_absolute():
                    tape_file = path.parent / tape_file
        if tape_file is not None:
            if not tape_file.is_file():
                raise DealSpecError(f"{path}: tape file {tape_file} not found")
            tape = tape_file.read_bytes()
        return self.save(
            key if key is not None else default_key(deal_path),
            deal_bytes=deal_bytes,
            deal_file=path.name,
            tape=tape,
            tape_name=None if tape_file is None else tape_file.name,
            message=message,
            author=author,
            parent=parent,
            allow_unchanged=allow_unchanged,
        )

    def save_deal(
        self,
        key: str,
        deal: Deal,
        *,
        message: str,
        author: str | None = None,
        tape: bytes | None = None,
        tape_name: str | None = None,
        parent: int | None = None,
        allow_unchanged: bool = False,
    ) -> SaveResult:
        """Save an in-memory deal (the dashboard's): with ``tape`` bytes the deal JSON keeps
        its ``tape`` reference and the pool is read from those bytes; without, the pool is
        embedded in the stored JSON.
        """
        from abs.io import deal_to_json

        if tape is not None:
            name = tape_name or deal.tape or "tape.csv"
            data = deal.model_copy(update={"pool": None, "tape": Path(name).name})
            text = deal_to_json(data, embed_pool=False)
        else:
            text = deal_to_json(deal, embed_pool=True)
            tape_name = None
        return self.save(
            key,
            deal_bytes=text.encode("utf-8"),
            message=message,
            author=author,
            tape=tape,
            tape_name=tape_name,
            parent=parent,
            allow_unchanged=allow_unchanged,
        )

    # --- reading ---------------------------------------------------------------------------

    def _parent_numbers(self, conn: Connection, rows: Iterable[Row[Any]]) -> dict[int, int]:
        ids = {r.parent_id for r in rows if r.parent_id is not None}
        if not ids:
            return {}
        found = conn.execute(
            select(VersionRow.id, VersionRow.number).where(VersionRow.id.in_(ids))
        ).all()
        return {r.id: r.number for r in found}

    def _deal_id(self, conn: Connection, key: str) -> int:
        deal_id = conn.execute(select(DealRow.id).where(DealRow.key == key)).scalar_one_or_none()
        if deal_id is None:
            known = conn.execute(select(DealRow.key).order_by(DealRow.key).limit(20)).scalars()
            names = ", ".join(known) or "(none yet)"
            raise NotFoundError(f"no deal {key!r} in the library; deals are: {names}")
        return deal_id

    def version(self, ref: str) -> VersionInfo:
        """The version ``key@N`` (or the newest for ``key``).

        Raises
        ------
        NotFoundError
            Unknown deal or version (the message gives the versions there are).
        """
        key, number = parse_ref(ref)
        with db.read_transaction(self.engine) as conn:
            deal_id = self._deal_id(conn, key)
            query = _version_select().where(VersionRow.deal_id == deal_id)
            if number is None:
                query = query.order_by(VersionRow.number.desc()).limit(1)
            else:
                query = query.where(VersionRow.number == number)
            row = conn.execute(query).one_or_none()
            if row is None:
                newest = conn.execute(
                    select(func.max(VersionRow.number)).where(VersionRow.deal_id == deal_id)
                ).scalar_one_or_none()
                raise NotFoundError(
                    f"{key}: no version {number}; versions are 1 to {newest}"
                    if newest
                    else f"{key}: no versions saved yet"
                )
            return _version_info(row, self._parent_numbers(conn, [row]))

    def inputs(self, ref: str | VersionInfo) -> tuple[VersionInfo, bytes, bytes | None]:
        """The version and its stored deal file and tape bytes (checked against their hashes)."""
        info = ref if isinstance(ref, VersionInfo) else self.version(ref)
        deal_bytes = self.blob(info.deal_sha256)
        tape = None if info.tape_sha256 is None else self.blob(info.tape_sha256)
        return info, deal_bytes, tape

    def load(self, ref: str | VersionInfo) -> Deal:
        """The deal of a version, with its pool read from the stored tape.

        Examples
        --------
        See the module docstring.
        """
        from abs.io import parse_deal
        from abs.tape import read_tape_bytes

        info, deal_bytes, tape = self.inputs(ref)
        deal = parse_deal(deal_bytes, source=f"{info.ref}: {info.deal_file}")
        if tape is not None and info.tape_name is not None:
            pool = read_tape_bytes(
                tape, filename=info.tape_name, cutoff_date=deal.dates.cutoff_date
            )
            deal = deal.model_copy(update={"pool": pool})
        return deal

    def log(self, key: str, *, limit: int | None = None) -> RecordList[VersionInfo]:
        """Versions of ``key``, newest first (at most ``limit``)."""
        key = check_key(key)
        with db.read_transaction(self.engine) as conn:
            deal_id = self._deal_id(conn, key)
            query = (
                _version_select()
                .where(VersionRow.deal_id == deal_id)
                .order_by(VersionRow.number.desc())
            )
            if limit is not None:
                query = query.limit(limit)
            rows = conn.execute(query).all()
            numbers = {r.id: r.number for r in rows}
            missing = {r.parent_id for r in rows if r.parent_id and r.parent_id not in numbers}
            if missing:
                numbers.update(self._parent_numbers(conn, [r for r in rows if r.parent_id]))
        return RecordList([_version_info(r, numbers) for r in rows])

    def deals(self, *, include_archived: bool = False) -> RecordList[DealInfo]:
        """Every deal with its newest version, by key (archived deals only when asked)."""
        newest = (
            select(
                VersionRow.deal_id.label("deal_id"),
                func.max(VersionRow.number).label("latest"),
                func.count().label("versions"),
            )
            .group_by(VersionRow.deal_id)
            .subquery()
        )
        query = (
            select(
                DealRow.key,
                DealRow.archived,
                DealRow.created_at.label("deal_created_at"),
                DealRow.created_by,
                newest.c.latest,
                newest.c.versions,
                VersionRow.deal_name,
                VersionRow.created_at,
                VersionRow.author,
                VersionRow.message,
                VersionRow.issue_amount_fen,
                VersionRow.deal_kind,
            )
            .join(newest, newest.c.deal_id == DealRow.id)
            .join(
                VersionRow,
                and_(VersionRow.deal_id == DealRow.id, VersionRow.number == newest.c.latest),
            )
            .order_by(DealRow.key)
        )
        if not include_archived:
            query = query.where(DealRow.archived.is_(False))
        with db.read_transaction(self.engine) as conn:
            rows = conn.execute(query).all()
        return RecordList(
            [
                DealInfo(
                    key=r.key,
                    deal_name=r.deal_name,
                    versions=r.versions,
                    latest=r.latest,
                    latest_at=r.created_at,
                    latest_author=r.author,
                    latest_message=r.message,
                    issue_amount_fen=r.issue_amount_fen,
                    deal_kind=r.deal_kind,
                    archived=bool(r.archived),
                    created_at=r.deal_created_at,
                    created_by=r.created_by,
                )
                for r in rows
            ]
        )

    # --- runs ------------------------------------------------------------------------------

    def record_run(self, ref: str | VersionInfo, run: NewRun) -> RunInfo:
        """Store a run of a version with its measures, in one transaction.

        Raises
        ------
        LibraryError
            Unknown kind or measure section, a naive timestamp, a duplicate run id.
        """
        info = ref if isinstance(ref, VersionInfo) else self.version(ref)
        if run.kind not in RUN_KINDS:
            raise LibraryError(f"run kind must be one of {sorted(RUN_KINDS)}; got {run.kind!r}")
        if run.created_at.tzinfo is None or run.created_at.utcoffset() is None:
            raise LibraryError(f"run time must be timezone-aware; got {run.created_at!r}")
        if not _RUN_ID.match(run.id) or len(run.id) > 36:
            raise LibraryError(f"run id must be a UUID; got {run.id!r}")
        bad = {m.section for m in run.measures} - set(SECTIONS)
        if bad:
            raise LibraryError(f"measure sections must be in {SECTIONS}; got {sorted(bad)}")
        offset = run.created_at.utcoffset()
        assert offset is not None  # checked above; narrows the type
        author = _check_text("author", run.author, limit=AUTHOR_MAX)
        measures = [
            {
                "run_id": run.id,
                "section": m.section,
                "scenario": m.scenario,
                "tranche": m.tranche,
                "measure": m.measure,
                "value": _finite(m.value),
            }
            for m in run.measures
        ]
        try:
            with db.write_transaction(self.engine) as conn:
                stress_sha = None
                if run.stress_bytes is not None:
                    stress_sha = self._put_blob(conn, run.stress_bytes)
                conn.execute(
                    insert(RunRow).values(
                        id=run.id,
                        version_id=info.id,
                        kind=run.kind,
                        created_at=run.created_at,
                        utc_offset_min=int(offset.total_seconds() // 60),
                        author=author,
                        seed=run.seed,
                        mc_paths=run.mc_paths,
                        scenario_count=run.scenario_count,
                        stress_set=run.stress_set,
                        stress_content=_json_safe(run.stress_content),
                        stress_sha256=stress_sha,
                        stress_file=run.stress_file,
                        assumptions=_json_safe(run.assumptions),
                        options=_json_safe(run.options),
                        software=_json_safe(run.software),
                        deal_sha256=info.deal_sha256,
                        tape_sha256=info.tape_sha256,
                        timings=_json_safe(run.timings),
                        measures_format=MEASURES_FORMAT,
                    )
                )
                if measures:
                    conn.execute(insert(MeasureRow), measures)
        except IntegrityError as exc:
            raise LibraryError(f"run {run.id}: could not be recorded: {exc.orig}") from None
        return self.run(run.id)

    def _runs_query(self) -> Any:
        return (
            select(RunRow, DealRow.key, VersionRow.number)
            .join(VersionRow, VersionRow.id == RunRow.version_id)
            .join(DealRow, DealRow.id == VersionRow.deal_id)
        )

    def run(self, run_id: str) -> RunInfo:
        """The run with id ``run_id`` (or a unique prefix of at least 6 characters).

        Raises
        ------
        NotFoundError
            No run, or several runs share the prefix.
        """
        text = run_id.strip().lower()
        if not _RUN_ID.match(text) or len(text) < RUN_PREFIX_MIN:
            raise LibraryError(
                f"run id must be hexadecimal, at least {RUN_PREFIX_MIN} characters; got {run_id!r}"
            )
        with db.read_transaction(self.engine) as conn:
            query = self._runs_query()
            if len(text) == 36:
                query = query.where(RunRow.id == text)
            else:
                query = query.where(RunRow.id.startswith(text, autoescape=True)).limit(2)
            rows = conn.execute(query).all()
        if not rows:
            raise NotFoundError(f"no run {run_id!r} in the library")
        if len(rows) > 1:
            raise NotFoundError(f"run id prefix {run_id!r} is ambiguous; give more characters")
        row = rows[0]
        return _run_info(row, f"{row.key}@{row.number}")

    def runs(
        self, ref: str | None = None, *, kind: str | None = None, limit: int | None = None
    ) -> RecordList[RunInfo]:
        """Runs of a deal (``key``: all versions) or one version (``key@N``), newest first."""
        query = self._runs_query()
        if ref is not None:
            key, number = parse_ref(ref)
            query = query.where(DealRow.key == key)
            if number is not None or REF_SEP in ref:
                info = self.version(ref)
                query = query.where(RunRow.version_id == info.id)
            else:
                with db.read_transaction(self.engine) as conn:
                    self._deal_id(conn, key)
        if kind is not None:
            if kind not in RUN_KINDS:
                raise LibraryError(f"run kind must be one of {sorted(RUN_KINDS)}; got {kind!r}")
            query = query.where(RunRow.kind == kind)
        query = query.order_by(RunRow.created_at.desc(), RunRow.id)
        if limit is not None:
            query = query.limit(limit)
        with db.read_transaction(self.engine) as conn:
            rows = conn.execute(query).all()
        return RecordList([_run_info(r, f"{r.key}@{r.number}") for r in rows], flatten=_flatten_run)

    def measures(self, run_id: str) -> pd.DataFrame:
        """Measures of a run: columns section, scenario, tranche, measure, value.

        Names are the current keys (those of ``dabs run --json``: ``min_coverage`` includes
        scheduled senior principal, ``min_coverage_interest`` does not) for every run: a run
        recorded before schema revision 0004 (``RunInfo.measures_format == 1``) stored the
        interest-only minimum as ``min_coverage``; its rows are read under the current keys
        (:data:`~abs.library.models.LEGACY_MEASURE_NAMES`), so old and new runs compare.
        ``frame.attrs["measures_format"]`` says which format the rows were stored in.
        """
        run = self.run(run_id)
        with db.read_transaction(self.engine) as conn:
            rows = conn.execute(
                select(
                    MeasureRow.section,
                    MeasureRow.scenario,
                    MeasureRow.tranche,
                    MeasureRow.measure,
                    MeasureRow.value,
                )
                .where(MeasureRow.run_id == run.id)
                .order_by(MeasureRow.section, MeasureRow.scenario, MeasureRow.tranche)
            ).all()
        frame = pd.DataFrame(
            [tuple(r) for r in rows],
            columns=["section", "scenario", "tranche", "measure", "value"],
        )
        frame["value"] = frame["value"].astype("float64")
        if run.measures_format == 1:
            frame["measure"] = frame["measure"].replace(LEGACY_MEASURE_NAMES)
        frame.attrs["measures_format"] = run.measures_format
        return frame

    # --- exports ---------------------------------------------------------------------------

    def record_export(
        self,
        run_id: str,
        *,
        kind: str,
        path: str | Path,
        data: bytes,
        store_copy: bool = True,
        author: str | None = None,
        resolve: bool = True,
    ) -> ExportInfo:
        """Record that run ``run_id`` wrote ``data`` to ``path`` (SHA-256; optional copy).

        ``path`` is made absolute unless ``resolve`` is false (a label such as a download).
        """
        if kind not in EXPORT_KINDS:
            raise LibraryError(f"export kind must be one of {EXPORT_KINDS}; got {kind!r}")
        run = self.run(run_id)
        who = _check_text("author", author or default_author(), limit=AUTHOR_MAX)
        with db.write_transaction(self.engine) as conn:
            blob = self._put_blob(conn, data) if store_copy else None
            new_id = conn.execute(
                insert(ExportRow)
                .values(
                    run_id=run.id,
                    kind=kind,
                    path=str(Path(path).resolve()) if resolve else str(path),
                    sha256=sha256_bytes(data),
                    size=len(data),
                    blob_sha256=blob,
                    created_at=_now(),
                    author=who,
                )
                .returning(ExportRow.id)
            ).scalar_one()
            row = conn.execute(select(ExportRow).where(ExportRow.id == new_id)).one()
            return _export_info(row)

    def exports(
        self, *, run_id: str | None = None, sha256: str | None = None
    ) -> RecordList[ExportInfo]:
        """Exports of a run, or with a given file SHA-256, newest first."""
        query = select(ExportRow)
        if run_id is not None:
            query = query.where(ExportRow.run_id == self.run(run_id).id)
        if sha256 is not None:
            query = query.where(ExportRow.sha256 == sha256.lower())
        with db.read_transaction(self.engine) as conn:
            rows = conn.execute(query.order_by(ExportRow.id.desc())).all()
        return RecordList([_export_info(r) for r in rows])

    # --- archive ---------------------------------------------------------------------------

    def _set_archived(self, key: str, *, archived: bool, reason: str, author: str | None) -> None:
        key = check_key(key)
        reason = _check_text("reason", reason)
        who = _check_text("author", author or default_author(), limit=AUTHOR_MAX)
        action = ARCHIVE_ACTIONS[0] if archived else ARCHIVE_ACTIONS[1]
        with db.write_transaction(self.engine) as conn:
            row = conn.execute(
                select(DealRow.id, DealRow.archived).where(DealRow.key == key).with_for_update()
            ).one_or_none()
            if row is None:
                self._deal_id(conn, key)  # raises with the list of deals
                return
            if bool(row.archived) == archived:
                state = "already archived" if archived else "not archived"
                raise LibraryError(f"{key}: the deal is {state}")
            conn.execute(
                insert(ArchiveRow).values(
                    deal_id=row.id, action=action, author=who, reason=reason, created_at=_now()
                )
            )
            conn.execute(update(DealRow).where(DealRow.id == row.id).values(archived=archived))

    def archive(self, key: str, *, reason: str, author: str | None = None) -> None:
        """Archive a deal (hidden from :meth:`deals`, no new versions); logged, never deleted."""
        self._set_archived(key, archived=True, reason=reason, author=author)

    def restore(self, key: str, *, reason: str, author: str | None = None) -> None:
        """Undo :meth:`archive` (logged too)."""
        self._set_archived(key, archived=False, reason=reason, author=author)

    def archive_log(self, key: str | None = None) -> RecordList[ArchiveEntry]:
        """Archive and restore entries, oldest first (of one deal, or all)."""
        query = select(DealRow.key, ArchiveRow).join(DealRow, DealRow.id == ArchiveRow.deal_id)
        if key is not None:
            query = query.where(DealRow.key == check_key(key))
        with db.read_transaction(self.engine) as conn:
            rows = conn.execute(query.order_by(ArchiveRow.id)).all()
        return RecordList(
            [
                ArchiveEntry(
                    key=r.key,
                    action=r.action,
                    author=r.author,
                    reason=r.reason,
                    created_at=r.created_at,
                )
                for r in rows
            ]
        )

    # --- guarded raw access (tests, admin) ---------------------------------------------------

    def execute_guarded(self, statement: Any, params: dict[str, Any] | None = None) -> None:
        """Run one write statement; a trigger's refusal becomes :class:`ImmutableError`."""
        try:
            with db.write_transaction(self.engine) as conn:
                conn.execute(statement, params or {})
        except DBAPIError as exc:
            text = str(exc.orig)
            if "immutable" in text or "refused" in text:
                raise ImmutableError(text.strip().splitlines()[0]) from None
            raise


def _flatten_run(run: RunInfo) -> dict[str, Any]:
    return {
        "id": run.id,
        "version": run.version,
        "kind": run.kind,
        "created_at": run.created_at,
        "author": run.author,
        "seed": run.seed,
        "mc_paths": run.mc_paths,
        "scenario_count": run.scenario_count,
        "stress_set": run.stress_set,
        "stress_sha256": run.stress_sha256,
        "dabs": run.software.get("dabs"),
        "git_commit": run.software.get("git_commit"),
        "deal_sha256": run.deal_sha256,
        "tape_sha256": run.tape_sha256,
        "total_s": run.timings.get("total_s"),
        "measures_format": run.measures_format,
    }


def default_key(deal_path_or_name: str | Path) -> str:
    """Library key for a deal given by path or example name.

    An example's name; else the file name without ``.json``, or the folder's name when the
    file is called ``deal.json`` (the shipped layout ``NAME/deal.json``).

    Examples
    --------
    >>> default_key("qingdao-pure"), default_key("/x/my-deal/deal.json"), default_key("b.json")
    ('qingdao-pure', 'my-deal', 'b')
    """
    from abs.examples import EXAMPLES

    text = str(deal_path_or_name)
    if text in EXAMPLES:
        return text
    path = Path(text)
    if path.stem.lower() == "deal" and path.resolve().parent.name:
        return path.resolve().parent.name
    return path.stem


def versions_frame(versions: Sequence[VersionInfo]) -> pd.DataFrame:
    """Versions as a DataFrame (money in 万元)."""
    return RecordList(list(versions)).to_frame()
