import { errorBody } from './texts.js';
import type { ErrorBody } from './texts.js';

/** A vault answer that is not a success; thrown by handlers, written by the server. */
export class VaultError extends Error {
  override readonly name = 'VaultError';
  readonly body: ErrorBody;
  constructor(
    readonly status: number,
    code: string,
    message: string,
    innerCode?: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
    this.body = errorBody(code, message, innerCode);
  }
}

/** A successful vault answer. */
export interface VaultReply {
  readonly status: number;
  readonly body?: unknown;
}

const NAME = /^[0-9a-zA-Z-]{1,127}$/;

/** Object names are 1-127 letters, digits and dashes. */
export function checkName(name: string): void {
  if (!NAME.test(name)) throw new VaultError(400, 'BadParameter', `The request URI contains an invalid name: ${name}`);
}

export function badParameter(message: string): VaultError {
  return new VaultError(400, 'BadParameter', message);
}

/** Epoch seconds, as the vault encodes times. */
export function nowS(): number {
  return Math.floor(Date.now() / 1000);
}
