// The live training view: where the run stands, its loss and accuracy curves (train and
// validation) and the validation strip, all redrawn as the server reports new epochs.
import { Fragment } from 'preact';

import type { RunDetail, ValidationStrip } from '../../src/web/api_types';
import { CurveChart } from './charts';
import { Message, Panel, Picture, Stat } from './components';
import { count, decimal, duration, percent } from './format';

const TRAIN_COLOR = '#2563eb';
const VALIDATION_COLOR = '#ea580c';

function last(values: Array<number | null> | undefined): number | null {
  const finite = (values ?? []).filter((v): v is number => v !== null);
  return finite.length > 0 ? finite[finite.length - 1] : null;
}

function StripPanel({ strip }: { strip: ValidationStrip | null }) {
  if (!strip) return <Panel title="Validation images"><Message kind="loading">Predicting a few validation images with the latest checkpoint…</Message></Panel>;
  if (strip.error) return <Panel title="Validation images"><Message kind="info">{strip.error}</Message></Panel>;
  const right = strip.items.filter((item) => item.label === item.predicted).length;
  return (
    <Panel title="Validation images" wide testId="strip"
      subtitle={<>what the model says after epoch {strip.epoch ?? '?'}: <strong>{right} of {strip.items.length}</strong> right · refreshed after every epoch</>}>
      <div class="strip">
        {strip.items.map((item) => (
          <Picture key={item.index} src={item.picture} size={84} tone={item.label === item.predicted ? 'good' : 'bad'}
            title={`true class: ${strip.classNames[item.label]}`}
            caption={<><span data-testid="strip-prediction">{strip.classNames[item.predicted]}</span> <span class="muted">{percent(item.probability, 0)}</span>
              {item.label !== item.predicted && <span class="truth">is {strip.classNames[item.label]}</span>}</>} />
        ))}
      </div>
    </Panel>
  );
}

export function TrainingView({ detail, strip }: { detail: RunDetail; strip: ValidationStrip | null }) {
  const { summary, history, progress, speed } = detail;
  const { series, epochs } = history;
  const currentEpoch = progress ? progress.epoch + 1 : summary.epochsDone;
  const epochShare = progress && progress.batches > 0 ? progress.batch / progress.batches : null;
  return (
    <div class="view">
      <div class="stats">
        <Stat label="Epoch" testId="stat-epoch" value={<>{currentEpoch}<span class="muted"> / {summary.epochsPlanned ?? '?'}</span></>}
          hint={epochShare !== null ? <div class="progress thin"><span style={{ width: `${epochShare * 100}%` }} /></div> : `${summary.epochsDone} done`} />
        <Stat label="Images / s" testId="stat-speed" value={speed.imagesPerSecond !== null ? count(Math.round(speed.imagesPerSecond)) : '–'} hint="training throughput" />
        <Stat label="Time left" testId="stat-eta" value={summary.status === 'training' ? duration(speed.etaSeconds) : '–'} hint={summary.status === 'training' ? 'at the pace so far' : summary.status} />
        <Stat label="Best val accuracy" testId="stat-best" value={percent(summary.bestValAccuracy)} hint={`last ${percent(last(series.val_acc))}`} />
        <Stat label="Loss" value={decimal(progress?.loss ?? last(series.loss), 3)} hint={`val ${decimal(last(series.val_loss), 3)}`} />
      </div>
      {epochs.length === 0
        ? <Message kind="info">No epoch has finished yet: the curves start after the first one.</Message>
        : (
          <div class="grid two">
            <Panel title="Loss" subtitle="categorical cross-entropy per epoch; lower is better">
              <CurveChart testId="chart-loss" epochs={epochs} yLabel="loss" series={[
                { label: 'train', values: series.loss ?? [], color: TRAIN_COLOR },
                { label: 'validation', values: series.val_loss ?? [], color: VALIDATION_COLOR },
              ]} />
            </Panel>
            <Panel title="Accuracy" subtitle="share of images classified right; a growing gap means overfitting">
              <CurveChart testId="chart-accuracy" epochs={epochs} yLabel="accuracy" percentAxis series={[
                { label: 'train', values: series.acc ?? [], color: TRAIN_COLOR },
                { label: 'validation', values: series.val_acc ?? [], color: VALIDATION_COLOR },
              ]} />
            </Panel>
          </div>
        )}
      {summary.hasModel && <StripPanel strip={strip} />}
      {detail.config && (
        <details class="panel settings">
          <summary>Training settings</summary>
          <dl>{Object.entries(detail.config).map(([key, value]) => (
            <Fragment key={key}><dt>{key}</dt><dd>{typeof value === 'object' ? JSON.stringify(value) : String(value)}</dd></Fragment>
          ))}</dl>
        </details>
      )}
    </div>
  );
}
