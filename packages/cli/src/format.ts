import type { ExplainReport } from './explain.js';
import { formatDuration } from './explain.js';

function isoTime(epochS: number): string {
  return new Date(epochS * 1000).toISOString().replace('.000Z', 'Z');
}

function row(label: string, value: string): string {
  return `  ${label.padEnd(9)}${value}`;
}

/**
 * The human-readable report: what was read, then one line saying why.
 * Prints claims only; the token text is not part of the report at all.
 */
export function formatText(report: ExplainReport): string {
  const lines: string[] = [];
  const t = report.token;
  if (t) {
    lines.push(`token    ${t.format ?? 'unknown'}${t.scheme ? ` (${t.scheme})` : ''}`);
    for (const key of ['aud', 'iss', 'tid', 'appid', 'oid', 'idtyp'] as const) {
      const v = t[key];
      if (v !== undefined) lines.push(row(key, v));
    }
    if (t.iat !== undefined) lines.push(row('iat', isoTime(t.iat)));
    if (t.nbf !== undefined) lines.push(row('nbf', isoTime(t.nbf)));
    if (t.exp !== undefined) {
      const rel = t.expiresInS === undefined ? '' : t.expiresInS > 0 ? ` (in ${formatDuration(t.expiresInS)})` : ` (expired ${formatDuration(t.expiresInS)} ago)`;
      lines.push(row('exp', `${isoTime(t.exp)}${rel}`));
    }
  }
  const v = report.vault;
  if (v) {
    lines.push(`vault    ${v.name} (${v.kind}, ${v.cloud} cloud)${v.operation ? ` ${v.operation}` : ''}`);
    lines.push(row('expects', `aud ${v.audience}`));
  }
  if (report.tenant) lines.push(`tenant   ${report.tenant}`);
  const r = report.response;
  if (r) {
    const codes = [r.errorCode, r.innerCode].filter(Boolean).join(' / ');
    lines.push(`response ${r.status}${codes ? ` ${codes}` : ''}`);
    if (r.message) lines.push(row('message', r.message.replace(/\r?\n/g, ' | ')));
  }
  const d = report.diagnosis;
  if (r) {
    const parts: string[] = [d.outcome];
    if (d.cause) parts.push(`cause ${d.cause}`);
    parts.push(d.retryable ? 'retryable' : 'not retryable');
    if (d.retryAfterMs !== undefined) parts.push(`retry after ${d.retryAfterMs} ms`);
    lines.push(`diagnosis ${parts.join(', ')}`);
  }
  for (const u of report.unchecked) lines.push(`not checked: ${u}`);
  if (lines.length > 0) lines.push('');
  lines.push(report.summary);
  return `${lines.join('\n')}\n`;
}

/** `--json`: the report as one JSON object, plus the exit code. */
export function formatJson(report: ExplainReport, exitCode: number): string {
  return `${JSON.stringify({ ...report, exitCode }, null, 2)}\n`;
}
