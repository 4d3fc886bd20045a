{{/*
Names. Kubernetes names are limited to 63 characters for labels and Service names, so every name is
truncated there and a trailing "-" removed.
*/}}
{{- define "assay.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{- define "assay.fullname" -}}
{{- if .Values.fullnameOverride }}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- $name := default .Chart.Name .Values.nameOverride }}
{{- if contains $name .Release.Name }}
{{- .Release.Name | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" }}
{{- end }}
{{- end }}
{{- end }}

{{- define "assay.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* Labels on every object. */}}
{{- define "assay.labels" -}}
helm.sh/chart: {{ include "assay.chart" . }}
{{ include "assay.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
{{- end }}

{{/* Labels that select this release's pods. Deployments add app.kubernetes.io/component. */}}
{{- define "assay.selectorLabels" -}}
app.kubernetes.io/name: {{ include "assay.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end }}

{{- define "assay.serviceAccountName" -}}
{{- if .Values.serviceAccount.create }}
{{- default (include "assay.fullname" .) .Values.serviceAccount.name }}
{{- else }}
{{- required "serviceAccount.name is required when serviceAccount.create is false" .Values.serviceAccount.name }}
{{- end }}
{{- end }}

{{- define "assay.image" -}}
{{- if .Values.image.digest }}
{{- printf "%s@%s" .Values.image.repository .Values.image.digest }}
{{- else }}
{{- printf "%s:%s" .Values.image.repository (default .Chart.AppVersion .Values.image.tag) }}
{{- end }}
{{- end }}

{{/* "true" when Redis is configured (a URL or an existing Secret), else "". */}}
{{- define "assay.redis" -}}
{{- if and .Values.redis.url .Values.redis.existingSecret }}
{{- fail "set either redis.url or redis.existingSecret, not both" }}
{{- end }}
{{- if or .Values.redis.url .Values.redis.existingSecret }}true{{ end }}
{{- end }}

{{- define "assay.redisSecretName" -}}
{{- if .Values.redis.existingSecret }}{{ .Values.redis.existingSecret }}{{ else }}{{ include "assay.fullname" . }}-redis{{ end }}
{{- end }}

{{- define "assay.redisSecretKey" -}}
{{- if .Values.redis.existingSecret }}{{ required "redis.existingSecretKey is required with redis.existingSecret" .Values.redis.existingSecretKey }}{{ else }}redis-url{{ end }}
{{- end }}

{{/*
"true" when the controller runs with --leader-elect, else "". With Redis every replica is a BullMQ
worker and the controller ignores the flag, so it is never passed. auto: on with more than one
replica (without Redis nothing else keeps two controllers from owning the same runs).
*/}}
{{- define "assay.leaderElect" -}}
{{- $mode := toString .Values.controller.leaderElect }}
{{- if not (has $mode (list "auto" "true" "false")) }}
{{- fail (printf "controller.leaderElect must be auto, true or false, not %q" $mode) }}
{{- end }}
{{- $many := gt (int .Values.controller.replicas) 1 }}
{{- if not (include "assay.redis" .) }}
{{- if eq $mode "true" }}true
{{- else if eq $mode "auto" }}{{ if $many }}true{{ end }}
{{- else if $many }}
{{- fail "controller.leaderElect=false with more than one replica and no Redis would run several controllers on the same AnalysisRuns" }}
{{- end }}
{{- end }}
{{- end }}

{{/* Checks that span several values; included once from the controller Deployment. */}}
{{- define "assay.validate" -}}
{{- if and .Values.secrets.clusterWide .Values.secrets.namespaces }}
{{- fail "set either secrets.clusterWide or secrets.namespaces, not both" }}
{{- end }}
{{- end }}

{{/* Environment shared by controller and worker containers (config read by src/runtime/config.ts). */}}
{{- define "assay.env" -}}
- name: ASSAY_LOG_LEVEL
  value: {{ .Values.logLevel | quote }}
{{- with .Values.prometheus.address }}
- name: ARGO_ROLLOUTS_PROMETHEUS_ADDRESS
  value: {{ . | quote }}
{{- end }}
{{- if and .Values.jobProvider.enabled .Values.jobProvider.namespace }}
- name: ARGO_ROLLOUTS_ANALYSIS_JOB_NAMESPACE
  value: {{ .Values.jobProvider.namespace | quote }}
{{- end }}
{{- if include "assay.redis" . }}
- name: REDIS_URL
  valueFrom:
    secretKeyRef:
      name: {{ include "assay.redisSecretName" . }}
      key: {{ include "assay.redisSecretKey" . }}
{{- with .Values.redis.queue }}
- name: ASSAY_QUEUE
  value: {{ . | quote }}
{{- end }}
{{- end }}
{{- end }}

{{/* Ports, probes, security and the writable /tmp shared by controller and worker containers. */}}
{{- define "assay.containerCommon" -}}
image: {{ include "assay.image" . }}
imagePullPolicy: {{ .Values.image.pullPolicy }}
ports:
  - name: metrics
    containerPort: {{ .Values.ports.metrics }}
    protocol: TCP
  - name: health
    containerPort: {{ .Values.ports.health }}
    protocol: TCP
livenessProbe:
  httpGet:
    path: /healthz
    port: health
  {{- toYaml .Values.livenessProbe | nindent 2 }}
readinessProbe:
  httpGet:
    path: /readyz
    port: health
  {{- toYaml .Values.readinessProbe | nindent 2 }}
securityContext:
  {{- toYaml .Values.securityContext | nindent 2 }}
volumeMounts:
  - name: tmp
    mountPath: /tmp
{{- end }}

{{/* Pod-level fields shared by controller and worker pods. */}}
{{- define "assay.podCommon" -}}
serviceAccountName: {{ include "assay.serviceAccountName" . }}
{{- with .Values.imagePullSecrets }}
imagePullSecrets:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- with .Values.priorityClassName }}
priorityClassName: {{ . }}
{{- end }}
securityContext:
  {{- toYaml .Values.podSecurityContext | nindent 2 }}
volumes:
  - name: tmp
    emptyDir: {}
{{- end }}

{{/* RBAC rules for owning AnalysisRuns. Argument: dict "clusterTemplates" bool. */}}
{{- define "assay.rules.runs" -}}
- apiGroups: ["argoproj.io"]
  resources: ["analysisruns"]
  verbs: ["get", "list", "watch", "patch", "update", "delete"]
- apiGroups: ["argoproj.io"]
  resources: [{{ if .clusterTemplates }}"analysistemplates", "clusteranalysistemplates"{{ else }}"analysistemplates"{{ end }}]
  verbs: ["get", "list", "watch"]
- apiGroups: [""]
  resources: ["events"]
  verbs: ["create", "patch"]
{{- end }}

{{/* RBAC rules for the Job metric provider (create/track/delete Jobs; list Pods to explain image-pull failures). */}}
{{- define "assay.rules.jobs" -}}
- apiGroups: ["batch"]
  resources: ["jobs"]
  verbs: ["create", "get", "list", "watch", "delete"]
- apiGroups: [""]
  resources: ["pods"]
  verbs: ["list"]
{{- end }}

{{/* A RoleBinding/ClusterRoleBinding subject list: the chart's ServiceAccount. */}}
{{- define "assay.subjects" -}}
- kind: ServiceAccount
  name: {{ include "assay.serviceAccountName" . }}
  namespace: {{ .Release.Namespace }}
{{- end }}
