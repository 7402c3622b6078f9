package tollgate.limits_test

import data.tollgate.authz

caller := {"authenticated": true, "method": "api_key", "id": "api_key:svc-a", "subject": "svc-a", "models": ["*"], "scopes": [], "groups": []}

chat(models) := {"endpoint_known": true, "api": "openai", "operation": "chat.completions", "model_call": true, "model": models[0], "models": models, "model_unknown": false}

over(kind) := {"admitted": false, "exceeded": {"name": "credential.x", "kind": kind, "limit": 10, "period": "1m", "retry_after_s": 5}, "applied": []}

fits := {"admitted": true, "exceeded": null, "applied": []}

exempt := {"subjects": ["api_key:admin"], "models": ["local/*"]}

test_a_call_that_fits_is_allowed if {
	authz.decision.allow with input as {"identity": caller, "llm": chat(["gpt-4o"]), "delegation": null, "limits": fits}
}

test_no_limits_document_is_allowed if {
	authz.decision.allow with input as {"identity": caller, "llm": chat(["gpt-4o"]), "delegation": null}
}

test_requests_and_tokens_over_the_limit_are_429_with_their_own_reason if {
	authz.decision == {"allow": false, "status": 429, "reason": "requests_limit_exceeded"} with input as {"identity": caller, "llm": chat(["gpt-4o"]), "delegation": null, "limits": over("requests")}
	authz.decision == {"allow": false, "status": 429, "reason": "tokens_limit_exceeded"} with input as {"identity": caller, "llm": chat(["gpt-4o"]), "delegation": null, "limits": over("tokens")}
}

test_a_model_not_granted_is_403_before_any_limit if {
	authz.decision.reason == "model_not_allowed" with input as {"identity": object.union(caller, {"models": ["gpt-4o"]}), "llm": chat(["o1"]), "delegation": null, "limits": over("tokens")}
}

test_exempt_subject_is_allowed_over_its_limit if {
	authz.decision.allow with input as {"identity": object.union(caller, {"id": "api_key:admin"}), "llm": chat(["gpt-4o"]), "delegation": null, "limits": over("tokens")}
		with data.tollgate.limit_exempt as exempt
}

test_exempt_models_only_when_every_model_of_the_call_is_exempt if {
	authz.decision.allow with input as {"identity": caller, "llm": chat(["local/llama"]), "delegation": null, "limits": over("tokens")}
		with data.tollgate.limit_exempt as exempt
	authz.decision.reason == "tokens_limit_exceeded" with input as {"identity": caller, "llm": chat(["local/llama", "gpt-4o"]), "delegation": null, "limits": over("tokens")}
		with data.tollgate.limit_exempt as exempt
}
