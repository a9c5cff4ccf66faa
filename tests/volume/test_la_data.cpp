// The real LA volumes (24 of the lineage's 80 training cases), read through
// the shipped descriptions. Skipped when the data folder is absent.
#include <cstdlib>

#include "lib/volume/dataset.h"
#include "test_util.h"

namespace flowrun {
namespace {

namespace fs = std::filesystem;

std::string la_dir() {
  const char* env = std::getenv("FLOWRUN_LA_DIR");
  return env && *env ? env : FLOWRUN_LA_DIR_DEFAULT;
}

TEST(LaData, All24CasesLoadWithTheExpectedShape) {
  const std::string dir = la_dir();
  if (!fs::is_directory(dir)) GTEST_SKIP() << "LA data not found at '" << dir << "' (set FLOWRUN_LA_DIR)";
  const auto d = DatasetDescription::load(std::string(FLOWRUN_SOURCE_DIR) + "/graphs/datasets/la_local.json", dir);
  std::vector<std::string> ids = d.split("train");
  for (const auto& s : {"val", "test"})
    for (const auto& id : d.split(s)) ids.push_back(id);
  ASSERT_EQ(ids.size(), 24u);
  d.check_cases(ids);
  for (const auto& id : ids) {
    const Case c = d.load_case(id, true);
    const auto& s = c.channels.at(0).size;
    EXPECT_GE(s[0], 148) << id;
    EXPECT_LE(s[0], 244) << id;
    EXPECT_GE(s[1], 132) << id;
    EXPECT_LE(s[1], 160) << id;
    EXPECT_EQ(s[2], 88) << id;
    EXPECT_EQ(c.channels[0].geometry.spacing, (std::array<double, 3>{0.625, 0.625, 0.625}));
    int64_t fg = 0;
    for (uint8_t v : c.label->data) {
      ASSERT_LE(v, 1) << id;
      fg += v;
    }
    // README: foreground is 4 % to 19 % of the voxels.
    const double frac = double(fg) / double(c.label->numel());
    EXPECT_GT(frac, 0.03) << id;
    EXPECT_LT(frac, 0.20) << id;
  }
}

TEST(LaData, FullDescriptionListsTheLineageSplit) {
  const std::string dir = la_dir();
  if (!fs::is_directory(dir)) GTEST_SKIP() << "LA data not found at '" << dir << "' (set FLOWRUN_LA_DIR)";
  const auto d = DatasetDescription::load(std::string(FLOWRUN_SOURCE_DIR) + "/graphs/datasets/la.json", dir);
  // The lineage's 80 training ids: the last 8 are carved off as val
  // (val_from_train), and the labelled fractions still count against 80.
  EXPECT_EQ(d.split("train").size(), 72u);
  EXPECT_EQ(d.split("val").size(), 8u);
  EXPECT_EQ(d.train_listed, 80u);
  EXPECT_EQ(d.split("test").size(), 20u);
  EXPECT_EQ(d.labeled_ids(0.05, std::nullopt).size(), 4u);
  EXPECT_EQ(d.labeled_ids(0.10, std::nullopt).size(), 8u);
  // Only the first 24 training cases are present: case 25 is reported by name.
  const std::string absent = d.split("train")[24];
  test::expect_error<InputError>([&] { d.check_cases({absent}); }, {"case '" + absent + "'", absent + ".h5"});
}

TEST(LaData, ShippedRootResolvesToTheSharedData) {
  const fs::path expected = fs::path(FLOWRUN_SOURCE_DIR) / ".." / "shared" / "data" / "LA";
  if (!fs::is_directory(expected)) GTEST_SKIP() << "LA data not found at '" << expected.string() << "'";
  const auto d = DatasetDescription::load(std::string(FLOWRUN_SOURCE_DIR) + "/graphs/datasets/la.json");
  EXPECT_EQ(fs::canonical(d.root), fs::canonical(expected));
}

}  // namespace
}  // namespace flowrun
