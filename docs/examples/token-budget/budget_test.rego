package tollgate.budget_test

import data.tollgate.budget

caller := {"authenticated": true, "method": "api_key", "id": "api_key:svc-a", "subject": "svc-a", "models": ["gpt-4o*"], "scopes": [], "groups": []}

chat := {"endpoint_known": true, "api": "openai", "operation": "chat.completions", "model_call": true, "model": "gpt-4o-mini", "models": ["gpt-4o-mini"], "model_unknown": false}

budgets := {"api_key:svc-a": {"per_minute": 1000, "per_day": 50000}}

request(minute, day) := {
	"identity": caller, "llm": chat, "delegation": null,
	"usage": {"minute": {"tokens": minute}, "day": {"tokens": day}},
	"time": {"now_ns": 1700000030 * 1000000000},
}

test_under_budget_follows_the_default_policy if {
	budget.decision.allow with input as request(999, 1000) with data.tollgate.token_budgets as budgets
}

test_minute_budget_spent_is_429_until_the_next_minute if {
	d := budget.decision with input as request(1000, 1000) with data.tollgate.token_budgets as budgets
	d.status == 429
	d.reason == "token_budget_exceeded"
	d.response_headers["retry-after"] == "10"
}

test_day_budget_spent_waits_for_the_next_day if {
	d := budget.decision with input as request(0, 50000) with data.tollgate.token_budgets as budgets
	d.response_headers["retry-after"] == "6370"
}

test_no_budget_no_limit if {
	budget.decision.allow with input as request(10000000, 10000000) with data.tollgate.token_budgets as {}
}

test_denials_of_the_default_policy_stay if {
	budget.decision.reason == "model_not_allowed" with input as object.union(request(0, 0), {"llm": object.union(chat, {"model": "o1", "models": ["o1"]})})
		with data.tollgate.token_budgets as budgets
}

test_a_budget_is_for_one_identity_id_not_every_caller_with_that_subject if {
	namesake := object.union(caller, {"method": "jwt", "id": "jwt:https://idp.example#svc-a"})
	budget.decision.allow with input as object.union(request(1000, 1000), {"identity": namesake})
		with data.tollgate.token_budgets as budgets
}
