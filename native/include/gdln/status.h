// gdln/status.h — the one exception type the native core throws. The binding
// turns it into a JS Error whose `code` is the GDLN_* string, so the TS layer
// can rethrow it as a typed GdlnError. No assert/abort anywhere in the core:
// bad input must never take the host process down.
#pragma once

#include <stdexcept>
#include <string>

namespace gdln {

class Error : public std::runtime_error {
 public:
  Error(std::string code, const std::string& message)
      : std::runtime_error(message), code_(std::move(code)) {}
  const std::string& code() const noexcept { return code_; }

 private:
  std::string code_;
};

// Codes shared with lib/errors.ts (keep the two lists in step).
namespace codes {
inline constexpr const char* kShapeMismatch = "GDLN_SHAPE_MISMATCH";
inline constexpr const char* kCycle = "GDLN_CYCLE";
inline constexpr const char* kNonFinite = "GDLN_NON_FINITE";
inline constexpr const char* kInvalidArgument = "GDLN_INVALID_ARGUMENT";
inline constexpr const char* kUnknownNode = "GDLN_UNKNOWN_NODE";
inline constexpr const char* kNoInputNode = "GDLN_NO_INPUT_NODE";
inline constexpr const char* kNoOutputNode = "GDLN_NO_OUTPUT_NODE";
inline constexpr const char* kUnsupported = "GDLN_UNSUPPORTED";
inline constexpr const char* kNoCudaBuild = "GDLN_NO_CUDA_BUILD";
inline constexpr const char* kNoCudaDevice = "GDLN_NO_CUDA_DEVICE";
inline constexpr const char* kDiverged = "GDLN_DIVERGED";
inline constexpr const char* kInternal = "GDLN_INTERNAL";
}  // namespace codes

}  // namespace gdln
