package tollgate.authz_test

import data.tollgate.authz

key_caller := {"authenticated": true, "method": "api_key", "id": "api_key:svc-a", "subject": "svc-a", "models": ["gpt-4o*", "claude-3-5-*"], "scopes": [], "groups": []}

anonymous := {"authenticated": false, "method": "none", "subject": null, "models": [], "scopes": [], "groups": []}

chat(model) := chat_models([model])

chat_models(models) := {"endpoint_known": true, "api": "openai", "operation": "chat.completions", "model_call": true, "model": models[0], "models": models, "model_unknown": false}

unnamed_model := {"endpoint_known": true, "api": "openai", "operation": "batches", "model_call": true, "model": null, "models": [], "model_unknown": true}

models_list := {"endpoint_known": true, "api": "openai", "operation": "models.list", "model_call": false, "model": null, "models": [], "model_unknown": false}

unknown_endpoint := {"endpoint_known": false, "api": null, "operation": null, "model_call": false, "model": null, "models": [], "model_unknown": false}

test_unauthenticated_is_401 if {
	authz.decision == {"allow": false, "status": 401, "reason": "unauthenticated"} with input as {"identity": anonymous, "llm": chat("gpt-4o"), "delegation": null}
}

test_granted_model_allowed if {
	authz.decision.allow with input as {"identity": key_caller, "llm": chat("gpt-4o-mini"), "delegation": null}
}

test_glob_crosses_dots_and_slashes if {
	authz.decision.allow with input as {"identity": key_caller, "llm": chat("claude-3-5-sonnet-2024.10/22"), "delegation": null}
}

test_other_model_is_403 if {
	authz.decision == {"allow": false, "status": 403, "reason": "model_not_allowed"} with input as {"identity": key_caller, "llm": chat("o1-preview"), "delegation": null}
}

test_unnamed_model_is_403_unless_every_model_is_granted if {
	authz.decision == {"allow": false, "status": 403, "reason": "model_unknown"} with input as {"identity": key_caller, "llm": unnamed_model, "delegation": null}
	authz.decision.allow with input as {"identity": object.union(key_caller, {"models": ["*"]}), "llm": unnamed_model, "delegation": null}
}

test_every_named_model_must_be_granted if {
	authz.decision.allow with input as {"identity": key_caller, "llm": chat_models(["gpt-4o-mini", "claude-3-5-haiku"]), "delegation": null}
	authz.decision.reason == "model_not_allowed" with input as {"identity": key_caller, "llm": chat_models(["gpt-4o-mini", "o1"]), "delegation": null}
	authz.decision.reason == "model_not_allowed" with input as {"identity": key_caller, "llm": chat_models(["o1", "gpt-4o-mini"]), "delegation": null}
}

test_named_and_unnamed_models if {
	llm := object.union(chat_models(["gpt-4o-mini"]), {"model_unknown": true})
	authz.decision.reason == "model_unknown" with input as {"identity": key_caller, "llm": llm, "delegation": null}
	authz.decision.allow with input as {"identity": object.union(key_caller, {"models": ["*"]}), "llm": llm, "delegation": null}
}

test_unknown_endpoint_is_denied_to_every_caller if {
	authz.decision == {"allow": false, "status": 403, "reason": "endpoint_unknown"} with input as {"identity": object.union(key_caller, {"models": ["*"]}), "llm": unknown_endpoint, "delegation": null}
	authz.decision.reason == "unauthenticated" with input as {"identity": anonymous, "llm": unknown_endpoint, "delegation": null}
}

test_input_without_llm_facts_is_never_allowed if {
	not authz.decision.allow with input as {"identity": key_caller}
}

test_non_model_endpoint_allowed_for_any_caller if {
	authz.decision.allow with input as {"identity": object.union(key_caller, {"models": []}), "llm": models_list, "delegation": null}
}

test_non_model_endpoint_denied_to_anonymous if {
	not authz.decision.allow with input as {"identity": anonymous, "llm": models_list, "delegation": null}
}

test_scope_grants_model if {
	caller := object.union(key_caller, {"method": "jwt", "models": [], "scopes": ["openid", "model:gpt-4.1*"]})
	authz.decision.allow with input as {"identity": caller, "llm": chat("gpt-4.1-mini"), "delegation": null}
}

test_data_grants_model_to_subject if {
	caller := object.union(key_caller, {"models": []})
	authz.decision.allow with input as {"identity": caller, "llm": chat("mistral-large")}
		with data.tollgate.subjects as {"api_key:svc-a": {"models": ["mistral-*"]}}
}

test_subject_grants_are_namespaced_by_credential_and_issuer if {
	grants := {"api_key:svc-a": {"models": ["mistral-*"]}}
	same_name_jwt := object.union(key_caller, {"method": "jwt", "id": "jwt:https://other.example#svc-a", "models": []})
	same_name_peer := object.union(key_caller, {"method": "mtls", "id": "mtls:svc-a", "models": []})
	authz.decision.reason == "model_not_allowed" with input as {"identity": same_name_jwt, "llm": chat("mistral-large")}
		with data.tollgate.subjects as grants
	authz.decision.reason == "model_not_allowed" with input as {"identity": same_name_peer, "llm": chat("mistral-large")}
		with data.tollgate.subjects as grants
	authz.decision.reason == "model_not_allowed" with input as {"identity": object.union(key_caller, {"models": []}), "llm": chat("mistral-large")}
		with data.tollgate.subjects as {"svc-a": {"models": ["mistral-*"]}}
}

test_data_grants_model_to_group if {
	caller := object.union(key_caller, {"models": [], "groups": ["research"]})
	authz.decision.allow with input as {"identity": caller, "llm": chat("o3"), "delegation": null}
		with data.tollgate.groups as {"research": {"models": ["o3"]}}
}

test_delegation_needs_user_allowed_too if {
	user := object.union(key_caller, {"subject": "alice", "models": ["gpt-4o-mini"]})
	authz.decision.allow with input as {"identity": key_caller, "llm": chat("gpt-4o-mini"), "delegation": {"user": user, "chain": ["svc-a"]}}
	authz.decision.reason == "model_not_allowed" with input as {"identity": key_caller, "llm": chat("gpt-4o"), "delegation": {"user": user, "chain": ["svc-a"]}}
	authz.decision.reason == "model_not_allowed" with input as {"identity": key_caller, "llm": chat_models(["gpt-4o-mini", "gpt-4o"]), "delegation": {"user": user, "chain": ["svc-a"]}}
	authz.decision.reason == "model_unknown" with input as {"identity": object.union(key_caller, {"models": ["*"]}), "llm": unnamed_model, "delegation": {"user": user, "chain": ["svc-a"]}}
}

test_glob_forms_match_like_glob_match if {
	every case in [
		["gpt-4o*", "gpt-4o-mini", true],
		["gpt-4o*", "gpt-4", false],
		["*", "anything/at.all", true],
		["o3", "o3", true],
		["o3", "o3-mini", false],
		["gpt-{4o,4.1}*", "gpt-4.1-nano", true],
		["gpt-{4o,4.1}*", "gpt-5", false],
		["claude-?-haiku", "claude-3-haiku", true],
		["*-mini", "gpt-4o-mini", true],
		["*-mini", "gpt-4o", false],
		["a[bc]d", "acd", true],
	] {
		[pattern, model, want] := case
		matched := model_matched(pattern, model)
		matched == want
		matched == glob.match(pattern, null, model)
	}
}

model_matched(pattern, model) if authz.model_matches(pattern, model)

else := false
