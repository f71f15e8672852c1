// The try-it panel: drop or pick an image; the model's top-3, where it looks (saliency,
// Grad-CAM) and the first conv layer's feature maps come back in a fraction of a second.
import { useEffect, useState } from 'preact/hooks';

import type { RunDetail, TryResult } from '../../src/web/api_types';
import { fetchJson, runApi } from './api';
import { FeatureMapGrid, Message, Panel, Picture, ProbabilityBars } from './components';

/** The server's limit too; checked here first so a huge file is not sent at all. */
const MAX_BYTES = 8 * 1024 * 1024;
const ACCEPTED = ['image/png', 'image/jpeg', 'image/webp', 'image/gif'];

export function TryView({ name, detail }: { name: string; detail: RunDetail }) {
  const [result, setResult] = useState<TryResult | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [preview, setPreview] = useState<string | null>(null);
  const [dragging, setDragging] = useState(false);

  useEffect(() => () => { if (preview) URL.revokeObjectURL(preview); }, [preview]);

  const classify = async (file: File) => {
    setError(null);
    setResult(null);
    if (file.size > MAX_BYTES) {
      setError(`${file.name} is ${(file.size / 1024 / 1024).toFixed(1)} MB; the limit is ${MAX_BYTES / 1024 / 1024} MB.`);
      return;
    }
    if (file.type && !ACCEPTED.includes(file.type)) {
      setError(`${file.name} is ${file.type}: choose a PNG, JPEG, WebP or GIF image.`);
      return;
    }
    setPreview(URL.createObjectURL(file));
    setBusy(true);
    try {
      setResult(await fetchJson<TryResult>(runApi(name, '/predict'), {
        method: 'POST', body: file, headers: { 'content-type': file.type || 'application/octet-stream' },
      }));
    } catch (failure) {
      setError(`${file.name}: ${(failure as Error).message}`);
    } finally {
      setBusy(false);
    }
  };

  if (!detail.summary.hasModel) return <Message kind="info">This run has not saved a model yet: try it after its first epoch.</Message>;
  return (
    <div class="view">
      <label class={`dropzone${dragging ? ' dragging' : ''}`} data-testid="dropzone"
        onDragOver={(event) => { event.preventDefault(); setDragging(true); }}
        onDragLeave={() => setDragging(false)}
        onDrop={(event) => {
          event.preventDefault();
          setDragging(false);
          const file = event.dataTransfer?.files[0];
          if (file) void classify(file);
        }}>
        <input type="file" accept={ACCEPTED.join(',')} data-testid="try-input"
          onChange={(event) => { const file = (event.target as HTMLInputElement).files?.[0]; if (file) void classify(file); }} />
        <span class="dropzone-icon" aria-hidden="true">⤓</span>
        <strong>Drop an image here, or click to pick one</strong>
        <span class="muted small">PNG, JPEG, WebP or GIF, up to 8 MB · it is cropped to the middle and resized to the model's input</span>
      </label>
      {busy && <Message kind="loading">Asking the model…</Message>}
      {error && <Message kind="error">{error}</Message>}
      {result && (
        <>
          <div class="grid two">
            <Panel title="Prediction" testId="try-result" subtitle={`answered in ${Math.round(result.milliseconds)} ms`}>
              <div class="try-top">
                {preview && <img class="preview" src={preview} alt="your image" />}
                <ProbabilityBars top={result.top} />
              </div>
            </Panel>
            <Panel title="Where it looks" subtitle="what the model saw (its input size), and the places that drive the top class">
              <div class="heat-row">
                <Picture src={result.picture} size={128} caption="model input" />
                <Picture src={result.saliency} size={128} caption="saliency" />
                {result.gradCam && <Picture src={result.gradCam} size={128} caption="Grad-CAM" />}
              </div>
              {result.notes.map((note) => <p class="muted small" key={note}>{note}</p>)}
            </Panel>
          </div>
          {result.featureMaps && <Panel title="First conv layer" wide><FeatureMapGrid set={result.featureMaps} size={60} /></Panel>}
        </>
      )}
    </div>
  );
}
