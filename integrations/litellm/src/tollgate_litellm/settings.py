"""The hook's settings, read once from the LiteLLM proxy's environment."""

import functools
import os
from dataclasses import dataclass


@dataclass(frozen=True)
class Settings:
    url: str
    hook_token: str | None
    fail_open: bool
    timeout_s: float


@functools.cache
def settings() -> Settings:
    return Settings(
        url=os.environ.get("TOLLGATE_URL", "http://127.0.0.1:8181").rstrip("/"),
        hook_token=os.environ.get("TOLLGATE_HOOK_TOKEN") or None,
        # Fail closed unless told otherwise: an unreachable Tollgate denies every call.
        fail_open=os.environ.get("TOLLGATE_FAIL_OPEN", "false").strip().lower() in ("1", "true", "yes"),
        timeout_s=int(os.environ.get("TOLLGATE_TIMEOUT_MS", "1000")) / 1000,
    )
