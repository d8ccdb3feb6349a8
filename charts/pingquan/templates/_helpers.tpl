{{/*
Shared helpers. Every component is rendered by the same templates; a component's settings are
`componentDefaults` deep-merged with its entry under `components` (see "pingquan.component").
*/}}

{{/* Fixed ports: the platform's code listens on these inside the cluster. */}}
{{- define "pingquan.grpcPort" -}}50051{{- end -}}
{{- define "pingquan.gatewayPort" -}}4080{{- end -}}

{{/* Resource name prefix: fullnameOverride or the release name. */}}
{{- define "pingquan.prefix" -}}
{{- default .Release.Name .Values.fullnameOverride | trunc 30 | trimSuffix "-" -}}
{{- end -}}

{{/* `<prefix>-<suffix>`; call with (dict "root" $ "suffix" "...") */}}
{{- define "pingquan.name" -}}
{{- printf "%s-%s" (include "pingquan.prefix" .root) .suffix | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{- define "pingquan.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{/* Labels that select every pod of this release (and nothing a subchart renders). */}}
{{- define "pingquan.selectorLabels" -}}
app.kubernetes.io/name: {{ .Chart.Name }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end -}}

{{- define "pingquan.labels" -}}
{{ include "pingquan.selectorLabels" . }}
app.kubernetes.io/part-of: pingquan
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
helm.sh/chart: {{ include "pingquan.chart" . }}
{{- with .Values.commonLabels }}
{{ toYaml . }}
{{- end }}
{{- end -}}

{{/* Selector of one component's pods; call with (dict "root" $ "name" "land-contract" "workload" "server") */}}
{{- define "pingquan.componentSelectorLabels" -}}
{{ include "pingquan.selectorLabels" .root }}
app.kubernetes.io/component: {{ .name }}
pingquan.io/workload: {{ .workload }}
{{- end -}}

{{/* Deep merge of .src into .dst (maps merge, everything else replaces; unlike sprig's merge, false and 0 override). */}}
{{- define "pingquan.mergeInto" -}}
{{- $dst := .dst -}}
{{- range $k, $v := .src -}}
{{- $d := get $dst $k -}}
{{- if and (kindIs "map" $v) (kindIs "map" $d) -}}
{{- include "pingquan.mergeInto" (dict "dst" $d "src" $v) -}}
{{- else -}}
{{- $_ := set $dst $k $v -}}
{{- end -}}
{{- end -}}
{{- end -}}

{{/* A component's effective settings as YAML; call with (dict "root" $ "name" "land-contract"). */}}
{{- define "pingquan.component" -}}
{{- $c := deepCopy .root.Values.componentDefaults -}}
{{- include "pingquan.mergeInto" (dict "dst" $c "src" (deepCopy (get .root.Values.components .name))) -}}
{{- toYaml $c -}}
{{- end -}}

{{- define "pingquan.isGateway" -}}{{- if eq . "gateway" -}}true{{- end -}}{{- end -}}

{{/* Enabled gRPC services, sorted, as a comma-separated list. */}}
{{- define "pingquan.enabledServices" -}}
{{- $names := list -}}
{{- range $name, $entry := .Values.components -}}
{{- if and $entry.enabled (ne $name "gateway") -}}
{{- $names = append $names $name -}}
{{- end -}}
{{- end -}}
{{- join "," $names -}}
{{- end -}}

{{/* land-contract → LAND_CONTRACT */}}
{{- define "pingquan.upperSnake" -}}
{{- . | upper | replace "-" "_" -}}
{{- end -}}

{{/* land-contract → PQ_LAND_CONTRACT */}}
{{- define "pingquan.streamName" -}}
{{- printf "PQ_%s" (include "pingquan.upperSnake" .) -}}
{{- end -}}

{{/* land-contract → land_contract (PostgreSQL identifier) */}}
{{- define "pingquan.databaseName" -}}
{{- . | replace "-" "_" -}}
{{- end -}}

{{/* Image reference; call with (dict "root" $ "name" "land-contract" "c" $c) */}}
{{- define "pingquan.image" -}}
{{- $g := .root.Values.image -}}
{{- $registry := default $g.registry .c.image.registry -}}
{{- $repository := default (printf "%s/%s" $g.repository .name) .c.image.repository -}}
{{- $tag := default (default .root.Chart.AppVersion $g.tag) .c.image.tag -}}
{{- if $registry -}}
{{- printf "%s/%s:%s" $registry $repository $tag -}}
{{- else -}}
{{- printf "%s:%s" $repository $tag -}}
{{- end -}}
{{- end -}}

{{/* Kubernetes memory quantity → whole MiB (floor). */}}
{{- define "pingquan.memoryMiB" -}}
{{- $q := toString . -}}
{{- $units := dict "Ki" 1024.0 "Mi" 1048576.0 "Gi" 1073741824.0 "Ti" 1099511627776.0 "k" 1000.0 "K" 1000.0 "M" 1000000.0 "G" 1000000000.0 "T" 1000000000000.0 -}}
{{- $m := regexFind "^[0-9]+(\\.[0-9]+)?" $q -}}
{{- $suffix := trimPrefix $m $q -}}
{{- if or (not $m) (and $suffix (not (hasKey $units $suffix))) -}}
{{- fail (printf "cannot read the memory quantity %q (use e.g. 512Mi or 1Gi)" $q) -}}
{{- end -}}
{{- $bytes := mulf (float64 $m) (ternary 1.0 (get $units $suffix) (eq $suffix "")) -}}
{{- floor (divf $bytes 1048576.0) | int -}}
{{- end -}}

{{/* `--max-old-space-size=<nodeHeapPercent % of the memory limit>`; call with (dict "root" $ "limit" "512Mi") */}}
{{- define "pingquan.nodeOptions" -}}
{{- $mib := include "pingquan.memoryMiB" .limit | int -}}
{{- $heap := div (mul $mib (int .root.Values.nodeHeapPercent)) 100 -}}
{{- if lt $heap 64 -}}
{{- fail (printf "memory limit %s leaves Node only %d MiB of heap; give the container at least 128Mi" (toString .limit) $heap) -}}
{{- end -}}
{{- printf "--max-old-space-size=%d --max-semi-space-size=%d" $heap (int .root.Values.nodeSemiSpaceMiB) -}}
{{- end -}}

{{/* In-cluster NATS service name: mirrors the NATS chart's fullname rule. */}}
{{- define "pingquan.natsFullname" -}}
{{- $n := .Values.nats -}}
{{- if $n.fullnameOverride -}}
{{- $n.fullnameOverride | trunc 63 | trimSuffix "-" -}}
{{- else if contains "nats" .Release.Name -}}
{{- .Release.Name | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-nats" .Release.Name | trunc 63 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}

{{- define "pingquan.cnpgCluster" -}}
{{- include "pingquan.name" (dict "root" . "suffix" "postgresql") -}}
{{- end -}}

{{/* NATS_URL env entry. */}}
{{- define "pingquan.env.nats" -}}
{{- if .Values.nats.enabled }}
- name: NATS_URL
  value: {{ printf "nats://%s:4222" (include "pingquan.natsFullname" .) | quote }}
{{- else if .Values.externalNats.existingSecret }}
- name: NATS_URL
  valueFrom:
    secretKeyRef:
      name: {{ .Values.externalNats.existingSecret }}
      key: {{ .Values.externalNats.existingSecretKey }}
{{- else }}
- name: NATS_URL
  value: {{ required "externalNats.url (or externalNats.existingSecret) is required when nats.enabled is false" .Values.externalNats.url | quote }}
{{- end }}
{{- end -}}

{{/* DATABASE_URL env entries of a service; call with (dict "root" $ "name" "land-contract" "c" $c) */}}
{{- define "pingquan.env.database" -}}
{{- $root := .root -}}
{{- if $root.Values.postgresql.enabled }}
{{- $cluster := include "pingquan.cnpgCluster" $root }}
# Trial only: the CloudNativePG application role owns one database per service.
- name: PQ_DATABASE_USER
  valueFrom:
    secretKeyRef:
      name: {{ $cluster }}-app
      key: username
- name: PQ_DATABASE_PASSWORD
  valueFrom:
    secretKeyRef:
      name: {{ $cluster }}-app
      key: password
- name: DATABASE_URL
  value: {{ printf "postgresql://$(PQ_DATABASE_USER):$(PQ_DATABASE_PASSWORD)@%s-rw:5432/%s" $cluster (include "pingquan.databaseName" .name) | quote }}
{{- else }}
- name: DATABASE_URL
  valueFrom:
    secretKeyRef:
      name: {{ default (include "pingquan.name" (dict "root" $root "suffix" (printf "%s-database" .name))) .c.database.existingSecret }}
      key: {{ .c.database.existingSecretKey }}
{{- end }}
{{- end -}}

{{/* OpenTelemetry env entries; call with (dict "root" $ "serviceName" "land-contract") */}}
{{- define "pingquan.env.otel" -}}
- name: OTEL_SERVICE_NAME
  value: {{ .serviceName | quote }}
{{- with .root.Values.otel.endpoint }}
- name: OTEL_EXPORTER_OTLP_ENDPOINT
  value: {{ . | quote }}
{{- end }}
{{- with .root.Values.otel.protocol }}
- name: OTEL_EXPORTER_OTLP_PROTOCOL
  value: {{ . | quote }}
{{- end }}
- name: OTEL_RESOURCE_ATTRIBUTES
  value: {{ printf "service.namespace=pingquan,service.version=%s,deployment.environment.name=%s" .root.Chart.AppVersion .root.Release.Namespace | quote }}
{{- end -}}

{{/* JetStream settings for `node /app/dist/streams.js`. */}}
{{- define "pingquan.env.jetstream" -}}
- name: PQ_JETSTREAM_MANAGE
  value: {{ ternary "consumers" "streams-and-consumers" (eq .Values.jetstream.mode "nack") | quote }}
- name: PQ_JETSTREAM_STORAGE
  value: {{ .Values.jetstream.storage | quote }}
- name: PQ_JETSTREAM_REPLICAS
  value: {{ .Values.jetstream.replicas | quote }}
- name: PQ_JETSTREAM_DUPLICATE_WINDOW
  value: {{ .Values.jetstream.duplicateWindow | quote }}
{{- with .Values.jetstream.maxAge }}
- name: PQ_JETSTREAM_MAX_AGE
  value: {{ . | quote }}
{{- end }}
{{- end -}}

{{/* The signing-key Secret name. */}}
{{- define "pingquan.signingKeySecret" -}}
{{- default (include "pingquan.name" (dict "root" . "suffix" "internal-signing-key")) .Values.internalSigningKey.existingSecret -}}
{{- end -}}

{{- define "pingquan.tmpVolume" -}}
- name: tmp
  emptyDir:
    sizeLimit: {{ .Values.tmpSizeLimit }}
{{- end -}}

{{- define "pingquan.tmpMount" -}}
- name: tmp
  mountPath: /tmp
{{- end -}}

{{/* Non-secret environment of a component (rendered into its ConfigMap); call with (dict "root" $ "name" "land-contract" "c" $c) */}}
{{- define "pingquan.configData" -}}
{{- $root := .root -}}
{{- $c := .c -}}
LOG_LEVEL: {{ default $root.Values.logLevel $c.logLevel | quote }}
NODE_ENV: "production"
NODE_OPTIONS: {{ include "pingquan.nodeOptions" (dict "root" $root "limit" $c.resources.limits.memory) | quote }}
MIGRATE_ON_START: "false"
{{- if eq .name "gateway" }}
GATEWAY_PORT: {{ include "pingquan.gatewayPort" $root | quote }}
GATEWAY_MODE: {{ $c.mode | quote }}
JWT_ISSUER: {{ required "components.gateway.jwt.issuer is required" $c.jwt.issuer | quote }}
JWT_AUDIENCE: {{ required "components.gateway.jwt.audience is required" $c.jwt.audience | quote }}
JWT_JWKS_URL: {{ required "components.gateway.jwt.jwksUrl is required" $c.jwt.jwksUrl | quote }}
{{- else }}
GRPC_PORT: {{ include "pingquan.grpcPort" $root | quote }}
{{- end }}
{{- /* Every component learns every enabled service's address: the gateway calls all of them, and
       services call each other (property-mortgage checks collateral in land-contract). */}}
{{- range $svc := splitList "," (include "pingquan.enabledServices" $root) }}
{{- if $svc }}
{{ include "pingquan.upperSnake" $svc }}_GRPC_URL: {{ printf "dns:///%s:%s" (include "pingquan.name" (dict "root" $root "suffix" $svc)) (include "pingquan.grpcPort" $root) | quote }}
{{- end }}
{{- end }}
{{- end -}}

{{/* Labels that say which NetworkPolicy paths a pod takes part in; call with (dict "name" "land-contract" "workload" "server") */}}
{{- define "pingquan.roleLabels" -}}
{{- if eq .workload "migrate" }}
pingquan.io/postgresql-client: "true"
pingquan.io/nats-client: "true"
{{- else if eq .name "gateway" }}
pingquan.io/grpc-client: "true"
pingquan.io/nats-client: "true"
pingquan.io/gateway: "true"
{{- else }}
pingquan.io/grpc-server: "true"
pingquan.io/grpc-client: "true"
pingquan.io/postgresql-client: "true"
pingquan.io/nats-client: "true"
{{- end }}
{{- end -}}

{{- define "pingquan.podSecurityContext" -}}
{{- toYaml .Values.podSecurityContext -}}
{{- end -}}

{{- define "pingquan.containerSecurityContext" -}}
{{- toYaml .Values.containerSecurityContext -}}
{{- end -}}
