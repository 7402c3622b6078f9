"""LiteLLM custom auth: every proxy request is decided by Tollgate's native API (POST /v1/authorize)."""

import json
import logging
from typing import Any

import httpx
from fastapi import Request
from litellm.proxy._types import ProxyException, UserAPIKeyAuth
from litellm.proxy.common_utils.http_parsing_utils import _read_request_body

from tollgate_litellm.client import client
from tollgate_litellm.settings import settings

log = logging.getLogger("tollgate_litellm")

# LiteLLM rate limits a policy may set in its decision's dynamic_metadata.litellm; LiteLLM enforces them.
RATE_LIMIT_FIELDS = ("rpm_limit", "tpm_limit", "max_parallel_requests")


async def user_api_key_auth(request: Request, api_key: str) -> UserAPIKeyAuth:
    """general_settings.custom_auth. Allow -> UserAPIKeyAuth; deny -> ProxyException with Tollgate's status."""
    try:
        response = await client().post("/v1/authorize", json=await authorize_request(request))
        answer = response.json()
    except (httpx.HTTPError, ValueError) as err:
        return unavailable(f"{type(err).__name__}: {err}")
    if response.status_code != 200 or not isinstance(answer, dict) or not isinstance(answer.get("allow"), bool):
        # 400/413: Tollgate could not read the request (audited there); anything else is a failure.
        if 400 <= response.status_code < 500 and isinstance(answer, dict):
            error = answer.get("error") or {}
            raise ProxyException(str(error.get("message", "request rejected")), str(error.get("code", "request_malformed")), None, response.status_code)
        return unavailable(f"unexpected answer (HTTP {response.status_code})")
    if not answer["allow"]:
        raise denial(answer)
    return allowed(answer)


async def authorize_request(request: Request) -> dict[str, Any]:
    """Tollgate's native request: the caller's method, path, headers (credential included) and parsed body."""
    headers = {name: ", ".join(request.headers.getlist(name)) for name in request.headers.keys()}
    # LiteLLM gives x-litellm-api-key priority over Authorization; Tollgate reads the standard header.
    litellm_key = headers.pop("x-litellm-api-key", None)
    if litellm_key:
        headers["authorization"] = f"Bearer {litellm_key}"
    path = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    doc: dict[str, Any] = {"method": request.method, "path": path, "headers": headers}
    if request.method not in ("GET", "HEAD"):
        doc["body"] = await _read_request_body(request)  # the dict LiteLLM parsed and cached
    if request.client:
        doc["source"] = {"address": request.client.host}
    return doc


def allowed(answer: dict[str, Any]) -> UserAPIKeyAuth:
    identity = answer.get("identity") or {}
    subject = identity.get("subject")
    limits = ((answer.get("dynamic_metadata") or {}).get("litellm")) or {}
    return UserAPIKeyAuth(
        # A stable per-caller id for LiteLLM's per-key limits and logs (LiteLLM hashes it); never the caller's secret.
        api_key=f"tollgate:{identity.get('credential', 'none')}:{identity.get('key_id') or subject or 'anonymous'}",
        key_alias=identity.get("key_id"),
        user_id=subject,
        team_id=identity.get("tenant"),
        end_user_id=identity.get("on_behalf_of"),
        # Tollgate already decided with every grant (key, scopes, policy data); naming just the models it
        # authorised (fallbacks and comma lists included) keeps LiteLLM's post-auth model check consistent.
        models=list(answer.get("models") or []),
        metadata={
            "tollgate_decision_id": answer.get("decision_id"),
            "tollgate_subject": subject,
            # The namespaced identity (api_key:..., jwt:<issuer>#<sub>) usage is counted under on any replica.
            "tollgate_principal_id": identity.get("id"),
            "tollgate_key_id": identity.get("key_id"),
            "tollgate_credential": identity.get("credential"),
            "tollgate_policy_revision": answer.get("policy_revision"),
        },
        **{field: limits[field] for field in RATE_LIMIT_FIELDS if isinstance(limits.get(field), int)},
    )


def denial(answer: dict[str, Any]) -> ProxyException:
    decision_id = str(answer.get("decision_id", ""))
    reason = str(answer.get("reason", "denied"))
    message = f"denied by Tollgate: {reason}"
    try:
        message = json.loads(answer.get("body") or "{}")["error"]["message"]
    except (ValueError, KeyError, TypeError):
        pass
    headers = {str(k): str(v) for k, v in (answer.get("response_headers") or {}).items()}
    headers["x-tollgate-decision-id"] = decision_id
    return ProxyException(
        message=f"{message} (decision {decision_id})",
        type=reason,
        param=None,
        code=int(answer.get("status") or 403),
        headers=headers,
    )


def unavailable(detail: str) -> UserAPIKeyAuth:
    """Tollgate could not decide: deny (503), or let the call through unidentified when TOLLGATE_FAIL_OPEN=true."""
    if settings().fail_open:
        log.warning("Tollgate unavailable, failing open: %s", detail)
        return UserAPIKeyAuth(api_key="tollgate:fail-open", metadata={"tollgate_fail_open": True})
    log.error("Tollgate unavailable, denying: %s", detail)
    raise ProxyException(message="authorization service unavailable", type="tollgate_unavailable", param=None, code=503)
