"""Plain SQL and a compiled query against the ORM for the two queries every request pays: the
token lookup and the membership role.

    python -m bench.raw_sql [--database sqlite|postgres] [--calls 20000] [--rounds 5]

Both queries run on every authenticated request (the role on every request under
/orgs/{org_id}/): the token lookup is written as plain SQL, the role as a ``CompiledQuery``
(adapters/platform/persistence/compiled.py: built with the ORM, compiled once); this script
keeps those choices honest. It times, interleaved round by round in one process, each lookup
written each way against the same rows, and prints microseconds per call and the ratio to plain
SQL (>1: plain SQL is faster). Every version asks for the same columns (``values_list``), so
the difference is the ORM's query building and result handling, not the data fetched.
"""

from __future__ import annotations

import argparse
import os
import secrets
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent


def configure(database: str) -> None:
    sys.path.insert(0, str(ROOT))
    os.environ["DJANGO_SETTINGS_MODULE"] = "src.settings.test"
    if database == "postgres":
        os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/postgres")
    else:
        os.environ.pop("DATABASE_URL", None)
        os.environ["SQLITE_PATH"] = str(Path(tempfile.mkdtemp()) / "raw_sql.sqlite3")
    import django

    django.setup()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--database", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--calls", type=int, default=20_000)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    configure(args.database)

    from django.db import connection
    from django.test.utils import setup_test_environment
    from knox.models import AuthToken
    from knox.settings import CONSTANTS

    from adapters.identity.authentication import _token_sql
    from adapters.identity.models import User
    from adapters.organizations import models as organization_models
    from adapters.organizations.repositories import ROLE

    role_table = organization_models.Membership._meta.db_table
    role_sql_text = f"SELECT role FROM {role_table} WHERE organization_id = %s AND user_id = %s"  # noqa: S608  (a constant table name)

    setup_test_environment()
    test_database = connection.creation.create_test_db(verbosity=0)
    try:
        user = User.objects.create_user(f"{secrets.token_hex(4)}@bench.example", "x" * 20)
        organization = organization_models.Organization.objects.create(name="Bench")
        organization_models.Membership.objects.create(
            organization=organization, user=user, role="admin"
        )
        _, token = AuthToken.objects.create(user=user, expiry=None)
        key = token[: CONSTANTS.TOKEN_KEY_LENGTH]
        organization_id, user_id = organization.pk, user.pk

        def token_sql() -> list[Any]:
            with connection.cursor() as cursor:
                cursor.execute(_token_sql(), [key])
                rows: list[Any] = cursor.fetchall()
                return rows

        def token_orm() -> list[Any]:
            return list(
                AuthToken.objects.filter(token_key=key).values_list(
                    "digest",
                    "expiry",
                    "user_id",
                    "user__email",
                    "user__is_active",
                    "user__is_staff",
                )
            )

        def role_sql() -> object:
            with connection.cursor() as cursor:
                cursor.execute(role_sql_text, [organization_id, user_id])
                return cursor.fetchone()

        def role_compiled() -> object:
            return ROLE.rows({"organization_id": organization_id, "user_id": user_id})

        def role_orm() -> object:
            return (
                organization_models.Membership.objects.filter(
                    organization_id=organization_id, user_id=user_id
                )
                .values_list("role", flat=True)
                .first()
            )

        # The same rows either way (the raw expiry is the driver's: text on SQLite).
        if not len(token_sql()) == len(token_orm()) == 1 or role_sql() != ("admin",):
            raise SystemExit("the two ways disagree: fix the benchmark first")
        if role_orm() != "admin" or role_compiled() != [("admin",)]:
            raise SystemExit("the two ways disagree: fix the benchmark first")
        candidates: dict[str, Callable[[], object]] = {
            "token, plain SQL": token_sql,
            "token, ORM": token_orm,
            "role, plain SQL": role_sql,
            "role, compiled": role_compiled,
            "role, ORM": role_orm,
        }
        timings: dict[str, list[float]] = {name: [] for name in candidates}
        for _ in range(args.rounds):
            for name, call in candidates.items():
                started = time.perf_counter()
                for _ in range(args.calls):
                    call()
                timings[name].append((time.perf_counter() - started) / args.calls * 1e6)
    finally:
        connection.creation.destroy_test_db(test_database, verbosity=0)

    report(args.database, args.calls, args.rounds, timings)


def report(database: str, calls: int, rounds: int, timings: dict[str, list[float]]) -> None:
    best = {name: min(values) for name, values in timings.items()}
    print(f"{database}, {calls} calls x {rounds} rounds (best round, median)")
    for name, values in timings.items():
        print(f"  {name:18} {best[name]:7.1f} us  (median {statistics.median(values):.1f})")
    for what in ("token, ORM", "role, compiled", "role, ORM"):
        ratio = best[what] / best[f"{what.split(',')[0]}, plain SQL"]
        print(f"  {what} / plain SQL = {ratio:.2f}x")


if __name__ == "__main__":
    main()
