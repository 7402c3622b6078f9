package extauthz

import (
	"os"
	"path/filepath"
	"testing"

	bootstrapv3 "github.com/envoyproxy/go-control-plane/envoy/config/bootstrap/v3"
	_ "github.com/envoyproxy/go-control-plane/envoy/extensions/access_loggers/stream/v3"
	extauthzv3 "github.com/envoyproxy/go-control-plane/envoy/extensions/filters/http/ext_authz/v3"
	_ "github.com/envoyproxy/go-control-plane/envoy/extensions/filters/http/router/v3"
	_ "github.com/envoyproxy/go-control-plane/envoy/extensions/filters/network/http_connection_manager/v3"
	_ "github.com/envoyproxy/go-control-plane/envoy/extensions/transport_sockets/tls/v3"
	_ "github.com/envoyproxy/go-control-plane/envoy/extensions/upstreams/http/v3"
	"google.golang.org/protobuf/encoding/protojson"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protoreflect"
	"google.golang.org/protobuf/types/known/anypb"
	"sigs.k8s.io/yaml"
)

// TestEnvoyConfig checks integrations/envoy/envoy.yaml the way Envoy loads it, without an Envoy
// binary: strict proto JSON (unknown fields fail), every typed_config resolved, and the
// protoc-gen-validate rules Envoy enforces, then the ext_authz settings the docs promise.
func TestEnvoyConfig(t *testing.T) {
	f := loadExtAuthzFilter(t, "integrations/envoy/envoy.yaml")
	equal(t, "grpc cluster", f.GetGrpcService().GetEnvoyGrpc().GetClusterName(), "tollgate")
	equal(t, "failure_mode_allow", f.GetFailureModeAllow(), false)
	equal(t, "include_peer_certificate", f.GetIncludePeerCertificate(), true)
	if f.GetWithRequestBody().GetMaxRequestBytes() >= 8*1024*1024 {
		t.Error("with_request_body.max_request_bytes must stay below Tollgate's default adapters.envoy_grpc.max_receive_bytes")
	}
}

// loadExtAuthzFilter reads an Envoy bootstrap the way Envoy loads it (strict proto JSON, every
// typed_config resolved, protoc-gen-validate rules) and returns its one ext_authz filter.
func loadExtAuthzFilter(t *testing.T, relPath string) *extauthzv3.ExtAuthz {
	t.Helper()
	text, err := os.ReadFile(filepath.Join(rootDir, relPath))
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
	return filters[0]
}

type validator interface{ ValidateAll() error }

// validate runs ValidateAll on m and, recursively, on every message inside it, unpacking Any.
func validate(t *testing.T, m protoreflect.Message, visit func(proto.Message)) {
	t.Helper()
	msg := m.Interface()
	if a, ok := msg.(*anypb.Any); ok {
		inner, err := a.UnmarshalNew()
		if err != nil {
			t.Errorf("typed_config %s: %v", a.GetTypeUrl(), err)
			return
		}
		validate(t, inner.ProtoReflect(), visit)
		return
	}
	visit(msg)
	if v, ok := msg.(validator); ok {
		if err := v.ValidateAll(); err != nil {
			t.Errorf("%s: %v", m.Descriptor().FullName(), err)
		}
	}
	m.Range(func(fd protoreflect.FieldDescriptor, value protoreflect.Value) bool {
		switch {
		case fd.IsList() && fd.Message() != nil:
			for i := 0; i < value.List().Len(); i++ {
				validate(t, value.List().Get(i).Message(), visit)
			}
		case fd.IsMap() && fd.MapValue().Message() != nil:
			value.Map().Range(func(_ protoreflect.MapKey, v protoreflect.Value) bool {
				validate(t, v.Message(), visit)
				return true
			})
		case !fd.IsList() && !fd.IsMap() && fd.Message() != nil:
			validate(t, value.Message(), visit)
		}
		return true
	})
}
