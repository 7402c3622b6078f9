package extauthz

// Every manifest the Helm chart renders, in both modes and with every optional part, decoded
// strictly into the Kubernetes API types (k8s.io/api) and the Prometheus Operator's CRD types: a
// misspelled or misplaced field, which `helm lint` lets through, is an error here.

import (
	"fmt"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"testing"

	monitoringv1 "github.com/prometheus-operator/prometheus-operator/pkg/apis/monitoring/v1"
	appsv1 "k8s.io/api/apps/v1"
	autoscalingv2 "k8s.io/api/autoscaling/v2"
	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	policyv1 "k8s.io/api/policy/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/yaml"
)

type render struct {
	name  string
	chart string
	args  []string
	kinds []string // every kind the render must hold, sorted
}

var everyOption = []string{
	"--set", "keys.secretName=tg-keys", "--set", "autoscaling.enabled=true", "--set", "serviceMonitor.enabled=true",
	"--set", "dashboard.enabled=true", "--set", "prometheusRule.enabled=true", "--set", "networkPolicy.enabled=true",
	"--set", "networkPolicy.gatewayPodSelector.app=litellm", "--set", "networkPolicy.gatewayNamespaceSelector.team=ai",
	"--set", "env.TOLLGATE_LOG_LEVEL=debug", "--set", "topologySpread.nodes=DoNotSchedule",
}

var renders = []render{
	{"service mode, defaults", "helm/tollgate", nil, []string{"ConfigMap", "Deployment", "PodDisruptionBudget", "Service"}},
	{"service mode, one replica, no spread", "helm/tollgate", []string{"--set", "replicaCount=1", "--set", "topologySpread.enabled=false"},
		[]string{"ConfigMap", "Deployment", "Service"}},
	{"service mode, every option", "helm/tollgate", everyOption, []string{"ConfigMap", "ConfigMap", "Deployment",
		"HorizontalPodAutoscaler", "NetworkPolicy", "PodDisruptionBudget", "PrometheusRule", "Service", "ServiceMonitor"}},
	{"sidecar mode", "helm/tollgate", []string{"-f", "helm/tollgate/values-sidecar.yaml"}, []string{"ConfigMap"}},
	{"sidecar mode, every option", "helm/tollgate", append([]string{"-f", "helm/tollgate/values-sidecar.yaml"}, everyOption...),
		[]string{"ConfigMap", "ConfigMap", "PrometheusRule"}},
	{"LiteLLM with a Tollgate sidecar (example)", "helm/examples/litellm-sidecar", nil, []string{"ConfigMap", "Deployment"}},
}

// newObject is the Go type of each kind the chart may render; any other kind fails the test.
func newObject(apiVersion, kind string) any {
	switch apiVersion + " " + kind {
	case "v1 ConfigMap":
		return &corev1.ConfigMap{}
	case "v1 Service":
		return &corev1.Service{}
	case "apps/v1 Deployment":
		return &appsv1.Deployment{}
	case "policy/v1 PodDisruptionBudget":
		return &policyv1.PodDisruptionBudget{}
	case "autoscaling/v2 HorizontalPodAutoscaler":
		return &autoscalingv2.HorizontalPodAutoscaler{}
	case "networking.k8s.io/v1 NetworkPolicy":
		return &networkingv1.NetworkPolicy{}
	case "monitoring.coreos.com/v1 ServiceMonitor":
		return &monitoringv1.ServiceMonitor{}
	case "monitoring.coreos.com/v1 PrometheusRule":
		return &monitoringv1.PrometheusRule{}
	}
	return nil
}

var docSeparator = regexp.MustCompile(`(?m)^---\s*$`)

// helmTemplate renders a chart with the project's pinned helm and returns its documents.
func helmTemplate(t *testing.T, chart string, args ...string) [][]byte {
	t.Helper()
	cmd := exec.Command(filepath.Join(rootDir, ".tools", "bin", "helm"), append([]string{"template", "tg", chart}, args...)...)
	cmd.Dir = rootDir
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("helm template %s %v: %v", chart, args, err)
	}
	var docs [][]byte
	for _, doc := range docSeparator.Split(string(out), -1) {
		var head metav1.TypeMeta
		if err := yaml.Unmarshal([]byte(doc), &head); err != nil {
			t.Fatalf("%s: not YAML: %v", chart, err)
		}
		if head.Kind != "" {
			docs = append(docs, []byte(doc))
		}
	}
	return docs
}

// decodeStrict decodes a manifest into its API type with unknown and duplicate fields as errors.
func decodeStrict(doc []byte) (any, string, error) {
	var head metav1.TypeMeta
	if err := yaml.Unmarshal(doc, &head); err != nil {
		return nil, "", err
	}
	obj := newObject(head.APIVersion, head.Kind)
	if obj == nil {
		return nil, head.Kind, fmt.Errorf("%s %s is not a kind this test knows", head.APIVersion, head.Kind)
	}
	return obj, head.Kind, yaml.UnmarshalStrict(doc, obj)
}

func TestHelmManifestsDecodeStrictly(t *testing.T) {
	for _, r := range renders {
		t.Run(r.name, func(t *testing.T) {
			var kinds []string
			for _, doc := range helmTemplate(t, r.chart, r.args...) {
				obj, kind, err := decodeStrict(doc)
				if err != nil {
					t.Fatalf("%s: %v\n%s", kind, err, doc)
				}
				kinds = append(kinds, kind)
				if err := requiredByCRD(obj); err != nil {
					t.Errorf("%s: %v", kind, err)
				}
			}
			slices.Sort(kinds)
			equal(t, "kinds rendered", kinds, r.kinds)
		})
	}
}

// The strict decoder is what catches a misspelled field: prove it does on a real manifest.
func TestStrictDecodeRejectsAMisspelledField(t *testing.T) {
	docs := helmTemplate(t, "helm/tollgate", "--set", "replicaCount=1")
	for _, doc := range docs {
		if _, kind, _ := decodeStrict(doc); kind == "Deployment" {
			bad := regexp.MustCompile(`readinessProbe:`).ReplaceAll(doc, []byte("readynessProbe:"))
			if _, _, err := decodeStrict(bad); err == nil {
				t.Fatal("a Deployment with readynessProbe decoded without error")
			}
			return
		}
	}
	t.Fatal("no Deployment rendered")
}

// requiredByCRD checks the fields the ServiceMonitor and PrometheusRule CRD schemas list as
// required (the +required markers of prometheus-operator's v1 types), which decoding cannot see.
func requiredByCRD(obj any) error {
	switch o := obj.(type) {
	case *monitoringv1.ServiceMonitor:
		if len(o.Spec.Selector.MatchLabels) == 0 && len(o.Spec.Selector.MatchExpressions) == 0 {
			return fmt.Errorf("spec.selector is required (and empty selects every Service)")
		}
		if len(o.Spec.Endpoints) == 0 {
			return fmt.Errorf("spec.endpoints is required")
		}
	case *monitoringv1.PrometheusRule:
		if len(o.Spec.Groups) == 0 {
			return fmt.Errorf("spec.groups is empty")
		}
		for _, g := range o.Spec.Groups {
			if g.Name == "" {
				return fmt.Errorf("spec.groups[].name is required")
			}
			for _, rule := range g.Rules {
				if rule.Expr.String() == "" || (rule.Alert == "") == (rule.Record == "") {
					return fmt.Errorf("rule %q: expr and exactly one of alert or record are required", rule.Alert+rule.Record)
				}
			}
		}
	}
	return nil
}
