package extauthz

import (
	"encoding/json"
	"sort"
	"testing"

	corev3 "github.com/envoyproxy/go-control-plane/envoy/config/core/v3"
	authv3 "github.com/envoyproxy/go-control-plane/envoy/service/auth/v3"
	"google.golang.org/protobuf/types/known/structpb"
)

// chatRequest is the CheckRequest Envoy sends for POST /v1/chat/completions with with_request_body.
func chatRequest(model string, headers map[string]string) *authv3.CheckRequest {
	all := map[string]string{
		":method": "POST", ":path": "/v1/chat/completions?trace=1", ":authority": "llm.internal", ":scheme": "https",
		"content-type": "application/json", "x-request-id": "req-1",
	}
	for k, v := range headers {
		all[k] = v
	}
	return &authv3.CheckRequest{Attributes: &authv3.AttributeContext{
		Source:      &authv3.AttributeContext_Peer{Address: socketAddress("10.0.0.7", 50000)},
		Destination: &authv3.AttributeContext_Peer{Address: socketAddress("10.0.0.1", 10000)},
		Request: &authv3.AttributeContext_Request{Http: &authv3.AttributeContext_HttpRequest{
			Id: "1234", Method: "POST", Path: "/v1/chat/completions?trace=1", Host: "llm.internal", Scheme: "https",
			Protocol: "HTTP/1.1", Headers: all, Body: chatBody(model),
		}},
	}}
}

func chatBody(model string) string {
	b, _ := json.Marshal(map[string]any{"model": model, "messages": []map[string]string{{"role": "user", "content": "hi"}}})
	return string(b)
}

func socketAddress(ip string, port uint32) *corev3.Address {
	return &corev3.Address{Address: &corev3.Address_SocketAddress{SocketAddress: &corev3.SocketAddress{
		Address: ip, PortSpecifier: &corev3.SocketAddress_PortValue{PortValue: port},
	}}}
}

func bearer() map[string]string { return map[string]string{"authorization": "Bearer " + apiKey.Key} }

// headerValues flattens HeaderValueOptions, failing unless each one overwrites (append=false).
func headerValues(t *testing.T, options []*corev3.HeaderValueOption) map[string]string {
	t.Helper()
	out := map[string]string{}
	for _, o := range options {
		if o.GetAppend() == nil || o.GetAppend().GetValue() {
			t.Errorf("header %q: want append {value:false}, got %v", o.GetHeader().GetKey(), o.GetAppend())
		}
		out[o.GetHeader().GetKey()] = o.GetHeader().GetValue()
	}
	return out
}

// seen is what the echo policy reports about the policy input it was given.
func seen(t *testing.T, res *authv3.CheckResponse) map[string]any {
	t.Helper()
	s, ok := res.GetDynamicMetadata().AsMap()["seen"].(map[string]any)
	if !ok {
		t.Fatalf("dynamic_metadata has no 'seen' object: %v", res.GetDynamicMetadata())
	}
	return s
}

func metadataString(res *authv3.CheckResponse, key string) string {
	return res.GetDynamicMetadata().GetFields()[key].GetStringValue()
}

func headerNames(t *testing.T, s map[string]any) []string {
	t.Helper()
	var names []string
	for _, n := range s["header_names"].([]any) {
		names = append(names, n.(string))
	}
	sort.Strings(names)
	return names
}

func mustStruct(t *testing.T, m map[string]any) *structpb.Struct {
	t.Helper()
	s, err := structpb.NewStruct(m)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func equal(t *testing.T, what string, got, want any) {
	t.Helper()
	g, _ := json.Marshal(got)
	w, _ := json.Marshal(want)
	if string(g) != string(w) {
		t.Errorf("%s: got %s, want %s", what, g, w)
	}
}
