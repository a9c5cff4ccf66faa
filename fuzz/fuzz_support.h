// Shared by the fuzz targets: a private scratch folder, writing the input to
// a file there, and the line between expected and unexpected exceptions.
// An InputError is the answer to invalid input; any other exception escaping
// a parser (a raw nlohmann::json::exception, std::out_of_range from stoul,
// RunError, ...) breaks the promise of core/error.h and traps as a finding.
#pragma once

#include <cxxabi.h>
#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <filesystem>
#include <fstream>
#include <memory>
#include <string>
#include <typeinfo>

#include "core/error.h"

namespace flowrun::fuzz {

// One scratch folder per process under $TMPDIR, removed at exit.
inline const std::filesystem::path& scratch_dir(const char* target) {
  static const std::filesystem::path dir = [target] {
    std::string tmpl = (std::filesystem::temp_directory_path() / (std::string("flowrun_") + target + "_XXXXXX")).string();
    if (!mkdtemp(tmpl.data())) {
      std::perror("mkdtemp");
      std::abort();
    }
    std::atexit([] {
      std::error_code ec;
      std::filesystem::remove_all(dir, ec);
    });
    return std::filesystem::path(tmpl);
  }();
  return dir;
}

inline void write_file(const std::filesystem::path& p, const void* data, size_t size) {
  std::ofstream out(p, std::ios::binary | std::ios::trunc);
  out.write(static_cast<const char*>(data), static_cast<std::streamsize>(size));
  if (!out) {
    std::perror(p.c_str());
    std::abort();
  }
}

[[noreturn]] inline void finding(const char* target, const char* what, const std::string& message) {
  std::fprintf(stderr, "==flowrun-fuzz== %s: %s escaped: %s\n", target, what, message.substr(0, 2000).c_str());
  std::fflush(stderr);
  __builtin_trap();
}

inline std::string type_name(const std::exception& e) {
  int status = 0;
  std::unique_ptr<char, void (*)(void*)> d(abi::__cxa_demangle(typeid(e).name(), nullptr, nullptr, &status), std::free);
  return status == 0 && d ? d.get() : typeid(e).name();
}

// Runs f; InputError is expected, anything else is a finding.
template <class F>
void expect_only_input_errors(const char* target, F&& f) {
  try {
    f();
  } catch (const InputError& e) {
    // FLOWRUN_FUZZ_VERBOSE=1 shows what a seed is refused for.
    static const bool verbose = std::getenv("FLOWRUN_FUZZ_VERBOSE") != nullptr;
    if (verbose) std::fprintf(stderr, "InputError: %s\n", e.what());
  } catch (const std::exception& e) {
    finding(target, type_name(e).c_str(), e.what());
  } catch (...) {
    finding(target, "a non-std exception", "");
  }
}

}  // namespace flowrun::fuzz
