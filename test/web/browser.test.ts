// The dashboard end to end in headless Chromium: `convkit serve` in a child process, a real
// (tiny) training run in this process that pauses at each epoch until the page shows the
// epoch before it, then the model view, the try-it panel, the timeline and a phone-width
// layout. Screenshots go to dist/web-screenshots/.
import assert from 'node:assert/strict';
import { ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { BrowserContext, Page } from 'playwright-core';
import sharp from 'sharp';

import { Callback } from '../../src/training/callbacks';
import { KeepEpochs } from '../../src/training/keep_epochs';
import { DashboardProgress } from '../../src/web';
import { syntheticImages, SYNTHETIC_CLASSES } from '../training/helpers';
import {
  CHROMIUM, SCREENSHOTS, buildPage, launchBrowser, startServer, stopProcess, temporaryFolder, trainRun, writeDataFolder,
} from './helpers';

const RUN = 'live-basic';
const EPOCHS = 3;
const WAIT = { timeout: 30_000 };

/** Pauses training at the start of each epoch until `check` has seen the page catch up. */
class WatchThePage extends Callback {
  constructor(private readonly check: (epoch: number) => Promise<void>) {
    super();
  }

  override async onEpochBegin(epoch: number): Promise<void> {
    await this.check(epoch);
  }
}

async function screenshot(page: Page, name: string): Promise<void> {
  fs.mkdirSync(SCREENSHOTS, { recursive: true });
  await page.screenshot({ path: path.join(SCREENSHOTS, name), fullPage: true });
}

/** A PNG of one synthetic training image of `label`, scaled up as a user's photo would be. */
async function classImage(label: number): Promise<Buffer> {
  const set = syntheticImages(SYNTHETIC_CLASSES.length, 99);
  const size = 32 * 32 * 3;
  return sharp(Buffer.from(set.images.subarray(label * size, (label + 1) * size)), { raw: { width: 32, height: 32, channels: 3 } })
    .resize(160, 160, { kernel: 'nearest' }).png().toBuffer();
}

// Skipped without Chromium on a developer's machine; CI (which installs it) fails instead.
describe('dashboard in Chromium', { skip: !fs.existsSync(CHROMIUM) && !process.env.CI && 'no /usr/bin/chromium (apt-get install chromium)' }, () => {
  let workspace: string;
  let runsDir: string;
  let server: { url: string; process: ChildProcess; output: () => string } | undefined;
  let context: BrowserContext | undefined;
  let profile: string | undefined;
  let page: Page;
  const pageErrors: string[] = [];

  before(async () => {
    buildPage();
    workspace = temporaryFolder('browser');
    runsDir = path.join(workspace, 'runs');
    writeDataFolder(path.join(workspace, 'data'));
    fs.mkdirSync(runsDir);
    server = await startServer(runsDir);
    ({ context, profile } = await launchBrowser());
    page = await context.newPage();
    page.on('pageerror', (error) => pageErrors.push(error.message));
  });

  after(async () => {
    await context?.close();
    await stopProcess(server?.process);
    if (workspace) fs.rmSync(workspace, { recursive: true, force: true });
    if (profile) fs.rmSync(profile, { recursive: true, force: true });
  });

  test('`convkit serve` prints its URL on 127.0.0.1 and the runs page starts empty', async () => {
    assert.match(server!.url, /^http:\/\/127\.0\.0\.1:\d+\/$/);
    await page.goto(server!.url);
    await page.getByText('No runs yet').waitFor(WAIT);
  });

  test('a run appears while it trains, and its curves grow epoch by epoch without a reload', async () => {
    const folder = path.join(runsDir, RUN);
    const seen: number[] = [];
    const watch = new WatchThePage(async (epoch) => {
      if (epoch === 0) {
        // The run shows up on the runs page as training; open it from there.
        const card = page.locator(`[data-testid=run-card][data-run="${RUN}"]`);
        await card.locator('[data-testid=status]', { hasText: 'training' }).waitFor(WAIT);
        await card.click();
        await page.locator('[data-testid=run-title]', { hasText: RUN }).waitFor(WAIT);
        return;
      }
      // The epochs before this one are on both charts, and the strip shows their checkpoint.
      await page.locator(`[data-testid=chart-loss][data-points="${epoch}"]`).waitFor(WAIT);
      await page.locator(`[data-testid=chart-accuracy][data-points="${epoch}"]`).waitFor(WAIT);
      await page.locator('[data-testid=strip]', { hasText: `after epoch ${epoch}` }).waitFor(WAIT);
      seen.push(epoch);
      if (epoch === 2) {
        assert.match(await page.locator('[data-testid=stat-speed]').innerText(), /\d/);
        assert.match(await page.locator('[data-testid=stat-eta]').innerText(), /\d+ (s|min)/);
        await screenshot(page, 'live-training.png');
      }
    });
    const navigations: string[] = [];
    page.on('framenavigated', (frame) => { if (frame === page.mainFrame()) navigations.push(frame.url()); });
    await trainRun(folder, path.join(workspace, 'data'), { epochs: EPOCHS, callbacks: [new DashboardProgress(folder), new KeepEpochs(folder), watch] });
    assert.deepEqual(seen, [1, 2]);
    await page.locator(`[data-testid=chart-loss][data-points="${EPOCHS}"]`).waitFor(WAIT);
    await page.locator('[data-testid=status]', { hasText: 'finished' }).first().waitFor(WAIT);
    assert.ok(navigations.every((url) => url.startsWith(server!.url)), 'hash changes only, no reload');
    assert.equal(await page.locator('[data-testid=strip-prediction]').count(), 12);
  });

  test('runs page: model, epochs, best validation accuracy and status', async () => {
    await page.goto(server!.url);
    const card = page.locator(`[data-testid=run-card][data-run="${RUN}"]`);
    await card.waitFor(WAIT);
    const text = await card.innerText();
    assert.match(text, /model basic/);
    assert.match(text, new RegExp(`${EPOCHS}\\s*/\\s*${EPOCHS}`));
    assert.match(text, /\d+\.\d%\s*best val accuracy/);
    assert.match(text, /finished/i);
    await screenshot(page, 'runs.png');
  });

  test('model view: layer table, confusion matrix, a cell\'s images and one image\'s heat maps', async () => {
    await page.goto(`${server!.url}#/runs/${RUN}/model`);
    await page.locator('[data-testid=layer-table]', { hasText: 'conv2d_1' }).waitFor(WAIT);
    await page.locator('[data-testid=confusion]').waitFor(WAIT);
    // The fullest cell of the matrix: its images must all carry that true and predicted class.
    const cells = page.locator('[data-testid=confusion-cell]');
    const counts = (await cells.allInnerTexts()).map(Number);
    const fullest = counts.indexOf(Math.max(...counts));
    await cells.nth(fullest).click();
    const trueName = SYNTHETIC_CLASSES[Math.floor(fullest / 10)];
    const predictedName = SYNTHETIC_CLASSES[fullest % 10];
    const gallery = page.locator('[data-testid=gallery]');
    await gallery.locator('h2', { hasText: `${trueName} predicted as ${predictedName}` }).waitFor(WAIT);
    await gallery.locator('button.picture').first().waitFor(WAIT);
    assert.equal(await gallery.locator('button.picture').count(), Math.min(counts[fullest], 60));
    await gallery.locator('button.picture').first().click();
    const explanation = page.locator('[data-testid=explanation]');
    await explanation.locator('figcaption', { hasText: 'Grad-CAM' }).waitFor(WAIT);
    const sources = await explanation.locator('.heat-row img').evaluateAll((images) => images.map((image) => (image as HTMLImageElement).src));
    assert.equal(sources.length, 4, 'image, occlusion, saliency, Grad-CAM');
    assert.ok(sources.every((src) => src.startsWith('data:image/png;base64,')));
    assert.match(await explanation.innerText(), new RegExp(`true class ${trueName}`));
    assert.ok(await explanation.locator('.feature-maps').count() >= 4, 'feature maps of each conv layer');
    await screenshot(page, 'model-view.png');
  });

  test('try it: a malformed upload shows an error, a real image its top-3 labels', async () => {
    await page.goto(`${server!.url}#/runs/${RUN}/try`);
    const input = page.locator('[data-testid=try-input]');
    await input.setInputFiles({ name: 'broken.png', mimeType: 'image/png', buffer: Buffer.from('this is not a PNG') });
    await page.locator('[data-testid=message-error]', { hasText: 'broken.png: the file is not a PNG, JPEG, WebP or GIF image' }).waitFor(WAIT);
    const label = SYNTHETIC_CLASSES.indexOf('red');
    await input.setInputFiles({ name: 'red.png', mimeType: 'image/png', buffer: await classImage(label) });
    await page.locator('[data-testid=try-result]').waitFor(WAIT);
    const labels = await page.locator('[data-testid=try-result] [data-testid=prediction-label]').allInnerTexts();
    assert.equal(labels.length, 3);
    assert.ok(labels.every((name) => SYNTHETIC_CLASSES.includes(name)), labels.join(', '));
    assert.equal(new Set(labels).size, 3);
    assert.equal(labels[0], 'red', 'the trained model knows its classes');
    assert.equal(await page.locator('[data-testid=message-error]').count(), 0);
    assert.ok(await page.locator('.feature-maps img').count() >= 16, 'first conv layer maps');
    await screenshot(page, 'try-it.png');
  });

  test('timeline: the kept epochs play from first to last', async () => {
    await page.goto(`${server!.url}#/runs/${RUN}/timeline`);
    await page.locator('[data-testid=timeline-epoch]', { hasText: '1' }).waitFor(WAIT);
    await page.locator('.confusion').waitFor(WAIT);
    await page.locator('[data-testid=timeline-play]').click();
    await page.locator('[data-testid=timeline-epoch]', { hasText: String(EPOCHS) }).waitFor(WAIT);
    await page.locator('[data-testid=timeline-play]', { hasText: 'Play' }).waitFor(WAIT);
    assert.match(await page.locator('.panel', { hasText: 'Confusion matrix' }).innerText(), new RegExp(`at epoch ${EPOCHS}`));
    await screenshot(page, 'timeline.png');
  });

  test('phone width: one column, nothing wider than the screen', async () => {
    await page.setViewportSize({ width: 390, height: 844 });
    try {
      await page.goto(`${server!.url}#/runs/${RUN}`);
      await page.locator(`[data-testid=chart-loss][data-points="${EPOCHS}"]`).waitFor(WAIT);
      const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
      assert.ok(overflow <= 0, `the page is ${overflow}px wider than the window`);
      await screenshot(page, 'phone.png');
    } finally {
      await page.setViewportSize({ width: 1280, height: 900 });
    }
  });

  test('no script errors in the page', () => {
    assert.deepEqual(pageErrors, []);
  });
});
