# Tool grants: identity.tools (API key `tools`, `tool:<glob>` scopes), data.tollgate.subjects[<id>].tools
# and data.tollgate.groups[<group>].tools, globs matched like model grants (model_matches).
package tollgate.authz

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
