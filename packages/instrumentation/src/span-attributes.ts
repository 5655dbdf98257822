import type { Attributes } from '@opentelemetry/api';
import {
  ATTR_KEYVAULT_CAUSE,
  ATTR_KEYVAULT_CHALLENGE_RESOURCE,
  ATTR_KEYVAULT_CHALLENGE_TENANT,
  ATTR_KEYVAULT_ERROR_CODE,
  ATTR_KEYVAULT_ERROR_INNER_CODE,
  ATTR_KEYVAULT_HINT,
  ATTR_KEYVAULT_OUTCOME,
  ATTR_KEYVAULT_RETRYABLE,
  ATTR_KEYVAULT_RETRY_AFTER_MS,
  ATTR_KEYVAULT_THROTTLE_LIMIT,
  ATTR_KEYVAULT_THROTTLE_UTILIZATION,
  ATTR_KEYVAULT_TOKEN_APPID,
  ATTR_KEYVAULT_TOKEN_AUD,
  ATTR_KEYVAULT_TOKEN_EXP,
  ATTR_KEYVAULT_TOKEN_EXPIRES_IN_S,
  ATTR_KEYVAULT_TOKEN_FORMAT,
  ATTR_KEYVAULT_TOKEN_IAT,
  ATTR_KEYVAULT_TOKEN_IDTYP,
  ATTR_KEYVAULT_TOKEN_ISS,
  ATTR_KEYVAULT_TOKEN_NBF,
  ATTR_KEYVAULT_TOKEN_OID,
  ATTR_KEYVAULT_TOKEN_PRESENT,
  ATTR_KEYVAULT_TOKEN_TID,
} from '@kvtrace/core';
import type { Diagnosis, TokenClaims } from '@kvtrace/core';

type Value = string | number | boolean | undefined;

function compact(entries: ReadonlyArray<readonly [string, Value]>): Attributes {
  const attributes: Attributes = {};
  for (const [key, value] of entries) {
    if (value !== undefined && value !== '') attributes[key] = value;
  }
  return attributes;
}

/** Decoded claims as span attributes; `expires_in_s` is judged at send time. */
export function claimAttributes(claims: TokenClaims, sentAtMs: number): Attributes {
  const expiresIn = claims.exp !== undefined ? claims.exp - Math.floor(sentAtMs / 1000) : undefined;
  return compact([
    [ATTR_KEYVAULT_TOKEN_PRESENT, claims.present],
    [ATTR_KEYVAULT_TOKEN_FORMAT, claims.format],
    [ATTR_KEYVAULT_TOKEN_AUD, claims.aud],
    [ATTR_KEYVAULT_TOKEN_ISS, claims.iss],
    [ATTR_KEYVAULT_TOKEN_TID, claims.tid],
    [ATTR_KEYVAULT_TOKEN_APPID, claims.appid],
    [ATTR_KEYVAULT_TOKEN_OID, claims.oid],
    [ATTR_KEYVAULT_TOKEN_IDTYP, claims.idtyp],
    [ATTR_KEYVAULT_TOKEN_IAT, claims.iat],
    [ATTR_KEYVAULT_TOKEN_NBF, claims.nbf],
    [ATTR_KEYVAULT_TOKEN_EXP, claims.exp],
    [ATTR_KEYVAULT_TOKEN_EXPIRES_IN_S, expiresIn],
  ]);
}

/** Outcome, cause, hint, error codes, retry facts and the challenge's resource and tenant. */
export function diagnosisAttributes(diagnosis: Diagnosis): Attributes {
  return compact([
    [ATTR_KEYVAULT_OUTCOME, diagnosis.outcome],
    [ATTR_KEYVAULT_CAUSE, diagnosis.cause],
    [ATTR_KEYVAULT_HINT, diagnosis.hint],
    [ATTR_KEYVAULT_ERROR_CODE, diagnosis.errorCode],
    [ATTR_KEYVAULT_ERROR_INNER_CODE, diagnosis.innerCode],
    [ATTR_KEYVAULT_RETRYABLE, diagnosis.retryable],
    [ATTR_KEYVAULT_RETRY_AFTER_MS, diagnosis.retryAfterMs],
    [ATTR_KEYVAULT_CHALLENGE_RESOURCE, diagnosis.challenge?.resource],
    [ATTR_KEYVAULT_CHALLENGE_TENANT, diagnosis.challenge?.tenant],
  ]);
}

export function throttleAttributes(throttle: { readonly limit: number; readonly utilization: number }): Attributes {
  return compact([
    [ATTR_KEYVAULT_THROTTLE_LIMIT, throttle.limit],
    [ATTR_KEYVAULT_THROTTLE_UTILIZATION, throttle.utilization],
  ]);
}
