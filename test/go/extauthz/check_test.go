package extauthz

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"

	corev3 "github.com/envoyproxy/go-control-plane/envoy/config/core/v3"
	authv3 "github.com/envoyproxy/go-control-plane/envoy/service/auth/v3"
	typev3 "github.com/envoyproxy/go-control-plane/envoy/type/v3"
	"google.golang.org/grpc/codes"
	"google.golang.org/protobuf/types/known/structpb"
)

func TestAllowedAPIKey(t *testing.T) {
	res := check(t, chatRequest("gpt-4o-mini", bearer()))
	equal(t, "status.code", res.GetStatus().GetCode(), int32(codes.OK))
	ok := res.GetOkResponse()
	if ok == nil {
		t.Fatalf("want ok_response, got %v", res.GetHttpResponse())
	}
	upstream := headerValues(t, ok.GetHeaders())
	decisionID := metadataString(res, "decision_id")
	equal(t, "upstream identity headers", upstream, map[string]string{
		"x-tollgate-subject": "svc-a", "x-tollgate-key-id": apiKey.ID, "x-tollgate-credential": "api_key", "x-tollgate-decision-id": decisionID,
	})
	// Empty identity headers are removed; the credential goes too (upstream.remove_credential_headers).
	equal(t, "headers_to_remove", sorted(ok.GetHeadersToRemove()), []string{"authorization", "x-tollgate-on-behalf-of"})
	equal(t, "response_headers_to_add", len(ok.GetResponseHeadersToAdd()), 0)
	equal(t, "metadata subject", metadataString(res, "subject"), "svc-a")
	equal(t, "metadata key_id", metadataString(res, "key_id"), apiKey.ID)
	equal(t, "metadata reason", metadataString(res, "reason"), "allowed")
	if len(decisionID) != 36 {
		t.Errorf("decision_id %q is not a UUID", decisionID)
	}
	s := seen(t, res)
	equal(t, "policy saw method/path/query/host/scheme/model/address",
		[]any{s["method"], s["path"], s["query"], s["host"], s["scheme"], s["model"], s["address"], s["body_truncated"]},
		[]any{"POST", "/v1/chat/completions", "trace=1", "llm.internal", "https", "gpt-4o-mini", "10.0.0.7", false})
	// Pseudo-headers are request facts and credentials are stripped before policy sees headers.
	equal(t, "policy header names", headerNames(t, s), []string{"content-type", "host", "x-request-id"})
}

func TestDeniedModel(t *testing.T) {
	res := check(t, chatRequest("o1", map[string]string{"x-api-key": apiKey.Key}))
	equal(t, "status.code", res.GetStatus().GetCode(), int32(codes.PermissionDenied))
	equal(t, "status.message", res.GetStatus().GetMessage(), "model_not_allowed")
	denied := res.GetDeniedResponse()
	if denied == nil {
		t.Fatalf("want denied_response, got %v", res.GetHttpResponse())
	}
	equal(t, "http status", denied.GetStatus().GetCode(), typev3.StatusCode_Forbidden)
	equal(t, "deny headers", headerValues(t, denied.GetHeaders()), map[string]string{"content-type": "application/json"})
	var body struct {
		Error struct{ Code, DecisionID string } `json:"error"`
	}
	if err := json.Unmarshal([]byte(denied.GetBody()), &body); err != nil {
		t.Fatalf("deny body is not JSON: %q", denied.GetBody())
	}
	equal(t, "body error.code", body.Error.Code, "model_not_allowed")
	equal(t, "metadata subject", metadataString(res, "subject"), "svc-a")
	equal(t, "metadata reason", metadataString(res, "reason"), "model_not_allowed")
}

func TestNoCredential(t *testing.T) {
	res := check(t, chatRequest("gpt-4o-mini", nil))
	equal(t, "status.code", res.GetStatus().GetCode(), int32(codes.Unauthenticated))
	denied := res.GetDeniedResponse()
	equal(t, "http status", denied.GetStatus().GetCode(), typev3.StatusCode_Unauthorized)
	headers := headerValues(t, denied.GetHeaders())
	if !strings.HasPrefix(headers["www-authenticate"], `Bearer realm="tollgate"`) {
		t.Errorf("www-authenticate = %q", headers["www-authenticate"])
	}
	equal(t, "content-type", headers["content-type"], "application/json")
	if _, ok := res.GetDynamicMetadata().GetFields()["subject"]; ok {
		t.Error("an unauthenticated deny must carry no subject")
	}
}

func TestInvalidKey(t *testing.T) {
	res := check(t, chatRequest("gpt-4o-mini", map[string]string{"authorization": "Bearer tg_not_a_real_key"}))
	equal(t, "status.code", res.GetStatus().GetCode(), int32(codes.Unauthenticated))
	equal(t, "http status", res.GetDeniedResponse().GetStatus().GetCode(), typev3.StatusCode_Unauthorized)
}

func TestRawBody(t *testing.T) {
	for _, tc := range []struct {
		model string
		want  codes.Code
	}{{"gpt-4o", codes.OK}, {"o1", codes.PermissionDenied}} {
		req := chatRequest(tc.model, bearer())
		http := req.GetAttributes().GetRequest().GetHttp()
		http.RawBody, http.Body = []byte(http.Body), ""
		res := check(t, req)
		equal(t, "raw_body "+tc.model+" status", res.GetStatus().GetCode(), int32(tc.want))
		equal(t, "raw_body model seen", seen(t, res)["model"], tc.model)
	}
}

