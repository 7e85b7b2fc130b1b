/**
 * The architecture graph Γ of a GDLN (Saxe et al. 2022, Sec. 2): named nodes
 * (layers) with sizes and an optional nonlinearity, and directed edges
 * (weight matrices W_e of shape [|t(e)|, |s(e)|]). Any DAG is allowed: several
 * input and output nodes, skip edges, fan-in and fan-out, parallel edges.
 * Input nodes have no incoming edge; output nodes have no outgoing edge.
 */
import { GdlnError, invalidParameter } from '../errors.ts';

export type ActivationSpec = 'linear' | 'relu' | 'tanh' | { leakyRelu: number };

export interface NodeSpec {
  name: string;
  /** Number of neurons |v| (a positive integer). */
  size: number;
  /** Nonlinearity φ_v applied before the node gate (default 'linear'). Not allowed on input nodes. */
  activation?: ActivationSpec;
}

export interface EdgeSpec {
  from: string;
  to: string;
  /** Defaults to "from->to"; required to tell parallel edges apart. */
  name?: string;
}

export interface GraphSpec {
  nodes: NodeSpec[];
  edges: EdgeSpec[];
}

export interface GraphNode {
  readonly index: number;
  readonly name: string;
  readonly size: number;
  readonly activation: ActivationSpec;
}

export interface GraphEdge {
  readonly index: number;
  readonly name: string;
  readonly source: number;
  readonly target: number;
}

/** A path: the edge indices from an input node to an output node, in order. */
export type Path = readonly number[];

const NAME_RE = /^[^\s]+$/;

function checkActivation(node: NodeSpec): ActivationSpec {
  const a = node.activation ?? 'linear';
  if (a === 'linear' || a === 'relu' || a === 'tanh') return a;
  if (typeof a === 'object' && a !== null && typeof a.leakyRelu === 'number' && Number.isFinite(a.leakyRelu)) {
    return { leakyRelu: a.leakyRelu };
  }
  throw invalidParameter("'linear', 'relu', 'tanh' or { leakyRelu: slope }", `activation of node ${JSON.stringify(node.name)}`, a);
}

export class Graph {
  readonly nodes: readonly GraphNode[];
  readonly edges: readonly GraphEdge[];
  /** Node indices in a topological order (inputs first). */
  readonly topoOrder: readonly number[];
  readonly inputs: readonly number[];
  readonly outputs: readonly number[];
  /** Per node: incoming / outgoing edge indices. */
  readonly incoming: readonly (readonly number[])[];
  readonly outgoing: readonly (readonly number[])[];
  private readonly nodeIndex = new Map<string, number>();
  private readonly edgeIndex = new Map<string, number>();
  private pathCache: Path[] | null = null;

