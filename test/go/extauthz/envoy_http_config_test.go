package extauthz

import (
	"os"
	"path/filepath"
	"testing"

	bootstrapv3 "github.com/envoyproxy/go-control-plane/envoy/config/bootstrap/v3"
	extauthzv3 "github.com/envoyproxy/go-control-plane/envoy/extensions/filters/http/ext_authz/v3"
	"google.golang.org/protobuf/encoding/protojson"
	"google.golang.org/protobuf/proto"
	"sigs.k8s.io/yaml"
)

// TestEnvoyHttpConfig checks integrations/envoy/envoy-http.yaml (ext_authz over plain HTTP) the way
// Envoy loads it: strict proto JSON, typed configs resolved, validation rules; then the settings
// Tollgate's envoy_http adapter and docs/gateways/envoy-http.md rely on.
func TestEnvoyHttpConfig(t *testing.T) {
	text, err := os.ReadFile(filepath.Join(rootDir, "integrations/envoy/envoy-http.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	jsonText, err := yaml.YAMLToJSON(text)
	if err != nil {
		t.Fatalf("YAML: %v", err)
	}
	var bootstrap bootstrapv3.Bootstrap
	if err := protojson.Unmarshal(jsonText, &bootstrap); err != nil {
		t.Fatalf("not a valid Envoy bootstrap: %v", err)
	}
	var filters []*extauthzv3.ExtAuthz
	validate(t, bootstrap.ProtoReflect(), func(m proto.Message) {
		if f, ok := m.(*extauthzv3.ExtAuthz); ok {
			filters = append(filters, f)
		}
	})
	if len(filters) != 1 {
		t.Fatalf("want one ext_authz filter, found %d", len(filters))
	}
	f := filters[0]
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
