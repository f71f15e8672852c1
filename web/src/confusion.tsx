// The error breakdown as a grid of cells: rows the true class, columns the prediction,
// coloured by share of the row (the report's colour map). Cells can be clicked.
import type { EvaluationResult } from '../../src/web/api_types';
import { colorAt, cssColor, whiteBlue } from '../../src/insight/render/colormaps';
import { percent } from './format';

export interface Cell {
  trueClass: number;
  predicted: number;
}

export function ConfusionMatrix({ evaluation, selected, onSelect }: {
  evaluation: EvaluationResult; selected?: Cell | null; onSelect?: (cell: Cell) => void;
}) {
  const { confusion, classNames, perClass } = evaluation;
  return (
    <div class="confusion-scroll">
      <table class="confusion" data-testid="confusion">
        <thead>
          <tr>
            <th class="corner"><span>true ↓ predicted →</span></th>
            {classNames.map((name) => <th key={name} class="column-name" title={name}><span>{name}</span></th>)}
            <th class="column-name"><span>correct</span></th>
          </tr>
        </thead>
        <tbody>
          {confusion.map((row, trueClass) => {
            const total = row.reduce((sum, n) => sum + n, 0);
            return (
              <tr key={trueClass}>
                <th class="row-name" title={classNames[trueClass]}>{classNames[trueClass]}</th>
                {row.map((n, predicted) => {
                  const share = total > 0 ? n / total : 0;
                  const isSelected = selected?.trueClass === trueClass && selected.predicted === predicted;
                  const style = { background: cssColor(colorAt(whiteBlue, share)), color: share > 0.5 ? '#fff' : n === 0 ? '#94a3b8' : '#0f172a' };
                  const label = `${n} ${classNames[trueClass]} image${n === 1 ? '' : 's'} predicted as ${classNames[predicted]}`;
                  return (
                    <td key={predicted} class={`${trueClass === predicted ? 'diagonal' : ''}${isSelected ? ' selected' : ''}`} style={style}>
                      {onSelect
                        ? <button type="button" title={label} aria-label={label} data-testid="confusion-cell" onClick={() => onSelect({ trueClass, predicted })}>{n}</button>
                        : <span title={label}>{n}</span>}
                    </td>
                  );
                })}
                <td class="recall">{percent(perClass[trueClass], 0)}</td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}
