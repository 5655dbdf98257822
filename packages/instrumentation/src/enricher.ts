import { SpanStatusCode } from '@opentelemetry/api';
import type { Attributes, Span } from '@opentelemetry/api';
import {
  ATTR_AZURE_RESOURCE_PROVIDER_NAMESPACE,
  ATTR_AZURE_SERVICE_REQUEST_ID,
  ATTR_HTTP_RESPONSE_STATUS_CODE,
  ATTR_KEYVAULT_API_VERSION,
  ATTR_KEYVAULT_CAUSE,
  ATTR_KEYVAULT_CLIENT_REQUEST_ID,
  ATTR_KEYVAULT_HINT,
  ATTR_KEYVAULT_NETWORK_CLIENT_ADDRESS,
  ATTR_KEYVAULT_NETWORK_CONNECTION_TYPE,
  ATTR_KEYVAULT_OBJECT_NAME,
  ATTR_KEYVAULT_OPERATION,
  ATTR_KEYVAULT_OUTCOME,
  ATTR_KEYVAULT_VAULT_KIND,
  ATTR_KEYVAULT_VAULT_NAME,
  ATTR_KEYVAULT_VAULT_REGION,
  ATTR_URL_FULL,
  CAUSE_NONE,
  ClaimsCache,
  EVENT_KEYVAULT_DIAGNOSIS,
  KEYVAULT_RESOURCE_PROVIDER_NAMESPACE,
  diagnose,
  isVaultHost,
  parseNetworkInfo,
  parseVaultUrl,
  redactUrl,
} from '@kvtrace/core';
import type { CallFacts, HeaderBag } from '@kvtrace/core';
import { BodyCapture } from './body-capture.js';
import type { ResolvedConfig, VaultCall } from './internal-types.js';
import { instrumentsFor, throttleMeter } from './metrics.js';
import { claimAttributes, diagnosisAttributes, throttleAttributes } from './span-attributes.js';

/** What a hook knows about an outgoing request, read lazily: only vault calls pay for it. */
export interface RequestFacts {
  readonly method: string;
  /** Full request URL; only built after the host check passed. */
  url(): string;
  authorization(): string | undefined;
  userAgent(): string | undefined;
  clientRequestId(): string | undefined;
}

/**
 * The stack-independent half of kvtrace: turns what the http and fetch hooks
 * saw into attributes, the diagnosis event, the span status and metrics.
 * Callers guard every call (telemetry never breaks the app).
 */
export class Enricher {
  readonly claimsCache: ClaimsCache;

  constructor(readonly config: ResolvedConfig) {
    this.claimsCache = new ClaimsCache(config.claimsCacheSize);
  }

  /** The host check every request pays; the rest runs for vault hosts only. */
  isVault(host: string): boolean {
    return isVaultHost(host, this.config.vaultHosts);
  }

  /** Request-time attributes; returns the call to follow, or undefined for a non-vault URL. */
  begin(span: Span, request: RequestFacts): VaultCall | undefined {
    const url = request.url();
    const endpoint = parseVaultUrl(url, request.method, { extraHosts: this.config.vaultHosts });
    if (endpoint === null) return undefined;
    const sentAt = Date.now();
    // The Authorization value is read here, decoded, and dropped: only claims are kept.
    const claims = this.claimsCache.get(request.authorization());
    const redactedUrl = redactUrl(url, { recordObjectNames: this.config.recordObjectNames });
    const call: VaultCall = {
      span,
      endpoint,
      method: request.method,
      redactedUrl,
      claims,
      userAgent: request.userAgent(),
      sentAt,
      finished: false,
    };
    const attributes: Attributes = {
      [ATTR_URL_FULL]: redactedUrl,
      [ATTR_AZURE_RESOURCE_PROVIDER_NAMESPACE]: KEYVAULT_RESOURCE_PROVIDER_NAMESPACE,
      [ATTR_KEYVAULT_VAULT_NAME]: endpoint.vaultName,
      [ATTR_KEYVAULT_VAULT_KIND]: endpoint.kind,
      [ATTR_KEYVAULT_OPERATION]: endpoint.operation,
      ...claimAttributes(claims, sentAt),
    };
    if (this.config.recordObjectNames && endpoint.objectName !== undefined) {
      attributes[ATTR_KEYVAULT_OBJECT_NAME] = endpoint.objectName;
    }
    // parseVaultUrl also reads the Azure SDK's `api%2Dversion=` spelling (core c6a87a1).
    if (endpoint.apiVersion !== undefined) attributes[ATTR_KEYVAULT_API_VERSION] = endpoint.apiVersion;
    setIf(attributes, ATTR_KEYVAULT_CLIENT_REQUEST_ID, request.clientRequestId());
    span.setAttributes(attributes);
    return call;
  }

