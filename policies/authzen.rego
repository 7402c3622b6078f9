# Tollgate default AuthZEN policy: may this subject invoke this model, or call this tool?
# Input document: docs/authzen.md (version tollgate.authzen/v1): subject, action, resource, context
# as the PEP sent them, caller (the PEP's identity), subject_identity, tenant.
# Grants are the default policy's (authz.rego): data.tollgate.subjects[<identity id>] and
# data.tollgate.groups[<group>] list `models` and `tools` globs, and so do the credential itself
# (an API key's models and tools) and its scopes (`model:<glob>`, `tool:<glob>`).
package tollgate.authzen

import data.tollgate.authz

default decision := {"decision": false, "context": {"reason": "not_granted"}}

decision := {"decision": false, "context": {"reason": "tenant_mismatch"}} if not tenant_allowed

decision := {"decision": false, "context": {"reason": "subject_unknown"}} if {
	tenant_allowed
	not subject_known
}

decision := {"decision": true} if {
	tenant_allowed
	granted(subject_identity)
}

# A tenant's endpoints answer only callers of that tenant (JWT identity.claims.tenant mapping).
tenant_allowed if input.tenant == null

tenant_allowed if {
	input.tenant != null
	input.caller.tenant == input.tenant
}

# Who the subject is. Tollgate resolves {type: "api_key", id: <key id>} to that key's identity
# (its own models, tools and scopes included) while the key is valid. {type: "identity", id: <identity
# id>} names a caller by its identity id (api_key:<subject>, jwt:<issuer>#<sub>, mtls:<subject>): its
# grants are the data ones, plus the scopes and groups the PEP vouches for in its properties.
subject_known if is_object(subject_identity)

subject_identity := input.subject_identity if is_object(input.subject_identity)

subject_identity := {
	"id": input.subject.id,
	"scopes": strings_in(object.get(input.subject, ["properties", "scopes"], [])),
	"groups": strings_in(object.get(input.subject, ["properties", "groups"], [])),
	"models": [],
	"tools": [],
} if {
	not is_object(input.subject_identity)
	input.subject.type == "identity"
}

strings_in(list) := [s | some s in list; is_string(s)] if is_array(list)

strings_in(list) := [] if not is_array(list)

granted(identity) if {
	input.action.name == "invoke"
	input.resource.type == "model"
	authz.may_use_model(identity, input.resource.id)
}

# COAZ-MCP: tools/call maps to action "tools/call" on resource {type: "tool", id: <tool name>}.
granted(identity) if {
	input.action.name == "tools/call"
	input.resource.type == "tool"
	glob_granted(granted_tools(identity), input.resource.id)
}

granted_tools(identity) := ((credential_tools(identity) | scope_tools(identity)) | subject_tools(identity)) | group_tools(identity)

credential_tools(identity) := {t | some t in object.get(identity, "tools", [])}

scope_tools(identity) := {trim_prefix(s, "tool:") | some s in identity.scopes; startswith(s, "tool:")}

subject_tools(identity) := {t | some t in data.tollgate.subjects[identity.id].tools}

group_tools(identity) := {t | some g in identity.groups; some t in data.tollgate.groups[g].tools}

# Any grant list against a name, with the model grants' glob semantics (exact, trailing *, else glob.match).
glob_granted(patterns, name) if {
	is_string(name)
	some pattern in patterns
	authz.model_matches(pattern, name)
}
