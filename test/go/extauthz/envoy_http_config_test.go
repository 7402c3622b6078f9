package extauthz

import "testing"

// TestEnvoyHttpConfig checks integrations/envoy/envoy-http.yaml (ext_authz over plain HTTP) the way
// Envoy loads it: strict proto JSON, typed configs resolved, validation rules; then the settings
// Tollgate's envoy_http adapter and docs/gateways/envoy-http.md rely on.
func TestEnvoyHttpConfig(t *testing.T) {
	f := loadExtAuthzFilter(t, "integrations/envoy/envoy-http.yaml")
	svc := f.GetHttpService()
	equal(t, "http cluster", svc.GetServerUri().GetCluster(), "tollgate")
	equal(t, "path_prefix", svc.GetPathPrefix(), "/ext_authz")
	equal(t, "failure_mode_allow", f.GetFailureModeAllow(), false)
	upstream := svc.GetAuthorizationResponse().GetAllowedUpstreamHeaders().GetPatterns()
	if len(upstream) != 1 || upstream[0].GetPrefix() != "x-tollgate-" {
		t.Errorf("allowed_upstream_headers must be the x-tollgate- prefix, got %v", upstream)
	}
	if f.GetWithRequestBody().GetMaxRequestBytes() > 1024*1024 {
		t.Error("with_request_body.max_request_bytes must not exceed Tollgate's default server.max_body_bytes")
	}
}
