"""Reviewer accounts, signed-in sessions and claims on review items, over the queue's database.

Passwords are kept only as argon2 hashes. A session is a random token in an HttpOnly cookie, stored
as its SHA-256 with its own CSRF token. A claim lets one reviewer work an item for a while; it
expires by itself, so an item a reviewer walked away from becomes free again.
"""

from __future__ import annotations

import hashlib
import secrets
import string
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from argon2 import PasswordHasher
from argon2.exceptions import VerificationError
from sqlalchemy import Engine, delete, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from docnorm.schemas.errors import ConfigError
from docnorm.sinks.database import as_utc
from docnorm.sinks.reviewers import ReviewClaim, Reviewer, ReviewSession, SignInFailure

_HASHER = PasswordHasher()
_NAME = set(string.ascii_letters + string.digits + "._-@")
SESSION_HOURS = 12
CLAIM_MINUTES = 15
MIN_PASSWORD = 12


def generate_password() -> str:
    """A password to print once: 20 characters from a cryptographic source."""
    return secrets.token_urlsafe(15)


def add_reviewer(engine: Engine, name: str, password: str) -> None:
    """Create the account ``name``; ConfigError for a bad name, a short password or a taken name."""
    if not name or len(name) > 128 or not set(name) <= _NAME:
        raise ConfigError("a reviewer name is 1-128 letters, digits, '.', '_', '-' or '@'")
    if len(password) < MIN_PASSWORD:
        raise ConfigError(f"a password has at least {MIN_PASSWORD} characters")
    try:
        with Session(engine) as session, session.begin():
            session.add(Reviewer(name=name, password_hash=_HASHER.hash(password), created_at=datetime.now(UTC)))
    except IntegrityError:
        raise ConfigError(f"reviewer {name!r} already exists") from None


def verify(engine: Engine, name: str, password: str) -> bool:
    """Whether ``password`` is ``name``'s (the same time is spent when there is no such reviewer)."""
    with Session(engine) as session:
        reviewer = session.get(Reviewer, name)
    stored = reviewer.password_hash if reviewer is not None else _DUMMY
    try:
        _HASHER.verify(stored, password)
    except VerificationError:
        return False
    return reviewer is not None


_DUMMY = _HASHER.hash("not a password anyone has")


@dataclass(frozen=True)
class SignedIn:
    """The reviewer behind a session cookie, and the session's CSRF token."""

    reviewer: str
    csrf: str


def open_session(engine: Engine, reviewer: str) -> str:
    """A new session for ``reviewer``; returns the cookie token (stored only as its hash)."""
    token = secrets.token_urlsafe(32)
    with Session(engine) as session, session.begin():
        session.add(ReviewSession(token_hash=_digest(token), reviewer=reviewer, csrf=secrets.token_urlsafe(32),
                                  expires_at=datetime.now(UTC) + timedelta(hours=SESSION_HOURS)))  # fmt: skip
    return token


def signed_in(engine: Engine, token: str | None) -> SignedIn | None:
    """The session of ``token`` if it exists and has not expired."""
    if not token:
        return None
    with Session(engine) as session:
        found = session.get(ReviewSession, _digest(token))
    if found is None or as_utc(found.expires_at) < datetime.now(UTC):
        return None
    return SignedIn(found.reviewer, found.csrf)


def close_session(engine: Engine, token: str | None) -> None:
    """Sign the session out."""
    if token:
        with Session(engine) as session, session.begin():
            session.execute(delete(ReviewSession).where(ReviewSession.token_hash == _digest(token)))


@dataclass(frozen=True)
class Claim:
    """Who holds an item and until when; ``mine`` when it is the asking reviewer."""

    holder: str
    expires_at: datetime
    mine: bool


def claim(engine: Engine, item_id: int, reviewer: str, minutes: int = CLAIM_MINUTES) -> Claim:
    """Claim ``item_id`` for ``reviewer`` (or renew their claim) unless another reviewer holds it."""
    now = datetime.now(UTC)
    with Session(engine) as session, session.begin():
        held = session.scalars(select(ReviewClaim).where(ReviewClaim.item_id == item_id).with_for_update()).first()
        if held is not None and held.reviewer != reviewer and as_utc(held.expires_at) > now:
            return Claim(held.reviewer, as_utc(held.expires_at), mine=False)
        if held is None:
            held = ReviewClaim(item_id=item_id, reviewer=reviewer, claimed_at=now, expires_at=now)
            session.add(held)
        held.reviewer, held.expires_at = reviewer, now + timedelta(minutes=minutes)
        try:
            session.flush()
        except IntegrityError:  # another reviewer's claim landed first
            session.rollback()
            return claim(engine, item_id, reviewer, minutes)
        return Claim(reviewer, held.expires_at, mine=True)


def holder(engine: Engine, item_id: int) -> Claim | None:
    """The live claim on ``item_id``, if any (``mine`` is False: nobody asked)."""
    with Session(engine) as session:
        held = session.get(ReviewClaim, item_id)
    if held is None or as_utc(held.expires_at) < datetime.now(UTC):
        return None
    return Claim(held.reviewer, as_utc(held.expires_at), mine=False)


def claims(engine: Engine) -> dict[int, str]:
    """Live claims: item id → reviewer."""
    now = datetime.now(UTC)
    with Session(engine) as session:
        return {c.item_id: c.reviewer for c in session.scalars(select(ReviewClaim)) if as_utc(c.expires_at) > now}


def release(engine: Engine, item_id: int, reviewer: str) -> None:
    """Drop ``reviewer``'s claim on ``item_id`` (after they resolved it)."""
    with Session(engine) as session, session.begin():
        session.execute(delete(ReviewClaim).where(ReviewClaim.item_id == item_id, ReviewClaim.reviewer == reviewer))


def sign_in_blocked(engine: Engine, name: str, address: str, limit: int, window_seconds: float) -> bool:
    """Whether ``name`` from ``address`` failed ``limit`` times within the window (every process counts)."""
    since = datetime.now(UTC) - timedelta(seconds=window_seconds)
    with Session(engine) as session:
        failures = session.scalars(
            select(SignInFailure.at).where(SignInFailure.name == name, SignInFailure.address == address)
        ).all()
    return sum(1 for at in failures if as_utc(at) >= since) >= limit


def sign_in_failed(engine: Engine, name: str, address: str, window_seconds: float) -> None:
    """Count one failure of ``name`` from ``address``; failures older than the window are dropped."""
    now = datetime.now(UTC)
    with Session(engine) as session, session.begin():
        session.add(SignInFailure(name=name[:128], address=address[:64], at=now))
        stale = [f for f in session.scalars(select(SignInFailure).where(SignInFailure.name == name))
                 if as_utc(f.at) < now - timedelta(seconds=window_seconds)]  # fmt: skip
        for failure in stale:
            session.delete(failure)


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()
