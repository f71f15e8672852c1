// Reading run folders while training writes them: model.json is replaced by atomic renames,
// history.csv may be caught half-written by another writer, live.json comes and goes. Every
// read here tolerates that and answers with what is known; nothing here loads a model.
import * as fs from 'fs';
import * as path from 'path';

import { parseHistoryCsv } from '../insight/history';
import { MODEL_FILE, PREVIOUS_MODEL_FILE } from '../models/io';
import { HISTORY_FILE } from '../training/fit';
import type { HistoryTable, LiveProgress, RunDetail, RunStatus, RunSummary } from './api_types';
import { KEPT_EPOCHS_FOLDER } from '../training/keep_epochs';
import { LIVE_FILE, LiveFile, readLiveFile, writerAlive } from './live_progress';
import { plainSegment } from './safe_paths';

const RUN_MARKERS = [MODEL_FILE, PREVIOUS_MODEL_FILE, HISTORY_FILE, LIVE_FILE];
/** A run that wrote nothing for this long (and at least two epochs' time) is not training. */
const QUIET_SECONDS = 120;

/** The parts of model.json's "convkit" section the dashboard reads. */
export interface ModelDocument {
  topologyName: string | null;
  epoch: number | null;
  checkpoint: number | null;
  savedAt: string | null;
  classNames: string[];
  metrics: Record<string, number>;
  config: Record<string, unknown> | null;
  resumeFile: string | null;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function numberOrNull(value: unknown): number | null {
  return typeof value === 'number' && Number.isFinite(value) ? value : null;
}

/** The convkit facts of a model.json, or null when it is missing or not JSON. */
export function readModelDocument(file: string): ModelDocument | null {
  let parsed: unknown;
  try {
    parsed = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch {
    return null;
  }
  if (!isObject(parsed)) return null;
  const section = isObject(parsed.convkit) ? parsed.convkit : {};
  const topology = isObject(parsed.modelTopology) ? parsed.modelTopology : {};
  const topologyConfig = isObject(topology.config) ? topology.config : {};
  const files = isObject(section.files) ? section.files : {};
  const resume = isObject(files.resume) && typeof files.resume.path === 'string' ? files.resume.path : null;
  const metrics: Record<string, number> = {};
  if (isObject(section.metrics)) {
    for (const [key, value] of Object.entries(section.metrics)) if (typeof value === 'number') metrics[key] = value;
  }
  return {
    topologyName: typeof topologyConfig.name === 'string' ? topologyConfig.name : null,
    epoch: numberOrNull(section.epoch),
    checkpoint: numberOrNull(section.checkpoint),
    savedAt: typeof section.savedAt === 'string' ? section.savedAt : null,
    classNames: Array.isArray(section.classNames) ? section.classNames.filter((c): c is string => typeof c === 'string') : [],
    metrics,
    config: isObject(section.trainingConfig) ? section.trainingConfig : null,
    resumeFile: resume && plainSegment(resume) === resume ? resume : null,
  };
}

/** model.json, or the previous save when model.json is unreadable. */
function readRunModel(folder: string): ModelDocument | null {
  return readModelDocument(path.join(folder, MODEL_FILE)) ?? readModelDocument(path.join(folder, PREVIOUS_MODEL_FILE));
}

/**
 * history.csv without a half-written last line: a line counts once its newline is there
 * (fit rewrites the file atomically, but an appending writer may be caught mid-line).
 */
export function readHistoryTable(folder: string): HistoryTable {
  let text: string;
  try {
    text = fs.readFileSync(path.join(folder, HISTORY_FILE), 'utf8');
  } catch {
    return { epochs: [], series: {} };
  }
  const complete = text.endsWith('\n') ? text : text.slice(0, text.lastIndexOf('\n') + 1);
  const history = parseHistoryCsv(complete);
  const keep = history.epochs.map((epoch) => Number.isFinite(epoch));
  const series: HistoryTable['series'] = {};
  for (const [name, values] of Object.entries(history.series)) {
    series[name] = values.filter((_, i) => keep[i]).map((v) => (Number.isFinite(v) ? v : null));
  }
  return { epochs: history.epochs.filter((_, i) => keep[i]), series };
}

/** Why training ended, from the resume state model.json names: 'epochs', 'early-stopping' or null. */
function finishReason(folder: string, model: ModelDocument | null): string | null {
  if (!model?.resumeFile) return null;
  try {
    const state = JSON.parse(fs.readFileSync(path.join(folder, model.resumeFile), 'utf8')) as { finished?: unknown };
    return typeof state.finished === 'string' ? state.finished : null;
  } catch {
    return null;
  }
}

function newestChange(folder: string): number | null {
  let newest: number | null = null;
  for (const name of RUN_MARKERS) {
    try {
      newest = Math.max(newest ?? 0, fs.statSync(path.join(folder, name)).mtimeMs);
    } catch {
      // not there (yet)
    }
  }
  return newest;
}

/** The runs in `runsDir`: its sub-folders holding a model, a history or a live report, by name. */
export function listRunNames(runsDir: string): string[] {
  let entries: fs.Dirent[];
  try {
    entries = fs.readdirSync(runsDir, { withFileTypes: true });
  } catch {
    return [];
  }
  return entries
    .filter((entry) => entry.isDirectory() && !entry.name.startsWith('.') && plainSegment(entry.name) === entry.name)
    .filter((entry) => RUN_MARKERS.some((marker) => fs.existsSync(path.join(runsDir, entry.name, marker))))
    .map((entry) => entry.name)
    .sort();
}

/**
 * Epoch numbers of the kept per-epoch checkpoints, with their folders, in order. The number
 * comes from the folder's name (epoch-003) and, for a name without one, from its model.json.
 */
export function keptEpochFolders(folder: string): Array<{ epoch: number; folder: string }> {
  const root = path.join(folder, KEPT_EPOCHS_FOLDER);
  let names: string[];
  try {
    names = fs.readdirSync(root);
  } catch {
    return [];
  }
  const found: Array<{ epoch: number; folder: string }> = [];
  for (const name of names) {
    const candidate = path.join(root, name);
    // model.json is written last (atomically), so a checkpoint still being saved is skipped.
    if (!fs.existsSync(path.join(candidate, MODEL_FILE))) continue;
    const digits = /(\d+)/.exec(name);
    const epoch = digits ? Number(digits[1]) : readModelDocument(path.join(candidate, MODEL_FILE))?.epoch ?? null;
    if (epoch !== null) found.push({ epoch, folder: candidate });
  }
  return found.sort((a, b) => a.epoch - b.epoch);
}

function modelLabel(model: ModelDocument | null): string {
  const configured = model?.config?.model;
  if (typeof configured === 'string') return path.basename(configured, '.json');
  return model?.topologyName ?? '?';
}

function bestOf(values: Array<number | null> | undefined, fallback: number | undefined): number | null {
  const finite = (values ?? []).filter((v): v is number => v !== null);
  if (finite.length > 0) return Math.max(...finite);
  return fallback !== undefined && Number.isFinite(fallback) ? fallback : null;
}

function ago(milliseconds: number): string {
  const seconds = Math.round(milliseconds / 1000);
  return seconds < 120 ? `${seconds} s` : `${Math.round(seconds / 60)} min`;
}

interface StatusInputs {
  finished: string | null;
  live: LiveFile | null;
  epochsDone: number;
  epochsPlanned: number | null;
  lastChange: number | null;
  epochSeconds: number | null;
  now: number;
}

/** finished: the resume state says so (or all planned epochs are done); training: someone wrote lately and still runs. */
export function runStatus(inputs: StatusInputs): { status: RunStatus; detail: string } {
  const { finished, live, epochsDone, epochsPlanned, lastChange, epochSeconds, now } = inputs;
  if (finished === 'early-stopping') return { status: 'finished', detail: 'stopped early (no better val_loss)' };
  if (finished === 'epochs') return { status: 'finished', detail: `all ${epochsDone} epochs done` };
  const quietLimit = 1000 * Math.max(QUIET_SECONDS, 2 * (epochSeconds ?? 0));
  if (live && live.state === 'training') {
    const alive = writerAlive(live);
    const quiet = now - Date.parse(live.updatedAt);
    if (alive !== false && quiet < quietLimit) return { status: 'training', detail: `epoch ${live.epoch + 1} of ${live.epochs}` };
    if (alive === false) return { status: 'stopped', detail: 'the training process ended without finishing' };
  }
  if (epochsPlanned !== null && epochsDone >= epochsPlanned) return { status: 'finished', detail: `all ${epochsDone} epochs done` };
  if (epochsPlanned === null && !live) return { status: 'finished', detail: 'a saved model' };
  if (lastChange !== null && now - lastChange < quietLimit && !(live && live.state === 'ended')) {
    return { status: 'training', detail: `last checkpoint ${ago(now - lastChange)} ago` };
  }
  return {
    status: 'stopped',
    detail: lastChange === null ? 'nothing written yet' : `no update for ${ago(now - lastChange)}; resume with convkit train --resume`,
  };
}

/** The last epoch's duration from history.csv, for quiet limits and the time left. */
function lastEpochSeconds(history: HistoryTable): number | null {
  const seconds = history.series.seconds?.filter((s): s is number => s !== null) ?? [];
  return seconds.length > 0 ? seconds[seconds.length - 1] : null;
}

/** Everything the live view shows of a run, read fresh from its folder. */
export function readRunDetail(runsDir: string, name: string, now = Date.now()): RunDetail {
  const folder = path.join(runsDir, name);
  const model = readRunModel(folder);
  const history = readHistoryTable(folder);
  const live = readLiveFile(folder);
  const epochsDone = Math.max(history.epochs.length, model?.epoch ?? 0);
  const configEpochs = model?.config?.epochs;
  const epochsPlanned = typeof configEpochs === 'number' ? configEpochs : live?.epochs ?? null;
  const lastChange = newestChange(folder);
  const epochSeconds = lastEpochSeconds(history);
  const { status, detail } = runStatus({
    finished: finishReason(folder, model), live, epochsDone, epochsPlanned, lastChange, epochSeconds, now,
  });
  const summary: RunSummary = {
    name, model: modelLabel(model), epochsDone, epochsPlanned,
    bestValAccuracy: bestOf(history.series.val_acc, model?.metrics.val_accuracy),
    status, statusDetail: detail,
    updatedAt: lastChange === null ? null : new Date(lastChange).toISOString(),
    hasModel: model !== null,
    keptEpochs: keptEpochFolders(folder).length,
  };
  const progress: LiveProgress | null = status === 'training' && live?.state === 'training' ? live : null;
  const speeds = history.series.images_per_second?.filter((s): s is number => s !== null) ?? [];
  const remainingEpochs = epochsPlanned === null ? null : Math.max(0, epochsPlanned - epochsDone);
  const speed = progress
    ? { imagesPerSecond: progress.imagesPerSecond, etaSeconds: progress.etaSeconds }
    : {
      imagesPerSecond: speeds.length > 0 ? speeds[speeds.length - 1] : null,
      etaSeconds: status === 'training' && remainingEpochs !== null && epochSeconds !== null ? remainingEpochs * epochSeconds : null,
    };
  return { summary, history, progress, speed, config: model?.config ?? null, classNames: model?.classNames ?? [] };
}

/** The runs page: every run's summary. */
export function listRuns(runsDir: string, now = Date.now()): RunSummary[] {
  return listRunNames(runsDir).map((name) => readRunDetail(runsDir, name, now).summary);
}