  /**
   * @throws GdlnError GDLN_INVALID_ARGUMENT (bad size or name), GDLN_DUPLICATE_NAME,
   *   GDLN_UNKNOWN_NODE (edge endpoint), GDLN_CYCLE, GDLN_NO_INPUT_NODE, GDLN_NO_OUTPUT_NODE
   * @example
   * const g = new Graph({
   *   nodes: [{ name: 'x', size: 2 }, { name: 'h', size: 8 }, { name: 'y', size: 1 }],
   *   edges: [{ from: 'x', to: 'h' }, { from: 'h', to: 'y' }],
   * });
   */
  constructor(spec: GraphSpec) {
    if (spec == null || !Array.isArray(spec.nodes) || !Array.isArray(spec.edges)) {
      throw invalidParameter('an object { nodes: NodeSpec[], edges: EdgeSpec[] }', 'graph spec', spec);
    }
    const nodes: GraphNode[] = [];
    for (const n of spec.nodes) {
      if (n == null || typeof n.name !== 'string' || !NAME_RE.test(n.name)) {
        throw invalidParameter('a non-empty node name without whitespace', 'node name', n?.name);
      }
      if (this.nodeIndex.has(n.name)) {
        throw new GdlnError('GDLN_DUPLICATE_NAME', `Duplicate node name ${JSON.stringify(n.name)}`, { node: n.name });
      }
      if (!Number.isInteger(n.size) || n.size <= 0) {
        throw invalidParameter('a positive integer size', `node ${JSON.stringify(n.name)}`, n.size);
      }
      this.nodeIndex.set(n.name, nodes.length);
      nodes.push({ index: nodes.length, name: n.name, size: n.size, activation: checkActivation(n) });
    }
    const edges: GraphEdge[] = [];
    const incoming: number[][] = nodes.map(() => []);
    const outgoing: number[][] = nodes.map(() => []);
    for (const e of spec.edges) {
      const s = this.nodeIndex.get(e?.from);
      const t = this.nodeIndex.get(e?.to);
      if (s === undefined) throw new GdlnError('GDLN_UNKNOWN_NODE', `Edge source ${JSON.stringify(e?.from)} is not a node of the graph`, { node: e?.from });
      if (t === undefined) throw new GdlnError('GDLN_UNKNOWN_NODE', `Edge target ${JSON.stringify(e?.to)} is not a node of the graph`, { node: e?.to });
      const name = e.name ?? `${e.from}->${e.to}`;
      if (typeof name !== 'string' || name.length === 0) throw invalidParameter('a non-empty edge name', 'edge name', name);
      if (this.edgeIndex.has(name)) {
        throw new GdlnError('GDLN_DUPLICATE_NAME', `Duplicate edge name ${JSON.stringify(name)} (give parallel edges distinct names)`, { edge: name });
      }
      if (s === t) throw new GdlnError('GDLN_CYCLE', `Edge ${JSON.stringify(name)} is a self-loop on node ${JSON.stringify(e.from)}`, { edge: name });
      this.edgeIndex.set(name, edges.length);
      incoming[t].push(edges.length);
      outgoing[s].push(edges.length);
      edges.push({ index: edges.length, name, source: s, target: t });
    }
    this.nodes = nodes;
    this.edges = edges;
    this.incoming = incoming;
    this.outgoing = outgoing;
    this.inputs = nodes.filter((n) => incoming[n.index].length === 0 && outgoing[n.index].length > 0).map((n) => n.index);
    this.outputs = nodes.filter((n) => outgoing[n.index].length === 0 && incoming[n.index].length > 0).map((n) => n.index);
    const isolated = nodes.find((n) => incoming[n.index].length === 0 && outgoing[n.index].length === 0);
    if (isolated) {
      throw new GdlnError('GDLN_INVALID_ARGUMENT', `Node ${JSON.stringify(isolated.name)} has no edges (it is neither an input nor an output)`, { node: isolated.name });
    }
    if (this.inputs.length === 0) throw new GdlnError('GDLN_NO_INPUT_NODE', 'The graph has no input node (a node with no incoming edge)');
    if (this.outputs.length === 0) throw new GdlnError('GDLN_NO_OUTPUT_NODE', 'The graph has no output node (a node with no outgoing edge)');
    this.topoOrder = this.sortTopologically();
    for (const v of this.inputs) {
      if (nodes[v].activation !== 'linear') {
        throw invalidParameter("'linear' (input nodes are fixed to their data)", `activation of input node ${JSON.stringify(nodes[v].name)}`, nodes[v].activation);
      }
    }
  }

  /** Kahn's algorithm; a leftover node lies on a cycle, which the error names. */
  private sortTopologically(): number[] {
    const indeg = this.incoming.map((l) => l.length);
    const queue = this.nodes.filter((n) => indeg[n.index] === 0).map((n) => n.index);
    const order: number[] = [];
    for (let head = 0; head < queue.length; head++) {
      const v = queue[head];
      order.push(v);
      for (const e of this.outgoing[v]) {
        const t = this.edges[e].target;
        if (--indeg[t] === 0) queue.push(t);
      }
    }
    if (order.length !== this.nodes.length) {
      const onCycle = this.nodes.filter((n) => indeg[n.index] > 0).map((n) => n.name);
      throw new GdlnError('GDLN_CYCLE', `The graph has a cycle through nodes ${onCycle.map((n) => JSON.stringify(n)).join(', ')}`, { nodes: onCycle });
    }
    return order;
  }

