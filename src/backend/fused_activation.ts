import { Activation } from './addon';

/** The addon's code for a tfjs fused activation, or null when the addon does not fuse it. */
export function fusedActivation(name: string | undefined | null): Activation | null {
  if (!name || name === 'linear') return Activation.Linear;
  if (name === 'relu') return Activation.Relu;
  return null;
}
