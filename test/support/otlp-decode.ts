/**
 * Decodes OTLP/HTTP export requests, protobuf and JSON, into one plain shape
 * that tests can assert on. The protobuf schema below is the subset of
 * opentelemetry-proto (trace, metrics, common, resource; v1) the assertions
 * need, with the upstream field numbers; unknown fields are skipped by the
 * decoder, so the subset is safe.
 */
import protobuf from 'protobufjs';

const SCHEMA = `
syntax = "proto3";
package otlp;

message AnyValue {
  oneof value {
    string string_value = 1;
    bool bool_value = 2;
    int64 int_value = 3;
    double double_value = 4;
    ArrayValue array_value = 5;
    KeyValueList kvlist_value = 6;
    bytes bytes_value = 7;
  }
}
message ArrayValue { repeated AnyValue values = 1; }
message KeyValueList { repeated KeyValue values = 1; }
message KeyValue { string key = 1; AnyValue value = 2; }
message InstrumentationScope { string name = 1; string version = 2; }
message Resource { repeated KeyValue attributes = 1; }

message ExportTraceServiceRequest { repeated ResourceSpans resource_spans = 1; }
message ResourceSpans { Resource resource = 1; repeated ScopeSpans scope_spans = 2; }
message ScopeSpans { InstrumentationScope scope = 1; repeated Span spans = 2; }
message Span {
  bytes trace_id = 1;
  bytes span_id = 2;
  bytes parent_span_id = 4;
  string name = 5;
  int32 kind = 6;
  fixed64 start_time_unix_nano = 7;
  fixed64 end_time_unix_nano = 8;
  repeated KeyValue attributes = 9;
  repeated Event events = 11;
  Status status = 15;
}
message Event { fixed64 time_unix_nano = 1; string name = 2; repeated KeyValue attributes = 3; }
message Status { string message = 2; int32 code = 3; }

message ExportMetricsServiceRequest { repeated ResourceMetrics resource_metrics = 1; }
message ResourceMetrics { Resource resource = 1; repeated ScopeMetrics scope_metrics = 2; }
message ScopeMetrics { InstrumentationScope scope = 1; repeated Metric metrics = 2; }
message Metric {
  string name = 1;
  string description = 2;
  string unit = 3;
  oneof data { Gauge gauge = 5; Sum sum = 7; Histogram histogram = 9; }
}
message Gauge { repeated NumberDataPoint data_points = 1; }
message Sum { repeated NumberDataPoint data_points = 1; int32 aggregation_temporality = 2; bool is_monotonic = 3; }
message Histogram { repeated HistogramDataPoint data_points = 1; int32 aggregation_temporality = 2; }
message NumberDataPoint {
  repeated KeyValue attributes = 7;
  fixed64 time_unix_nano = 3;
  oneof value { double as_double = 4; sfixed64 as_int = 6; }
}
message HistogramDataPoint {
  repeated KeyValue attributes = 9;
  fixed64 time_unix_nano = 3;
  fixed64 count = 4;
  optional double sum = 5;
  repeated fixed64 bucket_counts = 6;
  repeated double explicit_bounds = 7;
  optional double min = 11;
  optional double max = 12;
}
`;

const root = protobuf.parse(SCHEMA).root;
const TraceRequest = root.lookupType('otlp.ExportTraceServiceRequest');
const MetricsRequest = root.lookupType('otlp.ExportMetricsServiceRequest');
const TO_OBJECT: protobuf.IConversionOptions = { longs: String, enums: Number, bytes: Array, defaults: false, oneofs: false };

export type AttrValue = string | number | boolean | AttrValue[] | { [key: string]: AttrValue } | null;
export type Attributes = Record<string, AttrValue>;

export interface ReceivedSpan {
  traceId: string;
  spanId: string;
  /** Empty for a root span. */
  parentSpanId: string;
  name: string;
  /** OTLP numbering: 1 internal, 2 server, 3 client. */
  kind: number;
  /** Start time, ns since the epoch. */
  startNs: bigint;
  /** 0 unset, 1 ok, 2 error. */
  status: { code: number; message: string };
  attributes: Attributes;
  events: { name: string; attributes: Attributes }[];
  resource: Attributes;
  scope: string;
}

export interface ReceivedPoint {
  attributes: Attributes;
  /** Sum and gauge points. */
  value?: number;
  /** Histogram points. */
  count?: number;
  sum?: number;
  min?: number;
  max?: number;
}

export interface ReceivedMetric {
  name: string;
  unit: string;
  type: 'sum' | 'gauge' | 'histogram';
  points: ReceivedPoint[];
  resource: Attributes;
}

