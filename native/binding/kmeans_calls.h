// kmeans_calls.h — the synchronous k-means export (native/cpu/kmeans.h).
//
//   kmeans(source, options) -> { distinct, totalRows, results: [...] , distinctRows?, distinctCounts? }
//     source: { record: handle, selection: {runs, snapshots, layers} } (rows of
//             a GatingRecord, packed, never copied to JS), or
//             { rows: Uint8Array | Float32Array, d } (row-major [n, d] of 0/1,
//             read in place: the call is synchronous);
//     options: { ks: Int32Array, restarts, seed, maxIter, tol,
//                labels: 'none' | 'distinct' | 'rows', threads };
//     one de-duplication, then one weighted k-means per k in ks.
// Errors: GDLN_INVALID_ARGUMENT (k ≤ 0, k > distinct rows, non-binary
// values, no rows, a bad handle), GDLN_NON_FINITE (NaN / Inf), GDLN_DISPOSED,
// GDLN_SHAPE_MISMATCH (rows.length not a multiple of d).
#pragma once

#include <napi.h>

namespace gdln::binding {

Napi::Value js_kmeans(const Napi::CallbackInfo& info);

}  // namespace gdln::binding
