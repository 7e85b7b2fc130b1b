/**
 * What a naive user would write with ml-matrix (pure JS, Float64Array rows):
 * dense masked matmuls. Every input domain is kept as a full N×D matrix (zeros
 * on other domains' samples), multiplied by its encoder for *every* sample and
 * only then multiplied by the edge-gate column mask; the same for the
 * decoders. So it does M× the encoder work and M× the decoder work of the
 * gated computation (see denseMacs() in the workload), plus the matching
 * dense backward:
 *
 *   h1 = Σ_m g_m ⊙ (X_m W_mᵀ)            h2 = h1 W_sᵀ          out_j = g_j ⊙ (h2 W_jᵀ)
 *   L  = 1/(2N) Σ_j ||out_j − Y_j||²     dA_j = g_j ⊙ (out_j − Y_j)/N
 *   ∂W_j = dA_jᵀ h2   dh2 = Σ_j dA_j W_j   ∂W_s = dh2ᵀ h1   dh1 = dh2 W_s
 *   ∂W_m = (g_m ⊙ dh1)ᵀ X_m
 *
 * It uses only `mmul`, `transpose`, `mulColumnVector`, `add`/`sub`/`mul`, the
 * obvious calls; gradients stay ml-matrix Matrices inside the timed closure.
 */
import { Matrix } from 'ml-matrix';
import type { RoutingWorkload } from '../workloads/routing.ts';
import type { Contender, LossAndGradient } from './types.ts';

export function mlMatrixDense(): Contender {
  return {
    name: 'ml-matrix-dense f64',
    async unavailable(config) {
      return config.nativeOnlyReason ?? null;
    },
    async setup(w: RoutingWorkload) {
      const { M, D, H, C } = w.shape;
      const N = w.N;
      const X = w.inputNode.map((v) => Matrix.from1DArray(N, D, w.data.inputs[v] as Float64Array));
      const Y = w.outputNode.map((v) => Matrix.from1DArray(N, C, w.data.targets[v] as Float64Array));
      const gEnc = w.encoderEdge.map((e) => w.data.edgeGates[e] ?? new Float64Array(N).fill(1));
      const gDec = w.decoderEdge.map((e) => w.data.edgeGates[e] ?? new Float64Array(N).fill(1));
      const Wenc = w.encoderEdge.map((e) => Matrix.from1DArray(H, D, w.weights[e]));
      const Ws = Matrix.from1DArray(H, H, w.weights[w.sharedEdge]);
      const Wdec = w.decoderEdge.map((e) => Matrix.from1DArray(C, H, w.weights[e]));

      let gradEnc: Matrix[] = [];
      let gradS: Matrix = Ws;
      let gradDec: Matrix[] = [];

      const run = (): number => {
        // forward
        const h1 = Matrix.zeros(N, H);
        for (let m = 0; m < M; m++) h1.add(X[m].mmul(Wenc[m].transpose()).mulColumnVector(gEnc[m]));
        const h2 = h1.mmul(Ws.transpose());
        // loss and backward through the decoders
        let sumSq = 0;
        const dh2 = Matrix.zeros(N, H);
        gradDec = [];
        for (let j = 0; j < M; j++) {
          const diff = h2.mmul(Wdec[j].transpose()).mulColumnVector(gDec[j]).sub(Y[j]);
          sumSq += Matrix.mul(diff, diff).sum();
          const dA = diff.div(N).mulColumnVector(gDec[j]);
          gradDec.push(dA.transpose().mmul(h2));
          dh2.add(dA.mmul(Wdec[j]));
        }
        gradS = dh2.transpose().mmul(h1);
        const dh1 = dh2.mmul(Ws);
        gradEnc = [];
        for (let m = 0; m < M; m++) gradEnc.push(dh1.clone().mulColumnVector(gEnc[m]).transpose().mmul(X[m]));
        return sumSq / (2 * N);
      };

      const result = (): LossAndGradient => {
        const loss = run();
        const gradient: Float64Array[] = new Array(w.graph.edges.length);
        const flat = (m: Matrix) => Float64Array.from(m.to1DArray());
        w.encoderEdge.forEach((e, m) => (gradient[e] = flat(gradEnc[m])));
        gradient[w.sharedEdge] = flat(gradS);
        w.decoderEdge.forEach((e, j) => (gradient[e] = flat(gradDec[j])));
        return { loss, gradient };
      };
      return { run, result };
    },
  };
}
