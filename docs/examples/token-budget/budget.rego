# Example: a per-caller token budget on top of the default policy, reading input.usage (the
# counters Tollgate keeps from POST /v1/outcomes, per identity id). Build it together with
# policies/authz.rego and set policy.entrypoint to tollgate/budget/decision. Budgets come from data,
# keyed like the counters by identity id (docs/identity.md), so an API key, a token from each
# issuer and an mTLS peer with the same subject never share one:
#   data.tollgate.token_budgets[<identity id>] = {"per_minute": <tokens>, "per_day": <tokens>}
#   e.g. "api_key:svc-a", "jwt:https://login.example.com#alice", "mtls:spiffe://prod.example.com/ns/ml/sa/trainer"
package tollgate.budget

import data.tollgate.authz

decision := {
	"allow": false,
	"status": 429,
	"reason": "token_budget_exceeded",
	"response_headers": {"retry-after": format_int(retry_after, 10)},
} if {
	authz.decision.allow
	count(exhausted) > 0
} else := authz.decision

budget := data.tollgate.token_budgets[input.identity.id]

exhausted contains "minute" if input.usage.minute.tokens >= budget.per_minute

exhausted contains "day" if input.usage.day.tokens >= budget.per_day

# Seconds until the exhausted window (UTC) starts afresh.
now_s := floor(input.time.now_ns / 1000000000)

retry_after := 86400 - (now_s % 86400) if "day" in exhausted

else := 60 - (now_s % 60)
