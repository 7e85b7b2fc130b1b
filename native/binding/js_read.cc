// js_read.cc — see js_read.h.
#include "js_read.h"

#include <cmath>
#include <cstring>

#include "gdln/status.h"

namespace gdln::binding {
namespace {

const char* typed_array_name(napi_typedarray_type type) {
  switch (type) {
    case napi_int8_array: return "Int8Array";
    case napi_uint8_array: return "Uint8Array";
    case napi_uint8_clamped_array: return "Uint8ClampedArray";
    case napi_int16_array: return "Int16Array";
    case napi_uint16_array: return "Uint16Array";
    case napi_int32_array: return "Int32Array";
    case napi_uint32_array: return "Uint32Array";
    case napi_float32_array: return "Float32Array";
    case napi_float64_array: return "Float64Array";
    case napi_bigint64_array: return "BigInt64Array";
    case napi_biguint64_array: return "BigUint64Array";
    default: return "TypedArray";
  }
}

// "an Int32Array", "a Float64Array": messages read as plain English.
std::string with_article(const std::string& noun) {
  const bool vowel = !noun.empty() && std::string("AEIOUaeiou").find(noun[0]) != std::string::npos;
  return (vowel ? "an " : "a ") + noun;
}

bool is_detached(const Napi::TypedArray& array) {
  // A typed array over a transferred/detached buffer reports length 0; reading
  // it as "empty" would turn a caller bug into a confusing shape error.
  // The buffer comes from napi_get_typedarray_info, not the (overridable)
  // `buffer` property; a SharedArrayBuffer can never be detached.
  return array.ArrayBuffer().IsDetached();
}

// Checks the element type and attachment, then returns the typed array.
template <typename T>
Napi::TypedArrayOf<T> read_typed(const Napi::Value& value, const std::string& name,
                                 napi_typedarray_type type) {
  const std::string what = with_article(typed_array_name(type));
  if (!value.IsTypedArray()) fail_expected(codes::kInvalidArgument, what, name, value);
  Napi::TypedArray array = value.As<Napi::TypedArray>();
  if (array.TypedArrayType() != type) fail_expected(codes::kInvalidArgument, what, name, value);
  if (is_detached(array)) {
    fail_expected(codes::kInvalidArgument, what + " over a live (not detached) ArrayBuffer",
                  name, value);
  }
  return value.As<Napi::TypedArrayOf<T>>();
}

template <typename T>
std::vector<T> copy_out(const Napi::TypedArrayOf<T>& array) {
  const size_t n = array.ElementLength();
  std::vector<T> out(n);
  // Data() already includes byteOffset (Buffer-pool slices are fine).
  if (n > 0) std::memcpy(out.data(), array.Data(), n * sizeof(T));
  return out;
}

}  // namespace

std::string describe(const Napi::Value& value) {
  if (value.IsEmpty() || value.IsUndefined()) return "undefined";
  if (value.IsNull()) return "null";
  if (value.IsBoolean()) return value.As<Napi::Boolean>().Value() ? "true" : "false";
  if (value.IsNumber()) {
    const double x = value.As<Napi::Number>().DoubleValue();
    if (std::isnan(x)) return "NaN";
    if (std::isinf(x)) return x > 0 ? "Infinity" : "-Infinity";
    return value.ToString().Utf8Value();
  }
  if (value.IsString()) {
    std::string s = value.As<Napi::String>().Utf8Value();
    if (s.size() > 40) s = s.substr(0, 40) + "...";
    return "\"" + s + "\"";
  }
  if (value.IsTypedArray()) {
    Napi::TypedArray array = value.As<Napi::TypedArray>();
    const std::string type = typed_array_name(array.TypedArrayType());
    if (is_detached(array)) return "detached " + type;
    return type + "(" + std::to_string(array.ElementLength()) + ")";
  }
  if (value.IsArray()) return "array(" + std::to_string(value.As<Napi::Array>().Length()) + ")";
  if (value.IsArrayBuffer()) return "ArrayBuffer";
  if (value.IsFunction()) return "function";
  if (value.IsBigInt()) return "bigint";
  if (value.IsSymbol()) return "symbol";
  return "object";
}

void fail_expected(const char* code, const std::string& what, const std::string& name,
                   const Napi::Value& value) {
  throw gdln::Error(code, "Expected " + what + " for " + name + " but received " +
                              describe(value));
}

Napi::Object read_object(const Napi::Value& value, const std::string& name) {
  if (!value.IsObject() || value.IsArray() || value.IsFunction() || value.IsTypedArray()) {
    fail_expected(codes::kInvalidArgument, "an object", name, value);
  }
  return value.As<Napi::Object>();
}

Napi::Array read_array(const Napi::Value& value, const std::string& name) {
  if (!value.IsArray()) fail_expected(codes::kInvalidArgument, "an array", name, value);
  return value.As<Napi::Array>();
}

std::vector<int32_t> read_int32_array(const Napi::Value& value, const std::string& name) {
  return copy_out(read_typed<int32_t>(value, name, napi_int32_array));
}

std::vector<double> read_float64_array(const Napi::Value& value, const std::string& name) {
  return copy_out(read_typed<double>(value, name, napi_float64_array));
}

std::vector<double> read_optional_float64_array(const Napi::Value& value,
                                                const std::string& name) {
  if (value.IsNull() || value.IsUndefined()) return {};
  if (!value.IsTypedArray() || value.As<Napi::TypedArray>().TypedArrayType() != napi_float64_array) {
    fail_expected(codes::kInvalidArgument, "a Float64Array or null", name, value);
  }
  return read_float64_array(value, name);
}

std::vector<std::vector<double>> read_float64_list(const Napi::Value& value,
                                                   const std::string& name,
                                                   bool allow_null) {
  Napi::Array list = read_array(value, name);
  const uint32_t n = list.Length();
  std::vector<std::vector<double>> out;
  out.reserve(n);
  for (uint32_t i = 0; i < n; ++i) {
    const std::string item = name + "[" + std::to_string(i) + "]";
    Napi::Value element = list.Get(i);
    out.push_back(allow_null ? read_optional_float64_array(element, item)
                             : read_float64_array(element, item));
  }
  return out;
}

double read_finite(const Napi::Value& value, const std::string& name) {
  if (!value.IsNumber()) fail_expected(codes::kInvalidArgument, "a finite number", name, value);
  const double x = value.As<Napi::Number>().DoubleValue();
  if (!std::isfinite(x)) fail_expected(codes::kInvalidArgument, "a finite number", name, value);
  return x;
}

int64_t read_integer(const Napi::Value& value, const std::string& name, int64_t min,
                     int64_t max) {
  const std::string what =
      "an integer in [" + std::to_string(min) + ", " + std::to_string(max) + "]";
  if (!value.IsNumber()) fail_expected(codes::kInvalidArgument, what, name, value);
  const double x = value.As<Napi::Number>().DoubleValue();
  // Compare as doubles first so NaN, ±Infinity and huge values never reach the
  // (undefined-behaviour) double -> int64 cast.
  if (!std::isfinite(x) || std::floor(x) != x || x < static_cast<double>(min) ||
      x > static_cast<double>(max)) {
    fail_expected(codes::kInvalidArgument, what, name, value);
  }
  return static_cast<int64_t>(x);
}

int read_choice(const Napi::Value& value, const std::string& name,
                const std::vector<const char*>& choices) {
  std::string what = "one of";
  for (size_t i = 0; i < choices.size(); ++i) {
    what += (i == 0 ? " \"" : ", \"") + std::string(choices[i]) + "\"";
  }
  if (!value.IsString()) fail_expected(codes::kInvalidArgument, what, name, value);
  const std::string s = value.As<Napi::String>().Utf8Value();
  for (size_t i = 0; i < choices.size(); ++i) {
    if (s == choices[i]) return static_cast<int>(i);
  }
  fail_expected(codes::kInvalidArgument, what, name, value);
}

}  // namespace gdln::binding
