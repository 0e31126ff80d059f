/** "Did you mean …?" suggestions for misspelt names. */

/** Lowercase without separators, so `batchSize`, `batch-size` and `BATCH_SIZE` all read as `batchsize`. */
function squash(text: string): string {
  return text.toLowerCase().replaceAll(/[-_\s]/g, '');
}

/** Edit distance counting a swap of two neighbours as one edit (`wbe` → `web`); names are short, so the table is fine. */
function editDistance(a: string, b: string): number {
  const rows: number[][] = [Array.from({ length: b.length + 1 }, (_, j) => j)];
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let best = Math.min((rows[i - 1]?.[j] ?? 0) + 1, (row[j - 1] ?? 0) + 1, (rows[i - 1]?.[j - 1] ?? 0) + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) {
        best = Math.min(best, (rows[i - 2]?.[j - 2] ?? 0) + 1);
      }
      row.push(best);
    }
    rows.push(row);
  }
  return rows[a.length]?.[b.length] ?? 0;
}

/**
 * The candidate closest to `name`, when it is close enough to be a likely typo (a different spelling of the
 * separators, or at most a third of the letters wrong, two at most); otherwise `undefined`.
 */
export function closestMatch(name: string, candidates: readonly string[]): string | undefined {
  const wanted = squash(name);
  let best: { candidate: string; distance: number } | undefined;
  for (const candidate of candidates) {
    const distance = editDistance(wanted, squash(candidate));
    if (best === undefined || distance < best.distance) best = { candidate, distance };
  }
  if (best === undefined) return undefined;
  const allowed = Math.min(2, Math.floor(wanted.length / 3));
  return best.distance <= allowed ? best.candidate : undefined;
}
