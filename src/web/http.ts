// Small helpers over Node's http module: JSON replies, errors with a status, and request
// bodies read with a size limit.
import type { IncomingMessage, ServerResponse } from 'http';

/** An error that becomes an HTTP reply with this status and message. */
export class HttpError extends Error {
  constructor(readonly status: number, message: string) {
    super(message);
    this.name = 'HttpError';
  }
}

export function notFound(what = 'not found'): HttpError {
  return new HttpError(404, what);
}

/** Headers every reply carries: no sniffing, and the page may load only its own scripts. */
export const SECURITY_HEADERS: Record<string, string> = {
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'x-frame-options': 'DENY',
  // uPlot positions its parts with style attributes, hence 'unsafe-inline' for styles only.
  'content-security-policy': "default-src 'self'; img-src 'self' data: blob:; style-src 'self' 'unsafe-inline'; " +
    "script-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'",
};

export function sendJson(response: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  response.writeHead(status, {
    ...SECURITY_HEADERS,
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(text),
    'cache-control': 'no-store',
  });
  response.end(text);
}

export function sendError(response: ServerResponse, status: number, message: string): void {
  if (response.headersSent) {
    response.destroy();
    return;
  }
  sendJson(response, status, { error: message });
}

/**
 * The request body, at most `limit` bytes. A larger body gets 413: a declared length over
 * the limit is refused at once; an undeclared one is read (and dropped) up to a few times
 * the limit so the browser sees the reply rather than a cut connection, then cut.
 */
export function readBody(request: IncomingMessage, limit: number): Promise<Buffer> {
  const tooLarge = () => new HttpError(413, `the upload is larger than the ${formatBytes(limit)} limit`);
  const declared = Number(request.headers['content-length'] ?? NaN);
  if (declared > limit) {
    request.resume();
    return Promise.reject(tooLarge());
  }
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let received = 0;
    request.on('data', (chunk: Buffer) => {
      received += chunk.length;
      if (received <= limit) chunks.push(chunk);
      else if (received > 4 * limit) request.destroy();
    });
    request.on('end', () => (received > limit ? reject(tooLarge()) : resolve(Buffer.concat(chunks))));
    request.on('error', reject);
    request.on('close', () => { if (!request.complete) reject(received > limit ? tooLarge() : new HttpError(400, 'the upload was cut off')); });
  });
}

export function formatBytes(bytes: number): string {
  if (bytes >= 1024 * 1024) return `${+(bytes / (1024 * 1024)).toFixed(1)} MB`;
  if (bytes >= 1024) return `${+(bytes / 1024).toFixed(1)} KB`;
  return `${bytes} bytes`;
}
