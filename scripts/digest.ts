/**
 * Digests of stored values. What `run.keep` holds is saved with a SHA-256 digest of its
 * value (the checkpoints shipped with the book, `./checkpoints.ts`, and the files under
 * `.cache/keep/`, `./keep.ts`), and every read checks it before the value is used: a file
 * edited by hand, cut short or written by an older version is not taken for what the code
 * computed.
 */
import { createHash } from 'node:crypto';
import type { Value } from '../src/runtime/run.ts';

/** `value` as JSON with every object's keys sorted: one text for one value. */
export function canonicalJson(value: Value): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (typeof value !== 'object' || value === null) return JSON.stringify(value);
  const fields = Object.keys(value).sort().map((k) => `${JSON.stringify(k)}:${canonicalJson(value[k]!)}`);
  return `{${fields.join(',')}}`;
}

/** The digest of `value`: `sha256:` and the hex of its canonical JSON's hash. */
export function digestOf(value: Value): string {
  return `sha256:${createHash('sha256').update(canonicalJson(value)).digest('hex')}`;
}

/** What is stored: a value and its digest, beside whatever else the file says of it. */
export interface Sealed {
  digest: string;
  value: Value;
}

/** `value` with its digest, ready to be written as JSON. */
export function seal(value: Value): Sealed {
  return { digest: digestOf(value), value };
}

/** The error's message on one line. */
export function reasonOf(error: unknown): string {
  return (error instanceof Error ? error.message : String(error)).replace(/\s+/g, ' ').trim();
}

/** `text` parsed as JSON; throws "not JSON: …" when it is not, e.g. when it was cut short. */
export function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new Error(`not JSON: ${reasonOf(error)}`);
  }
}

/** The value of `stored` (parsed JSON) if its digest is its value's; throws saying what is wrong. */
export function unseal(stored: unknown): Value {
  if (typeof stored !== 'object' || stored === null || Array.isArray(stored)) throw new Error('not an object');
  const { digest, value } = stored as Partial<Sealed>;
  if (typeof digest !== 'string') throw new Error('no digest: written by an older version');
  if (value === undefined) throw new Error('no value');
  if (digest !== digestOf(value)) throw new Error('its value does not match its digest');
  return value;
}
