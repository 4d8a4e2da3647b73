/**
 * A progress bar on stderr for long runs. On a terminal it redraws one line; elsewhere
 * (CI logs) it prints a line when a claim starts, at most every 2 seconds.
 *
 * @module
 */

/** A progress reporter: call with (done, total, label); `finish()` clears the line. */
export function progressBar(stream: NodeJS.WriteStream = process.stderr, enabled = true): { update(done: number, total: number, label: string): void; finish(): void } {
  const tty = stream.isTTY === true;
  const t0 = performance.now();
  let lastPrint = 0;
  let lastLabel = '';
  return {
    update(done, total, label) {
      if (!enabled || total === 0) return;
      const now = performance.now();
      const frac = Math.min(done / total, 1);
      const secs = ((now - t0) / 1000).toFixed(1);
      if (tty) {
        if (now - lastPrint < 80 && done < total) return;
        lastPrint = now;
        const width = 24;
        const filled = Math.round(frac * width);
        const eta = frac > 0.02 ? ` eta ${(((now - t0) / 1000) * (1 / frac - 1)).toFixed(0)}s` : '';
        stream.write(`\r[${'█'.repeat(filled)}${'░'.repeat(width - filled)}] ${Math.floor(done)}/${total} ${secs}s${eta} ${label}`.padEnd(100).slice(0, 100));
      } else if (label && label !== lastLabel && now - lastPrint > 2000) {
        lastPrint = now;
        lastLabel = label;
        stream.write(`  … ${Math.floor(done)}/${total} claims, ${secs}s (${label})\n`);
      }
    },
    finish() {
      if (enabled && tty) stream.write('\r' + ' '.repeat(100) + '\r');
    },
  };
}
