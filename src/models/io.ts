/**
 * convkit's model folder, format version 1. Other tools read it: keep it stable.
 *
 *   NAME/model.json            the model; written last and atomically, so it commits a save
 *   NAME/model.previous.json   the save before it, used when model.json or a file it names is damaged
 *   NAME/weights-000007.bin    float32 little-endian weights, in weightsManifest order
 *   NAME/resume-000007.json    training only: what `convkit train --resume` needs (see training/)
 *   NAME/optimizer-000007.bin  training only: the optimizer's state (Adam's moments)
 *
 * The number is the save's sequence number in the folder: a new save never overwrites a
 * file that model.json or model.previous.json names, so a process killed at any moment
 * (SIGKILL, power cut) leaves at least one complete save. Files of older saves are removed.
 *
 * model.json is a TensorFlow.js layers-model file (tf.loadLayersModel can read it once
 * ConvkitDropout is registered) with one extra top-level key, "convkit":
 *
 *   {
 *     "format": "layers-model",
 *     "generatedBy": "convkit ...",
 *     "modelTopology": { "class_name": "Sequential", "config": { "name": ..., "layers": [...] } },
 *     "weightsManifest": [{ "paths": ["weights-000007.bin"], "weights": [{ "name": "conv2d_1/kernel", "shape": [3, 3, 3, 32], "dtype": "float32" }, ...] }],
 *     "convkit": {
 *       "formatVersion": 1,
 *       "checkpoint": 7,                     // sequence number of this save
 *       "savedAt": "2025-01-01T00:00:00.000Z",
 *       "files": { "weights": { "path": "weights-000007.bin", "bytes": 1911976, "sha256": "..." }, ... },
 *       "classNames": ["airplane", ...],     // the label of each output, in order
 *       "inputShape": [32, 32, 3],           // height, width, channels
 *       "normalization": { "mean": [0, 0, 0], "std": [1, 1, 1] },  // pixel p of channel c -> (p/255 - mean[c]) / std[c]
 *       "epoch": 3,                          // training: epochs completed
 *       "metrics": { "loss": ..., "accuracy": ..., "val_loss": ..., "val_accuracy": ... },
 *       "trainingConfig": { ... }            // training: the settings the run was started with
 *     }
 *   }
 */
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import * as fs from 'fs';
import * as path from 'path';

import type { Normalization } from '../data/preprocess';
import { ConvkitError } from '../errors';
import { CheckedTopology, buildFromTopology, checkTopology, parseJsonFile, readTextFile } from './architecture';
import { TEMP_MARKER, removeStaleTempFiles, sha256, syncFolder, writeFileAtomic } from './atomic_file';

export const MODEL_FILE = 'model.json';
export const PREVIOUS_MODEL_FILE = 'model.previous.json';
export const FORMAT_VERSION = 1;
const GENERATED_BY = 'convkit 0.1.0 (TensorFlow.js layers 4.22.0)';
/** Files a save writes: role, dash, sequence number, extension. */
const SAVE_FILE_PATTERN = /^[a-z]+-\d{6,}\.(bin|json)$/;

/** What convkit records next to a model; free to extend with more keys. */
export interface ModelMetadata {
  classNames?: string[];
  inputShape?: number[];
  normalization?: Normalization;
  epoch?: number;
  metrics?: Record<string, number>;
  trainingConfig?: Record<string, unknown>;
  [key: string]: unknown;
}

interface FileEntry {
  path: string;
  bytes: number;
  sha256: string;
}

interface WeightSpec {
  name: string;
  shape: number[];
  dtype: string;
}

