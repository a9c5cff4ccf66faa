// Helpers shared by the prepare tests: a fresh temp folder per test.
#pragma once

#include <gtest/gtest.h>

#include <filesystem>
#include <string>

namespace flowrun {

inline std::filesystem::path fresh_dir() {
  const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
  std::filesystem::path d = std::filesystem::path(::testing::TempDir()) / "flowrun_prepare" /
                            (std::string(info->test_suite_name()) + "." + info->name());
  std::filesystem::remove_all(d);
  std::filesystem::create_directories(d);
  return d;
}

}  // namespace flowrun
