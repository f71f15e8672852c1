// The model view: the layer table, then what the model gets right and wrong (confusion
// matrix, galleries), why (occlusion, saliency, Grad-CAM, feature maps for a clicked image)
// and what its filters look for (activation maximisation).
import { useState } from 'preact/hooks';

import type { EvaluationResult, Explanation, FilterPatterns, ImageCards, ModelInfo, RunDetail } from '../../src/web/api_types';
import { runApi, useJson } from './api';
import { Cell, ConfusionMatrix } from './confusion';
import { FeatureMapGrid, Message, Panel, Picture, ProbabilityBars } from './components';
import { count, percent } from './format';

function LayerTable({ info }: { info: ModelInfo }) {
  return (
    <Panel title="Layers" subtitle={<>{info.name} · input {info.inputShape.join('×')} · {info.classNames.length} classes{info.epoch !== null ? ` · checkpoint after epoch ${info.epoch}` : ''}</>}>
      <div class="table-scroll">
        <table class="layers" data-testid="layer-table">
          <thead><tr><th>Layer</th><th>Type</th><th>Output shape</th><th class="number">Parameters</th></tr></thead>
          <tbody>
            {info.layers.map((layer) => (
              <tr key={layer.name}><td>{layer.name}</td><td><span class={`layer-type type-${layer.type.toLowerCase()}`}>{layer.type}</span></td><td><code>{layer.outputShape}</code></td><td class="number">{count(layer.params)}</td></tr>
            ))}
          </tbody>
          <tfoot><tr><td colSpan={3}>Total ({count(info.trainableParams)} trainable)</td><td class="number">{count(info.totalParams)}</td></tr></tfoot>
        </table>
      </div>
    </Panel>
  );
}

function Gallery({ name, cell, classNames, selected, onPick }: {
  name: string; cell: Cell | null; classNames: string[]; selected: number | null; onPick: (index: number) => void;
}) {
  const query = cell ? `?true=${cell.trueClass}&predicted=${cell.predicted}&limit=60` : '?mistakes=1&limit=24';
  const cards = useJson<ImageCards>(runApi(name, `/images${query}`));
  const title = cell
    ? `${classNames[cell.trueClass]} predicted as ${classNames[cell.predicted]}`
    : 'Most confident mistakes';
  return (
    <Panel title={title} testId="gallery" subtitle={cards.data ? `${cards.data.total} image${cards.data.total === 1 ? '' : 's'}${cards.data.total > cards.data.cards.length ? `, first ${cards.data.cards.length} shown` : ''} · click one for its heat maps` : undefined}>
      {cards.loading && <Message kind="loading">Finding the images…</Message>}
      {cards.error && <Message kind="error">{cards.error}</Message>}
      {cards.data?.total === 0 && <Message kind="info">No image of the evaluated ones falls in this cell.</Message>}
      <div class="tiles">
        {cards.data?.cards.map((card) => (
          <Picture key={card.index} src={card.picture} size={80} selected={card.index === selected} onClick={() => onPick(card.index)}
            tone={card.label === card.predicted ? 'good' : 'bad'} title={`image ${card.index}: true ${classNames[card.label]}`}
            caption={<>{classNames[card.predicted]} <span class="muted">{percent(card.probability, 0)}</span></>} />
        ))}
      </div>
    </Panel>
  );
}

function ExplanationPanel({ name, index, classNames }: { name: string; index: number; classNames: string[] }) {
  const explanation = useJson<Explanation>(runApi(name, `/explain?image=${index}`));
  const data = explanation.data;
  return (
    <Panel title={`Image ${index}: where the model looks`} wide testId="explanation"
      subtitle={data ? <>true class <strong>{classNames[data.label]}</strong>; heat = how much each place matters to the predicted class</> : undefined}>
      {explanation.loading && <Message kind="loading">Computing occlusion, saliency, Grad-CAM and feature maps…</Message>}
      {explanation.error && <Message kind="error">{explanation.error}</Message>}
      {data && (
        <>
          <div class="explain">
            <div class="heat-row">
              <Picture src={data.picture} size={150} caption="image" />
              <Picture src={data.occlusion} size={150} caption="occlusion" title="probability lost when a noise patch covers each place" />
              <Picture src={data.saliency} size={150} caption="saliency (SmoothGrad)" title="size of the class score's gradient per pixel" />
              {data.gradCam && <Picture src={data.gradCam} size={150} caption="Grad-CAM" title="last conv layer's maps weighted by their gradient" />}
            </div>
            <div class="explain-side">
              <h3>Top predictions</h3>
              <ProbabilityBars top={data.top} />
              {data.notes.map((note) => <p class="muted small" key={note}>{note}</p>)}
            </div>
          </div>
          <details class="maps" open>
            <summary>Feature maps of every conv layer for this image</summary>
            {data.featureMaps.map((set) => <FeatureMapGrid key={set.layerName} set={set} size={48} />)}
          </details>
        </>
      )}
    </Panel>
  );
}

