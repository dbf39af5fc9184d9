/**
 * Comparing a chapter's results with its record. Numbers must agree to about
 * nine significant digits (the same program on the same backend reproduces them
 * exactly; JSON keeps doubles exactly), except measured wall times — keys named
 * `seconds` or ending in `Seconds` — which only have to be numbers on both sides.
 */

/** Whether `key` holds a measured wall time, which no rerun reproduces. */
export function isWallTime(key: string): boolean {
  return key === 'seconds' || key.endsWith('Seconds');
}

/** Results as JSON would store them: NaN and ±Infinity become null, undefined keys vanish. */
export function asJson(value: unknown): unknown {
  return JSON.parse(JSON.stringify(value) ?? 'null') as unknown;
}

const close = (a: number, b: number) => Math.abs(a - b) <= 1e-9 * Math.max(1, Math.abs(a), Math.abs(b));

/** Where `actual` differs from `recorded`, as `path: recorded → actual` lines (at most `limit`). */
export function compareResults(recorded: unknown, actual: unknown, limit = 20): string[] {
  const differences: string[] = [];
  const show = (v: unknown) => (Array.isArray(v) ? `an array of ${v.length}` : v !== null && typeof v === 'object' ? 'an object' : JSON.stringify(v));
  const walk = (r: unknown, a: unknown, path: string, key: string) => {
    if (differences.length >= limit) return;
    if (isWallTime(key)) {
      if (typeof r !== 'number' || typeof a !== 'number') differences.push(`${path}: ${show(r)} → ${show(a)} (a wall time must be a number)`);
      return;
    }
    if (typeof r === 'number' && typeof a === 'number') {
      if (!close(r, a)) differences.push(`${path}: ${r} → ${a}`);
      return;
    }
    if (Array.isArray(r) && Array.isArray(a)) {
      if (r.length !== a.length) differences.push(`${path}: ${show(r)} → ${show(a)}`);
      else r.forEach((item, i) => walk(item, a[i], `${path}[${i}]`, String(i)));
      return;
    }
    if (r !== null && a !== null && typeof r === 'object' && typeof a === 'object' && !Array.isArray(r) && !Array.isArray(a)) {
      const keys = new Set([...Object.keys(r), ...Object.keys(a)]);
      for (const k of keys) {
        const inR = Object.hasOwn(r, k);
        const inA = Object.hasOwn(a, k);
        const sub = path ? `${path}.${k}` : k;
        if (!inR || !inA) differences.push(`${sub}: ${inR ? 'recorded but no longer returned' : 'returned but not recorded'}`);
        else walk((r as Record<string, unknown>)[k], (a as Record<string, unknown>)[k], sub, k);
      }
      return;
    }
    if (r !== a) differences.push(`${path || 'results'}: ${show(r)} → ${show(a)}`);
  };
  walk(asJson(recorded), asJson(actual), '', '');
  return differences;
}