func TestPartialBody(t *testing.T) {
	req := chatRequest("gpt-4o-mini", map[string]string{"authorization": "Bearer " + apiKey.Key, "x-envoy-auth-partial-body": "true"})
	http := req.GetAttributes().GetRequest().GetHttp()
	http.Body = http.Body[:20]
	res := check(t, req)
	s := seen(t, res)
	equal(t, "body_truncated", s["body_truncated"], true)
	equal(t, "model from a cut body", s["model"], nil)
	if slices.Contains(headerNames(t, s), "x-envoy-auth-partial-body") {
		t.Error("x-envoy-auth-partial-body reached policy as a header")
	}
	// The default policy needs the model for a model call: an unreadable body is a deny, never an allow.
	equal(t, "status.code", res.GetStatus().GetCode(), int32(codes.PermissionDenied))
}

func TestMTLSPrincipal(t *testing.T) {
	req := chatRequest("gpt-4o-mini", bearer())
	req.Attributes.Source.Principal = "spiffe://cluster.local/ns/agents/sa/planner"
	req.Attributes.Source.Certificate = "-----BEGIN%20CERTIFICATE-----%0AMIIB...%0A-----END%20CERTIFICATE-----%0A"
	res := check(t, req)
	equal(t, "principal seen by policy", seen(t, res)["principal"], "spiffe://cluster.local/ns/agents/sa/planner")
	equal(t, "status.code", res.GetStatus().GetCode(), int32(codes.OK))
}

func TestSpoofedIdentityHeaders(t *testing.T) {
	res := check(t, chatRequest("gpt-4o-mini", map[string]string{
		"authorization": "Bearer " + apiKey.Key, "x-tollgate-subject": "admin", "x-tollgate-credential": "jwt",
	}))
	ok := res.GetOkResponse()
	upstream := headerValues(t, ok.GetHeaders())
	equal(t, "spoofed headers overwritten", []string{upstream["x-tollgate-subject"], upstream["x-tollgate-credential"]}, []string{"svc-a", "api_key"})
	// Envoy applies headers_to_remove after setting headers: a set header must not also be removed.
	equal(t, "headers_to_remove", sorted(ok.GetHeadersToRemove()), []string{"authorization", "x-tollgate-on-behalf-of"})
	for _, name := range headerNames(t, seen(t, res)) {
		if strings.HasPrefix(name, "x-tollgate-") {
			t.Errorf("policy saw client-sent %s", name)
		}
	}
}

func TestEncodeRawHeaders(t *testing.T) {
	req := chatRequest("gpt-4o-mini", nil)
	http := req.GetAttributes().GetRequest().GetHttp()
	http.Headers = nil
	http.HeaderMap = &corev3.HeaderMap{Headers: []*corev3.HeaderValue{
		{Key: ":authority", RawValue: []byte("llm.internal")},
		{Key: ":path", RawValue: []byte("/v1/chat/completions")},
		{Key: "authorization", RawValue: []byte("Bearer " + apiKey.Key)},
		{Key: "x-team", RawValue: []byte("a")},
		{Key: "x-team", RawValue: []byte("b")},
	}}
	res := check(t, req)
	equal(t, "status.code", res.GetStatus().GetCode(), int32(codes.OK))
	equal(t, "policy header names", headerNames(t, seen(t, res)), []string{"host", "x-team"})
}

func TestContextAndMetadata(t *testing.T) {
	req := chatRequest("gpt-4o-mini", bearer())
	req.Attributes.ContextExtensions = map[string]string{"tenant": "blue", "route": "chat"}
	req.Attributes.MetadataContext = &corev3.Metadata{FilterMetadata: map[string]*structpb.Struct{
		"envoy.filters.http.jwt_authn": mustStruct(t, map[string]any{"payload": map[string]any{"sub": "u1", "groups": []any{"a", "b"}}}),
	}}
	s := seen(t, check(t, req))
	equal(t, "context", s["context"], map[string]any{"route": "chat", "tenant": "blue"})
	equal(t, "metadata", s["metadata"], map[string]any{"filter_metadata": map[string]any{
		"envoy.filters.http.jwt_authn": map[string]any{"payload": map[string]any{"groups": []any{"a", "b"}, "sub": "u1"}},
	}})
}

func TestOversizedBody(t *testing.T) {
	req := chatRequest("gpt-4o-mini", bearer())
	req.Attributes.Request.Http.Body = chatBody(strings.Repeat("x", maxReceiveBytes+1))
	res := check(t, req)
	equal(t, "status.code", res.GetStatus().GetCode(), int32(codes.PermissionDenied))
	equal(t, "http status", res.GetDeniedResponse().GetStatus().GetCode(), typev3.StatusCode_PayloadTooLarge)
}

func TestNoHTTPAttributes(t *testing.T) {
	res := check(t, &authv3.CheckRequest{})
	equal(t, "status.code", res.GetStatus().GetCode(), int32(codes.PermissionDenied))
	equal(t, "http status", res.GetDeniedResponse().GetStatus().GetCode(), typev3.StatusCode_BadRequest)
}

func sorted(s []string) []string {
	out := slices.Clone(s)
	slices.Sort(out)
	return out
}
