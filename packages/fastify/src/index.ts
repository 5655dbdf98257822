/**
 * Fastify plugin: a Key Vault or identity failure thrown by a route becomes
 * a retry-aware problem+json answer; every other error goes to the error
 * handler that was in place. The mapping is core's `toHttpAnswer`, shared
 * with @kvtrace/express.
 */
import { trace } from '@opentelemetry/api';
import type { Span } from '@opentelemetry/api';
import { ATTR_KEYVAULT_CAUSE, ATTR_KEYVAULT_OUTCOME, toHttpAnswer, validateHttpAnswerOptions } from '@kvtrace/core';
import type { HttpAnswer, HttpAnswerOptions } from '@kvtrace/core';
import fp from 'fastify-plugin';
import type { FastifyInstance, FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';

export type { AnswerCause, HttpAnswer, ProblemDetails } from '@kvtrace/core';

/** Options of the plugin and of `kvtraceFastifyErrorHandler`: the mapping's options, less the per-request trace id. */
export type KvtraceFastifyOptions = Omit<HttpAnswerOptions, 'traceId'>;

/** Answers `error` when it is a vault failure; returns whether it did (false: the error is still yours). */
export type VaultErrorHandler = (error: unknown, request: FastifyRequest, reply: FastifyReply) => boolean;

const WHO = '@kvtrace/fastify';

/** The active server span, if any (instrumentation-http makes one per request). */
function activeSpan(): Span | undefined {
  try {
    const span = trace.getActiveSpan();
    return span && trace.isSpanContextValid(span.spanContext()) ? span : undefined;
  } catch {
    return undefined;
  }
}

/** Records the cause on the span and in the request log; telemetry never breaks the answer. */
function record(span: Span | undefined, answer: HttpAnswer, request: FastifyRequest): void {
  try {
    span?.setAttributes({ [ATTR_KEYVAULT_CAUSE]: answer.cause, [ATTR_KEYVAULT_OUTCOME]: answer.outcome });
    // Cause and status only: the error's message may carry the vault's text.
    request.log.warn({ keyvault: { cause: answer.cause, outcome: answer.outcome }, statusCode: answer.status }, 'Key Vault failure answered');
  } catch {
    // a broken span or logger loses the record, the client still gets its answer
  }
}

/**
 * The handler as a function, for apps that set their own root error handler
 * (which replaces the plugin's). Options are validated now; a bad one throws
 * a TypeError naming it.
 *
 * @example
 * const handleVaultError = kvtraceFastifyErrorHandler({ backoffS: 5 });
 * app.setErrorHandler((error, request, reply) => {
 *   if (handleVaultError(error, request, reply)) return reply;
 *   reply.status(500).send({ message: 'internal error' });
 * });
 */
export function kvtraceFastifyErrorHandler(options?: KvtraceFastifyOptions): VaultErrorHandler {
  const config = validateHttpAnswerOptions(options, WHO);
  return function handleVaultError(error, request, reply) {
    // Once the status line is out nothing can be answered any more.
    if (reply.sent || reply.raw.headersSent) return false;
    const span = activeSpan();
    const answer = toHttpAnswer(error, span ? { ...config, traceId: span.spanContext().traceId } : config);
    if (!answer) return false;
    record(span, answer, request);
    // A Buffer goes out as is: a string would get "; charset=utf-8" appended,
    // and both adapters send the same bytes.
    void reply.code(answer.status).headers(answer.headers).send(Buffer.from(JSON.stringify(answer.body)));
    return true;
  };
}

// Async, so a bad option rejects `register` (avvio does not catch a synchronous throw).
const kvtraceFastify: FastifyPluginAsync<KvtraceFastifyOptions> = async (fastify: FastifyInstance, options) => {
  const handleVaultError = kvtraceFastifyErrorHandler(options);
  // fastify-plugin skips encapsulation, so this reads and replaces the
  // handler of the scope that registered us: other errors go back to it.
  const previous = fastify.errorHandler;
  fastify.setErrorHandler(function kvtraceErrorHandler(error, request, reply) {
    if (handleVaultError(error, request, reply)) return reply;
    return previous.call(this, error, request, reply);
  });
};

/**
 * @example
 * await app.register(kvtrace, { backoffS: 5 });
 */
export const kvtrace = fp(kvtraceFastify, { fastify: '5.x', name: WHO });
export default kvtrace;
