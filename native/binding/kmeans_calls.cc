// kmeans_calls.cc — see kmeans_calls.h.
#include "kmeans_calls.h"

#include <string>
#include <vector>

#include "cpu/kmeans.h"
#include "gdln/status.h"
#include "js_errors.h"
#include "js_read.h"
#include "relu_worker.h"

namespace gdln::binding {
namespace {

Napi::Float64Array to_f64(Napi::Env env, const std::vector<double>& v) {
  Napi::Float64Array a = Napi::Float64Array::New(env, v.size());
  std::copy(v.begin(), v.end(), a.Data());
  return a;
}

Napi::Int32Array to_i32(Napi::Env env, const std::vector<int32_t>& v) {
  Napi::Int32Array a = Napi::Int32Array::New(env, v.size());
  std::copy(v.begin(), v.end(), a.Data());
  return a;
}

}  // namespace

Napi::Value js_kmeans(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  return guarded(env, [&]() -> Napi::Value {
    Napi::Object src = read_object(info[0], "source");
    Napi::Object o = read_object(info[1], "options");
    std::vector<int32_t> ks = read_int32_array(o.Get("ks"), "ks");
    if (ks.empty()) throw gdln::Error(codes::kInvalidArgument, "Expected at least one k for ks but received none");
    reln::KmeansOptions base;
    base.restarts = read_integer(o.Get("restarts"), "restarts", 1, 1 << 20);
    base.seed = static_cast<uint32_t>(read_integer(o.Get("seed"), "seed", 0, 0xffffffffLL));
    base.max_iter = read_integer(o.Get("maxIter"), "maxIter", 1, int64_t{1} << 31);
    base.tol = read_finite(o.Get("tol"), "tol");
    const int labels_mode = read_choice(o.Get("labels"), "labels", {"none", "distinct", "rows"});
    const int threads = static_cast<int>(read_integer(o.Get("threads"), "threads", 0, 1024));
    for (int32_t k : ks) {
      base.k = k;
      reln::validate_kmeans_options(base);  // k ≤ 0 etc. before any work
    }
    ThreadPool pool(threads);

    // De-duplicate the source (and keep how to map rows back, if asked).
    reln::DistinctRows distinct;
    std::vector<int32_t> row_index;
    const bool want_rows = labels_mode == 2;
    if (src.Has("record") && !src.Get("record").IsUndefined()) {
      auto rec = record_from_js(src.Get("record"), "source.record");
      RecordSelection sel = selection_from_js(*rec, src.Get("selection"));
      std::vector<reln::PackedBlock> blocks;
      for (int64_t r : sel.runs)
        for (int64_t s : sel.snapshots)
          for (int64_t l : sel.layers)
            blocks.push_back({&rec->bits[static_cast<size_t>(rec->row_index(r, s, static_cast<int>(l), 0) * rec->words)],
                              rec->hidden[static_cast<size_t>(l)]});
      distinct = reln::dedup_packed(blocks, rec->n, pool);
      if (want_rows) row_index = reln::row_indices_packed(distinct, blocks, pool);
    } else {
      const int64_t d = read_integer(src.Get("d"), "source.d", 1, int64_t{1} << 31);
      Napi::Value rows = src.Get("rows");
      if (!rows.IsTypedArray()) fail_expected(codes::kInvalidArgument, "a Uint8Array or Float32Array", "source.rows", rows);
      Napi::TypedArray ta = rows.As<Napi::TypedArray>();
      if (ta.ArrayBuffer().IsDetached()) fail_expected(codes::kInvalidArgument, "a live (not detached) typed array", "source.rows", rows);
      const int64_t len = static_cast<int64_t>(ta.ElementLength());
      if (len % d != 0) {
        throw gdln::Error(codes::kShapeMismatch, "Expected a multiple of d = " + std::to_string(d) +
                                                      " values for source.rows but received " + std::to_string(len));
      }
      const int64_t n = len / d;
      if (ta.TypedArrayType() == napi_uint8_array) {
        const uint8_t* data = rows.As<Napi::Uint8Array>().Data();
        distinct = reln::dedup_uint8(data, n, d, pool);
        if (want_rows) row_index = reln::row_indices_uint8(distinct, data, n, pool);
      } else if (ta.TypedArrayType() == napi_float32_array) {
        const float* data = rows.As<Napi::Float32Array>().Data();
        distinct = reln::dedup_float32(data, n, d, pool);
        if (want_rows) row_index = reln::row_indices_float32(distinct, data, n, pool);
      } else {
        fail_expected(codes::kInvalidArgument, "a Uint8Array or Float32Array", "source.rows", rows);
      }
    }

    std::vector<reln::KmeansResult> results;
    for (int32_t k : ks) {
      base.k = k;
      results.push_back(reln::kmeans_weighted(distinct, base, pool));
    }

    Napi::Object out = Napi::Object::New(env);
    out.Set("distinct", Napi::Number::New(env, static_cast<double>(distinct.size())));
    out.Set("totalRows", Napi::Number::New(env, static_cast<double>(distinct.total_rows)));
    out.Set("d", Napi::Number::New(env, static_cast<double>(distinct.d)));
    Napi::Array list = Napi::Array::New(env, results.size());
    for (size_t i = 0; i < results.size(); ++i) {
      const reln::KmeansResult& r = results[i];
      Napi::Object x = Napi::Object::New(env);
      x.Set("k", Napi::Number::New(env, static_cast<double>(r.k)));
      x.Set("centroids", to_f64(env, r.centroids));
      x.Set("sizes", to_f64(env, r.sizes));
      x.Set("inertia", Napi::Number::New(env, r.inertia));
      x.Set("nIter", Napi::Number::New(env, static_cast<double>(r.n_iter)));
      x.Set("bestRestart", Napi::Number::New(env, static_cast<double>(r.best_restart)));
      x.Set("restartInertia", to_f64(env, r.restart_inertia));
      if (labels_mode == 1) x.Set("labels", to_i32(env, r.labels));
      if (labels_mode == 2) {
        Napi::Int32Array a = Napi::Int32Array::New(env, row_index.size());
        int32_t* p = a.Data();
        for (size_t j = 0; j < row_index.size(); ++j) p[j] = r.labels[static_cast<size_t>(row_index[j])];
        x.Set("labels", a);
      }
      list.Set(static_cast<uint32_t>(i), x);
    }
    out.Set("results", list);
    if (labels_mode == 1) {
      const int64_t u = distinct.size(), d = distinct.d;
      Napi::Uint8Array rows = Napi::Uint8Array::New(env, static_cast<size_t>(u * d));
      uint8_t* p = rows.Data();
      for (int64_t i = 0; i < u; ++i)
        for (int64_t b = 0; b < d; ++b)
          *p++ = static_cast<uint8_t>((distinct.codes[static_cast<size_t>(i * distinct.words + b / 64)] >> (b % 64)) & 1u);
      out.Set("distinctRows", rows);
      out.Set("distinctCounts", to_f64(env, distinct.weights));
    }
    return out;
  });
}

}  // namespace gdln::binding
