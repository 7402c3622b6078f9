"""LiteLLM callback: after each call, forward LiteLLM's StandardLoggingPayload to Tollgate
(POST /v1/outcomes). Tollgate reads model, tokens, cost, status and tool-call names from it, so the
payload is translated in one place, for this callback and LiteLLM's generic webhook alike."""

import json
import logging
from typing import Any

from litellm.integrations.custom_logger import CustomLogger

from tollgate_litellm.client import client
from tollgate_litellm.settings import settings

log = logging.getLogger("tollgate_litellm")

# Tollgate never reads the prompt; leaving it out keeps reports small and prompts out of Tollgate.
UNREAD_FIELDS = ("messages",)


class OutcomeLogger(CustomLogger):
    async def async_log_success_event(self, kwargs, response_obj, start_time, end_time):
        await self.report(payload(kwargs))

    async def async_log_failure_event(self, kwargs, response_obj, start_time, end_time):
        await self.report(payload(kwargs))

    async def report(self, doc: dict[str, Any] | None) -> None:
        """Best effort: a lost report must never fail the call it describes."""
        token = settings().hook_token
        if doc is None or token is None:
            return
        decision_id = doc["metadata"]["user_api_key_auth_metadata"]["tollgate_decision_id"]
        try:
            response = await client().post(
                "/v1/outcomes",
                # default=str: the payload may carry values json cannot encode (datetimes in hidden params).
                content=json.dumps(doc, default=str),
                headers={"x-tollgate-hook-token": token, "content-type": "application/json"},
            )
            if response.status_code != 200:
                log.warning("Tollgate refused outcome %s: HTTP %s", decision_id, response.status_code)
        except Exception as err:  # noqa: BLE001 - logging callbacks must not raise into LiteLLM
            log.warning("could not report outcome %s to Tollgate: %s", decision_id, err)


def payload(kwargs: dict) -> dict[str, Any] | None:
    """The call's StandardLoggingPayload; None for calls Tollgate did not authorise (no decision id)."""
    slo = kwargs.get("standard_logging_object")
    if not isinstance(slo, dict):
        return None
    key_metadata = (slo.get("metadata") or {}).get("user_api_key_auth_metadata") or {}
    if not key_metadata.get("tollgate_decision_id"):
        return None
    return {k: v for k, v in slo.items() if k not in UNREAD_FIELDS}


outcome_logger = OutcomeLogger()
