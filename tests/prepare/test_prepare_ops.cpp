// The prepare rules on tiny hand-made inputs: path patterns and case
// discovery, the lineage LA crop, the brain box, the background-keeping
// binarisation and the splits.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "tests/support/expect_error.h"
#include "core/error.h"
#include "nodes/prepare/prepare_ops.h"

#include "prepare_test_util.h"

namespace fs = std::filesystem;

namespace flowrun {
namespace {

void touch(const fs::path& p) {
  fs::create_directories(p.parent_path());
  std::ofstream(p) << "x";
}

using test_support::error_of;

TEST(CasePattern, SubstitutesIdAndTrailingDigits) {
  EXPECT_EQ(expand_case_pattern("{id}/{id}_flair.nii.gz", "BraTS19_A_1"), "BraTS19_A_1/BraTS19_A_1_flair.nii.gz");
  EXPECT_EQ(expand_case_pattern("labels/label{num}.nii.gz", "PANCREAS_0042"), "labels/label0042.nii.gz");
  const std::string msg = error_of<InputError>([] { expand_case_pattern("label{num}.nii", "case_x"); });
  EXPECT_NE(msg.find("case_x"), std::string::npos) << msg;
}

TEST(FindCases, DiscoversEveryEntryWhoseImagesExistAcrossSubdirs) {
  const fs::path d = fresh_dir();
  touch(d / "HGG" / "b" / "b_flair.nii.gz");
  touch(d / "HGG" / "b" / "b_t1.nii.gz");
  touch(d / "LGG" / "a" / "a_flair.nii.gz");
  touch(d / "LGG" / "a" / "a_t1.nii.gz");
  touch(d / "LGG" / "c" / "c_flair.nii.gz");  // lacks t1: not a case
  const auto cases = find_cases(d.string(), {"HGG", "LGG"}, {"{id}/{id}_flair.nii.gz", "{id}/{id}_t1.nii.gz"},
                                "{id}/{id}_seg.nii.gz", {});
  ASSERT_EQ(cases.size(), 2u);
  EXPECT_EQ(cases[0].id, "a");
  EXPECT_EQ(cases[0].images[1], (d / "LGG" / "a" / "a_t1.nii.gz").string());
  EXPECT_EQ(cases[0].label, (d / "LGG" / "a" / "a_seg.nii.gz").string());
  EXPECT_EQ(cases[1].id, "b");
  EXPECT_EQ(cases[1].images[0], (d / "HGG" / "b" / "b_flair.nii.gz").string());
}

TEST(FindCases, GivenIdsKeepTheirOrderAndAMissingOneIsNamed) {
  const fs::path d = fresh_dir();
  touch(d / "x2.nii");
  touch(d / "x1.nii");
  const auto cases = find_cases(d.string(), {""}, {"{id}.nii"}, "", {"x2", "x1"});
  ASSERT_EQ(cases.size(), 2u);
  EXPECT_EQ(cases[0].id, "x2");
  EXPECT_EQ(cases[0].label, "");
  const std::string msg = error_of<InputError>([&] { find_cases(d.string(), {""}, {"{id}.nii"}, "", {"x1", "x9"}); });
  EXPECT_NE(msg.find("case 'x9'"), std::string::npos) << msg;
  EXPECT_NE(msg.find("x9.nii"), std::string::npos) << msg;
  EXPECT_NE(error_of<InputError>([&] { find_cases(d.string(), {""}, {"{id}.nii"}, "", {"x1", "x1"}); }).find("twice"),
            std::string::npos);
  EXPECT_NE(error_of<InputError>([&] { find_cases(d.string(), {""}, {"{id}.nrrd"}, "", {}); }).find("no case found"),
            std::string::npos);
}

TEST(DescendToSeries, FollowsSingleFoldersDownToFiles) {
  const fs::path d = fresh_dir();
  touch(d / "case" / "study" / "series" / "1.dcm");
  EXPECT_EQ(descend_to_series((d / "case").string()), (d / "case" / "study" / "series").string());
  touch(d / "two" / "a" / "1.dcm");
  touch(d / "two" / "b" / "1.dcm");
  EXPECT_EQ(descend_to_series((d / "two").string()), (d / "two").string());
  EXPECT_EQ(descend_to_series((d / "case" / "study" / "series" / "1.dcm").string()),
            (d / "case" / "study" / "series" / "1.dcm").string());
}

TEST(LineageCrop, MatchesUaMtFormula) {
  LabelVolume l({50, 40, 10});
  for (int64_t x = 20; x <= 24; ++x) l.at(x, 30, 4) = 1;  // x extent [20, 24], y [30, 30], z [4, 4]
  // x: p = (10 - 4) / 2 = 3; lo = 20 - 2 - 1 - 3 = 14; hi = 24 + 2 + 0 + 3 = 29.
  // y: p = (10 - 0) / 2 = 5; lo = 30 - 2 - 0 - 5 = 23; hi = min(30 + 2 + 4 + 5, 40) = 40 (clipped).
  const Box b = lineage_crop_box(l, {10, 10, 10}, {2, 2, 2}, {1, 0, 0}, {0, 4, 0}, {true, true, false}, "c1");
  EXPECT_EQ(b.lo, (Index3{14, 23, 0}));
  EXPECT_EQ(b.hi, (Index3{29, 40, 10}));  // z not cropped
  const std::string msg = error_of<InputError>([] {
    lineage_crop_box(LabelVolume({4, 4, 4}), {2, 2, 2}, {0, 0, 0}, {0, 0, 0}, {0, 0, 0}, {true, true, true}, "empty1");
  });
  EXPECT_NE(msg.find("empty1"), std::string::npos) << msg;
}

TEST(ForegroundBox, IsTheUnionOverChannels) {
  ImageVolume a({6, 5, 4}, 0.0f), b({6, 5, 4}, 0.0f);
  a.at(1, 2, 3) = 5.0f;
  b.at(4, 1, 1) = -2.0f;
  const auto box = foreground_box({&a, &b});
  ASSERT_TRUE(box.has_value());
  EXPECT_EQ(box->lo, (Index3{1, 1, 1}));
  EXPECT_EQ(box->hi, (Index3{5, 3, 4}));
  ImageVolume z({3, 3, 3}, 0.0f);
  EXPECT_FALSE(foreground_box({&z}).has_value());
}

TEST(Binarize, AnyNonzeroOrListedValues) {
  LabelVolume l({1, 1, 5});
  l.data = {0, 1, 2, 4, 255};
  EXPECT_EQ(binarize(l, {}).data, (std::vector<uint8_t>{0, 1, 1, 1, 1}));
  EXPECT_EQ(binarize(l, {255}).data, (std::vector<uint8_t>{0, 0, 0, 0, 1}));
  EXPECT_EQ(binarize(l, {1, 4}).data, (std::vector<uint8_t>{0, 1, 0, 1, 0}));
}

TEST(Axes, ParsesLetters) {
  EXPECT_EQ(parse_axes("xy", "n"), (std::array<bool, 3>{true, true, false}));
  EXPECT_EQ(parse_axes("z", "n"), (std::array<bool, 3>{false, false, true}));
  EXPECT_THROW(parse_axes("xw", "n"), InputError);
}

TEST(SplitIds, LastCasesGoToTestAndValBeforeThem) {
  const std::vector<std::string> ids = {"c", "a", "e", "b", "d"};
  auto s = split_ids(ids, 2, 1, "sorted", 1);
  EXPECT_EQ(s["train"], (std::vector<std::string>{"a", "b"}));
  EXPECT_EQ(s["val"], (std::vector<std::string>{"c"}));
  EXPECT_EQ(s["test"], (std::vector<std::string>{"d", "e"}));
  s = split_ids(ids, 1, 0, "input", 1);
  EXPECT_EQ(s["train"], (std::vector<std::string>{"c", "a", "e", "b"}));
  EXPECT_EQ(s.count("val"), 0u);
  EXPECT_EQ(s["test"], (std::vector<std::string>{"d"}));
  // Shuffled: a pure function of the seed, and a permutation of the ids.
  const auto s1 = split_ids(ids, 2, 0, "shuffled", 7), s2 = split_ids(ids, 2, 0, "shuffled", 7);
  EXPECT_EQ(s1, s2);
  std::vector<std::string> all = s1.at("train");
  all.insert(all.end(), s1.at("test").begin(), s1.at("test").end());
  std::sort(all.begin(), all.end());
  EXPECT_EQ(all, (std::vector<std::string>{"a", "b", "c", "d", "e"}));
  bool differs = false;
  for (uint64_t seed = 1; seed < 20 && !differs; ++seed) differs = split_ids(ids, 2, 0, "shuffled", seed) != s1;
  EXPECT_TRUE(differs);
  EXPECT_THROW(split_ids(ids, 4, 1, "sorted", 1), InputError);
}

}  // namespace
}  // namespace flowrun
