# Test policy: the default decision plus an echo of the policy input facts the Go test checks.
package tollgate.echo

import data.tollgate.authz

decision := object.union(authz.decision, {"dynamic_metadata": {"seen": seen}})

seen := {
	"method": input.request.method,
	"path": input.request.path,
	"query": input.request.query,
	"host": input.request.host,
	"scheme": input.request.scheme,
	"address": input.request.source.address,
	"principal": input.request.source.principal,
	"context": input.request.context,
	"metadata": input.request.metadata,
	"body_truncated": input.request.body_truncated,
	"model": input.llm.model,
	"header_names": [name | some name, _ in input.request.headers],
}
