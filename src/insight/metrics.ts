// Accuracy and the error breakdown (confusion matrix) from true and predicted labels.

/** Fraction of positions where the prediction equals the label. */
export function accuracy(labels: ArrayLike<number>, predicted: ArrayLike<number>): number {
  if (labels.length !== predicted.length) throw new Error(`${labels.length} labels but ${predicted.length} predictions`);
  if (labels.length === 0) return NaN;
  let correct = 0;
  for (let i = 0; i < labels.length; i++) if (labels[i] === predicted[i]) correct++;
  return correct / labels.length;
}

/** counts[trueClass][predictedClass]: rows are the truth, columns what the model said. */
export function confusionMatrix(labels: ArrayLike<number>, predicted: ArrayLike<number>, classCount: number): number[][] {
  if (labels.length !== predicted.length) throw new Error(`${labels.length} labels but ${predicted.length} predictions`);
  const counts = Array.from({ length: classCount }, () => new Array<number>(classCount).fill(0));
  for (let i = 0; i < labels.length; i++) counts[labels[i]][predicted[i]]++;
  return counts;
}

/** For each class, the fraction of its images predicted as it (NaN for a class with none). */
export function perClassAccuracy(confusion: number[][]): number[] {
  return confusion.map((row, classIndex) => {
    const total = row.reduce((sum, count) => sum + count, 0);
    return total === 0 ? NaN : row[classIndex] / total;
  });
}

/** Indices of the images the model got wrong, in order. */
export function misclassifiedIndices(labels: ArrayLike<number>, predicted: ArrayLike<number>): number[] {
  return indicesWhere(labels, predicted, false);
}

/** Indices of the images the model got right, in order. */
export function correctIndices(labels: ArrayLike<number>, predicted: ArrayLike<number>): number[] {
  return indicesWhere(labels, predicted, true);
}

function indicesWhere(labels: ArrayLike<number>, predicted: ArrayLike<number>, correct: boolean): number[] {
  const found: number[] = [];
  for (let i = 0; i < labels.length; i++) if ((labels[i] === predicted[i]) === correct) found.push(i);
  return found;
}
