// The triangle schedule against airbench's own definition, step by step, and its CLI spec.
import assert from 'node:assert/strict';
import { test } from 'node:test';

import { SCHEDULE_KINDS, parseScheduleSpec, scheduleFromConfig, triangle } from '../../src/training/schedules';

/**
 * airbench94's triangle(steps, start, end, peak): the multiplier of optimizer step i is the
 * piecewise-linear curve through (0, start), (int(peak * steps), 1) and (steps, end).
 */
function airbenchTriangle(steps: number, start: number, end: number, peak: number): number[] {
  const xp = [0, Math.trunc(peak * steps), steps];
  const fp = [start, 1, end];
  return Array.from({ length: steps }, (_, i) => {
    const segment = i >= xp[1] ? 1 : 0;
    return fp[segment] + (fp[segment + 1] - fp[segment]) * (i - xp[segment]) / (xp[segment + 1] - xp[segment]);
  });
}

test('the triangle rises from start to the peak rate, then falls towards end, counted in optimizer steps', () => {
  const [epochs, stepsPerEpoch, base] = [10, 9, 0.5];
  const schedule = triangle(base, 0.23, 0.2, 0.07);
  const rates: number[] = [];
  for (let epoch = 0; epoch < epochs; epoch++) {
    for (let batch = 0; batch < stepsPerEpoch; batch++) rates.push(schedule({ epoch, batch, stepsPerEpoch, epochs }));
  }
  const expected = airbenchTriangle(epochs * stepsPerEpoch, 0.2, 0.07, 0.23).map((multiplier) => base * multiplier);
  rates.forEach((rate, step) => assert.ok(Math.abs(rate - expected[step]) < 1e-12, `step ${step}: ${rate} vs ${expected[step]}`));
  // 90 steps: the peak is at step floor(0.23 * 90) = 20, the first step at start, the last just above end.
  assert.equal(rates[0], base * 0.2);
  assert.equal(rates[20], base);
  assert.equal(Math.max(...rates), base);
  assert.ok(Math.abs(rates[89] - base * (1 - 0.93 * 69 / 70)) < 1e-12);
  assert.ok(rates.slice(0, 21).every((rate, i) => i === 0 || rate > rates[i - 1]), 'rising to the peak');
  assert.ok(rates.slice(20).every((rate, i) => i === 0 || rate < rates[20 + i - 1]), 'falling after it');
});

test('the triangle comes from a config and from the --schedule spec, with airbench\'s defaults', () => {
  assert.ok(SCHEDULE_KINDS.includes('triangle'));
  assert.deepEqual(parseScheduleSpec('triangle'), { kind: 'triangle', peakAt: 0.23, start: 0.2, end: 0.07 });
  assert.deepEqual(parseScheduleSpec('triangle:0.3'), { kind: 'triangle', peakAt: 0.3, start: 0.2, end: 0.07 });
  assert.deepEqual(parseScheduleSpec('triangle:0.5:0:0'), { kind: 'triangle', peakAt: 0.5, start: 0, end: 0 });
  for (const bad of ['triangle:1.5', 'triangle:0.2:x', 'triangle:', 'triangle:0.2:0.1:0.1:0.1', 'triangle:-0.1']) {
    assert.throws(() => parseScheduleSpec(bad), /triangle takes up to three numbers/, bad);
  }
  const schedule = scheduleFromConfig(parseScheduleSpec('triangle:0.5:0.1:0.2'), 2);
  const at = (epoch: number, batch: number) => schedule({ epoch, batch, stepsPerEpoch: 5, epochs: 2 });
  assert.deepEqual([at(0, 0), at(1, 0), at(1, 4)].map((rate) => Number(rate.toFixed(12))), [0.2, 2, Number((2 * (1 - 0.8 * 4 / 5)).toFixed(12))]);
  // The other kinds keep their rules.
  assert.throws(() => parseScheduleSpec('one-cycle:0'), /must be positive numbers/);
  assert.throws(() => parseScheduleSpec('linear'), /unknown schedule 'linear': use constant, step, cosine, one-cycle, triangle/);
});
