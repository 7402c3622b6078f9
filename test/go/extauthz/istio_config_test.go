package extauthz

import (
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"google.golang.org/protobuf/encoding/protojson"
	"google.golang.org/protobuf/proto"
	meshv1alpha1 "istio.io/api/mesh/v1alpha1"
	securityv1beta1 "istio.io/api/security/v1beta1"
	"sigs.k8s.io/yaml"
)

// TestIstioConfig parses integrations/istio with Istio's own API types (unknown fields fail) and
// checks that the AuthorizationPolicy points at the provider that reaches Tollgate's gRPC port.
func TestIstioConfig(t *testing.T) {
	var mesh meshv1alpha1.MeshConfig
	specOf(t, "mesh-config.yaml", &mesh, "spec", "meshConfig")
	var policy securityv1beta1.AuthorizationPolicy
	specOf(t, "authorization-policy.yaml", &policy, "spec")

	equal(t, "action", policy.GetAction(), securityv1beta1.AuthorizationPolicy_CUSTOM)
	var provider *meshv1alpha1.MeshConfig_ExtensionProvider_EnvoyExternalAuthorizationGrpcProvider
	for _, p := range mesh.GetExtensionProviders() {
		if p.GetName() == policy.GetProvider().GetName() {
			provider = p.GetEnvoyExtAuthzGrpc()
		}
	}
	if provider == nil {
		t.Fatalf("no envoyExtAuthzGrpc provider named %q", policy.GetProvider().GetName())
	}
	equal(t, "port", provider.GetPort(), uint32(9191))
	equal(t, "failOpen", provider.GetFailOpen(), false)
	if provider.GetIncludeRequestBodyInCheck().GetMaxRequestBytes() >= 8*1024*1024 {
		t.Error("maxRequestBytes must stay below Tollgate's default adapters.envoy_grpc.max_receive_bytes")
	}
}

// specOf reads a YAML file from integrations/istio and decodes the object at path into msg.
func specOf(t *testing.T, file string, msg proto.Message, path ...string) {
	t.Helper()
	text, err := os.ReadFile(filepath.Join(rootDir, "integrations/istio", file))
	if err != nil {
		t.Fatal(err)
	}
	var doc any
	if err := yaml.Unmarshal(text, &doc); err != nil {
		t.Fatalf("%s: %v", file, err)
	}
	for _, key := range path {
		obj, ok := doc.(map[string]any)
		if !ok {
			t.Fatalf("%s: no %s", file, key)
		}
		doc = obj[key]
	}
	raw, _ := json.Marshal(doc)
	if err := protojson.Unmarshal(raw, msg); err != nil {
		t.Fatalf("%s: %v", file, err)
	}
}
