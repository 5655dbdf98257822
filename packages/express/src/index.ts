/**
 * Express error middleware: a Key Vault or identity failure thrown by a
 * handler becomes a retry-aware problem+json answer; every other error goes
 * on to the app's own error handling untouched. The mapping is core's
 * `toHttpAnswer`, shared with @kvtrace/fastify.
 */
import { trace } from '@opentelemetry/api';
import type { Span } from '@opentelemetry/api';
import { ATTR_KEYVAULT_CAUSE, ATTR_KEYVAULT_OUTCOME, toHttpAnswer, validateHttpAnswerOptions } from '@kvtrace/core';
import type { HttpAnswer, HttpAnswerOptions } from '@kvtrace/core';
import type { ErrorRequestHandler, NextFunction, Request, Response } from 'express';

export type { AnswerCause, HttpAnswer, ProblemDetails } from '@kvtrace/core';

/** Options of `kvtraceErrorHandler`: the mapping's options, less the per-request trace id. */
export type KvtraceExpressOptions = Omit<HttpAnswerOptions, 'traceId'>;

/** The active server span, if any (instrumentation-http makes one per request). */
function activeSpan(): Span | undefined {
  try {
    const span = trace.getActiveSpan();
    return span && trace.isSpanContextValid(span.spanContext()) ? span : undefined;
  } catch {
    return undefined;
  }
}

/** Records the answer's cause on the span; telemetry never breaks the answer. */
function record(span: Span | undefined, answer: HttpAnswer): void {
  try {
    span?.setAttributes({ [ATTR_KEYVAULT_CAUSE]: answer.cause, [ATTR_KEYVAULT_OUTCOME]: answer.outcome });
  } catch {
    // a broken span loses two attributes, the client still gets its answer
  }
}

/**
 * Express error middleware (Express 4 and 5): register it after your routes.
 * Options are validated now; a bad one throws a TypeError naming it.
 *
 * @example
 * app.use(kvtraceErrorHandler({ backoffS: 5 }));
 */
export function kvtraceErrorHandler(options?: KvtraceExpressOptions): ErrorRequestHandler {
  const config = validateHttpAnswerOptions(options, '@kvtrace/express');
  return function kvtraceErrorHandler(err: unknown, _req: Request, res: Response, next: NextFunction): void {
    // Once the status line is out, only Express's default handler can end the
    // response (it destroys the socket); answering again would throw.
    if (res.headersSent) return next(err);
    const span = activeSpan();
    const answer = toHttpAnswer(err, span ? { ...config, traceId: span.spanContext().traceId } : config);
    if (!answer) return next(err);
    record(span, answer);
    res.status(answer.status);
    for (const [name, value] of Object.entries(answer.headers)) res.setHeader(name, value);
    res.end(JSON.stringify(answer.body));
  };
}
