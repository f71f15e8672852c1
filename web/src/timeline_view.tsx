// The timeline: with per-epoch checkpoints kept, step (or play) through training and watch
// the first layer's filters, one image's feature maps and the confusion matrix change.
import { useEffect, useRef, useState } from 'preact/hooks';

import type { RunDetail, TimelineFrame, TimelineInfo } from '../../src/web/api_types';
import { fetchJson, runApi, useJson } from './api';
import { ConfusionMatrix } from './confusion';
import { FeatureMapGrid, Message, Panel, Picture } from './components';
import { percent } from './format';

const STEP_MS = 1200;

/** Frames by epoch, fetched once each; the next one is fetched ahead while one is shown. */
function useFrames(name: string, epochs: number[], index: number) {
  const cache = useRef(new Map<number, Promise<TimelineFrame>>());
  const [frame, setFrame] = useState<TimelineFrame | null>(null);
  const [error, setError] = useState<string | null>(null);
  const load = (epoch: number) => {
    let pending = cache.current.get(epoch);
    if (!pending) {
      pending = fetchJson<TimelineFrame>(runApi(name, `/timeline/${epoch}`));
      pending.catch(() => cache.current.delete(epoch));
      cache.current.set(epoch, pending);
    }
    return pending;
  };
  useEffect(() => {
    if (epochs.length === 0) return;
    let current = true;
    setError(null);
    load(epochs[index]).then((loaded) => {
      if (!current) return;
      setFrame(loaded);
      if (index + 1 < epochs.length) void load(epochs[index + 1]).catch(() => undefined);
    }, (failure: Error) => { if (current) setError(failure.message); });
    return () => { current = false; };
  }, [name, epochs.join(','), index]);
  return { frame: frame && frame.epoch === epochs[index] ? frame : null, shown: frame, error };
}

export function TimelineView({ name, detail }: { name: string; detail: RunDetail }) {
  const info = useJson<TimelineInfo>(runApi(name, `/timeline?kept=${detail.summary.keptEpochs}`));
  const epochs = info.data?.epochs ?? [];
  const [index, setIndex] = useState(0);
  const [playing, setPlaying] = useState(false);
  const { frame, shown, error } = useFrames(name, epochs, Math.min(index, Math.max(0, epochs.length - 1)));

  useEffect(() => {
    if (!playing || !frame) return;
    if (index + 1 >= epochs.length) {
      setPlaying(false);
      return;
    }
    const timer = setTimeout(() => setIndex(index + 1), STEP_MS);
    return () => clearTimeout(timer);
  }, [playing, frame, index, epochs.length]);

  if (info.loading && !info.data) return <Message kind="loading">Looking for kept checkpoints…</Message>;
  if (info.error) return <Message kind="error">{info.error}</Message>;
  if (epochs.length === 0) {
    return (
      <div class="empty">
        <h2>No per-epoch checkpoints</h2>
        <p>This run kept only its latest checkpoint. Train with <code>--keep-epochs</code> to keep one per epoch
          (in <code>{name}/epochs/</code>) and watch the filters, feature maps and errors change here.</p>
      </div>
    );
  }
  const evaluation = shown?.evaluation;
  return (
    <div class="view">
      <div class="timeline-bar panel" data-testid="timeline">
        <button type="button" class="button play" aria-label={playing ? 'pause' : 'play'} data-testid="timeline-play"
          onClick={() => { if (!playing && index + 1 >= epochs.length) setIndex(0); setPlaying(!playing); }}>{playing ? '❚❚ Pause' : '▶ Play'}</button>
        <input type="range" min={0} max={epochs.length - 1} step={1} value={index} aria-label="epoch" data-testid="timeline-slider"
          onInput={(event) => { setPlaying(false); setIndex(Number((event.target as HTMLInputElement).value)); }} />
        <div class="timeline-epoch"><span class="muted small">epoch</span> <strong data-testid="timeline-epoch">{epochs[index]}</strong><span class="muted"> / {epochs[epochs.length - 1]}</span></div>
      </div>
      {error && <Message kind="error">{error}</Message>}
      {!shown && !error && <Message kind="loading">Loading epoch {epochs[index]}…</Message>}
      {shown && (
        <div class={`grid two${frame ? '' : ' dimmed'}`}>
          <div class="stack">
            {shown.filters && (
              <Panel title="First-layer filters" subtitle={`${shown.filters.layerName}: each kernel's weights as colour (grey = 0)`}>
                <div class="tiles">{shown.filters.tiles.map((tile, i) => <Picture key={i} src={tile} size={44} />)}</div>
              </Panel>
            )}
            {shown.featureMaps && shown.picture && (
              <Panel title="Feature maps of one validation image">
                <div class="feature-with-image">
                  <Picture src={shown.picture} size={96} caption="input" />
                  <FeatureMapGrid set={shown.featureMaps} size={52} />
                </div>
              </Panel>
            )}
          </div>
          {evaluation && (
            <Panel title="Confusion matrix" subtitle={`${percent(evaluation.accuracy)} right on ${evaluation.count} ${evaluation.split} images at epoch ${shown.epoch}`}>
              <ConfusionMatrix evaluation={evaluation} />
            </Panel>
          )}
          {shown.notes.map((note) => <Message kind="info" key={note}>{note}</Message>)}
        </div>
      )}
    </div>
  );
}
