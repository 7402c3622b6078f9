# Tollgate default policy: who may call which model.
# Input document: docs/policy-input.md (version tollgate.input/v1).
# Data: data.tollgate.subjects[<identity id>].models and data.tollgate.groups[<group>].models grant model globs
# (and .tools tool globs). MCP calls: the end of this file and docs/mcp.md.
# Identity ids are namespaced (api_key:<subject>, mtls:<subject>, jwt:<issuer>#<sub>; docs/identity.md),
# so an API key, a token from another issuer and an mTLS peer with the same subject never share grants.
package tollgate.authz

default decision := {"allow": false, "status": 401, "reason": "unauthenticated"}

# An endpoint outside the catalogue (core/endpoint-catalogue.ts plus upstream.endpoints in the
# config) may run anything: Tollgate cannot vouch for it, so it is denied.
decision := {"allow": false, "status": 403, "reason": "endpoint_unknown"} if {
	input.identity.authenticated
	not input.llm.endpoint_known
}

# Known endpoints that invoke no model (e.g. GET /v1/models) are open to any authenticated caller.
decision := {"allow": true, "status": 200, "reason": "allowed"} if {
	input.identity.authenticated
	input.llm.endpoint_known
	not input.llm.model_call
	not is_mcp_call
}

decision := model_decision if {
	input.identity.authenticated
	input.llm.endpoint_known
	input.llm.model_call
}

# A prompt carrying a secret (a private key, a cloud or provider key, a JWT) never reaches a model.
# Every model the request can run (comma lists, fallbacks, batch entries) must be granted; a model
# call that may run a model it does not name needs a grant of every model ("*"). The tools it
# offers the model must be granted once the caller has any tool grant (offered_tools_allowed). A granted
# call is then held to the declared request and token limits (limit_decision, at the end of this file).
model_decision := {"allow": false, "status": 403, "reason": "prompt_secret"} if {
	some finding in input.llm.findings
	startswith(finding.kind, "secret.")
} else := limit_decision if {
	models_granted(input.identity)
	on_behalf_allowed
	offered_tools_allowed
} else := {"allow": false, "status": 403, "reason": "tool_not_allowed"} if {
	models_granted(input.identity)
	on_behalf_allowed
} else := {"allow": false, "status": 403, "reason": "model_unknown"} if {
	input.llm.model_unknown
} else := {"allow": false, "status": 403, "reason": "model_not_allowed"}

models_granted(identity) if {
	every model in input.llm.models {
		may_use_model(identity, model)
	}
	unnamed_models_granted(identity)
}

unnamed_models_granted(_) if not input.llm.model_unknown

unnamed_models_granted(identity) if "*" in granted_models(identity)

# An agent acting for a user needs the models granted to both of them.
on_behalf_allowed if not input.delegation.user

on_behalf_allowed if models_granted(input.delegation.user)

may_use_model(identity, model) if {
	is_string(model)
	some pattern in granted_models(identity)
	model_matches(pattern, model)
}

# Model and tool grants alike: exact names and trailing-* prefixes, the usual grants, match without a regex: in Wasm,
# glob.match compiles its pattern on every evaluation. Any other glob goes to glob.match,
# where * also crosses ".", "/" and "-" (no delimiters).
model_matches(pattern, model) if pattern == model

model_matches(pattern, model) if {
	is_prefix_glob(pattern)
	startswith(model, trim_suffix(pattern, "*"))
}

model_matches(pattern, model) if {
	has_glob_syntax(pattern)
	not is_prefix_glob(pattern)
	glob.match(pattern, null, model)
}

is_prefix_glob(pattern) if {
	endswith(pattern, "*")
	not has_glob_syntax(trim_suffix(pattern, "*"))
}

has_glob_syntax(pattern) if {
	some c in ["*", "?", "[", "{", "\\"]
	contains(pattern, c)
}

granted_models(identity) := (({m | some m in identity.models} | scope_models(identity)) | subject_models(identity)) | group_models(identity)

scope_models(identity) := {trim_prefix(s, "model:") | some s in identity.scopes; startswith(s, "model:")}

subject_models(identity) := {m | some m in data.tollgate.subjects[identity.id].models}

group_models(identity) := {m | some g in identity.groups; some m in data.tollgate.groups[g].models}

# Tool grants: identity.tools (API key `tools`, `tool:<glob>` scopes), data.tollgate.subjects[<id>].tools
# and data.tollgate.groups[<group>].tools, globs matched like model grants (model_matches).

granted_tools(identity) := ({t | some t in identity.tools} | {t | some t in data.tollgate.subjects[identity.id].tools}) | {t | some g in identity.groups; some t in data.tollgate.groups[g].tools}

may_use_tool(identity, tool) if {
	is_string(tool)
	some pattern in granted_tools(identity)
	model_matches(pattern, tool)
}

# An agent acting for a user needs the tool granted to both of them.
tool_allowed(tool) if {
	may_use_tool(input.identity, tool)
	not input.delegation.user
}

tool_allowed(tool) if {
	may_use_tool(input.identity, tool)
	may_use_tool(input.delegation.user, tool)
}

# The tools a model call offers (input.llm.tools) are checked only for a caller with some tool
# grant: keys and tokens that grant no tool keep working as before tool grants existed.
offered_tools_allowed if {
	offered_tools_granted(input.identity)
	not input.delegation.user
}

offered_tools_allowed if {
	offered_tools_granted(input.identity)
	offered_tools_granted(input.delegation.user)
}

offered_tools_granted(identity) if count(granted_tools(identity)) == 0

offered_tools_granted(identity) if {
	count(granted_tools(identity)) > 0
	every tool in input.llm.tools {
		may_use_tool(identity, tool)
	}
}

# MCP calls (docs/mcp.md). input.mcp describes one JSON-RPC call; Tollgate evaluates a batch once per
# call and allows it only when every call is allowed. MCP paths are catalogued endpoints (mcp.paths),
# so a JSON-RPC body anywhere else is endpoint_unknown.

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

# Declared request and token limits (docs/limits.md), read from input.limits: Tollgate has already
# checked every applicable limit and reserved the call's tokens when there was room. A call that
# does not fit is a 429 with a reason of its own; Tollgate adds retry-after and x-ratelimit-*.
# Exceptions (data.tollgate.limit_exempt): identity ids, and model globs (zero-cost self-hosted
# models) that every model of the call must match. An exempt call that did not fit is allowed and
# not counted (nothing was reserved for it).
limit_decision := {"allow": false, "status": 429, "reason": reason} if {
	reason := limit_reasons[input.limits.exceeded.kind]
	not limit_exempt
} else := {"allow": true, "status": 200, "reason": "allowed"}

limit_reasons := {"requests": "requests_limit_exceeded", "tokens": "tokens_limit_exceeded"}

limit_exempt if input.identity.id in data.tollgate.limit_exempt.subjects

limit_exempt if {
	not input.llm.model_unknown
	count(input.llm.models) > 0
	every model in input.llm.models {
		some pattern in data.tollgate.limit_exempt.models
		model_matches(pattern, model)
	}
}
