// A real undici request/response pair, captured from a real fetch through
// variant C, and Entra-shaped tokens: what the micro and memory runs feed to
// kvtrace's hooks directly.
import diagnosticsChannel from 'node:diagnostics_channel';
import { randomBytes, randomUUID } from 'node:crypto';

/** One real fetch through variant C; keeps the undici request and response objects kvtrace's hooks were given. */
export async function captureRealExchange(inst, call, wantStatus = 200) {
  let request;
  let response;
  // The last request wins: a retried one (stale keep-alive socket) replaces the failed one.
  const onCreate = (m) => {
    request = m.request;
    response = undefined;
  };
  const onHeaders = (m) => {
    if (m.request === request) response = m.response;
  };
  diagnosticsChannel.subscribe('undici:request:create', onCreate);
  diagnosticsChannel.subscribe('undici:request:headers', onHeaders);
  inst.kvtraceFetch.enable();
  try {
    await call();
  } finally {
    inst.kvtraceFetch.disable();
    diagnosticsChannel.unsubscribe('undici:request:create', onCreate);
    diagnosticsChannel.unsubscribe('undici:request:headers', onHeaders);
  }
  if (!request || !response || response.statusCode !== wantStatus) throw new Error(`bench: no ${wantStatus} exchange captured`);
  return { request, response };
}

/**
 * One real call through variant F; keeps the ClientRequest and IncomingMessage
 * that kvtrace's http hooks were given (the hooks are wrapped for that call only).
 */
export async function captureRealHttpExchange(inst, call) {
  const instrumentation = inst.kvtraceHttpInstrumentation;
  const config = instrumentation.getConfig();
  const seen = {};
  instrumentation.setConfig({
    ...config,
    requestHook: (span, request) => {
      seen.request = request;
      config.requestHook(span, request);
    },
    responseHook: (span, response) => {
      seen.response = response;
      config.responseHook(span, response);
    },
  });
  inst.kvtraceHttp.enable();
  try {
    await call();
  } finally {
    inst.kvtraceHttp.disable();
    instrumentation.setConfig(config);
  }
  if (!seen.request || seen.response?.statusCode !== 200) throw new Error('bench: no 200 http exchange captured');
  return { request: seen.request, response: seen.response, hooks: { requestHook: config.requestHook, responseHook: config.responseHook } };
}

/** A copy of undici's request object (same prototype and fields) carrying another Authorization value. */
export function withAuthorization(request, authorization) {
  const copy = Object.assign(Object.create(Object.getPrototypeOf(request)), request);
  const headers = request.headers.slice();
  for (let i = 0; i + 1 < headers.length; i += 2) {
    if (String(headers[i]).toLowerCase() === 'authorization') headers[i + 1] = authorization;
  }
  copy.headers = headers;
  return copy;
}

const b64 = (value) => Buffer.from(JSON.stringify(value)).toString('base64url');
const now = Math.floor(Date.now() / 1000);

/**
 * A token shaped like Entra's v1 app tokens (claims, ~1.6 KB, RS256 header,
 * 256 signature bytes). kvtrace decodes and never verifies, so a random
 * signature costs it exactly what a real one does.
 */
export function entraShapedToken(i) {
  const tid = '72f988bf-86f1-41af-91ab-2d7cd011db47';
  const header = { typ: 'JWT', alg: 'RS256', kid: 'bench-kid', x5t: 'bench-kid' };
  const payload = {
    aud: 'https://vault.azure.net',
    iss: `https://sts.windows.net/${tid}/`,
    iat: now - 60,
    nbf: now - 60,
    exp: now + 3600,
    aio: randomBytes(48).toString('base64url'),
    appid: randomUUID(),
    appidacr: '1',
    idp: `https://sts.windows.net/${tid}/`,
    idtyp: 'app',
    oid: randomUUID(),
    rh: randomBytes(40).toString('base64url'),
    sub: randomUUID(),
    tid,
    uti: randomBytes(16).toString('base64url'),
    ver: '1.0',
    xms_pad: String(i).padStart(600, 'p'),
  };
  return `${b64(header)}.${b64(payload)}.${randomBytes(256).toString('base64url')}`;
}
