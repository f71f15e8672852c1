// Downloads a file into the cache safely: bytes go to a temporary file next to the target,
// and only a complete file whose MD5 matches is renamed into place, so an interrupted or
// corrupted download never leaves something that looks like a good cached copy.
import { SingleBar } from 'cli-progress';
import { createHash } from 'node:crypto';
import { createWriteStream, mkdirSync, renameSync, rmSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import { dirname } from 'node:path';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';

import { ConvkitError } from '../errors';

export interface DownloadOptions {
  /** Expected MD5 (hex) of the whole file. */
  md5: string;
  /** Show a progress bar on stderr (bytes, speed, ETA). Default: when stderr is a terminal. */
  progress?: boolean;
  /** Give up when the server sends nothing for this long. Default 30 s. */
  idleTimeoutMs?: number;
  label?: string;
}

const MAX_REDIRECTS = 5;

export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KiB`;
  return `${(bytes / (1024 * 1024)).toFixed(1)} MiB`;
}

/** Resolves with the response of a GET, following redirects; rejects on HTTP errors. */
function get(url: string, idleTimeoutMs: number, redirectsLeft = MAX_REDIRECTS): Promise<http.IncomingMessage> {
  return new Promise((resolvePromise, reject) => {
    let parsed: URL;
    try {
      parsed = new URL(url);
    } catch {
      reject(new ConvkitError(`invalid download URL ${url}`));
      return;
    }
    const client = parsed.protocol === 'https:' ? https : parsed.protocol === 'http:' ? http : undefined;
    if (!client) {
      reject(new ConvkitError(`unsupported download URL ${url} (http or https only)`));
      return;
    }
    const request = client.get(parsed, (response) => {
      const status = response.statusCode ?? 0;
      if (status >= 300 && status < 400 && response.headers.location) {
        response.resume();
        if (redirectsLeft === 0) reject(new Error(`too many redirects from ${url}`));
        else get(new URL(response.headers.location, parsed).toString(), idleTimeoutMs, redirectsLeft - 1).then(resolvePromise, reject);
        return;
      }
      if (status !== 200) {
        response.resume();
        reject(new Error(`HTTP ${status} ${response.statusMessage ?? ''}`.trim()));
        return;
      }
      resolvePromise(response);
    });
    request.setTimeout(idleTimeoutMs, () => request.destroy(new Error(`no data for ${idleTimeoutMs / 1000} s`)));
    request.on('error', reject);
  });
}

function progressBar(label: string, total: number): SingleBar {
  const bar = new SingleBar({
    format: `${label} [{bar}] {percentage}% | {done} / {size} | ETA {eta_formatted}`,
    hideCursor: true,
    etaBuffer: 50,
  });
  bar.start(total, 0, { done: formatBytes(0), size: total > 0 ? formatBytes(total) : '?' });
  return bar;
}

/**
 * Downloads `url` to `destination`, verified by MD5. On any failure nothing is left at
 * `destination` (nor a temporary file) and the error says what happened.
 */
export async function downloadVerified(url: string, destination: string, options: DownloadOptions): Promise<void> {
  const idleTimeoutMs = options.idleTimeoutMs ?? 30_000;
  mkdirSync(dirname(destination), { recursive: true });
  const temporary = `${destination}.${process.pid}.${Date.now()}.partial`;
  let bar: SingleBar | undefined;
  let received = 0;
  let total = 0;
  try {
    const response = await get(url, idleTimeoutMs);
    const declared = Number(response.headers['content-length'] ?? 0);
    total = Number.isFinite(declared) && declared > 0 ? declared : 0;
    if (options.progress ?? process.stderr.isTTY) bar = progressBar(options.label ?? 'download', total);
    const hash = createHash('md5');
    const meter = new Transform({
      transform(chunk: Buffer, _encoding, done) {
        hash.update(chunk);
        received += chunk.length;
        bar?.update(received, { done: formatBytes(received) });
        done(null, chunk);
      },
    });
    // A server that closes the connection early makes the response emit 'aborted'/'error'.
    await pipeline(response, meter, createWriteStream(temporary));
    if (!response.complete || (total > 0 && received !== total)) throw new Error('the server closed the connection early');
    bar?.stop();
    bar = undefined;
    const digest = hash.digest('hex');
    if (digest !== options.md5.toLowerCase()) {
      throw new ConvkitError(`checksum mismatch for ${url}: the downloaded file has MD5 ${digest}, expected ${options.md5}; ` +
        'nothing was cached (try again, or download it yourself and pass its path)');
    }
    renameSync(temporary, destination);
  } catch (error) {
    bar?.stop();
    rmSync(temporary, { force: true });
    if (error instanceof ConvkitError) throw error;
    let reason = (error as Error).message || (error as NodeJS.ErrnoException).code || String(error);
    if (total > 0 && received < total) reason = `connection lost after ${formatBytes(received)} of ${formatBytes(total)} (${reason})`;
    throw new ConvkitError(`download of ${url} failed: ${reason}; nothing was cached`, { cause: error });
  }
}
