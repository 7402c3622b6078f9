# MCP calls (docs/mcp.md). input.mcp describes one JSON-RPC call; Tollgate evaluates a batch once per
# call and allows it only when every call is allowed. MCP paths are catalogued endpoints (mcp.paths),
# so a JSON-RPC body anywhere else is endpoint_unknown.
package tollgate.authz

decision := mcp_decision if {
	input.identity.authenticated
	input.llm.endpoint_known
	is_mcp_call
}

# A rule, so `not is_mcp_call` also holds when input.mcp is absent (is_object of undefined is undefined).
is_mcp_call if is_object(input.mcp)

# Session set-up, liveness and listings run no tool: open to any authenticated caller (tools/list is
# filtered by POST /v1/mcp/tools/filter). Other methods are denied unless a policy allows them.
mcp_open_methods := {"initialize", "ping", "server/discover", "tools/list", "resources/list", "resources/templates/list", "prompts/list"}

mcp_decision := {"allow": true, "status": 200, "reason": "allowed"} if {
	mcp_open
} else := {"allow": true, "status": 200, "reason": "allowed"} if {
	input.mcp.method == "tools/call"
	tool_allowed(input.mcp.tool.name)
} else := {"allow": false, "status": 403, "reason": "mcp_method_unknown"} if {
	input.mcp.kind == "unknown"
} else := {"allow": false, "status": 403, "reason": "tool_not_allowed"} if {
	input.mcp.method == "tools/call"
} else := {"allow": false, "status": 403, "reason": "mcp_method_not_allowed"}

# A client's reply to a server's request (sampling, elicitation) runs nothing on the server.
mcp_open if input.mcp.kind == "response"

mcp_open if input.mcp.method in mcp_open_methods

mcp_open if {
	is_string(input.mcp.method)
	startswith(input.mcp.method, "notifications/")
}
