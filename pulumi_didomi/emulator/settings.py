"""How an emulator instance behaves: credentials, token lifetime, rate limit, faults."""

from __future__ import annotations

from dataclasses import dataclass, field

from pydantic import BaseModel, Field

from pulumi_didomi.limits import DIDOMI_RATE_LIMIT


@dataclass(frozen=True)
class Credential:
    """A private API key of one organization."""

    organization_id: str
    key: str
    secret: str

    @classmethod
    def parse(cls, text: str) -> Credential:
        """Parse `ORG:KEY:SECRET`."""
        parts = text.split(":", 2)
        if len(parts) != 3 or not all(parts):
            raise ValueError(f"credential must be ORG:KEY:SECRET, got {text.split(':')[0]}:…")
        return cls(*parts)


DEMO_CREDENTIAL = Credential("demo-org", "demo-key", "demo-secret")


class FaultSettings(BaseModel):
    """Fault injection; probabilities are per request, on the routes selected by `routes`."""

    error_rate: float = Field(0.0, ge=0, le=1, description="probability of a 502/503/504")
    rate_limit_rate: float = Field(0.0, ge=0, le=1, description="probability of a 429")
    drop_rate: float = Field(
        0.0, ge=0, le=1, description="probability of closing the connection with no response"
    )
    latency_ms: float = Field(0.0, ge=0, description="extra latency added to every request")
    commit_then_fail_routes: list[str] = Field(
        default_factory=list,
        description="routes ('METHOD /path/template') whose writes commit, then answer 502",
    )
    commit_then_fail_rate: float = Field(1.0, ge=0, le=1)
    routes: list[str] | None = Field(
        None, description="routes the random faults apply to ('METHOD /template'); default all"
    )


@dataclass
class EmulatorSettings:
    """How an emulator instance behaves."""

    db: str = ":memory:"
    credentials: list[Credential] = field(default_factory=lambda: [DEMO_CREDENTIAL])
    token_ttl: float = 3600.0
    #: (requests, seconds) per organization; None turns the limit off.
    rate_limit: tuple[int, float] | None = DIDOMI_RATE_LIMIT
    deploy_seconds: float = 1.0
    faults: FaultSettings = field(default_factory=FaultSettings)
    seed: int | None = None
