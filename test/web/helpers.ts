// What the dashboard tests share: a small learnable data set on disk, real training runs
// of the basic model on it (optionally keeping per-epoch checkpoints), the `convkit serve`
// command in a child process, plain HTTP requests that keep paths as written, and headless
// Chromium through playwright-core.
import { ChildProcess, execFileSync, spawn } from 'child_process';
import * as fs from 'fs';
import * as http from 'http';
import * as os from 'os';
import * as path from 'path';
import type { BrowserContext } from 'playwright-core';

import '../../src';
import { Callback } from '../../src/training/callbacks';
import { DEFAULT_CONFIG, RunResult, train } from '../../src/training/run';
import { syntheticImages, writeCifarFolder } from '../training/helpers';

export const ROOT = path.join(__dirname, '..', '..');
export const SCREENSHOTS = path.join(ROOT, 'dist', 'web-screenshots');

export function temporaryFolder(prefix: string): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), `convkit-web-${prefix}-`));
}

/** Builds the page into dist/web, as `npm run build` does. */
export function buildPage(): void {
  execFileSync(process.execPath, [path.join(ROOT, 'scripts', 'build_web.mjs')], { stdio: 'inherit' });
}

/** A CIFAR-10 folder of 400 synthetic images, 10 classes a small CNN tells apart in an epoch or two. */
export function writeDataFolder(folder: string): string {
  writeCifarFolder(folder, syntheticImages(400, 11));
  return folder;
}

/** Trains the basic model on the synthetic folder: a real run folder in a few seconds. */
export function trainRun(folder: string, data: string, options: { epochs: number; callbacks?: Callback[] }): Promise<RunResult> {
  return train({
    ...DEFAULT_CONFIG, model: 'basic', data, limit: 320, validation: 64, epochs: options.epochs, batchSize: 32, seed: 5,
  }, folder, { progress: false, callbacks: options.callbacks });
}

/** `convkit serve` in a child process on a free port; resolves with its URL once it listens. */
export async function startServer(runsDir: string, extraArgs: string[] = []): Promise<{ url: string; process: ChildProcess; output: () => string }> {
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(ROOT, 'src', 'cli', 'index.ts'), 'serve', '--runs', runsDir, '--port', '0', ...extraArgs],
    { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stderr!.on('data', (chunk) => { output += chunk; });
  const url = await new Promise<string>((resolve, reject) => {
    child.stdout!.on('data', (chunk) => {
      output += chunk;
      const match = /(http:\/\/\S+\/)/.exec(output);
      if (match) resolve(match[1]);
    });
    child.on('exit', (code) => reject(new Error(`convkit serve exited with ${code}: ${output}`)));
    setTimeout(() => reject(new Error(`convkit serve did not start in 60 s: ${output}`)), 60_000).unref();
  });
  return { url, process: child, output: () => output };
}

export function stopProcess(child: ChildProcess | undefined): Promise<void> {
  if (!child || child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    child.once('exit', () => resolve());
    child.kill('SIGTERM');
    setTimeout(() => child.kill('SIGKILL'), 5000).unref();
  });
}

export interface RawReply {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
}

/** A request whose path goes out exactly as written (fetch and browsers would resolve '..'). */
export function rawRequest(baseUrl: string, requestPath: string, options: { method?: string; headers?: Record<string, string>; body?: Buffer } = {}): Promise<RawReply> {
  const base = new URL(baseUrl);
  return new Promise((resolve, reject) => {
    const request = http.request({ host: base.hostname, port: base.port, path: requestPath, method: options.method ?? 'GET', headers: options.headers }, (response) => {
      let body = '';
      response.setEncoding('utf8');
      response.on('data', (chunk) => { body += chunk; });
      response.on('end', () => resolve({ status: response.statusCode ?? 0, headers: response.headers, body }));
    });
    // The server may answer (413) and close before the whole body is sent: the reply counts.
    request.on('error', (error) => ((error as NodeJS.ErrnoException).code === 'EPIPE' || (error as NodeJS.ErrnoException).code === 'ECONNRESET' ? undefined : reject(error)));
    request.end(options.body);
  });
}

export const CHROMIUM = '/usr/bin/chromium';

/** Headless Debian Chromium with a fresh profile; close the context to end the browser. */
export async function launchBrowser(): Promise<{ context: BrowserContext; profile: string }> {
  const { chromium } = await import('playwright-core');
  const profile = temporaryFolder('chromium-profile');
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync'],
    viewport: { width: 1280, height: 900 },
  });
  return { context, profile };
}
