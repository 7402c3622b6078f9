package tollgate.mcp_test

import data.tollgate.authz

agent := {"authenticated": true, "method": "api_key", "id": "api_key:agent", "subject": "agent", "models": ["gpt-4o*"], "tools": ["search_*"], "scopes": [], "groups": []}

no_tools := object.union(agent, {"tools": []})

anonymous := {"authenticated": false, "method": "none", "subject": null, "models": [], "tools": [], "scopes": [], "groups": []}

mcp_endpoint := {"endpoint_known": true, "api": "mcp", "operation": "mcp", "model_call": false, "model": null, "models": [], "model_unknown": false, "tools": [], "findings": []}

call(method) := {"kind": "request", "method": method, "id": 1, "tool": null, "resource": null, "prompt": null}

tool_call(name) := object.union(call("tools/call"), {"tool": {"name": name, "arguments": ["query"]}})

mcp_input(identity, mcp) := {"identity": identity, "llm": mcp_endpoint, "mcp": mcp, "delegation": null}

chat_with_tools(tools) := {"endpoint_known": true, "api": "openai", "operation": "chat.completions", "model_call": true, "model": "gpt-4o", "models": ["gpt-4o"], "model_unknown": false, "tools": tools, "findings": []}

test_granted_tool_is_allowed if {
	authz.decision.allow with input as mcp_input(agent, tool_call("search_docs"))
}

test_tool_not_granted_is_403 if {
	authz.decision == {"allow": false, "status": 403, "reason": "tool_not_allowed"} with input as mcp_input(agent, tool_call("delete_repo"))
	authz.decision.reason == "tool_not_allowed" with input as mcp_input(no_tools, tool_call("search_docs"))
}

test_unnamed_tool_is_denied if {
	authz.decision.reason == "tool_not_allowed" with input as mcp_input(object.union(agent, {"tools": ["*"]}), object.union(call("tools/call"), {"tool": {"name": null, "arguments": []}}))
}

test_open_methods_need_only_authentication if {
	every method in ["initialize", "ping", "tools/list", "resources/list", "prompts/list", "notifications/initialized"] {
		authz.decision.allow with input as mcp_input(no_tools, call(method))
		authz.decision.reason == "unauthenticated" with input as mcp_input(anonymous, call(method))
	}
}

test_replies_to_the_server_are_allowed if {
	authz.decision.allow with input as mcp_input(no_tools, object.union(call(null), {"kind": "response"}))
}

test_other_methods_are_denied_by_default if {
	authz.decision == {"allow": false, "status": 403, "reason": "mcp_method_not_allowed"} with input as mcp_input(agent, call("resources/read"))
	authz.decision.reason == "mcp_method_not_allowed" with input as mcp_input(agent, call("logging/setLevel"))
}

test_unseen_call_is_denied if {
	authz.decision.reason == "mcp_method_unknown" with input as mcp_input(object.union(agent, {"tools": ["*"]}), object.union(call(null), {"kind": "unknown", "id": null}))
}

test_mcp_elsewhere_is_an_unknown_endpoint if {
	llm := object.union(mcp_endpoint, {"endpoint_known": false, "api": null})
	authz.decision.reason == "endpoint_unknown" with input as {"identity": agent, "llm": llm, "mcp": call("ping"), "delegation": null}
}

test_tool_grants_from_data if {
	authz.decision.allow with input as mcp_input(no_tools, tool_call("delete_repo")) with data.tollgate.subjects as {"api_key:agent": {"tools": ["delete_*"]}}
	authz.decision.allow with input as mcp_input(object.union(no_tools, {"groups": ["ops"]}), tool_call("delete_repo")) with data.tollgate.groups as {"ops": {"tools": ["delete_repo"]}}
}

test_on_behalf_needs_the_tool_granted_to_both if {
	user := object.union(no_tools, {"id": "jwt:idp#alice", "method": "jwt", "tools": ["search_docs"]})
	authz.decision.allow with input as object.union(mcp_input(agent, tool_call("search_docs")), {"delegation": {"user": user, "chain": ["agent"]}})
	authz.decision.reason == "tool_not_allowed" with input as object.union(mcp_input(agent, tool_call("search_web")), {"delegation": {"user": user, "chain": ["agent"]}})
}

test_offered_chat_tools_need_a_grant_once_any_tool_is_granted if {
	authz.decision.allow with input as {"identity": agent, "llm": chat_with_tools(["search_docs"]), "delegation": null}
	authz.decision == {"allow": false, "status": 403, "reason": "tool_not_allowed"} with input as {"identity": agent, "llm": chat_with_tools(["search_docs", "delete_repo"]), "delegation": null}
	authz.decision.allow with input as {"identity": no_tools, "llm": chat_with_tools(["delete_repo"]), "delegation": null}
}

test_model_not_granted_still_says_so_with_tools if {
	llm := object.union(chat_with_tools(["delete_repo"]), {"model": "o1", "models": ["o1"]})
	authz.decision.reason == "model_not_allowed" with input as {"identity": agent, "llm": llm, "delegation": null}
}

test_a_prompt_with_a_secret_is_denied if {
	llm := object.union(chat_with_tools([]), {"findings": [{"kind": "pii.email", "count": 1}, {"kind": "secret.aws_access_key", "count": 2}]})
	authz.decision == {"allow": false, "status": 403, "reason": "prompt_secret"} with input as {"identity": agent, "llm": llm, "delegation": null}
}

test_pii_is_only_a_fact if {
	llm := object.union(chat_with_tools([]), {"findings": [{"kind": "pii.email", "count": 1}, {"kind": "pii.payment_card", "count": 1}]})
	authz.decision.allow with input as {"identity": agent, "llm": llm, "delegation": null}
}
