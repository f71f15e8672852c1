// The dashboard's server without a browser: only its own files and the runs folder are
// reachable, uploads are limited and checked, runs are read while they are being written,
// and the model endpoints answer with what the page draws.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, describe, test } from 'node:test';
import sharp from 'sharp';

import { buildProgram } from '../../src/cli';
import { scaleOnlyNormalization } from '../../src/data/preprocess';
import { writeFileAtomic } from '../../src/models/atomic_file';
import { saveModel } from '../../src/models/io';
import { buildModel } from '../../src/models/catalog';
import type { Dashboard, EvaluationResult, Explanation, FilterPatterns, ModelInfo, RunDetail, RunSummary, TimelineFrame, TryResult } from '../../src/web';
import { startDashboard } from '../../src/web';
import { DashboardProgress, LiveFile, readLiveFile } from '../../src/web/live_progress';
import type { TrainingContext } from '../../src/training/callbacks';
import { readHistoryTable, runStatus } from '../../src/web/run_folders';
import { SYNTHETIC_CLASSES } from '../training/helpers';
import { ROOT, buildPage, rawRequest, temporaryFolder, writeDataFolder } from './helpers';

const SECRET = 'the-secret-outside-the-runs-folder';
const HISTORY_HEADER = 'epoch,loss,accuracy,val_loss,val_accuracy,lr,seconds,images_per_second';

function historyLine(epoch: number): string {
  return `${epoch},${(2 / epoch).toFixed(4)},${(0.2 * epoch).toFixed(4)},${(2.2 / epoch).toFixed(4)},${(0.18 * epoch).toFixed(4)},0.001,3,200`;
}

async function png(width: number, height: number, colour: { r: number; g: number; b: number }): Promise<Buffer> {
  return sharp({ create: { width, height, channels: 3, background: colour } }).png().toBuffer();
}

async function getJson<T>(url: string): Promise<T> {
  const reply = await fetch(url);
  assert.equal(reply.status, 200, `${url}: ${reply.status} ${await reply.clone().text()}`);
  return await reply.json() as T;
}

