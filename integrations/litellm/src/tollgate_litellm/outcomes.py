"""LiteLLM callback: after each call, tell Tollgate what happened (POST /v1/outcomes)."""

import logging
from datetime import datetime
from typing import Any

from litellm.integrations.custom_logger import CustomLogger

from tollgate_litellm.client import client
from tollgate_litellm.settings import settings

log = logging.getLogger("tollgate_litellm")

MAX_ERROR_CHARS = 500


class OutcomeLogger(CustomLogger):
    """Reports model, provider, tokens, cost, tool-call names (never arguments), status and streaming."""

    async def async_log_success_event(self, kwargs, response_obj, start_time, end_time):
        await self.report(outcome(kwargs, response_obj, start_time, end_time, failed=False))

    async def async_log_failure_event(self, kwargs, response_obj, start_time, end_time):
        await self.report(outcome(kwargs, response_obj, start_time, end_time, failed=True))

    async def report(self, doc: dict[str, Any] | None) -> None:
        """Best effort: a lost report must never fail the call it describes."""
        token = settings().hook_token
        if doc is None or token is None:
            return
        try:
            response = await client().post("/v1/outcomes", json=doc, headers={"x-tollgate-hook-token": token})
            if response.status_code != 200:
                log.warning("Tollgate refused outcome %s: HTTP %s", doc["decision_id"], response.status_code)
        except Exception as err:  # noqa: BLE001 - logging callbacks must not raise into LiteLLM
            log.warning("could not report outcome %s to Tollgate: %s", doc["decision_id"], err)


def outcome(kwargs: dict, response_obj: Any, start_time: Any, end_time: Any, failed: bool) -> dict[str, Any] | None:
    """Tollgate's outcome shape; None for calls Tollgate did not authorise (no decision id)."""
    slo = kwargs.get("standard_logging_object") or {}
    slo_metadata = slo.get("metadata") or {}
    call_metadata = (kwargs.get("litellm_params") or {}).get("metadata") or {}
    key_metadata = slo_metadata.get("user_api_key_auth_metadata") or call_metadata.get("user_api_key_metadata") or {}
    decision_id = key_metadata.get("tollgate_decision_id")
    if not decision_id:
        return None
    response = slo.get("response") if isinstance(slo.get("response"), dict) else as_dict(response_obj)
    error = slo.get("error_str") or (str(kwargs.get("exception")) if kwargs.get("exception") else None)
    return {
        "decision_id": decision_id,
        "call_id": slo.get("id") or kwargs.get("litellm_call_id"),
        "model": slo.get("model") or kwargs.get("model"),
        "model_group": slo.get("model_group"),
        "provider": slo.get("custom_llm_provider") or (kwargs.get("litellm_params") or {}).get("custom_llm_provider"),
        "status": "failure" if failed else "success",
        "error": error[:MAX_ERROR_CHARS] if failed and error else None,
        "usage": {
            "prompt_tokens": slo.get("prompt_tokens") or 0,
            "completion_tokens": slo.get("completion_tokens") or 0,
            "total_tokens": slo.get("total_tokens") or 0,
        },
        "cost_usd": slo.get("response_cost") if slo.get("response_cost") is not None else kwargs.get("response_cost"),
        "tool_calls": tool_call_names(response),
        "stream": bool(kwargs.get("stream") or slo.get("stream")),
        "duration_ms": duration_ms(start_time, end_time),
        "subject": slo_metadata.get("user_api_key_user_id") or call_metadata.get("user_api_key_user_id"),
        "principal_id": key_metadata.get("tollgate_principal_id"),
    }


def tool_call_names(response: dict[str, Any]) -> list[str]:
    """Names from an OpenAI chat completion or a Responses API result; arguments are left out on purpose."""
    names = []
    for choice in response.get("choices") or []:
        for call in ((choice or {}).get("message") or {}).get("tool_calls") or []:
            name = ((call or {}).get("function") or {}).get("name")
            if name:
                names.append(name)
    for item in response.get("output") or []:
        if isinstance(item, dict) and item.get("type") == "function_call" and item.get("name"):
            names.append(item["name"])
    return names


def as_dict(obj: Any) -> dict[str, Any]:
    if isinstance(obj, dict):
        return obj
    dump = getattr(obj, "model_dump", None)
    return dump() if callable(dump) else {}


def duration_ms(start: Any, end: Any) -> float | None:
    if isinstance(start, datetime) and isinstance(end, datetime):
        return round((end - start).total_seconds() * 1000, 3)
    return None


outcome_logger = OutcomeLogger()
