# The AuthZEN 1.0 certification fixture (openid/authzen certification/authorization-api-1_0-scenario.md,
# "Required Fixture"): subjects alice and bob (role admin), records record-1 (active) and record-2
# (archived), actions read, write and delete (soft). Served as a PDP only: docs/authzen.md shows the
# build and the configuration (tollgate.yaml here).
package authzen.certification

# Gateway requests are not what this bundle is for (policy.entrypoint points here).
request_decision := {"allow": false, "status": 403, "reason": "authzen_only"}

default decision := false

# Read: any fixture user, any fixture record (rules 1 and 3).
decision if {
	input.action.name == "read"
	known_subject
	known_resource
}

# Write: an archived record only by an admin (rules 5 and 6); an active one by its writers (rules 2 and 4).
decision if {
	input.action.name == "write"
	may_write
}

# Delete: soft deletes only, by whoever may write (rules 7 and 8).
decision if {
	input.action.name == "delete"
	object.get(input.action, ["properties", "soft"], false) == true
	may_write
}

may_write if {
	known_subject
	known_resource
	resource_properties.status == "archived"
	subject_properties.role == "admin"
}

may_write if {
	known_subject
	known_resource
	resource_properties.status != "archived"
	input.subject.id in writers
}

writers := {"alice"}

known_subject if some _ in fixture_subjects

known_resource if some _ in fixture_resources

fixture_subjects := [s | some s in data.tollgate.authzen.subjects; s.type == input.subject.type; s.id == input.subject.id]

fixture_resources := [r | some r in data.tollgate.authzen.resources; r.type == input.resource.type; r.id == input.resource.id]

# The fixture's attributes, overlaid by the properties the request sends (which win).
subject_properties := object.union(object.get(fixture_subjects[0], "properties", {}), object.get(input.subject, "properties", {}))

resource_properties := object.union(object.get(fixture_resources[0], "properties", {}), object.get(input.resource, "properties", {}))