/** Any OTLP message as an object: protobuf via `toObject`, JSON as parsed. Field names are camelCase in both. */
type Obj = Record<string, unknown>;

export function decodeTraces(body: Buffer, contentType: string): ReceivedSpan[] {
  const message = isJson(contentType)
    ? (JSON.parse(body.toString('utf8')) as Obj)
    : (TraceRequest.toObject(TraceRequest.decode(body), TO_OBJECT) as Obj);
  const spans: ReceivedSpan[] = [];
  for (const rs of list(message.resourceSpans)) {
    const resource = attributes(list((rs.resource as Obj | undefined)?.attributes));
    for (const ss of list(rs.scopeSpans)) {
      const scope = String((ss.scope as Obj | undefined)?.name ?? '');
      for (const s of list(ss.spans)) {
        const status = (s.status as Obj | undefined) ?? {};
        spans.push({
          traceId: id(s.traceId),
          spanId: id(s.spanId),
          parentSpanId: id(s.parentSpanId),
          name: String(s.name ?? ''),
          kind: Number(s.kind ?? 0),
          startNs: BigInt(String(s.startTimeUnixNano ?? 0)),
          status: { code: Number(status.code ?? 0), message: String(status.message ?? '') },
          attributes: attributes(list(s.attributes)),
          events: list(s.events).map((e) => ({ name: String(e.name ?? ''), attributes: attributes(list(e.attributes)) })),
          resource,
          scope,
        });
      }
    }
  }
  return spans;
}

export function decodeMetrics(body: Buffer, contentType: string): ReceivedMetric[] {
  const message = isJson(contentType)
    ? (JSON.parse(body.toString('utf8')) as Obj)
    : (MetricsRequest.toObject(MetricsRequest.decode(body), TO_OBJECT) as Obj);
  const out: ReceivedMetric[] = [];
  for (const rm of list(message.resourceMetrics)) {
    const resource = attributes(list((rm.resource as Obj | undefined)?.attributes));
    for (const sm of list(rm.scopeMetrics)) {
      for (const m of list(sm.metrics)) {
        const base = { name: String(m.name ?? ''), unit: String(m.unit ?? ''), resource };
        if (m.histogram !== undefined) {
          const points = list((m.histogram as Obj).dataPoints).map((p) => ({
            attributes: attributes(list(p.attributes)),
            count: Number(p.count ?? 0),
            ...(p.sum !== undefined && { sum: Number(p.sum) }),
            ...(p.min !== undefined && { min: Number(p.min) }),
            ...(p.max !== undefined && { max: Number(p.max) }),
          }));
          out.push({ ...base, type: 'histogram', points });
        } else {
          const type = m.sum !== undefined ? 'sum' : 'gauge';
          const data = (m.sum ?? m.gauge) as Obj | undefined;
          const points = list(data?.dataPoints).map((p) => ({
            attributes: attributes(list(p.attributes)),
            value: Number(p.asDouble ?? p.asInt ?? 0),
          }));
          out.push({ ...base, type, points });
        }
      }
    }
  }
  return out;
}

function isJson(contentType: string): boolean {
  return contentType.toLowerCase().includes('json');
}

function list(value: unknown): Obj[] {
  return Array.isArray(value) ? (value as Obj[]) : [];
}

/** Protobuf bytes arrive as number arrays; OTLP/JSON carries ids as hex already. */
function id(value: unknown): string {
  if (typeof value === 'string') return value.toLowerCase();
  if (Array.isArray(value)) return Buffer.from(value as number[]).toString('hex');
  return '';
}

function attributes(kvs: Obj[]): Attributes {
  const out: Attributes = {};
  for (const kv of kvs) out[String(kv.key)] = anyValue(kv.value as Obj | undefined);
  return out;
}

function anyValue(v: Obj | undefined): AttrValue {
  if (v === undefined || v === null) return null;
  if (v.stringValue !== undefined) return String(v.stringValue);
  if (v.boolValue !== undefined) return Boolean(v.boolValue);
  if (v.intValue !== undefined) return Number(v.intValue);
  if (v.doubleValue !== undefined) return Number(v.doubleValue);
  if (v.arrayValue !== undefined) return list((v.arrayValue as Obj).values).map((x) => anyValue(x));
  if (v.kvlistValue !== undefined) {
    const out: { [key: string]: AttrValue } = {};
    for (const kv of list((v.kvlistValue as Obj).values)) out[String(kv.key)] = anyValue(kv.value as Obj | undefined);
    return out;
  }
  if (v.bytesValue !== undefined) return id(v.bytesValue);
  return null;
}
