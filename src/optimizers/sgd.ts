// SGD with Nesterov momentum and decoupled weight decay, as PyTorch's torch.optim.SGD
// (dampening 0) with airbench's weight-decay convention, each variable's step done by one
// kernel (ConvkitSgdUpdate). For a variable p with gradient g, learning-rate scale s (from
// its group) and lr = learningRate * s:
//   d = g + lambda * p,  lambda = weightDecay / (baseLearningRate * s)   (0 when s is 0)
//   buf = momentum * buf + d
//   d = nesterov ? d + momentum * buf : buf
//   p = p - lr * d
// so each step removes (learningRate / baseLearningRate) * weightDecay of p whatever the
// group's scale: decay follows the schedule but not the group, and a group at scale 0 stands
// still. Float32 throughout, in this order, on every backend.
import * as tf from '@tensorflow/tfjs-core';

import { SGD_UPDATE } from '../backend/custom_kernels';

/** Variables whose name `match` accepts train at `learningRateScale` times the rate. */
export interface SgdGroup {
  /** Lets code find the group again (to freeze it, say); the optimizer does not use it. */
  name?: string;
  match: (variableName: string) => boolean;
  /** Read at every step, so it may change during training; 0 holds the group's variables still. */
  learningRateScale: number;
}

export interface SgdOptions {
  learningRate: number;
  momentum: number;
  /** Default true. */
  nesterov?: boolean;
  /** The fraction of each weight removed per step at the base rate. Default 0. */
  weightDecay?: number;
  /** The first group that matches a variable's name gives its scale; other variables have scale 1. */
  groups?: SgdGroup[];
}

/** tfjs's NamedTensor, which tfjs-core does not export. */
type NamedTensor = { name: string; tensor: tf.Tensor };

/** A momentum buffer, named after its variable as tfjs names optimizer slots. */
interface MomentumBuffer {
  originalName: string;
  variable: tf.Variable;
}

function checkNumber(what: string, value: number, ok: (v: number) => boolean, range: string): void {
  if (!(Number.isFinite(value) && ok(value))) throw new RangeError(`SGD: ${what} must be ${range}, got ${value}`);
}

export class SGD extends tf.Optimizer {
  static className = 'SGD';

  /** The rate of the next step; learning-rate schedules assign it. */
  learningRate: number;
  /** The constructor's rate, against which weight decay follows the schedule. */
  readonly baseLearningRate: number;
  readonly momentum: number;
  readonly nesterov: boolean;
  readonly weightDecay: number;
  /** The groups as given (the same objects), so a scale changed on one applies from the next step. */
  readonly groups: SgdGroup[];
  /** One per variable, in the order of the gradients applyGradients receives (tfjs's convention). */
  private momentumBuffers: MomentumBuffer[] = [];
  /** Each variable's group (-1: none), found once per name. */
  private readonly groupOfVariable = new Map<string, number>();

  constructor({ learningRate, momentum, nesterov = true, weightDecay = 0, groups = [] }: SgdOptions) {
    super();
    checkNumber('learningRate', learningRate, (v) => v > 0, 'a positive number');
    checkNumber('momentum', momentum, (v) => v >= 0 && v < 1, 'in [0, 1)');
    checkNumber('weightDecay', weightDecay, (v) => v >= 0, '0 or more');
    for (const group of groups) {
      checkNumber(`the learningRateScale of group ${group.name ?? ''}`, group.learningRateScale, (v) => v >= 0, '0 or more');
    }
    this.learningRate = this.baseLearningRate = learningRate;
    this.momentum = momentum;
    this.nesterov = nesterov;
    this.weightDecay = weightDecay;
    this.groups = groups;
  }

  /** The learning-rate scale of a variable now: its first matching group's, else 1. */
  learningRateScale(variableName: string): number {
    let index = this.groupOfVariable.get(variableName);
    if (index === undefined) {
      index = this.groups.findIndex((group) => group.match(variableName));
      this.groupOfVariable.set(variableName, index);
    }
    return index < 0 ? 1 : this.groups[index].learningRateScale;
  }

  override applyGradients(variableGradients: tf.NamedTensorMap | NamedTensor[]): void {
    const names = Array.isArray(variableGradients) ? variableGradients.map((v) => v.name) : Object.keys(variableGradients);
    tf.tidy(() => {
      names.forEach((name, i) => {
        const value = tf.engine().registeredVariables[name];
        this.momentumBuffers[i] ??= {
          originalName: `${name}/momentum`, variable: tf.tidy(() => tf.zerosLike(value).variable(false)),
        };
        const gradient = Array.isArray(variableGradients) ? variableGradients[i].tensor : variableGradients[name];
        if (gradient == null) return;
        const buffer = this.momentumBuffers[i].variable;
        const scale = this.learningRateScale(name);
        const decay = scale === 0 ? 0 : this.weightDecay / (this.baseLearningRate * scale);
        const attrs = { scalars: [this.learningRate * scale, decay, this.momentum].map(Math.fround), nesterov: this.nesterov };
        const [newValue, newBuffer] = tf.engine().runKernel(SGD_UPDATE, { value, momentumBuffer: buffer, gradient },
          attrs as unknown as tf.NamedAttrMap) as tf.Tensor[];
        buffer.assign(newBuffer);
        value.assign(newValue);
      });
    });
    this.incrementIterations();
  }

  /** The step count ('iter'), then one momentum buffer per variable: what checkpoints save. */
  override async getWeights(): Promise<NamedTensor[]> {
    return [await this.saveIterations(), ...this.momentumBuffers.map((b) => ({ name: b.originalName, tensor: b.variable }))];
  }

  override async setWeights(weightValues: NamedTensor[]): Promise<void> {
    const buffers = await this.extractIterations(weightValues);
    tf.dispose(this.momentumBuffers.map((b) => b.variable));
    this.momentumBuffers = buffers.map((w) => ({ originalName: w.name, variable: w.tensor.variable(false) }));
  }

  /** The settings (groups hold functions, so they are not part of it). */
  override getConfig(): tf.serialization.ConfigDict {
    return { learningRate: this.baseLearningRate, momentum: this.momentum, nesterov: this.nesterov, weightDecay: this.weightDecay };
  }

  override dispose(): void {
    super.dispose();
    tf.dispose(this.momentumBuffers.map((b) => b.variable));
    this.momentumBuffers = [];
  }
}

/** Nesterov SGD with decoupled weight decay and per-group rates, see SGD. */
export function sgd(options: SgdOptions): SGD {
  return new SGD(options);
}
