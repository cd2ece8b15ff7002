"""`POST /sessions`: a private API key and secret for a JWT (reference §2)."""

from typing import Any

from fastapi import APIRouter

from ..auth import Accounts, Tokens
from ..errors import BadRequest, TooManyRequests
from ..models import Session, SessionInput
from ..ratelimit import SlidingWindowLimiter
from ..stats import Stats


def sessions_router(
    accounts: Accounts, tokens: Tokens, limiter: SlidingWindowLimiter | None, stats: Stats
) -> APIRouter:
    """Routes of `/sessions`."""
    router = APIRouter(tags=["sessions"])

    @router.post("/sessions", status_code=201, responses={201: {"model": Session}})
    def create_session(body: SessionInput) -> Any:
        # An e-mail session fails like bad credentials (A1: 400): the emulator has no users.
        organizations = accounts.login(body.key, body.secret) if body.type == "api-key" else []
        if not organizations:
            raise BadRequest("Invalid authentication information")
        if limiter is not None:  # sessions count against the organization's budget too
            decision = limiter.acquire(organizations[0])
            if not decision.allowed:
                stats.fault("rate_limited")
                raise TooManyRequests(
                    "Too many requests: rate limit exceeded", headers=decision.headers()
                )
        return {
            "access_token": tokens.mint(body.key, organizations),
            "type": body.type,
            "key": body.key,
        }

    return router
