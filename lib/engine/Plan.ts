/**
 * Flattens a Graph and its GatedDataset into the index-based {@link PlanModel}
 * every backend consumes. No copies of the big arrays: the dataset already
 * owns validated Float64Arrays.
 */
import { GdlnError } from '../errors.ts';
import type { GatedDataset } from '../data/GatedDataset.ts';
import type { ActivationSpec, Graph } from '../graph/Graph.ts';
import { ActivationCode, GateModeCode, type PlanModel } from './kernels.ts';

function activationCode(a: ActivationSpec): [number, number] {
  if (a === 'linear') return [ActivationCode.linear, 0];
  if (a === 'relu') return [ActivationCode.relu, 0];
  if (a === 'tanh') return [ActivationCode.tanh, 0];
  return [ActivationCode.leakyRelu, a.leakyRelu];
}

export function buildPlanModel(graph: Graph, data: GatedDataset): PlanModel {
  if (data.graph !== graph) {
    throw new GdlnError('GDLN_INVALID_ARGUMENT', 'The dataset was built for a different Graph instance than the one given');
  }
  const acts = graph.nodes.map((n) => activationCode(n.activation));
  return {
    nodeSize: Int32Array.from(graph.nodes, (n) => n.size),
    activation: Int32Array.from(acts, (a) => a[0]),
    activationParam: Float64Array.from(acts, (a) => a[1]),
    edgeSource: Int32Array.from(graph.edges, (e) => e.source),
    edgeTarget: Int32Array.from(graph.edges, (e) => e.target),
    nSamples: data.nSamples,
    inputs: data.inputs,
    targets: data.targets,
    edgeGates: data.edgeGates,
    nodeGateMode: Int32Array.from(graph.nodes, (n) =>
      data.nodeGates[n.index] === null ? GateModeCode.none : data.isPerNeuronGate(n.index) ? GateModeCode.perNeuron : GateModeCode.perSample,
    ),
    nodeGates: data.nodeGates,
  };
}

/** Topological order of a PlanModel's nodes (Kahn), for backends that get no Graph. */
export function planTopoOrder(model: PlanModel): number[] {
  const V = model.nodeSize.length;
  const indeg = new Int32Array(V);
  const out: number[][] = Array.from({ length: V }, () => []);
  for (let e = 0; e < model.edgeSource.length; e++) {
    indeg[model.edgeTarget[e]]++;
    out[model.edgeSource[e]].push(e);
  }
  const order: number[] = [];
  for (let v = 0; v < V; v++) if (indeg[v] === 0) order.push(v);
  for (let h = 0; h < order.length; h++) {
    for (const e of out[order[h]]) if (--indeg[model.edgeTarget[e]] === 0) order.push(model.edgeTarget[e]);
  }
  if (order.length !== V) throw new GdlnError('GDLN_CYCLE', 'The plan graph has a cycle');
  return order;
}
