// js_errors.h — how native failures become JS errors. Every exported function
// runs its body through guarded(): a gdln::Error becomes a JS Error whose
// `code` is the GDLN_* string, any other C++ exception becomes GDLN_INTERNAL.
// Nothing may escape as a C++ exception, because node-addon-api only converts
// Napi::Error and anything else would terminate the process.
#pragma once

#include <napi.h>

#include <exception>
#include <string>

#include "gdln/status.h"

namespace gdln::binding {

// A code + message pair that can cross threads (no JS values inside).
struct ErrorInfo {
  std::string code;
  std::string message;
};

// Classifies an in-flight exception (gdln::Error keeps its code; bad_alloc and
// other std::exceptions are GDLN_INTERNAL). Never throws.
ErrorInfo describe_exception(const std::exception_ptr& error) noexcept;

// new Error(message) with error.code = code.
Napi::Error coded_error(Napi::Env env, const ErrorInfo& info);

// Runs body(); converts any non-JS exception into a coded JS exception.
template <typename Body>
Napi::Value guarded(Napi::Env env, Body&& body) {
  try {
    return body();
  } catch (const Napi::Error&) {
    throw;  // already a JS exception (e.g. a throwing getter): keep it as is
  } catch (...) {
    throw coded_error(env, describe_exception(std::current_exception()));
  }
}

}  // namespace gdln::binding
