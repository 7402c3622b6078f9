{{- /* Names work from a chart context or from the dict a parent chart passes to the sidecar templates
(Values, Release; no Chart), so the same helpers serve both modes. */ -}}
{{- define "tollgate.name" -}}
{{- if .Chart }}{{ .Chart.Name }}{{ else }}tollgate{{ end -}}
{{- end -}}

{{- define "tollgate.fullname" -}}
{{- $name := include "tollgate.name" . -}}
{{- if contains $name .Release.Name -}}
{{- .Release.Name | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}

{{- define "tollgate.labels" -}}
app.kubernetes.io/name: {{ include "tollgate.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- with .Chart }}
app.kubernetes.io/version: {{ .AppVersion | quote }}
helm.sh/chart: {{ printf "%s-%s" .Name .Version }}
{{- end }}
{{- end -}}

{{- define "tollgate.selector" -}}
app.kubernetes.io/name: {{ include "tollgate.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end -}}

{{- /* tollgate.yaml. In sidecar mode the authorization ports listen on loopback: the gateway in the
same pod is their one client. The admin port keeps adminHost so the kubelet and Prometheus reach it. */ -}}
{{- define "tollgate.configData" -}}
{{- $v := .Values -}}
{{- $host := ternary "127.0.0.1" "0.0.0.0" (eq $v.mode "sidecar") -}}
{{- $server := dict "host" $host "http_port" $v.ports.http "grpc_port" $v.ports.grpc "admin_port" $v.ports.admin "admin_host" $v.adminHost -}}
{{- $keys := dict -}}
{{- if $v.keys.secretName }}{{ $_ := set $keys "file" "/etc/tollgate/keys/keys.yaml" }}{{ end -}}
{{- toYaml (mergeOverwrite (dict "server" $server "keys" $keys) (deepCopy $v.config)) -}}
{{- end -}}

{{- /* Memory in MiB for keys.expected API keys, from bench/sizing.sh's measurements
(docs/operations.md#sizing): the request covers the steady state, baselineMi + bytesPerKey each;
the limit covers a key-file reload, which holds the old and the new keys at once
(reloadBytesPerKey each), plus headroomPercent. */ -}}
{{- define "tollgate.memoryRequestMi" -}}
{{- $m := .Values.memory -}}
{{- add (int $m.baselineMi) (div (mul (int .Values.keys.expected) (int $m.bytesPerKey)) 1048576) 1 -}}
{{- end -}}

{{- define "tollgate.memoryLimitMi" -}}
{{- $m := .Values.memory -}}
{{- $peak := add (int $m.baselineMi) (div (mul (int .Values.keys.expected) (int $m.reloadBytesPerKey)) 1048576) 1 -}}
{{- div (mul $peak (add 100 (int $m.headroomPercent))) 100 -}}
{{- end -}}

{{- define "tollgate.resources" -}}
{{- $derived := dict "requests" (dict "memory" (printf "%sMi" (include "tollgate.memoryRequestMi" .))) "limits" (dict "memory" (printf "%sMi" (include "tollgate.memoryLimitMi" .))) -}}
{{- toYaml (mergeOverwrite $derived (deepCopy .Values.resources)) -}}
{{- end -}}
