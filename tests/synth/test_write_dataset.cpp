// The synthetic dataset on disk: layout, lists, description, round trip and
// byte-for-byte reproducibility.
#include "lib/synth/write_dataset.h"

#include <filesystem>
#include <fstream>
#include <sstream>

#include <unistd.h>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "core/error.h"
#include "lib/synth/phantom.h"
#include "lib/volume/volume_io.h"

namespace flowrun {
namespace {

namespace fs = std::filesystem;

std::string slurp(const fs::path& p) {
  std::ifstream f(p, std::ios::binary);
  std::stringstream ss;
  ss << f.rdbuf();
  return ss.str();
}

SynthOptions small() {
  SynthOptions o;
  o.cases = 3;
  o.size = {24, 20, 16};
  return o;
}

class WriteDataset : public ::testing::Test {
 protected:
  void SetUp() override {
    root_ = fs::temp_directory_path() /
            ("flowrun_synth_" + std::string(::testing::UnitTest::GetInstance()->current_test_info()->name()) +
             "_" + std::to_string(::getpid()));
    fs::remove_all(root_);
  }
  void TearDown() override { fs::remove_all(root_); }
  fs::path root_;
};

TEST_F(WriteDataset, LayoutListsAndDescription) {
  write_synthetic_dataset(root_.string(), small());
  for (const char* id : {"case_000", "case_001", "case_002"}) {
    EXPECT_TRUE(fs::exists(root_ / "images" / (std::string(id) + "_0000.nii.gz"))) << id;
    EXPECT_TRUE(fs::exists(root_ / "labels" / (std::string(id) + ".nii.gz"))) << id;
  }
  EXPECT_EQ(slurp(root_ / "train.list"), "case_000\ncase_001\n");
  EXPECT_EQ(slurp(root_ / "test.list"), "case_002\n");
  const nlohmann::json d = nlohmann::json::parse(slurp(root_ / "synthetic.json"));
  EXPECT_EQ(d.at("name"), "synthetic");
  EXPECT_EQ(d.at("root"), ".");
  EXPECT_EQ(d.at("channels"), nlohmann::json::array({"MR"}));
  EXPECT_EQ(d.at("labels").at("1"), "organ");
  EXPECT_EQ(d.at("image"), nlohmann::json::array({"images/{id}_0000.nii.gz"}));
  EXPECT_EQ(d.at("label"), "labels/{id}.nii.gz");
  EXPECT_EQ(d.at("splits").at("train"), "train.list");
  EXPECT_EQ(d.at("splits").at("test"), "test.list");
  EXPECT_DOUBLE_EQ(d.at("labeled_fraction").get<double>(), 0.2);
}

TEST_F(WriteDataset, VolumesRoundTripWithSpacing) {
  const SynthOptions o = small();
  write_synthetic_dataset(root_.string(), o);
  const auto [img, lab] = make_phantom(o, 1);
  const ImageVolume rimg = read_image((root_ / "images" / "case_001_0000.nii.gz").string());
  const LabelVolume rlab = read_label((root_ / "labels" / "case_001.nii.gz").string());
  EXPECT_EQ(rimg.size, img.size);
  EXPECT_EQ(rimg.data, img.data);
  EXPECT_EQ(rlab.data, lab.data);
  for (int a = 0; a < 3; ++a) EXPECT_NEAR(rimg.geometry.spacing[a], o.spacing[a], 1e-6);
}

TEST_F(WriteDataset, SameSeedSameBytesOtherSeedOtherBytes) {
  SynthOptions o = small();
  write_synthetic_dataset((root_ / "a").string(), o);
  write_synthetic_dataset((root_ / "b").string(), o);
  o.seed = 99;
  write_synthetic_dataset((root_ / "c").string(), o);
  for (const char* rel : {"images/case_000_0000.nii.gz", "labels/case_002.nii.gz", "synthetic.json"}) {
    EXPECT_EQ(slurp(root_ / "a" / rel), slurp(root_ / "b" / rel)) << rel;
    EXPECT_FALSE(slurp(root_ / "a" / rel).empty()) << rel;
  }
  EXPECT_NE(slurp(root_ / "a" / "images/case_000_0000.nii.gz"), slurp(root_ / "c" / "images/case_000_0000.nii.gz"));
  EXPECT_NE(slurp(root_ / "a" / "labels/case_002.nii.gz"), slurp(root_ / "c" / "labels/case_002.nii.gz"));
}

TEST_F(WriteDataset, SplitThatLeavesAListEmptyIsInputError) {
  SynthOptions o = small();
  o.cases = 1;
  EXPECT_THROW(write_synthetic_dataset(root_.string(), o), InputError);
  o.cases = 3;
  o.train_fraction = 1.0;
  EXPECT_THROW(write_synthetic_dataset(root_.string(), o), InputError);
}

}  // namespace
}  // namespace flowrun
