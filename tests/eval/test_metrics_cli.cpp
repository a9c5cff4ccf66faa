// `flowrun metrics PRED GT` end to end through the built binary: the shifted
// 4x4x4 cube of the lineage's worked example, --json keys, --label, physical
// units, and the refusals (shape mismatch, unreadable file) with exit code 2.
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <set>

#include <nlohmann/json.hpp>

#include "lib/volume/volume_io.h"

namespace fs = std::filesystem;
using nlohmann::json;

namespace flowrun {
namespace {

struct Output {
  int code;
  std::string text;
};

Output flowrun_cli(const std::string& args) {
  const std::string cmd = std::string("'") + FLOWRUN_BIN + "' " + args + " 2>&1";
  FILE* p = popen(cmd.c_str(), "r");
  if (!p) return {-1, ""};
  std::string text;
  char buf[4096];
  size_t n;
  while ((n = fread(buf, 1, sizeof buf, p)) > 0) text.append(buf, n);
  const int status = pclose(p);
  return {WIFEXITED(status) ? WEXITSTATUS(status) : -1, text};
}

LabelVolume cube(std::array<int64_t, 3> size, int64_t x0, uint8_t value = 1) {
  LabelVolume v(size);
  for (int64_t x = x0; x < x0 + 4; ++x)
    for (int64_t y = 3; y < 7; ++y)
      for (int64_t z = 3; z < 7; ++z) v.at(x, y, z) = value;
  return v;
}

class MetricsCli : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("flowrun_metrics_cli_" + std::to_string(::getpid()));
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }
  std::string write(const LabelVolume& v, const std::string& name) {
    const std::string p = (dir_ / name).string();
    write_label(v, p);
    return "'" + p + "'";
  }
  fs::path dir_;
};

TEST_F(MetricsCli, ShiftedCubeInVoxelsAsJsonAndText) {
  const std::string gt = write(cube({10, 10, 10}, 3), "gt.nii.gz");
  const std::string pred = write(cube({10, 10, 10}, 4), "pred.nii.gz");
  Output o = flowrun_cli("metrics " + pred + " " + gt + " --voxel --json");
  ASSERT_EQ(o.code, 0) << o.text;
  const json j = json::parse(o.text);
  std::set<std::string> keys;
  for (auto& [k, v] : j.items()) keys.insert(k);
  EXPECT_EQ(keys, (std::set<std::string>{"dice", "jaccard", "hd95", "asd", "units", "empty"}));
  EXPECT_NEAR(j["dice"].get<double>(), 0.75, 1e-12);
  EXPECT_NEAR(j["jaccard"].get<double>(), 0.6, 1e-12);
  EXPECT_NEAR(j["hd95"].get<double>(), 1.0, 1e-9);
  EXPECT_NEAR(j["asd"].get<double>(), 0.357143, 1e-6);
  EXPECT_EQ(j["units"], "voxel");
  EXPECT_FALSE(j["empty"].get<bool>());

  o = flowrun_cli("metrics " + pred + " " + gt + " --voxel");
  ASSERT_EQ(o.code, 0) << o.text;
  EXPECT_NE(o.text.find("dice     0.750000"), std::string::npos) << o.text;
  EXPECT_NE(o.text.find("asd      0.357143 voxel"), std::string::npos) << o.text;
}

TEST_F(MetricsCli, PhysicalUnitsFollowTheReferenceSpacing) {
  LabelVolume g = cube({10, 10, 10}, 3), p = cube({10, 10, 10}, 4);
  g.geometry.spacing = p.geometry.spacing = {2.0, 1.0, 1.0};  // the shift is along x: 2 mm
  const Output o = flowrun_cli("metrics " + write(p, "p.nii.gz") + " " + write(g, "g.nii.gz") + " --json");
  ASSERT_EQ(o.code, 0) << o.text;
  const json j = json::parse(o.text);
  EXPECT_EQ(j["units"], "mm");
  EXPECT_NEAR(j["hd95"].get<double>(), 2.0, 1e-9);
  EXPECT_NEAR(j["dice"].get<double>(), 0.75, 1e-12);
}

TEST_F(MetricsCli, LabelSelectsOneValue) {
  LabelVolume g = cube({10, 10, 10}, 3, 2), p = cube({10, 10, 10}, 4, 2);
  for (int64_t z = 0; z < 10; ++z) p.at(0, 0, z) = 1;  // another label, ignored with --label 2
  const std::string ps = write(p, "p2.nii.gz"), gs = write(g, "g2.nii.gz");
  Output o = flowrun_cli("metrics " + ps + " " + gs + " --voxel --json --label 2");
  ASSERT_EQ(o.code, 0) << o.text;
  EXPECT_NEAR(json::parse(o.text)["dice"].get<double>(), 0.75, 1e-12);
  o = flowrun_cli("metrics " + ps + " " + gs + " --voxel --json");  // default: every value > 0
  ASSERT_EQ(o.code, 0) << o.text;
  EXPECT_NEAR(json::parse(o.text)["dice"].get<double>(), 96.0 / 138.0, 1e-12);
  o = flowrun_cli("metrics " + ps + " " + gs + " --voxel --json --label 3");  // absent from both
  ASSERT_EQ(o.code, 0) << o.text;
  EXPECT_TRUE(json::parse(o.text)["empty"].get<bool>());
}

TEST_F(MetricsCli, ShapeMismatchAndUnreadableFileExitTwo) {
  const std::string a = write(cube({10, 10, 10}, 3), "a.nii.gz");
  const std::string b = write(cube({10, 10, 12}, 3), "b.nii.gz");
  Output o = flowrun_cli("metrics " + a + " " + b);
  EXPECT_EQ(o.code, 2) << o.text;
  EXPECT_NE(o.text.find("10x10x10"), std::string::npos) << o.text;
  EXPECT_NE(o.text.find("10x10x12"), std::string::npos) << o.text;
  o = flowrun_cli("metrics " + a + " '" + (dir_ / "missing.nii.gz").string() + "'");
  EXPECT_EQ(o.code, 2) << o.text;
  EXPECT_NE(o.text.find("missing.nii.gz"), std::string::npos) << o.text;
  std::ofstream(dir_ / "junk.nii.gz") << "not a volume";
  o = flowrun_cli("metrics " + a + " '" + (dir_ / "junk.nii.gz").string() + "'");
  EXPECT_EQ(o.code, 2) << o.text;
  o = flowrun_cli("metrics " + a);  // usage error
  EXPECT_EQ(o.code, 2) << o.text;
}

}  // namespace
}  // namespace flowrun
