package tollgate.authzen_test

import data.tollgate.authzen

subjects := {"jwt:https://idp#alice": {"models": ["gpt-4o*"], "tools": ["search_*"]}}

groups := {"ops": {"models": ["claude-*"], "tools": ["deploy"]}}

question(subject, action, resource) := {
	"version": "tollgate.authzen/v1",
	"subject": subject, "action": {"name": action}, "resource": resource, "context": {},
	"caller": {"authenticated": true, "id": "api_key:pep", "tenant": null},
	"subject_identity": null, "tenant": null,
}

alice := {"type": "identity", "id": "jwt:https://idp#alice"}

test_identity_subject_gets_its_data_model_grants if {
	authzen.decision.decision with input as question(alice, "invoke", {"type": "model", "id": "gpt-4o-mini"}) with data.tollgate.subjects as subjects with data.tollgate.groups as groups
	not authzen.decision.decision with input as question(alice, "invoke", {"type": "model", "id": "o1"}) with data.tollgate.subjects as subjects with data.tollgate.groups as groups
}

test_identity_subject_gets_its_data_tool_grants if {
	authzen.decision.decision with input as question(alice, "tools/call", {"type": "tool", "id": "search_docs"}) with data.tollgate.subjects as subjects with data.tollgate.groups as groups
	not authzen.decision.decision with input as question(alice, "tools/call", {"type": "tool", "id": "deploy"}) with data.tollgate.subjects as subjects with data.tollgate.groups as groups
}

test_groups_and_scopes_the_pep_vouches_for if {
	bob := {"type": "identity", "id": "jwt:https://idp#bob", "properties": {"groups": ["ops"], "scopes": ["tool:read_*", "model:o1"]}}
	authzen.decision.decision with input as question(bob, "invoke", {"type": "model", "id": "claude-3"}) with data.tollgate.subjects as subjects with data.tollgate.groups as groups
	authzen.decision.decision with input as question(bob, "invoke", {"type": "model", "id": "o1"}) with data.tollgate.subjects as subjects with data.tollgate.groups as groups
	authzen.decision.decision with input as question(bob, "tools/call", {"type": "tool", "id": "deploy"}) with data.tollgate.subjects as subjects with data.tollgate.groups as groups
	authzen.decision.decision with input as question(bob, "tools/call", {"type": "tool", "id": "read_file"}) with data.tollgate.subjects as subjects with data.tollgate.groups as groups
	not authzen.decision.decision with input as question(bob, "tools/call", {"type": "tool", "id": "write_file"}) with data.tollgate.subjects as subjects with data.tollgate.groups as groups
}

test_resolved_api_key_uses_its_own_models_and_tools if {
	key := object.union(question({"type": "api_key", "id": "k1"}, "invoke", {"type": "model", "id": "gpt-4o"}), {"subject_identity": {
		"authenticated": true, "id": "api_key:billing", "scopes": [], "models": ["gpt-4o"], "tools": ["lookup"], "groups": [],
	}})
	authzen.decision.decision with input as key with data.tollgate.subjects as subjects with data.tollgate.groups as groups
	authzen.decision.decision with input as object.union(key, {"action": {"name": "tools/call"}, "resource": {"type": "tool", "id": "lookup"}}) with data.tollgate.subjects as subjects with data.tollgate.groups as groups
	not authzen.decision.decision with input as object.union(key, {"resource": {"type": "model", "id": "o1"}}) with data.tollgate.subjects as subjects with data.tollgate.groups as groups
}

test_an_unresolved_subject_is_unknown if {
	d := authzen.decision with input as question({"type": "api_key", "id": "nope"}, "invoke", {"type": "model", "id": "gpt-4o"}) with data.tollgate.subjects as subjects with data.tollgate.groups as groups
	d == {"decision": false, "context": {"reason": "subject_unknown"}}
}

test_other_actions_and_resource_types_are_not_granted if {
	d := authzen.decision with input as question(alice, "delete", {"type": "model", "id": "gpt-4o"}) with data.tollgate.subjects as subjects with data.tollgate.groups as groups
	d == {"decision": false, "context": {"reason": "not_granted"}}
	not authzen.decision.decision with input as question(alice, "invoke", {"type": "tool", "id": "gpt-4o"}) with data.tollgate.subjects as subjects with data.tollgate.groups as groups
}

test_a_tenant_endpoint_answers_only_its_tenants_callers if {
	q := object.union(question(alice, "invoke", {"type": "model", "id": "gpt-4o"}), {"tenant": "acme"})
	d := authzen.decision with input as q with data.tollgate.subjects as subjects with data.tollgate.groups as groups
	d.context.reason == "tenant_mismatch"
	authzen.decision.decision with input as object.union(q, {"caller": {"tenant": "acme"}}) with data.tollgate.subjects as subjects with data.tollgate.groups as groups
}
