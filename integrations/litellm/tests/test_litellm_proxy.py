"""End to end through the real LiteLLM proxy: tollgate_litellm decides every call with Tollgate and
reports what the model then did; Tollgate's stdout audit log must link the two."""

import json

import httpx

from conftest import HOOK_TOKEN, MASTER_KEY
from processes import wait_until

WEATHER_TOOL = {"type": "function", "function": {"name": "get_weather", "parameters": {"type": "object", "properties": {"city": {"type": "string"}}}}}


def chat(litellm, key: str | None, model: str, **extra) -> httpx.Response:
    headers = {"authorization": f"Bearer {key}"} if key else {}
    body = {"model": model, "messages": [{"role": "user", "content": "weather in Paris?"}], **extra}
    return httpx.post(f"{litellm.url}/v1/chat/completions", json=body, headers=headers, timeout=30)


def last_decision(tollgate, before: int) -> dict:
    decisions = wait_until(lambda: tollgate.records("decision")[before:], 10, "a decision record")
    assert len(decisions) == 1, decisions
    return decisions[0]


def outcome_for(tollgate, decision_id: str) -> dict:
    return wait_until(lambda: next((r for r in tollgate.records("outcome") if r["decision_id"] == decision_id), None), 15, f"outcome of {decision_id}")


def test_allowed_key_gets_a_completion(tollgate, litellm):
    before = len(tollgate.records("decision"))
    res = chat(litellm, tollgate.keys["svc-a"]["key"], "gpt-4o-mini")
    assert res.status_code == 200, res.text
    assert res.json()["choices"][0]["message"]["content"] == "hello from the mock upstream"
    decision = last_decision(tollgate, before)
    assert decision["result"] == "allow" and decision["subject"] == "svc-a" and decision["model"] == "gpt-4o-mini"
    outcome = outcome_for(tollgate, decision["decision_id"])
    assert outcome["subject"] == "svc-a" and outcome["total_tokens"] == 18 and outcome["status"] == "success"


def test_model_the_key_may_not_use_is_403_with_tollgate_reason(tollgate, litellm):
    res = chat(litellm, tollgate.keys["svc-a"]["key"], "gpt-4o")
    assert res.status_code == 403, res.text
    error = res.json()["error"]
    assert error["type"] == "model_not_allowed" and error["code"] == "403"
    assert res.headers["x-tollgate-decision-id"] in error["message"]


def test_a_request_limit_is_litellms_own_429_with_retry_after_and_rate_limit_headers(tollgate, litellm):
    key = tollgate.keys["svc-limited"]["key"]
    # rpm 2: the third call in a minute is refused (a fourth and fifth cover a minute turning mid-test).
    answers = []
    for _ in range(5):
        answers.append(chat(litellm, key, "gpt-4o-mini"))
        if answers[-1].status_code != 200:
            break
    denied = answers[-1]
    assert denied.status_code == 429, denied.text
    assert denied.json()["error"]["type"] == "requests_limit_exceeded"
    assert int(denied.headers["retry-after"]) >= 1
    assert denied.headers["x-ratelimit-limit-requests"] == "2" and denied.headers["x-ratelimit-remaining-requests"] == "0"


def test_every_model_litellm_would_run_must_be_granted(tollgate, litellm):
    """LiteLLM runs each name of a comma-separated model and the fallbacks; a key granted gpt-4o-mini gets none of gpt-4o."""
    key = tollgate.keys["svc-a"]["key"]
    for model, extra in (("gpt-4o-mini,gpt-4o", {}), ("gpt-4o-mini", {"fallbacks": ["gpt-4o"]}), ("gpt-4o-mini", {"context_window_fallbacks": [{"gpt-4o-mini": ["gpt-4o"]}]})):
        res = chat(litellm, key, model, **extra)
        assert res.status_code == 403, (extra, res.text)
        assert res.json()["error"]["type"] == "model_not_allowed"


def test_unknown_routes_and_admin_api_are_denied(tollgate, litellm):
    key = tollgate.keys["svc-a"]["key"]
    res = httpx.post(f"{litellm.url}/engines/gpt-4o/chat/completions", json={"messages": []}, headers={"authorization": f"Bearer {key}"}, timeout=30)
    assert res.status_code == 403, res.text
    assert res.json()["error"]["type"] == "model_not_allowed"
    res = httpx.post(f"{litellm.url}/key/generate", json={"models": ["gpt-4o"]}, headers={"authorization": f"Bearer {key}"}, timeout=30)
    assert res.status_code == 403, res.text
    assert res.json()["error"]["type"] == "endpoint_unknown"


def test_no_key_is_401(tollgate, litellm):
    res = chat(litellm, None, "gpt-4o-mini")
    assert res.status_code == 401, res.text
    assert res.json()["error"]["type"] == "unauthenticated"


