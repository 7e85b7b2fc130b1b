# CPU-only fallback build of gdln.node (no cmake, no CUDA, no OpenBLAS): run it
# with `npm run build:native:gyp` (scripts/build-gyp.js). The source lists come
# from native/sources.json, as in CMakeLists.txt; the per-ISA GEMM files are
# compiled in their own targets so only they get -mavx2 / -mavx512* flags (on
# x86-64; elsewhere they compile to stubs the GEMM dispatcher skips).
{
  "variables": {"x86": "target_arch=='x64' and OS!='win'"},
  "target_defaults": {
    "include_dirs": ["native/include", "native"],
    "cflags_cc!": ["-fno-exceptions", "-fno-rtti", "-std=gnu++17", "-std=gnu++20"],
    "cflags_cc": ["-O3", "-std=c++17", "-fexceptions"],
    "xcode_settings": {"CLANG_CXX_LANGUAGE_STANDARD": "c++17", "GCC_ENABLE_CPP_EXCEPTIONS": "YES"},
    "msvs_settings": {"VCCLCompilerTool": {"ExceptionHandling": 1, "AdditionalOptions": ["/std:c++17"]}},
  },
  "targets": [
    {"target_name": "gdln_gemm_avx2", "type": "static_library",
     "sources": ["<!@(node -p \"require('./native/sources.json').gemm_avx2.join(' ')\")"],
     "conditions": [["<(x86)", {"cflags_cc": ["-mavx2", "-mfma"]}]]},
    {"target_name": "gdln_gemm_avx512", "type": "static_library",
     "sources": ["<!@(node -p \"require('./native/sources.json').gemm_avx512.join(' ')\")"],
     "conditions": [["<(x86)", {"cflags_cc": ["-mavx512f", "-mavx512dq", "-mavx512bw", "-mavx512vl", "-mfma"]}]]},
    {"target_name": "gdln", "dependencies": ["gdln_gemm_avx2", "gdln_gemm_avx512"],
     "sources": ["<!@(node -p \"const s = require('./native/sources.json'); [...s.core, ...s.cpu, ...s.gemm, ...s.binding, ...s.cuda_stub].join(' ')\")"],
     "include_dirs": ["<!(node -p \"require('node-addon-api').include_dir\")"],
     "defines": ["NAPI_VERSION=8", "NAPI_CPP_EXCEPTIONS",
                 "GDLN_VERSION=\"<!(node -p \"require('./package.json').version\")\""]},
  ],
}
