package extauthz

// The chart's Grafana dashboard and PrometheusRule alerts: every PromQL expression parsed by
// Prometheus's own parser, and every metric it names exported by the running Tollgate (TestMain's
// `tollgate serve`), so neither can drift from src/observability/metrics.ts.

import (
	"encoding/json"
	"io"
	"net/http"
	"regexp"
	"strings"
	"testing"

	monitoringv1 "github.com/prometheus-operator/prometheus-operator/pkg/apis/monitoring/v1"
	"github.com/prometheus/prometheus/model/labels"
	"github.com/prometheus/prometheus/promql/parser"
	corev1 "k8s.io/api/core/v1"
)

// Series Prometheus itself makes for every scrape target, not Tollgate.
var prometheusOwn = map[string]bool{"up": true}

// grafanaVariables are replaced by values of the same type before parsing, as Grafana does.
var grafanaVariables = strings.NewReplacer("$__rate_interval", "5m", "$job", ".+")

type dashboard struct {
	Panels []struct {
		Title   string `json:"title"`
		Targets []struct {
			Expr string `json:"expr"`
		} `json:"targets"`
	} `json:"panels"`
}

// chartExpressions renders the chart with its dashboard and alerts and returns each expression by where it is.
func chartExpressions(t *testing.T) map[string]string {
	exprs := map[string]string{}
	for _, doc := range helmTemplate(t, "helm/tollgate", "--set", "dashboard.enabled=true", "--set", "prometheusRule.enabled=true") {
		obj, _, err := decodeStrict(doc)
		if err != nil {
			t.Fatal(err)
		}
		switch o := obj.(type) {
		case *corev1.ConfigMap:
			if text, ok := o.Data["tollgate.json"]; ok {
				var d dashboard
				if err := json.Unmarshal([]byte(text), &d); err != nil {
					t.Fatalf("dashboard JSON: %v", err)
				}
				for _, p := range d.Panels {
					for i, target := range p.Targets {
						exprs["panel "+p.Title+" #"+string(rune('A'+i))] = grafanaVariables.Replace(target.Expr)
					}
				}
			}
		case *monitoringv1.PrometheusRule:
			for _, g := range o.Spec.Groups {
				for _, r := range g.Rules {
					exprs["alert "+r.Alert] = r.Expr.String()
				}
			}
		}
	}
	return exprs
}

// exportedMetrics reads the running Tollgate's /metrics: every family it declares (# TYPE), with a
// histogram's or summary's series names, whether or not a labelled series has a sample yet.
func exportedMetrics(t *testing.T) map[string]bool {
	res, err := http.Get(adminURL + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	body, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	names := map[string]bool{}
	for _, m := range regexp.MustCompile(`(?m)^# TYPE (\S+) (\S+)$`).FindAllStringSubmatch(string(body), -1) {
		names[m[1]] = true
		switch m[2] {
		case "histogram":
			names[m[1]+"_bucket"], names[m[1]+"_sum"], names[m[1]+"_count"] = true, true, true
		case "summary":
			names[m[1]+"_sum"], names[m[1]+"_count"] = true, true
		}
	}
	return names
}

// promql parses as a default Prometheus server does (stable functions only).
var promql = parser.NewParser(parser.Options{})

// unknownMetrics parses an expression and returns the metrics it names that are neither exported nor Prometheus's own.
func unknownMetrics(exported map[string]bool, text string) (unknown []string, named int, err error) {
	expr, err := promql.ParseExpr(text)
	if err != nil {
		return nil, 0, err
	}
	parser.Inspect(expr, func(node parser.Node, _ []parser.Node) error {
		if vs, ok := node.(*parser.VectorSelector); ok {
			name := vs.Name
			for _, m := range vs.LabelMatchers {
				if m.Name == labels.MetricName {
					name = m.Value
				}
			}
			named++
			if !exported[name] && !prometheusOwn[name] {
				unknown = append(unknown, name)
			}
		}
		return nil
	})
	return unknown, named, nil
}

func TestDashboardAndAlertsUseOnlyExportedMetrics(t *testing.T) {
	exported := exportedMetrics(t)
	if !exported["tollgate_decisions_total"] || !exported["tollgate_decision_duration_seconds_bucket"] {
		t.Fatalf("/metrics does not declare Tollgate's decision metrics: %v", exported)
	}
	exprs := chartExpressions(t)
	if len(exprs) < 25 {
		t.Fatalf("found %d expressions in the dashboard and alerts; expected every panel and alert", len(exprs))
	}
	for where, text := range exprs {
		unknown, named, err := unknownMetrics(exported, text)
		switch {
		case err != nil:
			t.Errorf("%s: %v\n%s", where, err, text)
		case named == 0:
			t.Errorf("%s names no metric: %s", where, text)
		case len(unknown) > 0:
			t.Errorf("%s: %v not exported by Tollgate", where, unknown)
		}
	}
}

// The check itself catches a metric Tollgate does not export and PromQL that does not parse.
func TestDriftCheckCatchesUnknownMetricsAndBadPromQL(t *testing.T) {
	exported := exportedMetrics(t)
	unknown, _, err := unknownMetrics(exported, `sum(rate(tollgate_decisions_totl[5m])) / sum(rate(tollgate_decisions_total[5m]))`)
	equal(t, "parse error", err, nil)
	equal(t, "unknown metrics", unknown, []string{"tollgate_decisions_totl"})
	if _, _, err := unknownMetrics(exported, `sum by (reason) rate(tollgate_decisions_total[5m])`); err == nil {
		t.Error("malformed PromQL parsed")
	}
}