def test_tool_call_shows_up_in_outcome_with_caller_and_decision(tollgate, litellm, upstream):
    before = len(tollgate.records("decision"))
    res = chat(litellm, tollgate.keys["svc-a"]["key"], "gpt-4o-mini", tools=[WEATHER_TOOL])
    assert res.status_code == 200, res.text
    assert res.json()["choices"][0]["message"]["tool_calls"][0]["function"]["name"] == "get_weather"
    decision = last_decision(tollgate, before)
    outcome = outcome_for(tollgate, decision["decision_id"])
    assert outcome["tool_calls"] == ["get_weather"]
    assert outcome["decision_known"] is True
    assert (outcome["subject"], outcome["key_id"], outcome["credential"]) == ("svc-a", tollgate.keys["svc-a"]["id"], "api_key")
    assert outcome["model_group"] == "gpt-4o-mini" and outcome["model"].endswith("gpt-4o-mini") and outcome["provider"] == "openai"
    assert outcome["stream"] is False
    assert (outcome["prompt_tokens"], outcome["completion_tokens"]) == (11, 7)
    # The caller's key never reaches the model provider, nor any log line.
    assert upstream.requests[-1]["headers"].get("authorization") == "Bearer mock-upstream-key"
    assert tollgate.keys["svc-a"]["key"] not in tollgate.output()
    assert tollgate.keys["svc-a"]["key"] not in litellm.output()


def test_anthropic_tool_use_shows_up_in_outcome(tollgate, litellm):
    """LiteLLM's Anthropic /v1/messages logs the Anthropic message (tool_use blocks); Tollgate reads the names."""
    before = len(tollgate.records("decision"))
    tool = {"name": "get_weather", "input_schema": WEATHER_TOOL["function"]["parameters"]}
    res = httpx.post(
        f"{litellm.url}/v1/messages", timeout=30, headers={"authorization": f"Bearer {tollgate.keys['svc-a']['key']}"},
        json={"model": "claude-sonnet-4-5", "max_tokens": 64, "tools": [tool], "messages": [{"role": "user", "content": "weather in Paris?"}]},
    )
    assert res.status_code == 200, res.text
    assert res.json()["content"][0] == {"type": "tool_use", "id": "toolu_1", "name": "get_weather", "input": {"city": "Paris"}}
    decision = last_decision(tollgate, before)
    assert decision["model"] == "claude-sonnet-4-5"
    outcome = outcome_for(tollgate, decision["decision_id"])
    assert outcome["tool_calls"] == ["get_weather"] and outcome["provider"] == "anthropic"
    assert (outcome["subject"], outcome["status"], outcome["total_tokens"]) == ("svc-a", "success", 18)


def test_streaming_works_and_produces_an_outcome(tollgate, litellm):
    before = len(tollgate.records("decision"))
    with httpx.stream(
        "POST", f"{litellm.url}/v1/chat/completions", timeout=30,
        headers={"authorization": f"Bearer {tollgate.keys['svc-b']['key']}"},
        json={"model": "gpt-4o", "stream": True, "messages": [{"role": "user", "content": "hi"}]},
    ) as res:
        assert res.status_code == 200
        events = [line[6:] for line in res.iter_lines() if line.startswith("data: ")]
    assert events[-1] == "[DONE]"
    text = "".join((json.loads(e)["choices"] or [{}])[0].get("delta", {}).get("content") or "" for e in events[:-1])
    assert text == "hello streamed"
    decision = last_decision(tollgate, before)
    outcome = outcome_for(tollgate, decision["decision_id"])
    assert outcome["stream"] is True and outcome["subject"] == "svc-b" and outcome["status"] == "success"
    assert outcome["total_tokens"] > 0


def test_generic_webhook_payload_links_to_the_same_decision(tollgate, litellm, upstream):
    """LiteLLM's no-code generic webhook (a StandardLoggingPayload array), captured and replayed to Tollgate:
    it names the same decision the callback already reported, so Tollgate counts it as a duplicate."""
    before = len(tollgate.records("decision"))
    assert chat(litellm, tollgate.keys["svc-a"]["key"], "gpt-4o-mini", tools=[WEATHER_TOOL]).status_code == 200
    decision_id = last_decision(tollgate, before)["decision_id"]
    outcome_for(tollgate, decision_id)

    def captured():
        return next((batch for batch in upstream.webhook_batches if decision_id in json.dumps(batch)), None)

    batch = wait_until(captured, 20, "the generic webhook batch")
    url = f"{tollgate.url}/v1/outcomes"
    assert httpx.post(url, json=batch, headers={"x-tollgate-hook-token": "wrong-token-0123456789"}).status_code == 401
    res = httpx.post(url, json=batch, headers={"x-tollgate-hook-token": HOOK_TOKEN})
    assert res.status_code == 200, res.text
    assert res.json()["duplicate"] >= 1
    assert len([r for r in tollgate.records("outcome") if r["decision_id"] == decision_id]) == 1


def test_litellm_master_key_is_still_decided_by_tollgate(tollgate, litellm):
    """Custom auth runs before LiteLLM's master-key check, so its master key is just an unknown credential."""
    res = chat(litellm, MASTER_KEY, "gpt-4o-mini")
    assert res.status_code == 401, res.text
    assert res.json()["error"]["type"] == "credential_invalid"
