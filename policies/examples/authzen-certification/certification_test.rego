package authzen.certification_test

import data.authzen.certification

fixture := {"authzen": {
	"subjects": [{"type": "user", "id": "alice"}, {"type": "user", "id": "bob", "properties": {"role": "admin"}}],
	"resources": [
		{"type": "record", "id": "record-1", "properties": {"status": "active"}},
		{"type": "record", "id": "record-2", "properties": {"status": "archived"}},
	],
}}

ask(subject, action, resource) := d if {
	d := certification.decision with input as {"subject": subject, "action": action, "resource": resource}
		with data.tollgate.authzen as fixture.authzen
}

alice := {"type": "user", "id": "alice"}

bob := {"type": "user", "id": "bob"}

record1 := {"type": "record", "id": "record-1"}

archived2 := {"type": "record", "id": "record-2", "properties": {"status": "archived"}}

test_core_rules if {
	ask(alice, {"name": "read"}, record1) == true
	ask(alice, {"name": "write"}, record1) == true
	ask(bob, {"name": "read"}, record1) == true
	ask(bob, {"name": "write"}, record1) == false
}

test_properties_rules if {
	ask(alice, {"name": "write"}, archived2) == false
	ask({"type": "user", "id": "bob", "properties": {"role": "admin"}}, {"name": "write"}, archived2) == true
	ask(alice, {"name": "delete", "properties": {"soft": true}}, record1) == true
	ask(alice, {"name": "delete", "properties": {"soft": false}}, record1) == false
}

test_unknown_subjects_get_nothing if {
	ask({"type": "user", "id": "mallory"}, {"name": "read"}, record1) == false
	ask({"type": "spaceship", "id": "alice"}, {"name": "read"}, record1) == false
}