describe('dashboard server', () => {
  let workspace: string;
  let runsDir: string;
  let dashboard: Dashboard;
  let url: string;

  before(async () => {
    buildPage();
    workspace = temporaryFolder('server');
    runsDir = path.join(workspace, 'runs');
    fs.writeFileSync(path.join(workspace, 'secret.txt'), SECRET);
    const data = writeDataFolder(path.join(workspace, 'data'));
    // A model saved as training saves it (untrained weights are enough to serve it), with two kept epochs.
    const model = buildModel('basic', { inputShape: [32, 32, 3], classes: 10, seed: 3 });
    const metadata = {
      classNames: SYNTHETIC_CLASSES, inputShape: [32, 32, 3], normalization: scaleOnlyNormalization(3), epoch: 2,
      trainingConfig: { model: 'basic', data, limit: 320, validation: 64, seed: 5, epochs: 5 },
    };
    const run = path.join(runsDir, 'basic');
    await saveModel(model, run, metadata);
    for (const epoch of [1, 2]) await saveModel(model, path.join(run, 'epochs', `epoch-00${epoch}`), { ...metadata, epoch });
    fs.writeFileSync(path.join(run, 'history.csv'), `${HISTORY_HEADER}\n${historyLine(1)}\n${historyLine(2)}\n`);
    fs.symlinkSync(path.join(workspace, 'secret.txt'), path.join(run, 'link-out.txt'));
    model.dispose();
    fs.mkdirSync(path.join(runsDir, 'only-history'));
    fs.writeFileSync(path.join(runsDir, 'only-history', 'history.csv'), `${HISTORY_HEADER}\n${historyLine(1)}\n`);
    fs.mkdirSync(path.join(runsDir, 'not-a-run'));
    fs.mkdirSync(path.join(runsDir, '.hidden'));
    fs.writeFileSync(path.join(runsDir, '.hidden', 'history.csv'), HISTORY_HEADER);
    dashboard = await startDashboard({ runsDir, port: 0, evaluationImages: 64, log: () => undefined });
    url = dashboard.url;
  });

  after(async () => {
    await dashboard?.close();
    fs.rmSync(workspace, { recursive: true, force: true });
  });

  test('listens on 127.0.0.1 by default and serves the built page', async () => {
    assert.match(url, /^http:\/\/127\.0\.0\.1:\d+\/$/);
    const page = await rawRequest(url, '/');
    assert.equal(page.status, 200);
    assert.match(page.body, /<script defer src="\/assets\/app\.js">/);
    const script = await rawRequest(url, '/assets/app.js');
    assert.equal(script.status, 200);
    assert.match(String(script.headers['content-type']), /javascript/);
    assert.equal(script.headers['x-content-type-options'], 'nosniff');
  });

  test('`convkit serve --help` documents its flags', () => {
    const serve = buildProgram().commands.find((command) => command.name() === 'serve');
    assert.ok(serve, 'serve is registered');
    const help = serve.helpInformation();
    for (const flag of ['--runs <folder>', '--port <n>', '--host <address>']) assert.ok(help.includes(flag), `${flag} in:\n${help}`);
    assert.match(help, /this machine only/);
  });

  test('serves files inside the runs folder, and nothing outside it', async () => {
    const inside = await rawRequest(url, '/files/basic/history.csv');
    assert.equal(inside.status, 200);
    assert.ok(inside.body.startsWith('epoch,loss'));
    const attempts = [
      '/files/../secret.txt', '/files/basic/../../secret.txt', '/files/%2e%2e/secret.txt', '/files/basic/%2e%2e%2f%2e%2e%2fsecret.txt',
      '/files/basic/..%2f..%2fsecret.txt', '/files/basic/..%5c..%5csecret.txt', '/files/%252e%252e/secret.txt',
      `/files/${encodeURIComponent(path.join(workspace, 'secret.txt'))}`, `/files/${path.join(workspace, 'secret.txt')}`, '/files//etc/passwd',
      '/files/basic/link-out.txt', '/files/basic/%00history.csv', '/files/basic/history.csv%00.png', '/files/%E0%A4%A', '/files/C:%5Cwindows',
      '/assets/../../package.json', '/assets/..%2f..%2fpackage.json', '/assets/%2e%2e', '/../package.json', '/%2e%2e/package.json',
      '/api/runs/..%2f..%2f/model', '/api/runs/%2e%2e/model', '/api/runs/not-a-run', '/api/runs/.hidden',
    ];
    for (const attempt of attempts) {
      const reply = await rawRequest(url, attempt);
      assert.equal(reply.status, 404, `${attempt} answered ${reply.status}: ${reply.body.slice(0, 100)}`);
      assert.ok(!reply.body.includes(SECRET) && !reply.body.includes('"name": "convkit"'), `${attempt} leaked a file`);
    }
  });

  test('answers on loopback names only, and only the methods each route has', async () => {
    assert.equal((await rawRequest(url, '/api/runs', { headers: { host: 'attacker.example:80' } })).status, 403);
    assert.equal((await rawRequest(url, '/api/runs', { headers: { host: `localhost:${new URL(url).port}` } })).status, 200);
    assert.equal((await rawRequest(url, '/api/runs', { method: 'POST' })).status, 405);
  });

  test('lists the runs with model, epochs, best validation accuracy and status', async () => {
    const runs = await getJson<RunSummary[]>(`${url}api/runs`);
    assert.deepEqual(runs.map((run) => run.name), ['basic', 'only-history']);
    const basic = runs[0];
    assert.equal(basic.model, 'basic');
    assert.equal(basic.epochsDone, 2);
    assert.equal(basic.epochsPlanned, 5);
    assert.ok(Math.abs((basic.bestValAccuracy ?? 0) - 0.36) < 1e-9);
    assert.equal(basic.status, 'training', 'written seconds ago with epochs to go');
    assert.equal(basic.keptEpochs, 2);
    assert.equal(runs[1].hasModel, false);
  });

  test('status: finished, stopped or training from the resume state, the live report and the clock', () => {
    const now = Date.parse('2025-06-01T12:00:00Z');
    const live = (ageSeconds: number, pid: number): LiveFile => ({
      version: 1, state: 'training', pid, hostname: os.hostname(), startedAt: '', updatedAt: new Date(now - ageSeconds * 1000).toISOString(),
      epoch: 2, epochs: 10, batch: 5, batches: 40, imagesPerSecond: 300, etaSeconds: 100, loss: 1, accuracy: 0.5,
    });
    const base = { finished: null, live: null, epochsDone: 3, epochsPlanned: 10, lastChange: now - 5000, epochSeconds: 30, now };
    assert.equal(runStatus({ ...base, finished: 'epochs' }).status, 'finished');
    assert.match(runStatus({ ...base, finished: 'early-stopping' }).detail, /early/);
    assert.equal(runStatus({ ...base, live: live(2, process.pid) }).status, 'training');
    const deadPid = 2 ** 22 + 12345;  // above Linux's pid range, so no process has it
    assert.equal(runStatus({ ...base, live: live(2, deadPid) }).status, 'stopped');
    assert.equal(runStatus({ ...base, live: live(3600, process.pid), lastChange: now - 3600_000 }).status, 'stopped');
    assert.equal(runStatus(base).status, 'training');
    assert.equal(runStatus({ ...base, lastChange: now - 3600_000 }).status, 'stopped');
    assert.equal(runStatus({ ...base, epochsDone: 10, lastChange: now - 3600_000 }).status, 'finished');
    assert.equal(runStatus({ ...base, epochsPlanned: null }).status, 'finished', 'a model saved outside training');
  });

  test('reads history.csv without a half-written last line', () => {
    const folder = path.join(workspace, 'partial');
    fs.mkdirSync(folder);
    fs.writeFileSync(path.join(folder, 'history.csv'), `${HISTORY_HEADER}\n${historyLine(1)}\n${historyLine(2)}\n3,0.66`);
    const history = readHistoryTable(folder);
    assert.deepEqual(history.epochs, [1, 2]);
    assert.deepEqual(history.series.loss, [2, 1]);
    assert.equal(history.series.val_acc?.length, 2);
  });

  test('keeps answering while a run rewrites model.json and appends to history.csv', async () => {
    const run = path.join(runsDir, 'basic');
    const original = fs.readFileSync(path.join(run, 'model.json'));
    const writes = (async () => {
      for (let i = 0; i < 40; i++) {
        writeFileAtomic(path.join(run, 'model.json'), original);
        fs.appendFileSync(path.join(run, 'history.csv'), i % 2 === 0 ? '3,0.6' : '6,0.1,0.9,0.6,0.8,0.001,3,200\n');
        await new Promise((resolve) => setTimeout(resolve, 2));
      }
    })();
    const replies = await Promise.all(Array.from({ length: 40 }, () => rawRequest(url, '/api/runs/basic')));
    await writes;
    for (const reply of replies) {
      assert.equal(reply.status, 200);
      const detail = JSON.parse(reply.body) as RunDetail;
      assert.ok(detail.history.epochs.every(Number.isFinite));
      assert.equal(detail.summary.hasModel, true);
    }
    fs.writeFileSync(path.join(run, 'history.csv'), `${HISTORY_HEADER}\n${historyLine(1)}\n${historyLine(2)}\n`);
  });

  test('streams a run update when an epoch is appended', async () => {
    const run = path.join(runsDir, 'only-history');
    const controller = new AbortController();
    const reply = await fetch(`${url}api/runs/only-history/events`, { signal: controller.signal });
    assert.match(String(reply.headers.get('content-type')), /text\/event-stream/);
    const reader = reply.body!.getReader();
    const decoder = new TextDecoder();
    let text = '';
    const nextRun = async (): Promise<RunDetail> => {
      for (;;) {
        const end = text.indexOf('\n\n');
        if (end >= 0) {
          const block = text.slice(0, end);
          text = text.slice(end + 2);
          const data = /^data: (.*)$/m.exec(block);
          if (/^event: run$/m.test(block) && data) return JSON.parse(data[1]) as RunDetail;
          continue;
        }
        const { value, done } = await reader.read();
        if (done) throw new Error('the stream ended');
        text += decoder.decode(value, { stream: true });
      }
    };
    try {
      assert.equal((await nextRun()).history.epochs.length, 1);
      fs.appendFileSync(path.join(run, 'history.csv'), `${historyLine(2)}\n`);
      assert.equal((await nextRun()).history.epochs.length, 2);
    } finally {
      controller.abort();
    }
  });

  test('model endpoints: layers, confusion matrix, image cards, heat maps, timeline', async () => {
    const api = `${url}api/runs/basic`;
    const info = await getJson<ModelInfo>(`${api}/model`);
    assert.equal(info.layers[0].name, 'conv2d_1');
    assert.equal(info.layers[0].outputShape, '(None, 30, 30, 32)');
    assert.equal(info.totalParams, 477_994, 'the tutorial basic model on 32x32x3 and 10 classes');
    assert.ok(info.patternLayers.includes('dense_2'));
    const evaluation = await getJson<EvaluationResult>(`${api}/evaluation`);
    assert.equal(evaluation.split, 'validation');
    assert.equal(evaluation.count, 64);
    assert.equal(evaluation.confusion.length, 10);
    assert.equal(evaluation.confusion.flat().reduce((a, b) => a + b, 0), 64);
    const row = evaluation.confusion.findIndex((counts) => counts.some((n) => n > 0));
    const column = evaluation.confusion[row].findIndex((n) => n > 0);
    const cards = await getJson<{ cards: Array<{ index: number; label: number; predicted: number; picture: string }>; total: number }>(`${api}/images?true=${row}&predicted=${column}`);
    assert.equal(cards.total, evaluation.confusion[row][column]);
    assert.ok(cards.cards.every((card) => card.label === row && card.predicted === column && card.picture.startsWith('data:image/png;base64,')));
    const explanation = await getJson<Explanation>(`${api}/explain?image=${cards.cards[0].index}`);
    assert.equal(explanation.top.length, 3);
    for (const picture of [explanation.picture, explanation.occlusion, explanation.saliency, explanation.gradCam]) assert.match(String(picture), /^data:image\/png;base64,/);
    assert.deepEqual(explanation.featureMaps.map((maps) => maps.layerName), ['conv2d_1', 'conv2d_2', 'conv2d_3', 'conv2d_4']);
    assert.deepEqual((await getJson<{ epochs: number[] }>(`${api}/timeline`)).epochs, [1, 2]);
    const frame = await getJson<TimelineFrame>(`${api}/timeline/2`);
    assert.equal(frame.filters?.tiles.length, 32);
    assert.equal(frame.featureMaps?.layerName, 'conv2d_1');
    assert.equal(frame.evaluation?.confusion.length, 10);
  });

  test('activation maximisation labels the output layer\'s filters with class names', async () => {
    const patterns = await getJson<FilterPatterns>(`${url}api/runs/basic/patterns?layer=dense_2`);
    assert.equal(patterns.filterCount, 10);
    assert.deepEqual(patterns.patterns.map((pattern) => pattern.label), SYNTHETIC_CLASSES);
    assert.ok(patterns.patterns.every((pattern) => pattern.picture.startsWith('data:image/png;base64,')));
  });

  test('bad parameters get clear errors, not crashes', async () => {
    const api = '/api/runs/basic';
    const cases: Array<[string, number, RegExp]> = [
      [`${api}/explain?image=abc`, 400, /whole number/],
      [`${api}/explain`, 400, /missing/],
      [`${api}/explain?image=100000`, 404, /not among/],
      [`${api}/patterns?layer=nope`, 422, /no layer "nope".*conv2d_1/],
      [`${api}/timeline/7`, 404, /epoch 7/],
      ['/api/runs/only-history/model', 422, /no saved model|does not exist|model/],
    ];
    for (const [request, status, message] of cases) {
      const reply = await rawRequest(url, request);
      assert.equal(reply.status, status, `${request}: ${reply.body}`);
      assert.match(JSON.parse(reply.body).error, message);
    }
  });

  test('uploads: size limit (413), type (415), not an image (400), and a real image (top 3 in under a second)', async () => {
    const predict = '/api/runs/basic/predict';
    const big = Buffer.alloc(9 * 1024 * 1024, 1);
    big.set([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
    const tooBig = await rawRequest(url, predict, { method: 'POST', headers: { 'content-type': 'image/png' }, body: big });
    assert.equal(tooBig.status, 413);
    assert.match(JSON.parse(tooBig.body).error, /larger than the 8 MB limit/);
    const undeclared = await rawRequest(url, predict, { method: 'POST', headers: { 'content-type': 'image/png', 'transfer-encoding': 'chunked' }, body: big });
    assert.equal(undeclared.status, 413);
    for (const type of ['text/plain', 'image/svg+xml', 'application/octet-stream', 'multipart/form-data; boundary=x']) {
      const reply = await rawRequest(url, predict, { method: 'POST', headers: { 'content-type': type }, body: Buffer.from('hello') });
      assert.equal(reply.status, 415, type);
      assert.match(JSON.parse(reply.body).error, /PNG, JPEG, WebP or GIF/);
    }
    assert.equal((await rawRequest(url, predict, { method: 'POST', body: Buffer.from('x') })).status, 415);
    const text = await rawRequest(url, predict, { method: 'POST', headers: { 'content-type': 'image/png' }, body: Buffer.from('definitely not a picture') });
    assert.equal(text.status, 400);
    assert.match(JSON.parse(text.body).error, /not a PNG, JPEG, WebP or GIF image/);
    const image = await png(64, 48, { r: 200, g: 30, b: 40 });
    const truncated = await rawRequest(url, predict, { method: 'POST', headers: { 'content-type': 'image/png' }, body: image.subarray(0, 60) });
    assert.equal(truncated.status, 400);
    const error = JSON.parse(truncated.body).error as string;
    assert.match(error, /the uploaded file is not an image convkit can read/);
    assert.ok(!error.includes('convkit-upload-'), `no temporary path in: ${error}`);
    assert.equal((await rawRequest(url, '/api/runs')).status, 200, 'still serving');

    let result: TryResult | undefined;
    for (let attempt = 0; attempt < 2; attempt++) {  // the first call also loads the model
      const reply = await rawRequest(url, predict, { method: 'POST', headers: { 'content-type': 'image/png' }, body: image });
      assert.equal(reply.status, 200, reply.body);
      result = JSON.parse(reply.body) as TryResult;
    }
    assert.deepEqual(result!.top.map((entry) => SYNTHETIC_CLASSES.includes(entry.className)), [true, true, true]);
    assert.ok(result!.top[0].probability >= result!.top[1].probability);
    assert.ok(result!.milliseconds < 1000, `answered in ${result!.milliseconds} ms`);
    assert.equal(result!.featureMaps?.tiles.length, 32);
    assert.match(String(result!.gradCam), /^data:image\/png/);
  });

  test('a second dashboard for the same runs folder reuses the running one; another folder is refused', async () => {
    const port = Number(new URL(url).port);
    const again = await startDashboard({ runsDir, port, log: () => undefined });
    assert.equal(again.reused, true);
    assert.equal(again.url, url);
    await assert.rejects(startDashboard({ runsDir: workspace, port, log: () => undefined }), /port \d+ on 127\.0\.0\.1 is in use/);
  });

  test('the page\'s TypeScript type-checks', () => {
    execFileSync(process.execPath, [path.join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', path.join(ROOT, 'web', 'tsconfig.json')], { stdio: 'pipe' });
  });

  test('DashboardProgress reports epoch, batch, speed and time left in live.json', () => {
    const folder = path.join(workspace, 'progress');
    fs.mkdirSync(folder);
    const reporter = new DashboardProgress(folder, { intervalMs: 0 });
    const context = { epochs: 3, stepsPerEpoch: 10 } as TrainingContext;
    reporter.onTrainBegin(context);
    reporter.onEpochBegin(1);
    for (let batch = 0; batch < 4; batch++) reporter.onBatchEnd(batch, { loss: 1.5, accuracy: 0.4, images_per_second: 250 }, context);
    const live = readLiveFile(folder)!;
    assert.equal(live.state, 'training');
    assert.equal(live.pid, process.pid);
    assert.deepEqual([live.epoch, live.epochs, live.batch, live.batches], [1, 3, 4, 10]);
    assert.equal(live.imagesPerSecond, 250);
    assert.ok(live.etaSeconds !== null && live.etaSeconds >= 0);
    reporter.onTrainEnd(context);
    assert.equal(readLiveFile(folder)!.state, 'ended');
    fs.rmSync(folder, { recursive: true });
    reporter.onBatchEnd(5, {}, context);  // a removed run folder must not stop training
  });
});
