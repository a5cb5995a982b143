// Manager addresses: a Unix socket path (the default, in a private
// directory) or TCP host and port.

import { describe, argTypeError } from '../internal/errors.js';

/** Where a manager listens. */
export type Address =
  | {
      /** A Unix socket path. */
      readonly path: string;
    }
  | {
      /** A TCP host name or IP address. */
      readonly host: string;
      /** A TCP port (0 when starting: let the OS pick one). */
      readonly port: number;
    };

/** Validates an address given by the user; returns a plain copy. */
export function checkAddress(value: unknown, name = 'address'): Address {
  if (typeof value === 'object' && value !== null) {
    const a = value as { path?: unknown; host?: unknown; port?: unknown };
    if (typeof a.path === 'string' && a.path !== '') return { path: a.path };
    if (
      typeof a.host === 'string' &&
      typeof a.port === 'number' &&
      Number.isInteger(a.port) &&
      a.port >= 0 &&
      a.port < 65536
    ) {
      return { host: a.host, port: a.port };
    }
  }
  throw argTypeError(
    `Expected \`${name}\` to be { path } or { host, port } (port an integer 0-65535), got ${describe(value)}`,
  );
}

/** A key naming an address, for the per-thread channel table. */
export function addressKey(address: Address): string {
  return 'path' in address ? `unix:${address.path}` : `tcp:${address.host}:${address.port}`;
}

/** Validates an authkey: a non-empty Uint8Array (Buffer) or string. Returns bytes. */
export function checkAuthkey(value: unknown): Uint8Array {
  if (typeof value === 'string' && value !== '') return Buffer.from(value, 'utf8');
  if (value instanceof Uint8Array && value.length > 0) return Uint8Array.from(value);
  // Never echo the value: it may be a (malformed) secret.
  throw argTypeError(
    `Expected \`authkey\` to be a non-empty Uint8Array or string, got a ${value === null ? 'null' : typeof value}`,
  );
}
