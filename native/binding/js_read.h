// js_read.h — typed reads of JS values for the converters in convert.cc. Each
// reader checks the JS type before touching the value and names the field in
// the error ("Expected <what> for <name> but received <value>", the message
// form of lib/errors.ts), throwing gdln::Error so the caller's guarded() turns
// it into a coded JS Error. Typed arrays are copied into std::vector here, on
// the JS thread, so the compute thread never sees JS memory (a caller may
// reuse or transfer its buffers as soon as the call returns).
#pragma once

#include <napi.h>

#include <cstdint>
#include <string>
#include <vector>

namespace gdln::binding {

// "Float64Array(12)", "array(3)", "\"abc\"", "null", "NaN", ... for messages.
std::string describe(const Napi::Value& value);

// Throws gdln::Error(code, "Expected <what> for <name> but received <value>").
[[noreturn]] void fail_expected(const char* code, const std::string& what,
                                const std::string& name, const Napi::Value& value);

Napi::Object read_object(const Napi::Value& value, const std::string& name);
Napi::Array read_array(const Napi::Value& value, const std::string& name);

// Exactly an Int32Array / Float64Array (no coercion from other element types:
// silently converting a Float32Array would hide a caller's bug). A detached
// buffer is rejected with GDLN_INVALID_ARGUMENT rather than read as length 0.
std::vector<int32_t> read_int32_array(const Napi::Value& value, const std::string& name);
std::vector<double> read_float64_array(const Napi::Value& value, const std::string& name);

// A Float64Array, or null/undefined meaning "absent" (returned as empty).
std::vector<double> read_optional_float64_array(const Napi::Value& value,
                                                const std::string& name);

// A JS array of (Float64Array | null), e.g. model.inputs; null -> empty vector.
std::vector<std::vector<double>> read_float64_list(const Napi::Value& value,
                                                   const std::string& name,
                                                   bool allow_null);

// A finite number.
double read_finite(const Napi::Value& value, const std::string& name);
// An integer-valued number in [min, max] (both within ±2^53, exactly representable).
int64_t read_integer(const Napi::Value& value, const std::string& name, int64_t min,
                     int64_t max);
// One of the given strings; returns its index.
int read_choice(const Napi::Value& value, const std::string& name,
                const std::vector<const char*>& choices);

}  // namespace gdln::binding