export interface LoadedModel {
  model: tfl.Sequential;
  metadata: ModelMetadata;
  /** The model.json that was read (model.previous.json when model.json was damaged). */
  file: string;
  /** The extra files saved with the model, by role ('resume', 'optimizer'), verified. */
  extras: Map<string, Uint8Array>;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function writeFailure(folder: string, e: unknown): ConvkitError {
  return new ConvkitError(`cannot write to ${folder}: ${(e as Error).message}`, { cause: e });
}

/** Fails early, with the reason, when `folder` cannot be created or written. */
export function checkWritableFolder(folder: string): void {
  const probe = path.join(folder, `.write-test${TEMP_MARKER}${process.pid}`);
  try {
    fs.mkdirSync(folder, { recursive: true });
    fs.writeFileSync(probe, '');
    fs.rmSync(probe);
  } catch (e) {
    throw writeFailure(folder, e);
  }
}

async function weightData(model: tfl.LayersModel): Promise<{ specs: WeightSpec[]; data: Uint8Array }> {
  const arrays = await Promise.all(model.weights.map((w) => w.read().data() as Promise<Float32Array>));
  const data = new Uint8Array(arrays.reduce((total, a) => total + a.byteLength, 0));
  let offset = 0;
  for (const array of arrays) {
    data.set(new Uint8Array(array.buffer, array.byteOffset, array.byteLength), offset);
    offset += array.byteLength;
  }
  const specs = model.weights.map((w) => ({ name: w.originalName, shape: w.shape as number[], dtype: 'float32' }));
  return { specs, data };
}

/** The sequence number the next save in `folder` gets. */
function nextSequence(folder: string): number {
  let highest = 0;
  for (const name of fs.readdirSync(folder)) {
    const match = /^[a-z]+-(\d{6,})\./.exec(name);
    if (match) highest = Math.max(highest, Number(match[1]));
  }
  for (const name of [MODEL_FILE, PREVIOUS_MODEL_FILE]) {
    try {
      const parsed = JSON.parse(fs.readFileSync(path.join(folder, name), 'utf8')) as { convkit?: { checkpoint?: unknown } };
      const checkpoint = parsed.convkit?.checkpoint;
      if (typeof checkpoint === 'number' && Number.isSafeInteger(checkpoint)) highest = Math.max(highest, checkpoint);
    } catch {
      // Missing or damaged: the file names above still give a fresh number.
    }
  }
  return highest + 1;
}

/** Removes files of older saves that neither model.json nor model.previous.json names. */
function removeUnreferencedFiles(folder: string): void {
  const keep = new Set<string>();
  for (const name of [MODEL_FILE, PREVIOUS_MODEL_FILE]) {
    try {
      const parsed = JSON.parse(fs.readFileSync(path.join(folder, name), 'utf8')) as { convkit?: { files?: Record<string, FileEntry> } };
      for (const entry of Object.values(parsed.convkit?.files ?? {})) keep.add(entry.path);
    } catch {
      // Unreadable: it names nothing worth keeping.
    }
  }
  for (const name of fs.readdirSync(folder)) {
    if (SAVE_FILE_PATTERN.test(name) && !keep.has(name)) fs.rmSync(path.join(folder, name), { force: true });
  }
  removeStaleTempFiles(folder);
}

/**
 * Saves `model` with `metadata` into `folder` (see the format above). `extras` are more
 * files committed together with the model, by role and extension: { 'resume.json': bytes }.
 * Returns the path of model.json.
 */
export async function saveModel(model: tfl.LayersModel, folder: string, metadata: ModelMetadata = {},
  extras: Record<string, Uint8Array> = {}): Promise<string> {
  const { specs, data } = await weightData(model);
  try {
    fs.mkdirSync(folder, { recursive: true });
    const sequence = String(nextSequence(folder)).padStart(6, '0');
    const files: Record<string, FileEntry> = {};
    const payloads: Array<[string, Uint8Array]> = [['weights.bin', data], ...Object.entries(extras)];
    for (const [roleAndExtension, bytes] of payloads) {
      const [role, extension] = roleAndExtension.split('.');
      const name = `${role}-${sequence}.${extension}`;
      writeFileAtomic(path.join(folder, name), bytes);
      files[role] = { path: name, bytes: bytes.length, sha256: sha256(bytes) };
    }
    syncFolder(folder);
    const modelFile = path.join(folder, MODEL_FILE);
    // Keep the current save as the fallback, unless it is itself damaged.
    if (fs.existsSync(modelFile) && filesAreIntact(modelFile)) {
      writeFileAtomic(path.join(folder, PREVIOUS_MODEL_FILE), fs.readFileSync(modelFile));
    }
    const document = {
      format: 'layers-model',
      generatedBy: GENERATED_BY,
      convertedBy: null,
      modelTopology: model.toJSON(null, false),
      weightsManifest: [{ paths: [files.weights.path], weights: specs }],
      convkit: { ...metadata, formatVersion: FORMAT_VERSION, checkpoint: Number(sequence), savedAt: new Date().toISOString(), files },
    };
    writeFileAtomic(modelFile, JSON.stringify(document, null, 1));
    syncFolder(folder);
    removeUnreferencedFiles(folder);
    return modelFile;
  } catch (e) {
    if (e instanceof ConvkitError) throw e;
    throw writeFailure(folder, e);
  }
}

/** A plain file name in the model's folder (no folders, so a file cannot point outside it). */
function checkFileName(name: unknown, source: string): string {
  if (typeof name !== 'string' || !/^[A-Za-z0-9_.\-]{1,200}$/.test(name) || name === '.' || name === '..') {
    throw new ConvkitError(`${source}: ${JSON.stringify(name)?.slice(0, 60)} is not a plain file name in the model's folder`);
  }
  return name;
}

function readBinary(folder: string, name: string, source: string): Uint8Array {
  try {
    return fs.readFileSync(path.join(folder, name));
  } catch (e) {
    throw new ConvkitError(`${source}: cannot read ${name}: ${(e as NodeJS.ErrnoException).code === 'ENOENT' ? 'the file is missing' : (e as Error).message}`);
  }
}

/** Reads and verifies (size, sha256) every file the convkit section names. */
function readListedFiles(section: Record<string, unknown>, folder: string, source: string): Map<string, Uint8Array> {
  const files = section.files;
  if (!isObject(files)) throw new ConvkitError(`${source}: "convkit.files" must be an object`);
  const result = new Map<string, Uint8Array>();
  for (const [role, entry] of Object.entries(files)) {
    if (!isObject(entry) || typeof entry.sha256 !== 'string' || typeof entry.bytes !== 'number') {
      throw new ConvkitError(`${source}: "convkit.files.${role}" must be {"path", "bytes", "sha256"}`);
    }
    const name = checkFileName(entry.path, source);
    const bytes = readBinary(folder, name, source);
    if (bytes.length !== entry.bytes) {
      throw new ConvkitError(`${source}: ${name} has ${bytes.length} bytes, ${entry.bytes} expected (truncated or overwritten)`);
    }
    if (sha256(bytes) !== entry.sha256) throw new ConvkitError(`${source}: ${name} is damaged (its checksum does not match)`);
    result.set(role, bytes);
  }
  return result;
}

function checkWeightSpecs(value: unknown, source: string): { paths: string[]; specs: WeightSpec[] } {
  if (!Array.isArray(value) || value.length === 0) throw new ConvkitError(`${source}: "weightsManifest" must be a non-empty list`);
  const paths: string[] = [];
  const specs: WeightSpec[] = [];
  for (const group of value) {
    if (!isObject(group) || !Array.isArray(group.paths) || !Array.isArray(group.weights)) {
      throw new ConvkitError(`${source}: each "weightsManifest" entry must have "paths" and "weights" lists`);
    }
    for (const name of group.paths) paths.push(checkFileName(name, source));
    for (const spec of group.weights) {
      if (!isObject(spec) || typeof spec.name !== 'string' || !Array.isArray(spec.shape) ||
        !spec.shape.every((d) => Number.isSafeInteger(d) && (d as number) >= 0)) {
        throw new ConvkitError(`${source}: weight ${JSON.stringify(spec)?.slice(0, 80)} needs a "name" and a "shape" of sizes`);
      }
      if (spec.dtype !== 'float32') {
        throw new ConvkitError(`${source}: weight '${spec.name}' has dtype ${JSON.stringify(spec.dtype)}; convkit reads float32 weights only`);
      }
      specs.push({ name: spec.name, shape: spec.shape as number[], dtype: 'float32' });
    }
  }
  return { paths, specs };
}

/** Compares the file's weights with the ones the architecture needs, naming any that differ. */
function matchWeights(checked: CheckedTopology, specs: WeightSpec[], byteLength: number, source: string): Map<string, number> {
  const offsets = new Map<string, number>();
  let offset = 0;
  for (const spec of specs) {
    if (offsets.has(spec.name)) throw new ConvkitError(`${source}: weight '${spec.name}' is listed twice`);
    offsets.set(spec.name, offset);
    offset += spec.shape.reduce((a, b) => a * b, 1) * 4;
  }
  if (offset !== byteLength) {
    throw new ConvkitError(`${source}: the weights files hold ${byteLength} bytes but the manifest lists ${offset}`);
  }
  const needed = new Set<string>();
  for (const layer of checked.layers) {
    for (const weight of layer.weights) {
      needed.add(weight.name);
      const spec = specs.find((s) => s.name === weight.name);
      if (!spec) throw new ConvkitError(`${source}: layer '${layer.name}' needs weight '${weight.name}', which the weights file lacks`);
      if (JSON.stringify(spec.shape) !== JSON.stringify(weight.shape)) {
        throw new ConvkitError(`${source}: layer '${layer.name}' weight '${weight.name}' has shape [${spec.shape}] in the file ` +
          `but the model needs [${weight.shape}]`);
      }
    }
  }
  const extra = specs.find((s) => !needed.has(s.name));
  if (extra) throw new ConvkitError(`${source}: the weights file holds '${extra.name}', which no layer of the model has`);
  return offsets;
}

function checkMetadata(section: Record<string, unknown>, source: string): ModelMetadata {
  if (section.formatVersion !== FORMAT_VERSION) {
    throw new ConvkitError(`${source}: convkit format version ${JSON.stringify(section.formatVersion)} is not one this convkit reads (${FORMAT_VERSION})`);
  }
  const { classNames, inputShape, normalization } = section;
  if (classNames !== undefined && !(Array.isArray(classNames) && classNames.every((c) => typeof c === 'string'))) {
    throw new ConvkitError(`${source}: "convkit.classNames" must be a list of strings`);
  }
  if (inputShape !== undefined && !(Array.isArray(inputShape) && inputShape.every((d) => Number.isSafeInteger(d) && (d as number) > 0))) {
    throw new ConvkitError(`${source}: "convkit.inputShape" must be a list of positive sizes`);
  }
  const numbers = (v: unknown) => Array.isArray(v) && v.every((x) => typeof x === 'number' && Number.isFinite(x));
  if (normalization !== undefined && !(isObject(normalization) && numbers(normalization.mean) && numbers(normalization.std))) {
    throw new ConvkitError(`${source}: "convkit.normalization" must be {"mean": [...], "std": [...]}`);
  }
  return section as ModelMetadata;
}

/** Whether a model.json parses and every file it lists has its recorded size and checksum. */
function filesAreIntact(file: string): boolean {
  try {
    const parsed = parseJsonFile(fs.readFileSync(file, 'utf8'), file);
    if (!isObject(parsed) || !isObject(parsed.convkit)) return false;
    readListedFiles(parsed.convkit, path.dirname(file), file);
    return true;
  } catch {
    return false;
  }
}

/** Reads one model.json and everything it names; throws a ConvkitError on any problem. */
async function readCheckpoint(file: string): Promise<LoadedModel> {
  const folder = path.dirname(file);
  const parsed = parseJsonFile(readTextFile(file, 'model file'), file);
  if (!isObject(parsed) || !('modelTopology' in parsed)) {
    throw new ConvkitError(`${file} is not a saved model (no "modelTopology"); for an architecture-only file use it as --model`);
  }
  if (!('weightsManifest' in parsed)) throw new ConvkitError(`${file} has no "weightsManifest": it holds no weights`);
  const section = parsed.convkit;
  if (section !== undefined && !isObject(section)) throw new ConvkitError(`${file}: "convkit" must be an object`);
  const extras = section ? readListedFiles(section, folder, file) : new Map<string, Uint8Array>();
  const metadata = section ? checkMetadata(section, file) : {};
  const { paths, specs } = checkWeightSpecs(parsed.weightsManifest, file);
  const listedWeights = section ? (section.files as Record<string, FileEntry>).weights : undefined;
  const parts = paths.map((name) => (listedWeights?.path === name ? extras.get('weights') : undefined) ?? readBinary(folder, name, file));
  const data = parts.length === 1 ? parts[0] : Buffer.concat(parts);
  const checked = checkTopology(parsed.modelTopology, file);
  const offsets = matchWeights(checked, specs, data.length, file);
  const model = await buildFromTopology(checked, file);
  // Copy into an aligned buffer: Float32Array views need 4-byte alignment.
  const floats = new Float32Array(data.slice().buffer, 0, data.length / 4);
  tf.tidy(() => {
    for (const weight of model.weights) {
      const start = (offsets.get(weight.originalName) as number) / 4;
      const size = weight.shape.reduce((a: number, b) => a * (b as number), 1);
      weight.write(tf.tensor(floats.subarray(start, start + size), weight.shape as number[]));
    }
  });
  extras.delete('weights');
  return { model, metadata, file, extras };
}

async function tryReadCheckpoint(file: string): Promise<{ ok: true; loaded: LoadedModel } | { ok: false; error: ConvkitError }> {
  try {
    return { ok: true, loaded: await readCheckpoint(file) };
  } catch (e) {
    if (e instanceof ConvkitError) return { ok: false, error: e };
    throw e;
  }
}

export interface LoadOptions {
  /** Told when model.json is damaged and the previous save is used instead. */
  log?: (line: string) => void;
}

/**
 * Loads a saved model: `location` is its folder or its model.json. When model.json or a
 * file it names is damaged (a crash, a truncated copy), the previous save is used and
 * `log` says so.
 */
export async function loadCheckpoint(location: string, options: LoadOptions = {}): Promise<LoadedModel> {
  const isFolder = fs.existsSync(location) && fs.statSync(location).isDirectory();
  const file = isFolder ? path.join(location, MODEL_FILE) : location;
  const folder = path.dirname(file);
  const previous = path.join(folder, PREVIOUS_MODEL_FILE);
  const candidates = [file];
  if (path.basename(file) === MODEL_FILE && fs.existsSync(previous)) candidates.push(previous);
  if (isFolder && !fs.existsSync(file) && candidates.length === 1) {
    throw new ConvkitError(`${location} holds no saved model (no ${MODEL_FILE})`);
  }
  const first = await tryReadCheckpoint(candidates[0]);
  if (first.ok) return first.loaded;
  if (candidates.length === 1) throw first.error;
  const fallback = await tryReadCheckpoint(candidates[1]);
  if (!fallback.ok) throw first.error;
  options.log?.(`warning: ${first.error.message}; using the previous save, ${previous}`);
  return fallback.loaded;
}

/** `loadModel('runs/basic')`: the model and its convkit metadata (class names, normalisation, ...). */
export async function loadModel(location: string, options: LoadOptions = {}): Promise<{ model: tfl.Sequential; metadata: ModelMetadata }> {
  const { model, metadata } = await loadCheckpoint(location, options);
  return { model, metadata };
}