  /**
   * Response headers arrived. Sets what they tell, and the challenge span's OK
   * status now: both instrumentations set ERROR for a 4xx right after their
   * responseHook, and OK set first is final. Reads the body of an error
   * response, else finishes at once.
   */
  respond(call: VaultCall, status: number, headers: HeaderBag): void {
    call.status = status;
    call.headers = headers;
    const { span } = call;
    const attributes: Attributes = {};
    setIf(attributes, ATTR_AZURE_SERVICE_REQUEST_ID, headers['x-ms-request-id']);
    setIf(attributes, ATTR_KEYVAULT_VAULT_REGION, headers['x-ms-keyvault-region']);
    setIf(attributes, ATTR_KEYVAULT_CLIENT_REQUEST_ID, headers['x-ms-client-request-id']);
    const network = networkInfo(headers['x-ms-keyvault-network-info']);
    setIf(attributes, ATTR_KEYVAULT_NETWORK_CLIENT_ADDRESS, network.clientAddress);
    setIf(attributes, ATTR_KEYVAULT_NETWORK_CONNECTION_TYPE, network.connectionType);
    span.setAttributes(attributes);

    if (status === 401 && this.config.challengeSpanStatus === 'ok') {
      // The handshake is recognised from headers alone (no token, a challenge).
      if (diagnose(this.facts(call, undefined)).cause === 'challenge') span.setStatus({ code: SpanStatusCode.OK });
    }
    if (expectsBody(status, headers, call.method)) {
      const length = headers['transfer-encoding'] === undefined ? contentLength(headers['content-length']) : undefined;
      call.body = new BodyCapture(this.config.maxBodyBytes, headers['content-encoding']?.toLowerCase(), length);
    } else {
      this.finish(call);
    }
  }

  /** Diagnoses the call with whatever body was read; idempotent. Must run before the span ends. */
  finish(call: VaultCall): void {
    if (call.finished || call.status === undefined) return;
    call.finished = true;
    const body = call.body?.text();
    call.body = undefined;
    const diagnosis = diagnose(this.facts(call, body));
    const { span, endpoint, status } = call;
    // Throttled requests do not count against the budget (DESIGN.md, service limits).
    const throttle = throttleMeter.record(endpoint, Date.now(), { throttled: status === 429 });
    span.setAttributes({ ...diagnosisAttributes(diagnosis), ...throttleAttributes(throttle) });
    if (diagnosis.cause !== undefined) {
      const event: Attributes = { [ATTR_KEYVAULT_CAUSE]: diagnosis.cause };
      if (diagnosis.hint !== undefined) event[ATTR_KEYVAULT_HINT] = diagnosis.hint;
      span.addEvent(EVENT_KEYVAULT_DIAGNOSIS, event);
    }
    if (diagnosis.cause === 'challenge' && this.config.challengeSpanStatus === 'ok') {
      span.setStatus({ code: SpanStatusCode.OK });
    }
    const instruments = instrumentsFor(this.config.meterProvider);
    instruments.requests.add(1, {
      [ATTR_KEYVAULT_VAULT_NAME]: endpoint.vaultName,
      [ATTR_KEYVAULT_OPERATION]: endpoint.operation,
      [ATTR_HTTP_RESPONSE_STATUS_CODE]: status,
      [ATTR_KEYVAULT_OUTCOME]: diagnosis.outcome,
      [ATTR_KEYVAULT_CAUSE]: diagnosis.cause ?? CAUSE_NONE,
    });
    if (diagnosis.retryAfterMs !== undefined) {
      instruments.retryAfter.record(diagnosis.retryAfterMs / 1000, {
        [ATTR_KEYVAULT_VAULT_NAME]: endpoint.vaultName,
        [ATTR_KEYVAULT_OPERATION]: endpoint.operation,
      });
    }
  }

  private facts(call: VaultCall, body: string | undefined): CallFacts {
    return {
      status: call.status ?? 0,
      endpoint: call.endpoint,
      claims: call.claims,
      ...(call.userAgent !== undefined && { userAgent: call.userAgent }),
      ...(call.headers !== undefined && { headers: call.headers }),
      ...(body !== undefined && { body }),
      sentAt: call.sentAt,
      ...(this.config.clockSkewS !== undefined && { clockSkewS: this.config.clockSkewS }),
    };
  }
}

/**
 * Header values copied onto spans are cut here: request ids are GUIDs and
 * regions short words, but a proxy may answer with a header of any size.
 */
const MAX_HEADER_ATTRIBUTE_CHARS = 256;

function setIf(attributes: Attributes, key: string, value: string | undefined): void {
  if (value !== undefined && value !== '') attributes[key] = value.slice(0, MAX_HEADER_ATTRIBUTE_CHARS);
}

function contentLength(value: string | undefined): number | undefined {
  if (value === undefined || !/^\d+$/.test(value.trim())) return undefined;
  return Number(value);
}

/** Only error responses are read, and only when a body can follow the headers. */
function expectsBody(status: number, headers: HeaderBag, method: string): boolean {
  if (status < 400 || method.toUpperCase() === 'HEAD') return false;
  return contentLength(headers['content-length']) !== 0 || headers['transfer-encoding'] !== undefined;
}

/** A vault sends the same network-info value on every response to a client: each distinct value is parsed once. */
let lastNetworkValue: string | undefined;
let lastNetwork = parseNetworkInfo(undefined);
function networkInfo(value: string | undefined): ReturnType<typeof parseNetworkInfo> {
  if (value !== lastNetworkValue) {
    lastNetwork = parseNetworkInfo(value);
    lastNetworkValue = value;
  }
  return lastNetwork;
}
