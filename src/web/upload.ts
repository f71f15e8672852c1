// What the try-it panel accepts: PNG, JPEG, WebP or GIF bytes as the request body, checked
// by declared type and again by the file's own first bytes before any decoder sees them.
import type { IncomingMessage } from 'http';

import { HttpError, formatBytes, readBody } from './http';

/** The default upload limit: far above any photo a phone takes, far below what would hurt. */
export const UPLOAD_LIMIT_BYTES = 8 * 1024 * 1024;

interface ImageType {
  extension: string;
  matches: (bytes: Buffer) => boolean;
}

const startsWith = (bytes: Buffer, signature: number[], offset = 0) => signature.every((byte, i) => bytes[offset + i] === byte);
const ascii = (text: string) => [...text].map((c) => c.charCodeAt(0));

const IMAGE_TYPES: Record<string, ImageType> = {
  'image/png': { extension: 'png', matches: (b) => startsWith(b, [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]) },
  'image/jpeg': { extension: 'jpg', matches: (b) => startsWith(b, [0xff, 0xd8, 0xff]) },
  'image/webp': { extension: 'webp', matches: (b) => startsWith(b, ascii('RIFF')) && startsWith(b, ascii('WEBP'), 8) },
  'image/gif': { extension: 'gif', matches: (b) => startsWith(b, ascii('GIF8')) },
};

const ACCEPTED = 'PNG, JPEG, WebP or GIF';

/** Reads and checks an uploaded image; returns its bytes and the file extension its bytes say. */
export async function readImageUpload(request: IncomingMessage, limit = UPLOAD_LIMIT_BYTES): Promise<{ bytes: Buffer; extension: string }> {
  const declared = (request.headers['content-type'] ?? '').split(';')[0].trim().toLowerCase();
  if (!(declared in IMAGE_TYPES)) {
    request.resume();
    throw new HttpError(415, `upload a ${ACCEPTED} image (this file is ${declared ? `"${declared.slice(0, 60)}"` : 'of no stated type'})`);
  }
  const bytes = await readBody(request, limit);
  if (bytes.length === 0) throw new HttpError(400, 'the upload is empty');
  // Trust the bytes over the declared type (a .png that is really a JPEG still decodes).
  const actual = Object.values(IMAGE_TYPES).find((type) => type.matches(bytes));
  if (!actual) throw new HttpError(400, `the file is not a ${ACCEPTED} image: its first bytes are not an image header (${formatBytes(bytes.length)} received)`);
  return { bytes, extension: actual.extension };
}
