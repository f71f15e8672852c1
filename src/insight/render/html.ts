// One self-contained report.html: every picture embedded as a data URI and the styles
// inline, so the file opens from disk, can be mailed, and needs no server.
import type { Figure } from './drawing';

export interface ReportSection {
  /** Anchor id: results, training, importance, saliency, activations, outputs. */
  id: string;
  title: string;
  /** A paragraph saying what the section shows and how it was made. */
  intro?: string;
  /** Tables and other blocks placed before the figures. */
  tables?: HtmlTable[];
  figures: Figure[];
  /** Short remarks under the figures (skipped filters, missing files...). */
  notes?: string[];
}

export interface HtmlTable {
  caption?: string;
  headers: string[];
  rows: string[][];
  /** Columns (by index) aligned right, for numbers. */
  numeric?: number[];
}

export interface ReportDocument {
  title: string;
  subtitle?: string;
  /** Key facts shown under the title: model, data, accuracy... */
  facts: Array<[string, string]>;
  sections: ReportSection[];
}

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

function renderTable(table: HtmlTable): string {
  const numeric = new Set(table.numeric ?? []);
  const cell = (tag: 'th' | 'td', text: string, i: number) => `<${tag}${numeric.has(i) ? ' class="num"' : ''}>${escapeHtml(text)}</${tag}>`;
  return `<table>${table.caption ? `<caption>${escapeHtml(table.caption)}</caption>` : ''}`
    + `<thead><tr>${table.headers.map((h, i) => cell('th', h, i)).join('')}</tr></thead>`
    + `<tbody>${table.rows.map((row) => `<tr>${row.map((c, i) => cell('td', c, i)).join('')}</tr>`).join('\n')}</tbody></table>`;
}

function renderFigure(figure: Figure): string {
  const source = `data:image/png;base64,${figure.png.toString('base64')}`;
  return `<figure id="fig-${escapeHtml(figure.name)}">
<img src="${source}" width="${figure.width}" height="${figure.height}" alt="${escapeHtml(figure.title)}">
${figure.description ? `<figcaption>${escapeHtml(figure.description)}</figcaption>` : ''}
</figure>`;
}

function renderSection(section: ReportSection): string {
  return `<section id="${escapeHtml(section.id)}">
<h2>${escapeHtml(section.title)}</h2>
${section.intro ? `<p class="intro">${escapeHtml(section.intro)}</p>` : ''}
${section.tables?.length ? `<div class="tables">${section.tables.map(renderTable).join('\n')}</div>` : ''}
${section.figures.map(renderFigure).join('\n')}
${(section.notes ?? []).map((note) => `<p class="note">${escapeHtml(note)}</p>`).join('\n')}
</section>`;
}

const styles = `
:root { color-scheme: light; --text: #1f2328; --muted: #57606a; --line: #d8dee4; --panel: #f6f8fa; --accent: #0969da; }
* { box-sizing: border-box; }
body { margin: 0; font: 15px/1.5 system-ui, -apple-system, "Segoe UI", "DejaVu Sans", sans-serif; color: var(--text); background: #fff; }
header { padding: 28px 40px 18px; border-bottom: 1px solid var(--line); background: var(--panel); }
header h1 { margin: 0 0 4px; font-size: 26px; }
header p { margin: 0; color: var(--muted); }
dl.facts { display: flex; flex-wrap: wrap; gap: 8px 28px; margin: 14px 0 0; }
dl.facts div { min-width: 120px; }
dl.facts dt { font-size: 12px; text-transform: uppercase; letter-spacing: .04em; color: var(--muted); }
dl.facts dd { margin: 0; font-weight: 600; }
nav { position: sticky; top: 0; z-index: 1; display: flex; flex-wrap: wrap; gap: 4px 18px; padding: 10px 40px;
  background: #fff; border-bottom: 1px solid var(--line); }
nav a { color: var(--accent); text-decoration: none; font-weight: 600; }
main { padding: 8px 40px 60px; max-width: 1500px; }
section { padding-top: 18px; border-bottom: 1px solid var(--line); padding-bottom: 18px; }
h2 { font-size: 21px; margin: 8px 0; }
p.intro { max-width: 920px; color: var(--muted); }
p.note { color: var(--muted); font-style: italic; }
figure { margin: 18px 0; }
figure img { max-width: 100%; height: auto; border: 1px solid var(--line); border-radius: 6px; image-rendering: pixelated; }
figcaption { max-width: 920px; color: var(--muted); font-size: 14px; margin-top: 4px; }
.tables { display: flex; flex-wrap: wrap; gap: 0 40px; align-items: flex-start; }
table { border-collapse: collapse; margin: 12px 0; font-variant-numeric: tabular-nums; }
caption { text-align: left; font-weight: 600; padding-bottom: 4px; }
th, td { padding: 4px 12px; border-bottom: 1px solid var(--line); text-align: left; }
th { background: var(--panel); }
.num { text-align: right; }
`;

export function renderReportHtml(document: ReportDocument): string {
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(document.title)}</title>
<style>${styles}</style>
</head>
<body>
<header>
<h1>${escapeHtml(document.title)}</h1>
${document.subtitle ? `<p>${escapeHtml(document.subtitle)}</p>` : ''}
<dl class="facts">${document.facts.map(([key, value]) => `<div><dt>${escapeHtml(key)}</dt><dd>${escapeHtml(value)}</dd></div>`).join('')}</dl>
</header>
<nav>${document.sections.map((s) => `<a href="#${escapeHtml(s.id)}">${escapeHtml(s.title)}</a>`).join('\n')}</nav>
<main>
${document.sections.map(renderSection).join('\n')}
</main>
</body>
</html>
`;
}
