{{- /*
The Tollgate container, its volumes and its pod annotations, shared by this chart's Deployment
(service mode) and by any workload that adds Tollgate to its own pod (sidecar mode). A parent chart
calls them with its Tollgate values and release, and renders this chart's ConfigMap by depending on
it with mode: sidecar (helm/examples/litellm-sidecar):
  containers:
    {{- include "tollgate.container" (dict "Values" .Values.tollgate "Release" .Release) | nindent 4 }}
*/ -}}
{{- define "tollgate.container" -}}
- name: tollgate
  image: "{{ .Values.image.repository }}:{{ .Values.image.tag }}"
  imagePullPolicy: {{ .Values.image.pullPolicy }}
  args: ["serve", "--config", "/etc/tollgate/config/tollgate.yaml"]
  {{- if or .Values.env .Values.extraEnv }}
  env:
    {{- range $name, $value := .Values.env }}
    - name: {{ $name }}
      value: {{ $value | quote }}
    {{- end }}
    {{- with .Values.extraEnv }}
    {{- toYaml . | nindent 4 }}
    {{- end }}
  {{- end }}
  ports:
    - name: tg-http
      containerPort: {{ .Values.ports.http }}
    - name: tg-grpc
      containerPort: {{ .Values.ports.grpc }}
    - name: tg-admin
      containerPort: {{ .Values.ports.admin }}
  livenessProbe:
    httpGet: { path: /healthz, port: tg-admin }
    periodSeconds: 10
  readinessProbe:
    httpGet: { path: /readyz, port: tg-admin }
    periodSeconds: 5
  resources:
    {{- include "tollgate.resources" . | nindent 4 }}
  securityContext:
    {{- toYaml .Values.securityContext | nindent 4 }}
  volumeMounts:
    - name: tollgate-config
      mountPath: /etc/tollgate/config
      readOnly: true
    {{- if .Values.keys.secretName }}
    {{- /* No subPath: the kubelet then swaps the Secret's files in place and Tollgate's key watcher
    reloads them without a restart. */}}
    - name: tollgate-keys
      mountPath: /etc/tollgate/keys
      readOnly: true
    {{- end }}
{{- end -}}

{{- define "tollgate.volumes" -}}
- name: tollgate-config
  configMap:
    name: {{ include "tollgate.fullname" . }}
{{- if .Values.keys.secretName }}
- name: tollgate-keys
  secret:
    secretName: {{ .Values.keys.secretName }}
{{- end }}
{{- end -}}

{{- /* A config change rolls the pods; a key change does not (keys reload in place). */ -}}
{{- define "tollgate.podAnnotations" -}}
checksum/tollgate-config: {{ include "tollgate.configData" . | sha256sum }}
{{- end -}}
