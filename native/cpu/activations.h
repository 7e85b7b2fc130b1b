// native/cpu/activations.h — the node nonlinearities φ and their derivatives,
// shared by the optimised CPU kernels and the *_ref reference kernels so the
// two cannot disagree on a convention.
//
// Conventions (docs/architecture.md): φ(0) = 0 for every activation (this is
// what makes skipping gated-off samples exact); relu(a) = step(a)·a with
// relu'(0) = 0; leaky(a) = a for a > 0 else slope·a, so leaky'(0) = slope;
// tanh'(a) = 1 − tanh²(a).
#pragma once

#include <cmath>
#include <cstdint>

#include "gdln/model.h"

namespace gdln {
namespace cpu {

template <typename T>
inline T activate(Activation act, T slope, T a) {
  switch (act) {
    case Activation::Relu:
      return a > T(0) ? a : T(0);
    case Activation::LeakyRelu:
      return a > T(0) ? a : slope * a;
    case Activation::Tanh:
      return std::tanh(a);
    case Activation::Linear:
    default:
      return a;
  }
}

template <typename T>
inline T activate_derivative(Activation act, T slope, T a) {
  switch (act) {
    case Activation::Relu:
      return a > T(0) ? T(1) : T(0);
    case Activation::LeakyRelu:
      return a > T(0) ? T(1) : slope;
    case Activation::Tanh: {
      const T th = std::tanh(a);
      return T(1) - th * th;
    }
    case Activation::Linear:
    default:
      return T(1);
  }
}

// h[k] = φ(a[k]) for k < n. The switch sits outside the loop so each case is
// a plain vectorisable loop.
template <typename T>
inline void activate_row(Activation act, T slope, const T* a, T* h, int64_t n) {
  switch (act) {
    case Activation::Relu:
      for (int64_t k = 0; k < n; ++k) h[k] = a[k] > T(0) ? a[k] : T(0);
      break;
    case Activation::LeakyRelu:
      for (int64_t k = 0; k < n; ++k) h[k] = a[k] > T(0) ? a[k] : slope * a[k];
      break;
    case Activation::Tanh:
      for (int64_t k = 0; k < n; ++k) h[k] = std::tanh(a[k]);
      break;
    case Activation::Linear:
    default:
      for (int64_t k = 0; k < n; ++k) h[k] = a[k];
      break;
  }
}

// d[k] *= φ'(a[k]) for k < n (turns ∂L/∂φ into ∂L/∂a).
template <typename T>
inline void scale_by_derivative_row(Activation act, T slope, const T* a, T* d, int64_t n) {
  switch (act) {
    case Activation::Relu:
      for (int64_t k = 0; k < n; ++k) d[k] = a[k] > T(0) ? d[k] : T(0);
      break;
    case Activation::LeakyRelu:
      for (int64_t k = 0; k < n; ++k) d[k] = a[k] > T(0) ? d[k] : slope * d[k];
      break;
    case Activation::Tanh:
      for (int64_t k = 0; k < n; ++k) {
        const T th = std::tanh(a[k]);
        d[k] *= T(1) - th * th;
      }
      break;
    case Activation::Linear:
    default:
      break;
  }
}

}  // namespace cpu
}  // namespace gdln