function PatternsPanel({ name, layers }: { name: string; layers: string[] }) {
  const [layer, setLayer] = useState(layers[0] ?? '');
  const [requested, setRequested] = useState<string | null>(null);
  const patterns = useJson<FilterPatterns>(requested === null ? null : runApi(name, `/patterns?layer=${encodeURIComponent(requested)}`));
  return (
    <Panel title="What the filters respond to" wide subtitle="activation maximisation: gradient ascent from grey noise on one filter at a time"
      actions={(
        <form class="inline-form" onSubmit={(event) => { event.preventDefault(); setRequested(layer); }}>
          <select value={layer} onChange={(event) => setLayer((event.target as HTMLSelectElement).value)} aria-label="layer">
            {layers.map((l) => <option key={l} value={l}>{l}</option>)}
          </select>
          <button type="submit" class="button">Show</button>
        </form>
      )}>
      {requested === null && <p class="muted">Pick a layer: 16 filters take a few seconds.</p>}
      {patterns.loading && <Message kind="loading">Climbing the gradient for 16 filters of {requested}…</Message>}
      {patterns.error && <Message kind="error">{patterns.error}</Message>}
      {patterns.data && (
        <>
          <p class="muted small">{patterns.data.layerName} ({patterns.data.layerClass}): {patterns.data.patterns.length} of {patterns.data.filterCount} filters in {patterns.data.seconds.toFixed(1)} s</p>
          <div class="tiles">
            {patterns.data.patterns.map((p) => p.active
              ? <Picture key={p.filter} src={p.picture} size={88} caption={p.label} />
              : <figure key={p.filter} class="picture silent" style={{ width: '88px' }}><div class="never">never activates</div><figcaption>{p.label}</figcaption></figure>)}
          </div>
        </>
      )}
    </Panel>
  );
}

function EvaluationPanel({ evaluation, cell, onCell }: { evaluation: EvaluationResult; cell: Cell | null; onCell: (cell: Cell | null) => void }) {
  return (
    <Panel title="Confusion matrix" testId="evaluation"
      subtitle={<>{percent(evaluation.accuracy)} right on the first {count(evaluation.count)} of {count(evaluation.available)} {evaluation.split} images · click a cell to see its images</>}
      actions={cell && <button type="button" class="button ghost" onClick={() => onCell(null)}>Show mistakes</button>}>
      <ConfusionMatrix evaluation={evaluation} selected={cell} onSelect={onCell} />
    </Panel>
  );
}

export function ModelView({ name, detail }: { name: string; detail: RunDetail }) {
  const [generation, setGeneration] = useState(0);
  const info = useJson<ModelInfo>(detail.summary.hasModel ? runApi(name, `/model?v=${generation}`) : null);
  const evaluation = useJson<EvaluationResult>(info.data ? runApi(name, `/evaluation?v=${generation}`) : null);
  const [cell, setCell] = useState<Cell | null>(null);
  const [picked, setPicked] = useState<number | null>(null);
  if (!detail.summary.hasModel) return <Message kind="info">This run has not saved a model yet: the model view opens after its first epoch.</Message>;
  const stale = info.data && info.data.epoch !== null && detail.summary.epochsDone > info.data.epoch;
  return (
    <div class="view">
      {stale && (
        <Message kind="info">
          Training has moved on to epoch {detail.summary.epochsDone}. <button type="button" class="link" onClick={() => { setGeneration((g) => g + 1); setPicked(null); }}>Load the latest checkpoint</button>
        </Message>
      )}
      {info.error && <Message kind="error">{info.error}</Message>}
      {info.loading && !info.data && <Message kind="loading">Loading the model…</Message>}
      {info.data && <LayerTable info={info.data} />}
      {info.data && evaluation.loading && <Message kind="loading">Evaluating the model on validation images…</Message>}
      {evaluation.error && <Message kind="error">{evaluation.error}</Message>}
      {info.data && evaluation.data && (
        <>
          <div class="grid two">
            <EvaluationPanel evaluation={evaluation.data} cell={cell} onCell={(next) => { setCell(next); setPicked(null); }} />
            <Gallery key={`${generation}:${cell?.trueClass}:${cell?.predicted}`} name={name} cell={cell} classNames={info.data.classNames} selected={picked} onPick={setPicked} />
          </div>
          {picked !== null && <ExplanationPanel key={`${generation}:${picked}`} name={name} index={picked} classNames={info.data.classNames} />}
        </>
      )}
      {info.data && <PatternsPanel name={name} layers={info.data.patternLayers} />}
    </div>
  );
}
