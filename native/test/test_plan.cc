// native/test/test_plan.cc — the gated matmul does only the useful work.
//
// On the routing graph of race-reduction Fig. 4a (M input domains → shared
// h1 → h2 → M output domains, one input and one output domain gated on per
// sample) the plan must give each encoder and decoder edge exactly the samples
// of its own routes, so the products formed are the useful ones: M× less than a
// dense masked implementation would form. Also checks the node-gate and
// chained-skipping rules of plan.h on a small hand-made case.
#include <cstdio>
#include <string>
#include <vector>

#include "cpu/model_data.h"
#include "cpu/plan.h"
#include "gdln/model.h"

namespace {

int failures = 0;

void check(bool ok, const std::string& what) {
  if (!ok) {
    ++failures;
    std::printf("FAIL %s\n", what.c_str());
  }
}

// Nodes: in_0..in_{M-1}, h1, h2, out_0..out_{M-1}. Edges: in_i→h1 (i), h1→h2 (M), h2→out_j (M+1+j).
gdln::Model routing_model(int M, int K, int S) {
  gdln::Model m;
  const int D = 3, H = 4, C = 2;
  const int n_nodes = 2 * M + 2;
  for (int v = 0; v < n_nodes; ++v) {
    m.graph.node_size.push_back(v < M ? D : v < M + 2 ? H : C);
    m.graph.activation.push_back(gdln::Activation::Linear);
    m.graph.activation_param.push_back(0);
  }
  for (int i = 0; i < M; ++i) m.graph.edge_source.push_back(i), m.graph.edge_target.push_back(M);
  m.graph.edge_source.push_back(M), m.graph.edge_target.push_back(M + 1);
  for (int j = 0; j < M; ++j) m.graph.edge_source.push_back(M + 1), m.graph.edge_target.push_back(M + 2 + j);
  const int N = M * K * S;
  m.data.n_samples = N;
  m.data.inputs.assign(n_nodes, {});
  m.data.targets.assign(n_nodes, {});
  m.data.edge_gates.assign(2 * M + 1, {});
  m.data.node_gate_mode.assign(n_nodes, gdln::GateMode::None);
  m.data.node_gates.assign(n_nodes, {});
  // Distinct inputs per sample: identical ones would share their encoder rows (plan.h,
  // shared prefixes) and the encoders would carry fewer than K·S rows.
  for (int v = 0; v < M; ++v) {
    m.data.inputs[v].resize(static_cast<size_t>(N) * D);
    for (size_t i = 0; i < m.data.inputs[v].size(); ++i) m.data.inputs[v][i] = 0.5 + static_cast<double>(i / D);
  }
  for (int v = M + 2; v < n_nodes; ++v) m.data.targets[v].assign(static_cast<size_t>(N) * C, 0.25);
  for (int e = 0; e < 2 * M + 1; ++e) {
    if (e != M) m.data.edge_gates[e].assign(N, 0.0);
  }
  for (int n = 0; n < N; ++n) {
    const int i = n / (K * S);
    const int j = (i + (n / S) % K) % M;
    m.data.edge_gates[i][n] = 1.0;
    m.data.edge_gates[M + 1 + j][n] = 1.0;
  }
  return m;
}

void check_routing(int M, int K, int S) {
  const gdln::Model model = routing_model(M, K, S);
  gdln::validate_model(model);
  const auto data = gdln::cpu::model_data_build<double>(model);
  const int N = M * K * S;
  std::vector<int32_t> rows(N);
  for (int n = 0; n < N; ++n) rows[n] = n;
  gdln::cpu::BatchPlan plan;
  gdln::cpu::plan_build(data, rows, true, plan);
  const std::string tag = "routing M=" + std::to_string(M) + " K=" + std::to_string(K);
  int64_t carried = 0;
  for (int i = 0; i < M; ++i) {
    check(plan.edges[i].n_active() == K * S, tag + ": encoder " + std::to_string(i) + " carries its K·S samples");
    // Samples are sorted by input domain: each encoder's rows are one block, read in place.
    check(plan.edges[i].contiguous && plan.edges[i].first_row() == i * K * S,
          tag + ": encoder " + std::to_string(i) + " rows are contiguous");
    carried += plan.edges[i].n_active();
  }
  check(plan.edges[M].full, tag + ": the shared edge carries every sample");
  for (int j = 0; j < M; ++j) {
    check(plan.edges[M + 1 + j].n_active() == K * S, tag + ": decoder " + std::to_string(j) + " carries its K·S samples");
    // Decoder j serves input domains j−K+1 … j: one block only when K = 1 or M = 1, or the blocks wrap into one range.
    if (K > 1 && M > K) check(!plan.edges[M + 1 + j].contiguous, tag + ": decoder rows are scattered");
  }
  // A dense masked implementation multiplies every encoder by every sample: M·N rows.
  check(carried * M == static_cast<int64_t>(M) * N, tag + ": encoders form N rows in all, not M·N");
}

// x → a → y and x → b → y; b's node gate is 0 on sample 1, so neither edge
// through b carries sample 1; edge x→a is gated off on sample 0, so a→y does
// not carry it either (a may not be non-zero there).
void check_small_rules() {
  gdln::Model m;
  m.graph.node_size = {2, 2, 2, 1};
  m.graph.activation.assign(4, gdln::Activation::Linear);
  m.graph.activation_param.assign(4, 0);
  m.graph.edge_source = {0, 0, 1, 2};
  m.graph.edge_target = {1, 2, 3, 3};
  m.data.n_samples = 3;
  m.data.inputs = {{1.0, 2.0, 3.0, 4.0, 5.0, 6.0}, {}, {}, {}};  // distinct: no shared prefixes
  m.data.targets = {{}, {}, {}, std::vector<double>(3, 1.0)};
  m.data.edge_gates = {{0.0, 1.0, 1.0}, {}, {}, {}};
  m.data.node_gate_mode = {gdln::GateMode::None, gdln::GateMode::None, gdln::GateMode::PerSample, gdln::GateMode::None};
  m.data.node_gates = {{}, {}, {1.0, 0.0, 1.0}, {}};
  gdln::validate_model(m);
  const auto data = gdln::cpu::model_data_build<double>(m);
  gdln::cpu::BatchPlan plan;
  gdln::cpu::plan_build(data, {0, 1, 2}, true, plan);
  check(plan.edges[0].active == std::vector<int32_t>{1, 2}, "x→a skips its gated-off sample 0");
  check(plan.edges[2].active == std::vector<int32_t>{1, 2}, "a→y skips sample 0, where a is zero");
  check(plan.edges[1].active == std::vector<int32_t>{0, 2}, "x→b skips sample 1, where b's node gate is 0");
  check(plan.edges[3].active == std::vector<int32_t>{0, 2}, "b→y skips sample 1, where b is zero");

  // Shared prefixes: with identical inputs, samples 1 and 2 reach a identically (same
  // gates), so x→a carries sample 1 only and a copies it to sample 2; b (gated per sample)
  // sees samples 0 and 2 identically as well. y differs by the set of active edges.
  m.data.inputs = {std::vector<double>(6, 1.0), {}, {}, {}};
  const auto same = gdln::cpu::model_data_build<double>(m);
  gdln::cpu::plan_build(same, {0, 1, 2}, true, plan);
  check(plan.edges[0].active == std::vector<int32_t>{1}, "x→a carries the representative 1 of {1, 2}");
  check(plan.dedup[1].dup_rows == std::vector<int32_t>{2} && plan.dedup[1].dup_rep == std::vector<int32_t>{1},
        "a copies sample 1 to sample 2");
  check(plan.edges[1].active == std::vector<int32_t>{0}, "x→b carries the representative 0 of {0, 2}");
  check(!plan.dedup[3].active(), "y: samples 0 (via b), 1 (via a), 2 (both) differ");
  check(plan.edges[2].active == std::vector<int32_t>{1, 2} && plan.edges[3].active == std::vector<int32_t>{0, 2},
        "a→y, b→y carry every distinct row");
}

}  // namespace

int main() {
  check_routing(10, 4, 8);
  check_routing(100, 40, 2);
  check_small_rules();
  std::printf("%s: %d failures\n", failures == 0 ? "OK" : "FAILED", failures);
  return failures == 0 ? 0 : 1;
}
