package tollgate.identity_test

import data.tollgate.authz

# Identity documents as the JWT, mTLS and delegation authenticators produce them (docs/identity.md).

jwt_caller := {"authenticated": true, "method": "jwt", "id": "jwt:https://idp.example#alice", "subject": "alice", "issuer": "https://idp.example", "scopes": ["openid"], "models": [], "groups": ["research"], "tenant": "acme"}

workload := {"authenticated": true, "method": "mtls", "id": "mtls:spiffe://example.org/ns/ci/sa/builder", "subject": "spiffe://example.org/ns/ci/sa/builder", "scopes": [], "models": [], "groups": [], "workload": {"spiffe_id": "spiffe://example.org/ns/ci/sa/builder", "trust_domain": "example.org", "path": "/ns/ci/sa/builder", "source": "xfcc"}}

chat(model) := {"endpoint_known": true, "api": "openai", "operation": "chat.completions", "model_call": true, "model": model, "models": [model], "model_unknown": false}

test_jwt_group_mapping_grants_model if {
	authz.decision.allow with input as {"identity": jwt_caller, "llm": chat("o3"), "delegation": null}
		with data.tollgate.groups as {"research": {"models": ["o3*"]}}
}

test_jwt_without_grant_is_403 if {
	authz.decision.reason == "model_not_allowed" with input as {"identity": jwt_caller, "llm": chat("o3"), "delegation": null}
}

test_spiffe_id_mapped_in_data if {
	authz.decision.allow with input as {"identity": workload, "llm": chat("gpt-4o"), "delegation": null}
		with data.tollgate.subjects as {"mtls:spiffe://example.org/ns/ci/sa/builder": {"models": ["gpt-4o*"]}}
}

# An act token: the agent holds the token's scopes, the user holds them too and also their groups.
test_act_token_agent_and_user_both_allowed if {
	agent := object.union(jwt_caller, {"subject": "summariser", "groups": [], "scopes": ["model:gpt-4o*"]})
	user := object.union(jwt_caller, {"scopes": ["model:gpt-4o*"]})
	authz.decision.allow with input as {"identity": agent, "llm": chat("gpt-4o-mini"), "delegation": {"user": user, "chain": ["summariser"]}}
}

test_workload_for_user_without_grant_is_403 if {
	authz.decision.reason == "model_not_allowed" with input as {"identity": object.union(workload, {"models": ["*"]}), "llm": chat("gpt-4o"), "delegation": {"user": jwt_caller, "chain": [workload.subject]}}
}

test_workload_for_user_granted_by_group if {
	authz.decision.allow with input as {"identity": object.union(workload, {"models": ["*"]}), "llm": chat("o3-mini"), "delegation": {"user": jwt_caller, "chain": [workload.subject]}}
		with data.tollgate.groups as {"research": {"models": ["o3*"]}}
}
