// native/test/check.h — the failure count of the plain C++ tests (no test
// framework): check() prints FAIL and counts, expect_error() checks the GDLN_*
// code a call throws; main() ends with `return finish("test_name")`.
#pragma once

#include <cstdio>
#include <string>

#include "gdln/status.h"

namespace gdln::test {

inline int failures = 0;

inline void check(bool ok, const std::string& what) {
  if (!ok) {
    ++failures;
    std::printf("FAIL %s\n", what.c_str());
  }
}

// fn() must throw a gdln::Error with this code (any other exception escapes).
template <typename Fn>
void expect_error(const char* code, Fn&& fn, const std::string& what) {
  try {
    fn();
    check(false, what + ": no error");
  } catch (const Error& e) {
    check(e.code() == code, what + ": code " + e.code() + " (" + e.what() + ")");
  }
}

// Prints "<name>: all passed" when nothing failed; the process exit code.
inline int finish(const char* name) {
  if (failures == 0) std::printf("%s: all passed\n", name);
  return failures == 0 ? 0 : 1;
}

}  // namespace gdln::test
