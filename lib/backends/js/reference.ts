/**
 * The float64 reference: clean, minimal, readable; not fast.
 *
 * This file *defines* what every other backend must compute (docs/architecture.md):
 *   a_v = Σ_{q: t(q)=v} g_q W_q h_{s(q)},   h_v = g_v ⊙ φ_v(a_v),   h_in = g_in ⊙ x_in
 *   L_mse = 1/(2n) Σ_i Σ_{v∈Out} ||y_v − h_v||²
 *   L_ce  = 1/n Σ_i Σ_{v∈Out} −Σ_k y_vk log softmax(h_v)_k
 * over a set of n samples (the whole dataset, or one minibatch). It loops over
 * samples one at a time and skips nothing, so it is easy to check by eye.
 */
import { ActivationCode, GateModeCode, type LossName, type PlanModel } from '../../engine/kernels.ts';
import { planTopoOrder } from '../../engine/Plan.ts';

export interface ReferencePass {
  /** Per node, [n, |v|] pre-activations (inputs: the gated input). */
  pre: Float64Array[];
  /** Per node, [n, |v|] activations h_v. */
  post: Float64Array[];
}

interface Structure {
  order: number[];
  incoming: number[][];
}

const structures = new WeakMap<PlanModel, Structure>();

function structure(model: PlanModel): Structure {
  let s = structures.get(model);
  if (!s) {
    const incoming: number[][] = Array.from(model.nodeSize, () => []);
    for (let e = 0; e < model.edgeTarget.length; e++) incoming[model.edgeTarget[e]].push(e);
    s = { order: planTopoOrder(model), incoming };
    structures.set(model, s);
  }
  return s;
}

/** Gate of node v for sample i, neuron k. */
function nodeGate(model: PlanModel, v: number, i: number, k: number): number {
  const g = model.nodeGates[v];
  if (g === null || model.nodeGateMode[v] === GateModeCode.none) return 1;
  return model.nodeGateMode[v] === GateModeCode.perNeuron ? g[i * model.nodeSize[v] + k] : g[i];
}

function edgeGate(model: PlanModel, e: number, i: number): number {
  const g = model.edgeGates[e];
  return g === null ? 1 : g[i];
}

function phi(model: PlanModel, v: number, a: number): number {
  switch (model.activation[v]) {
    case ActivationCode.relu:
      return a > 0 ? a : 0;
    case ActivationCode.leakyRelu:
      return a > 0 ? a : model.activationParam[v] * a;
    case ActivationCode.tanh:
      return Math.tanh(a);
    default:
      return a;
  }
}

/** φ'(a); relu'(0) = 0 by convention (as PyTorch). */
function dphi(model: PlanModel, v: number, a: number): number {
  switch (model.activation[v]) {
    case ActivationCode.relu:
      return a > 0 ? 1 : 0;
    case ActivationCode.leakyRelu:
      return a > 0 ? 1 : model.activationParam[v];
    case ActivationCode.tanh: {
      const t = Math.tanh(a);
      return 1 - t * t;
    }
    default:
      return 1;
  }
}

/** Forward pass over the given samples (indices into the dataset). */
export function referenceForward(model: PlanModel, weights: Float64Array[], samples: ArrayLike<number>): ReferencePass {
  const { order, incoming } = structure(model);
  const n = samples.length;
  const pre = Array.from(model.nodeSize, (size) => new Float64Array(n * size));
  const post = Array.from(model.nodeSize, (size) => new Float64Array(n * size));
  for (let r = 0; r < n; r++) {
    const i = samples[r];
    for (const v of order) {
      const size = model.nodeSize[v];
      const a = pre[v].subarray(r * size, (r + 1) * size);
      const x = model.inputs[v];
      if (x !== null) {
        for (let k = 0; k < size; k++) a[k] = x[i * size + k];
      } else {
        for (const e of incoming[v]) {
          const g = edgeGate(model, e, i);
          if (g === 0) continue;
          const s = model.edgeSource[e];
          const sSize = model.nodeSize[s];
          const h = post[s].subarray(r * sSize, (r + 1) * sSize);
          const w = weights[e];
          for (let k = 0; k < size; k++) {
            let acc = 0;
            for (let j = 0; j < sSize; j++) acc += w[k * sSize + j] * h[j];
            a[k] += g * acc;
          }
        }
      }
      const out = post[v].subarray(r * size, (r + 1) * size);
      for (let k = 0; k < size; k++) out[k] = nodeGate(model, v, i, k) * phi(model, v, a[k]);
    }
  }
  return { pre, post };
}

