// The two kinds of files the dashboard serves: its own page (built into dist/web by
// scripts/build_web.mjs) and files inside the runs folder. Nothing else on disk is reachable.
import * as fs from 'fs';
import type { ServerResponse } from 'http';
import * as path from 'path';

import { HttpError, SECURITY_HEADERS, notFound } from './http';
import { resolveInside } from './safe_paths';

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.csv': 'text/csv; charset=utf-8',
  '.txt': 'text/plain; charset=utf-8',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.svg': 'image/svg+xml',
  '.ico': 'image/x-icon',
};

/** The built page, dist/web, seen from dist/src/web (built) or src/web (run with tsx). */
export function findAssetFolder(): string | null {
  const candidates = [path.resolve(__dirname, '..', '..', 'web'), path.resolve(__dirname, '..', '..', 'dist', 'web')];
  // The script is the built part (web/ itself holds the sources and an unbuilt index.html).
  return candidates.find((folder) => fs.existsSync(path.join(folder, 'app.js'))) ?? null;
}

function sendFile(response: ServerResponse, file: string, headers: Record<string, string> = {}): void {
  const type = CONTENT_TYPES[path.extname(file).toLowerCase()] ?? 'application/octet-stream';
  const size = fs.statSync(file).size;
  response.writeHead(200, { ...SECURITY_HEADERS, 'content-type': type, 'content-length': size, 'cache-control': 'no-cache', ...headers });
  const stream = fs.createReadStream(file);
  stream.on('error', () => response.destroy());
  stream.pipe(response);
}

/** The file `rawSegments` names inside `root`, or a 404. */
function existingFileInside(root: string, rawSegments: string[]): string {
  const file = rawSegments.length > 0 ? resolveInside(root, rawSegments) : null;
  if (!file || !fs.statSync(file).isFile()) throw notFound();
  return file;
}

/** The page's own files: one level, plain names only. */
export function serveAsset(response: ServerResponse, assetFolder: string | null, rawName: string): void {
  if (!assetFolder) throw new HttpError(503, 'the dashboard page is not built: run `npm run build`');
  sendFile(response, existingFileInside(assetFolder, [rawName]));
}

/**
 * A file inside the runs folder (model.json, history.csv, a report's PNGs...). HTML is
 * shown sandboxed: a report opened here cannot run scripts as the dashboard.
 */
export function serveRunFile(response: ServerResponse, runsDir: string, rawSegments: string[]): void {
  const file = existingFileInside(runsDir, rawSegments);
  const html = path.extname(file).toLowerCase() === '.html';
  sendFile(response, file, html ? { 'content-security-policy': "sandbox; default-src 'none'; img-src data: 'self'; style-src 'unsafe-inline'" } : {});
}
