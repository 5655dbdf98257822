/**
 * `OTEL_TRACES_EXPORTER=console`: one readable tree per trace instead of the
 * raw span objects NodeSDK's console exporter dumps. Only chosen attributes are
 * printed (method, redacted URL, status, kvtrace's outcome/cause/hint), so a
 * header or token on a span can never reach the terminal through here.
 */
import { ATTR_KEYVAULT_CAUSE, ATTR_KEYVAULT_HINT, ATTR_KEYVAULT_OUTCOME, redactUrl } from '@kvtrace/core';
import { core, tracing } from '@opentelemetry/sdk-node';

type ReadableSpan = tracing.ReadableSpan;
type ExportResult = core.ExportResult;

const KIND = ['INTERNAL', 'SERVER', 'CLIENT', 'PRODUCER', 'CONSUMER'] as const;
const STATUS = ['', 'OK', 'ERROR'] as const;
/** Spans of a trace whose root never ends (or lives in another process) are printed after this long. */
const ORPHAN_AFTER_MS = 30_000;
/** Most traces held at once: beyond it the oldest is printed as it stands, so memory stays bounded. */
const MAX_OPEN_TRACES = 1000;

/**
 * Formats the spans of one trace as a tree, parents before children, siblings
 * by start time. Spans whose parent is not among them are roots.
 *
 * @example
 * process.stdout.write(formatTraceTree(spans));
 */
export function formatTraceTree(spans: readonly ReadableSpan[]): string {
  if (spans.length === 0) return '';
  const ids = new Set(spans.map((s) => s.spanContext().spanId));
  const children = new Map<string, ReadableSpan[]>();
  const roots: ReadableSpan[] = [];
  for (const span of spans) {
    const parentId = span.parentSpanContext?.spanId;
    if (parentId !== undefined && ids.has(parentId)) {
      const list = children.get(parentId) ?? [];
      list.push(span);
      children.set(parentId, list);
    } else {
      roots.push(span);
    }
  }
  const lines = [`trace ${spans[0]!.spanContext().traceId}`];
  const walk = (list: ReadableSpan[], prefix: string): void => {
    const sorted = [...list].sort((a, b) => compareHrTime(a.startTime, b.startTime));
    sorted.forEach((span, i) => {
      const last = i === sorted.length - 1;
      lines.push(`${prefix}${last ? '└─ ' : '├─ '}${formatSpanLine(span)}`);
      const childPrefix = `${prefix}${last ? '   ' : '│  '}`;
      const hint = stringAttr(span, ATTR_KEYVAULT_HINT);
      const kids = children.get(span.spanContext().spanId) ?? [];
      if (hint !== undefined) lines.push(`${childPrefix}${kids.length > 0 ? '│' : ' '}  hint: ${oneLine(hint)}`);
      walk(kids, childPrefix);
    });
  };
  walk(roots, '');
  return `${lines.join('\n')}\n`;
}

/**
 * One line: kind, method, redacted URL (or span name), HTTP status,
 * kvtrace outcome/cause, duration and span status.
 */
export function formatSpanLine(span: ReadableSpan): string {
  const parts: string[] = [KIND[span.kind] ?? 'SPAN'];
  const method = stringAttr(span, 'http.request.method') ?? stringAttr(span, 'http.method');
  const target = spanTarget(span);
  if (method !== undefined && target !== undefined) parts.push(method, target);
  else parts.push(oneLine(span.name));
  const status = span.attributes['http.response.status_code'] ?? span.attributes['http.status_code'];
  if (typeof status === 'number') parts.push(`→ ${status}`);
  const outcome = stringAttr(span, ATTR_KEYVAULT_OUTCOME);
  const cause = stringAttr(span, ATTR_KEYVAULT_CAUSE);
  if (outcome !== undefined) parts.push(cause !== undefined && cause !== 'none' ? `${outcome}/${cause}` : outcome);
  parts.push(`${(core.hrTimeToMilliseconds(span.duration)).toFixed(1)} ms`);
  const statusLabel = STATUS[span.status.code];
  if (statusLabel) parts.push(statusLabel);
  return parts.join(' ');
}

/** Client spans: the redacted full URL; server spans: the path without its query. */
function spanTarget(span: ReadableSpan): string | undefined {
  const full = stringAttr(span, 'url.full') ?? stringAttr(span, 'http.url');
  if (full !== undefined) {
    const redacted = redactUrl(full);
    return redacted === '' ? undefined : redacted;
  }
  const route = stringAttr(span, 'http.route');
  if (route !== undefined) return oneLine(route);
  const path = stringAttr(span, 'url.path') ?? stringAttr(span, 'http.target');
  return path === undefined ? undefined : oneLine(path.split('?')[0] ?? '');
}

function stringAttr(span: ReadableSpan, key: string): string | undefined {
  const value = span.attributes[key];
  return typeof value === 'string' && value !== '' ? value : undefined;
}

/** Server texts carry `\r\n`; a tree line must stay one line. */
function oneLine(text: string): string {
  return text.replace(/\s*[\r\n]+\s*/g, ' ').trim();
}

function compareHrTime(a: readonly [number, number], b: readonly [number, number]): number {
  return a[0] - b[0] || a[1] - b[1];
}

export interface ConsoleTreeExporterOptions {
  /** Where the trees go (default `process.stdout`). */
  write?: (text: string) => void;
}

/**
 * Buffers ended spans per trace and prints the trace when its local root ends
 * (children end first), or on flush/shutdown. Use it with a SimpleSpanProcessor.
 */
export class ConsoleTreeExporter implements tracing.SpanExporter {
  private readonly traces = new Map<string, { spans: ReadableSpan[]; firstAt: number }>();
  private readonly write: (text: string) => void;

  constructor(options: ConsoleTreeExporterOptions = {}) {
    this.write = options.write ?? ((text) => process.stdout.write(text));
  }

  export(spans: ReadableSpan[], resultCallback: (result: ExportResult) => void): void {
    try {
      const now = Date.now();
      for (const span of spans) {
        const traceId = span.spanContext().traceId;
        const entry = this.traces.get(traceId) ?? { spans: [], firstAt: now };
        entry.spans.push(span);
        this.traces.set(traceId, entry);
        // A local root: no parent, or a parent in another process.
        if (span.parentSpanContext === undefined || span.parentSpanContext.isRemote === true) this.print(traceId);
      }
      for (const [traceId, entry] of this.traces) {
        if (now - entry.firstAt > ORPHAN_AFTER_MS || this.traces.size > MAX_OPEN_TRACES) this.print(traceId);
        else break; // Map order is insertion order: the rest are younger.
      }
      resultCallback({ code: core.ExportResultCode.SUCCESS });
    } catch (error) {
      resultCallback({ code: core.ExportResultCode.FAILED, error: error as Error });
    }
  }

  forceFlush(): Promise<void> {
    for (const traceId of [...this.traces.keys()]) this.print(traceId);
    return Promise.resolve();
  }

  shutdown(): Promise<void> {
    return this.forceFlush();
  }

  private print(traceId: string): void {
    const entry = this.traces.get(traceId);
    this.traces.delete(traceId);
    if (entry !== undefined && entry.spans.length > 0) this.write(formatTraceTree(entry.spans));
  }
}

/** The processor register uses for the console tree: export each span as it ends. */
export function consoleTreeProcessor(options?: ConsoleTreeExporterOptions): tracing.SpanProcessor {
  return new tracing.SimpleSpanProcessor(new ConsoleTreeExporter(options));
}