/** Loss of sample i (row r of the pass) and, if `grad` is given, adds scale·∂loss_i/∂h_out into it. */
function sampleLoss(model: PlanModel, pass: ReferencePass, loss: LossName, v: number, i: number, r: number, scale: number, grad: Float64Array | null): number {
  const size = model.nodeSize[v];
  const y = model.targets[v] as Float64Array;
  const h = pass.post[v];
  let total = 0;
  if (loss === 'mse') {
    for (let k = 0; k < size; k++) {
      const d = h[r * size + k] - y[i * size + k];
      total += 0.5 * d * d;
      if (grad) grad[r * size + k] += scale * d;
    }
  } else {
    let max = -Infinity;
    for (let k = 0; k < size; k++) max = Math.max(max, h[r * size + k]);
    let z = 0;
    for (let k = 0; k < size; k++) z += Math.exp(h[r * size + k] - max);
    const logZ = max + Math.log(z);
    let ysum = 0;
    for (let k = 0; k < size; k++) {
      total -= y[i * size + k] * (h[r * size + k] - logZ);
      ysum += y[i * size + k];
    }
    if (grad) {
      for (let k = 0; k < size; k++) grad[r * size + k] += scale * (Math.exp(h[r * size + k] - logZ) * ysum - y[i * size + k]);
    }
  }
  return total;
}

/** Mean loss over the samples (no gradient). */
export function referenceLoss(model: PlanModel, weights: Float64Array[], samples: ArrayLike<number>, loss: LossName): number {
  const pass = referenceForward(model, weights, samples);
  let total = 0;
  for (let r = 0; r < samples.length; r++) {
    for (let v = 0; v < model.nodeSize.length; v++) {
      if (model.targets[v] !== null) total += sampleLoss(model, pass, loss, v, samples[r], r, 0, null);
    }
  }
  return total / samples.length;
}

/** Per-sample losses over all samples (for group losses). */
export function referenceSampleLosses(model: PlanModel, weights: Float64Array[], loss: LossName): Float64Array {
  const samples = Array.from({ length: model.nSamples }, (_, i) => i);
  const pass = referenceForward(model, weights, samples);
  const out = new Float64Array(model.nSamples);
  for (let i = 0; i < model.nSamples; i++) {
    for (let v = 0; v < model.nodeSize.length; v++) {
      if (model.targets[v] !== null) out[i] += sampleLoss(model, pass, loss, v, i, i, 0, null);
    }
  }
  return out;
}

/** Mean loss over the samples and its exact gradient with respect to every W_e (backprop). */
export function referenceLossAndGradient(
  model: PlanModel,
  weights: Float64Array[],
  samples: ArrayLike<number>,
  loss: LossName,
): { loss: number; gradient: Float64Array[] } {
  const { order, incoming } = structure(model);
  const n = samples.length;
  const pass = referenceForward(model, weights, samples);
  const dh = Array.from(model.nodeSize, (size) => new Float64Array(n * size));
  let total = 0;
  for (let r = 0; r < n; r++) {
    for (let v = 0; v < model.nodeSize.length; v++) {
      if (model.targets[v] !== null) total += sampleLoss(model, pass, loss, v, samples[r], r, 1 / n, dh[v]);
    }
  }
  const gradient = weights.map((w) => new Float64Array(w.length));
  for (let r = 0; r < n; r++) {
    const i = samples[r];
    for (let o = order.length - 1; o >= 0; o--) {
      const v = order[o];
      if (model.inputs[v] !== null) continue;
      const size = model.nodeSize[v];
      // dL/da_v = dL/dh_v ⊙ g_v ⊙ φ'(a_v)
      const da = new Float64Array(size);
      for (let k = 0; k < size; k++) {
        da[k] = dh[v][r * size + k] * nodeGate(model, v, i, k) * dphi(model, v, pass.pre[v][r * size + k]);
      }
      for (const e of incoming[v]) {
        const g = edgeGate(model, e, i);
        if (g === 0) continue;
        const s = model.edgeSource[e];
        const sSize = model.nodeSize[s];
        const w = weights[e];
        const dw = gradient[e];
        for (let k = 0; k < size; k++) {
          for (let j = 0; j < sSize; j++) {
            dw[k * sSize + j] += g * da[k] * pass.post[s][r * sSize + j];
            dh[s][r * sSize + j] += g * w[k * sSize + j] * da[k];
          }
        }
      }
    }
  }
  return { loss: total / n, gradient };
}
