// The fast path for the commonest training image: a plain JPEG already at the target size.
// It is decoded by mozjpeg compiled to WebAssembly (@jsquash/jpeg, the Squoosh app's codecs)
// in ~50 µs on one thread, where sharp spends ~560 µs of wall time per 32x32 image on two
// cores: for thumbnails its per-image pipeline set-up, not the decoding, is the cost (the
// shared CIFAR-10 copy's first load went from ~30 s of decoding to a few seconds).
// Both decoders are libjpeg with the same IDCT and upsampling, so the pixels agree exactly
// (checked on all 50,000 shared images). Anything out of the ordinary is left to sharp, so
// colour management, resizing, grey output and every error message stay sharp's: a file
// with an ICC profile, another size, or one on which libjpeg says anything at all (a warning
// about a truncated file included) gets `undefined` here.
import { readFileSync } from 'node:fs';

import { importEsm } from '../import_esm';

/** The parts of the Emscripten module of @jsquash/jpeg's decoder that convkit uses. */
interface MozJpegModule {
  /** Null when libjpeg stops on an error (it also ends the program: use a new instance). */
  decode(data: Uint8Array, preserveOrientation: boolean): { data: Uint8ClampedArray; width: number; height: number } | null;
}
type MozJpegFactory = (options: {
  noInitialRun: boolean;
  instantiateWasm: (imports: WebAssembly.Imports, receive: (instance: WebAssembly.Instance) => void) => WebAssembly.Exports;
  print: (line: string) => void;
  printErr: (line: string) => void;
}) => Promise<MozJpegModule>;

/** Synchronous on purpose: nothing can run between resetting and reading the message count. */
export type FastJpegDecode = (data: Buffer, width: number, height: number) => Buffer | undefined;

const SOI = 0xd8, SOS = 0xda, APP2 = 0xe2;

/** Whether the bytes start like a JPEG file (SOI marker). */
export function looksLikeJpeg(data: Buffer): boolean {
  return data.length > 3 && data[0] === 0xff && data[1] === SOI;
}

/** Whether a JPEG carries an ICC profile (an APP2 "ICC_PROFILE" segment before the scan). */
export function hasIccProfile(data: Buffer): boolean {
  let at = 2;
  while (at + 4 <= data.length && data[at] === 0xff) {
    const marker = data[at + 1];
    if (marker === SOS) return false;
    if (marker === 0xff) { at += 1; continue; }  // fill byte
    const length = data.readUInt16BE(at + 2);
    if (marker === APP2 && data.toString('latin1', at + 4, at + 15) === 'ICC_PROFILE') return true;
    at += 2 + length;
  }
  return false;
}

/**
 * A decoder for plain JPEGs, or undefined if the WebAssembly codec cannot be loaded (then
 * sharp decodes everything, only slower).
 */
export async function createFastJpegDecoder(): Promise<FastJpegDecode | undefined> {
  let factory: MozJpegFactory, wasm: WebAssembly.Module;
  try {
    factory = (await importEsm('@jsquash/jpeg/codec/dec/mozjpeg_dec.js') as { default: MozJpegFactory }).default;
    wasm = await WebAssembly.compile(readFileSync(require.resolve('@jsquash/jpeg/codec/dec/mozjpeg_dec.wasm')));
  } catch {
    return undefined;
  }
  let messages = 0;
  const countMessage = () => { messages += 1; };
  const instantiate = () => factory({
    noInitialRun: true,
    instantiateWasm: (imports, receive) => {
      const instance = new WebAssembly.Instance(wasm, imports);
      receive(instance);
      return instance.exports;
    },
    print: countMessage,
    printErr: countMessage,
  });
  // Undefined while a fresh instance is on its way: those files go to sharp meanwhile.
  let codec: MozJpegModule | undefined = await instantiate();
  return (data, width, height) => {
    // No other decode can interleave, and none can reach an instance that has stopped
    // (calling one again can loop forever).
    if (codec === undefined || !looksLikeJpeg(data) || hasIccProfile(data)) return undefined;
    messages = 0;
    let image: ReturnType<MozJpegModule['decode']>;
    try {
      image = codec.decode(data, false);
    } catch {
      image = null;
    }
    if (image === null) {
      // libjpeg's errors end the WebAssembly program (exit(1)): continue on a fresh instance.
      codec = undefined;
      instantiate().then((fresh) => { codec = fresh; }, () => { /* sharp decodes the rest */ });
      return undefined;
    }
    if (messages > 0 || image.width !== width || image.height !== height) return undefined;
    const rgba = image.data, rgb = Buffer.allocUnsafe(width * height * 3);
    for (let from = 0, to = 0; to < rgb.length; from += 4, to += 3) {
      rgb[to] = rgba[from];
      rgb[to + 1] = rgba[from + 1];
      rgb[to + 2] = rgba[from + 2];
    }
    return rgb;
  };
}
