// js_errors.cc — see js_errors.h.
#include "js_errors.h"

#include <new>
#include <stdexcept>

namespace gdln::binding {

ErrorInfo describe_exception(const std::exception_ptr& error) noexcept {
  try {
    try {
      std::rethrow_exception(error);
    } catch (const gdln::Error& e) {
      return {e.code(), e.what()};
    } catch (const std::bad_alloc&) {
      return {codes::kInternal, "gdln native code ran out of memory"};
    } catch (const std::exception& e) {
      return {codes::kInternal, std::string("gdln native code failed: ") + e.what()};
    } catch (...) {
      return {codes::kInternal, "gdln native code threw a non-standard exception"};
    }
  } catch (...) {
    // Copying the message itself failed (out of memory): return an empty
    // info, which coded_error() fills with a generic GDLN_INTERNAL text.
    return {};
  }
}

Napi::Error coded_error(Napi::Env env, const ErrorInfo& info) {
  const std::string code = info.code.empty() ? codes::kInternal : info.code;
  const std::string message = info.message.empty() ? "gdln native failure" : info.message;
  Napi::Error error = Napi::Error::New(env, message);
  error.Set("code", Napi::String::New(env, code));
  return error;
}

}  // namespace gdln::binding
