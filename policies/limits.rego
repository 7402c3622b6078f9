# Declared request and token limits (docs/limits.md), read from input.limits: Tollgate has already
# checked every applicable limit and reserved the call's tokens when there was room. A call that
# does not fit is a 429 with a reason of its own; Tollgate adds retry-after and x-ratelimit-*.
# Exceptions (data.tollgate.limit_exempt): identity ids, and model globs (zero-cost self-hosted
# models) that every model of the call must match. An exempt call that did not fit is allowed and
# not counted (nothing was reserved for it).
package tollgate.authz

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
