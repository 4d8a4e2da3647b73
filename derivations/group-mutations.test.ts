// Bugs planted in the library functions that derivation 10's steps run fail those steps, and
// only those: RLOO's leave-one-out mean replaced by the group mean that includes the sample,
// and the k3 loss term's derivative with the wrong sign of the ratio term. (The two exact steps
// compute both sides in the check itself, in Fractions, and call no library function: they are
// left out here; derivations.test.ts runs every step unmutated.)
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { StepCheck } from './framework/step.js';
import { runStep } from './framework/step.js';

async function failingSteps(): Promise<string[]> {
  const { groupChecks } = await import('./checks/group.js');
  const checks = (groupChecks as StepCheck<unknown>[]).filter((c) => !c.exact);
  return checks.filter((c) => !runStep(c).passed).map((c) => c.key);
}

afterEach(() => {
  for (const m of ['../src/estimators/group.js', '../src/estimators/refkl.js']) vi.doUnmock(m);
  vi.resetModules();
});

describe('derivation 10: planted bugs fail exactly the steps they implement', () => {
  it('unmutated, every floating-point step holds', async () => {
    expect(await failingSteps()).toEqual([]);
  });
  it('rlooAdvantages with the group mean that includes the sample', async () => {
    vi.resetModules();
    vi.doMock('../src/estimators/group.js', async (importOriginal) => {
      const orig = await importOriginal<typeof import('../src/estimators/group.js')>();
      return { ...orig, rlooAdvantages: (r: Float64Array, G: number) => orig.drGrpoAdvantages(r, G) }; // the bug
    });
    expect(await failingSteps()).toEqual(['group.library-estimators', 'group.length-normalized']);
  });
  it('referenceKlTerm\'s k3 derivative as 1 + π_ref/π (a sign slip)', async () => {
    vi.resetModules();
    vi.doMock('../src/estimators/refkl.js', async (importOriginal) => {
      const orig = await importOriginal<typeof import('../src/estimators/refkl.js')>();
      return {
        ...orig,
        referenceKlTerm: (lp: Float64Array, lr: Float64Array, mask: Uint8Array, kind: 'k1' | 'k3') => {
          const t = orig.referenceKlTerm(lp, lr, mask, kind);
          return kind === 'k3' ? { ...t, dLogp_t: t.dLogp_t.map((d) => 2 - d) } : t; // 1 − e^x → 1 + e^x
        },
      };
    });
    expect(await failingSteps()).toEqual(['group.k3-loss-gradient']);
  });
});