  node(name: string): GraphNode {
    const i = this.nodeIndex.get(name);
    if (i === undefined) throw new GdlnError('GDLN_UNKNOWN_NODE', `Unknown node ${JSON.stringify(name)}`, { node: name });
    return this.nodes[i];
  }

  edge(name: string): GraphEdge {
    const i = this.edgeIndex.get(name);
    if (i === undefined) throw new GdlnError('GDLN_UNKNOWN_EDGE', `Unknown edge ${JSON.stringify(name)}`, { edge: name });
    return this.edges[i];
  }

  hasNode(name: string): boolean {
    return this.nodeIndex.has(name);
  }

  hasEdge(name: string): boolean {
    return this.edgeIndex.has(name);
  }

  /** Shape [rows, cols] = [|t(e)|, |s(e)|] of W_e. */
  weightShape(edge: number): [number, number] {
    const e = this.edges[edge];
    return [this.nodes[e.target].size, this.nodes[e.source].size];
  }

  /** Number of input→output paths, counted without enumerating them. */
  countPaths(): number {
    const ways = new Float64Array(this.nodes.length);
    for (const v of this.inputs) ways[v] = 1;
    for (const v of this.topoOrder) for (const e of this.outgoing[v]) ways[this.edges[e].target] += ways[v];
    return this.outputs.reduce((acc, v) => acc + ways[v], 0);
  }

  /**
   * All input→output paths p, each the ordered list of its edges (source first).
   * Cached. The count can grow exponentially with depth; `countPaths()` tells first.
   */
  paths(): readonly Path[] {
    if (this.pathCache) return this.pathCache;
    const all: Path[] = [];
    const walk = (v: number, prefix: number[]) => {
      if (this.outgoing[v].length === 0) {
        all.push(prefix.slice());
        return;
      }
      for (const e of this.outgoing[v]) {
        prefix.push(e);
        walk(this.edges[e].target, prefix);
        prefix.pop();
      }
    };
    for (const v of this.inputs) walk(v, []);
    this.pathCache = all;
    return all;
  }

  /** s(p): the input node the path starts at. */
  pathSource(p: Path): number {
    return this.edges[p[0]].source;
  }

  /** t(p): the output node the path ends at. */
  pathTarget(p: Path): number {
    return this.edges[p[p.length - 1]].target;
  }

  /** Indices (into `paths()`) of P(e): the paths through edge e. */
  pathsThrough(edge: number): number[] {
    const out: number[] = [];
    this.paths().forEach((p, i) => {
      if (p.includes(edge)) out.push(i);
    });
    return out;
  }

  /** Indices (into `paths()`) of T(v): the paths ending at node v. */
  pathsEndingAt(node: number): number[] {
    const out: number[] = [];
    this.paths().forEach((p, i) => {
      if (this.pathTarget(p) === node) out.push(i);
    });
    return out;
  }

  /** Human-readable "x -[x->h]-> h -[h->y]-> y". */
  describePath(p: Path): string {
    let s = this.nodes[this.pathSource(p)].name;
    for (const e of p) s += ` -> ${this.nodes[this.edges[e].target].name}`;
    return s;
  }

  toSpec(): GraphSpec {
    return {
      nodes: this.nodes.map((n) => ({ name: n.name, size: n.size, activation: n.activation })),
      edges: this.edges.map((e) => ({ from: this.nodes[e.source].name, to: this.nodes[e.target].name, name: e.name })),
    };
  }
}
