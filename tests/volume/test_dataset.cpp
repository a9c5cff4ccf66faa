// Dataset descriptions: parsing, root and list resolution, the labelled
// subset rule, case checks and case loading, and every error naming its source.
#include <algorithm>

#include "lib/volume/dataset.h"
#include "test_util.h"

namespace flowrun {
namespace {

using nlohmann::json;
using test::expect_error;
namespace fs = std::filesystem;

std::string ids_text(const std::vector<std::string>& ids) {
  std::string s;
  for (const auto& id : ids) s += id + "\n";
  return s;
}

std::vector<std::string> numbered(const std::string& prefix, int n) {
  std::vector<std::string> ids;
  for (int i = 0; i < n; ++i) ids.push_back(prefix + std::to_string(100 + i));
  return ids;
}

// A two-channel NIfTI dataset under <tmp>/data, described by <tmp>/desc/ds.json.
struct Fixture {
  fs::path dir = test::temp_dir();
  fs::path data = dir / "data";
  json doc = {{"name", "fixture"},
              {"root", "../data"},
              {"channels", {"T1", "T2"}},
              {"labels", {{"0", "background"}, {"1", "organ"}, {"2", "lesion"}}},
              {"image", {"images/{id}_0000.nii.gz", "images/{id}_0001.nii.gz"}},
              {"label", "labels/{id}.nii.gz"},
              {"splits", {{"train", "train.list"}, {"test", {"c1", "c2"}}}},
              {"labeled_count", 1}};

  Fixture() {
    test::write_text(data / "train.list", "c0\n\n  c1  \r\n");
    for (const char* id : {"c0", "c1", "c2"}) write_case(id);
  }
  void write_case(const std::string& id, std::array<int64_t, 3> size = {4, 3, 2}) {
    ImageVolume img = test::ramp_image(size);
    write_image(img, (data / "images" / (id + "_0000.nii.gz")).string());
    write_image(img, (data / "images" / (id + "_0001.nii.gz")).string());
    write_label(test::block_label(size), (data / "labels" / (id + ".nii.gz")).string());
  }
  std::string save() const {
    const fs::path p = dir / "desc" / "ds.json";
    test::write_text(p, doc.dump(2));
    return p.string();
  }
  DatasetDescription load() const { return DatasetDescription::load(save()); }
};

TEST(Dataset, ParsesAndResolvesAgainstTheDescriptionFolder) {
  Fixture f;
  const DatasetDescription d = f.load();
  EXPECT_EQ(d.name, "fixture");
  EXPECT_EQ(d.root, fs::absolute(f.data).lexically_normal());
  EXPECT_EQ(d.channels, (std::vector<std::string>{"T1", "T2"}));
  EXPECT_EQ(d.labels.size(), 3u);
  EXPECT_EQ(d.split("train"), (std::vector<std::string>{"c0", "c1"}));
  EXPECT_EQ(d.split("test"), (std::vector<std::string>{"c1", "c2"}));
  EXPECT_EQ(d.image_paths("c2")[1], (d.root / "images" / "c2_0001.nii.gz").string());
  EXPECT_EQ(d.label_path("c2"), (d.root / "labels" / "c2.nii.gz").string());
  expect_error<InputError>([&] { d.split("val"); }, {"ds.json", "'val'", "test, train"});
}

TEST(Dataset, RootOverrideReplacesRoot) {
  Fixture f;
  const fs::path other = f.dir / "elsewhere";
  fs::create_directories(other);
  test::write_text(other / "train.list", "z9\n");
  const DatasetDescription d = DatasetDescription::load(f.save(), other.string());
  EXPECT_EQ(d.root, other.lexically_normal());
  EXPECT_EQ(d.split("train"), (std::vector<std::string>{"z9"}));
  expect_error<InputError>([&] { DatasetDescription::load(f.save(), (f.dir / "nope").string()); }, {"ds.json", "nope"});
}

TEST(Dataset, HdfPatternsKeepTheirKey) {
  Fixture f;
  f.doc["image"] = "{id}.h5:image";
  f.doc["channels"] = {"MRI"};
  f.doc["label"] = "{id}.h5";
  const DatasetDescription d = f.load();
  EXPECT_EQ(d.image_paths("a")[0], (d.root / "a.h5").string() + ":image");
  EXPECT_EQ(d.label_path("a"), (d.root / "a.h5").string());
}

TEST(Dataset, LabeledSubsetIsFirstNOfTrain) {
  Fixture f;
  struct Row { int n_train; double fraction; size_t expected; };
  // LA, Pancreas-CT and BraTS-2019 protocols.
  for (const Row& r : {Row{80, 0.05, 4}, Row{80, 0.10, 8}, Row{80, 0.20, 16}, Row{62, 0.10, 6}, Row{62, 0.20, 12},
                       Row{250, 0.10, 25}, Row{250, 0.20, 50}}) {
    const auto ids = numbered("id", r.n_train);
    test::write_text(f.data / "train.list", ids_text(ids));
    const DatasetDescription d = f.load();
    const auto lab = d.labeled_ids(r.fraction, std::nullopt);
    ASSERT_EQ(lab.size(), r.expected) << r.n_train << " x " << r.fraction;
    EXPECT_EQ(lab, std::vector<std::string>(ids.begin(), ids.begin() + long(r.expected)));
    const auto unl = d.unlabeled_ids(r.fraction, std::nullopt);
    EXPECT_EQ(unl.size(), size_t(r.n_train) - r.expected);
    EXPECT_EQ(unl.front(), ids[r.expected]);
  }
  EXPECT_EQ(f.load().labeled_ids(std::nullopt, 3).size(), 3u);
  EXPECT_EQ(f.load().labeled_ids().size(), 1u);  // the description's labeled_count
}

TEST(Dataset, ValFromTrainCarvesTheLastTrainingIdsAndKeepsTheLabeledSubset) {
  Fixture f;
  const auto ids = numbered("id", 62);  // Pancreas-CT's training list
  test::write_text(f.data / "train.list", ids_text(ids));
  f.doc.erase("labeled_count");
  f.doc["labeled_fraction"] = 0.2;
  f.doc["val_from_train"] = 6;
  const DatasetDescription d = f.load();
  EXPECT_EQ(d.split("val"), std::vector<std::string>(ids.end() - 6, ids.end()));
  EXPECT_EQ(d.split("train"), std::vector<std::string>(ids.begin(), ids.end() - 6));
  EXPECT_EQ(d.labeled_ids().size(), 12u) << "20 % of the 62 listed, as in the lineage";
  EXPECT_EQ(d.unlabeled_ids().size(), 44u);
  const auto val = d.split("val");
  for (const auto& u : d.unlabeled_ids())
    EXPECT_EQ(std::count(val.begin(), val.end(), u), 0) << u << " both trains and validates";

  f.doc["val_from_train"] = 62;
  expect_error<InputError>([&] { f.load(); }, {"ds.json", "$.val_from_train", "leave none"});
  f.doc["val_from_train"] = 0;
  expect_error<InputError>([&] { f.load(); }, {"ds.json", "$.val_from_train", "positive integer"});
  f.doc["val_from_train"] = 2;
  f.doc["splits"]["val"] = {"c2"};
  expect_error<InputError>([&] { f.load(); }, {"ds.json", "$.val_from_train", "already lists a 'val' split"});
}

TEST(Dataset, TooFewTrainingCasesIsInputError) {
  Fixture f;  // train holds 2
  const DatasetDescription d = f.load();
  expect_error<InputError>([&] { d.labeled_ids(std::nullopt, 3); }, {"ds.json", "3", "'train' holds 2"});
  expect_error<InputError>([&] { d.labeled_ids(0.1, std::nullopt); }, {"ds.json", "rounds to 0"});
  f.doc["labeled_count"] = 5;
  expect_error<InputError>([&] { f.load(); }, {"ds.json", "5", "'train' holds 2"});
}

TEST(Dataset, DescriptionErrorsNameFileAndJsonPath) {
  struct Bad { std::function<void(json&)> edit; std::vector<std::string> parts; };
  const std::vector<Bad> cases = {
      {[](json& j) { j["splits"]["train"] = "missing.list"; }, {"ds.json: $.splits.train: list file 'missing.list' not found under root"}},
      {[](json& j) { j["splits"]["val"] = json::array(); }, {"$.splits.val", "no cases"}},
      {[](json& j) { j["splits"]["val"] = {"a", "a"}; }, {"$.splits.val", "'a' listed twice"}},
      {[](json& j) { j["root"] = "../nowhere"; }, {"ds.json: $.root", "nowhere"}},
      {[](json& j) { j["lables"] = 1; }, {"ds.json: $.lables", "unknown key"}},
      {[](json& j) { j.erase("name"); }, {"$.name", "missing"}},
      {[](json& j) { j["channels"] = {"T1"}; }, {"$.channels", "1 channels", "2 patterns"}},
      {[](json& j) { j["image"] = "images/case.nii.gz"; j.erase("channels"); }, {"$.image", "no {id}"}},
      {[](json& j) { j["labels"]["x"] = "bad"; }, {"$.labels.x", "0..255"}},
      {[](json& j) { j["labels"]["256"] = "bad"; }, {"$.labels.256"}},
      {[](json& j) { j["spacing"] = {1, -1, 1}; }, {"$.spacing[1]", "positive"}},
      {[](json& j) { j["h5"] = {{"axis_order", "yxz"}}; }, {"$.h5.axis_order", "yxz"}},
      {[](json& j) { j["labeled_fraction"] = 0.1; }, {"$.labeled_count", "not both"}},
      {[](json& j) { j.erase("labeled_count"); j["labeled_fraction"] = 1.5; }, {"$.labeled_fraction", "(0, 1]"}},
  };
  for (const auto& b : cases) {
    Fixture f;
    b.edit(f.doc);
    expect_error<InputError>([&] { f.load(); }, b.parts);
  }
  Fixture f;
  const fs::path broken = f.dir / "broken.json";
  test::write_text(broken, "{\"name\": ");
  expect_error<InputError>([&] { DatasetDescription::load(broken.string()); }, {"broken.json:1:", "invalid JSON"});
  expect_error<InputError>([&] { DatasetDescription::load((f.dir / "absent.json").string()); }, {"absent.json", "not found"});
}

TEST(Dataset, CheckCasesNamesAbsentCaseAndFile) {
  Fixture f;
  const DatasetDescription d = f.load();
  EXPECT_NO_THROW(d.check_cases(d.split("train")));
  expect_error<InputError>([&] { d.check_cases({"c0", "ghost"}); }, {"ds.json", "case 'ghost'", "ghost_0000.nii.gz", "not found"});
  fs::remove(f.data / "labels" / "c1.nii.gz");
  expect_error<InputError>([&] { d.check_cases({"c1"}); }, {"case 'c1'", "label file", "c1.nii.gz"});
}

TEST(Dataset, LoadCaseReadsChannelsAndLabel) {
  Fixture f;
  const Case c = f.load().load_case("c1", true);
  EXPECT_EQ(c.id, "c1");
  ASSERT_EQ(c.channels.size(), 2u);
  EXPECT_EQ(c.channels[1].size, (std::array<int64_t, 3>{4, 3, 2}));
  ASSERT_TRUE(c.label.has_value());
  EXPECT_EQ(c.label->data, test::block_label({4, 3, 2}).data);
  EXPECT_FALSE(f.load().load_case("c1", false).label.has_value());
}

TEST(Dataset, LoadCaseShapeMismatchNamesCaseAndFile) {
  Fixture f;
  write_image(test::ramp_image({4, 3, 3}), (f.data / "images" / "c0_0001.nii.gz").string());
  expect_error<InputError>([&] { f.load().load_case("c0", false); }, {"ds.json", "case 'c0'", "c0_0001.nii.gz", "4x3x3", "4x3x2"});
  write_label(test::block_label({5, 3, 2}), (f.data / "labels" / "c1.nii.gz").string());
  expect_error<InputError>([&] { f.load().load_case("c1", true); }, {"case 'c1'", "c1.nii.gz", "5x3x2"});
}

TEST(Dataset, LoadCaseSpacingMismatchNamesCaseAndFile) {
  Fixture f;
  LabelVolume lab = test::block_label({4, 3, 2});
  lab.geometry.spacing = {1.0, 1.0, 1.0};
  write_label(lab, (f.data / "labels" / "c2.nii.gz").string());
  expect_error<InputError>([&] { f.load().load_case("c2", true); }, {"case 'c2'", "c2.nii.gz", "spacing"});
}

TEST(Dataset, LoadCaseLabelOutsideDeclaredSet) {
  Fixture f;
  f.doc["labels"] = {{"0", "background"}, {"1", "organ"}};  // fixture labels use 0, 1, 2
  expect_error<InputError>([&] { f.load().load_case("c0", true); }, {"case 'c0'", "c0.nii.gz", "value 2", "{0, 1}"});
}

TEST(Dataset, LoadCaseMissingFileNamesCaseAndFile) {
  Fixture f;
  fs::remove(f.data / "images" / "c2_0000.nii.gz");
  expect_error<InputError>([&] { f.load().load_case("c2", false); }, {"case 'c2'", "c2_0000.nii.gz", "not found"});
  expect_error<InputError>([&] { f.load().load_case("ghost", false); }, {"case 'ghost'", "ghost_0000.nii.gz"});
}

TEST(Dataset, LoadCaseNanNamesCaseAndFile) {
  Fixture f;
  ImageVolume img = test::ramp_image({4, 3, 2});
  img.at(0, 0, 1) = std::nanf("");
  write_image(img, (f.data / "images" / "c1_0001.nii.gz").string());
  expect_error<InputError>([&] { f.load().load_case("c1", false); }, {"case 'c1'", "c1_0001.nii.gz", "NaN"});
}

TEST(Dataset, HdfCaseTakesDescriptionSpacingAndDefaultKeys) {
  Fixture f;
  const fs::path h5 = f.data / "h1.h5";
  test::write_h5(h5, "img", {2, 2, 2}, std::vector<float>(8, 1.5f), H5T_IEEE_F32LE, H5T_NATIVE_FLOAT);
  test::write_h5(h5, "seg", {2, 2, 2}, std::vector<uint8_t>{0, 1, 1, 0, 0, 0, 1, 1}, H5T_STD_U8LE, H5T_NATIVE_UINT8);
  f.doc["image"] = "{id}.h5";
  f.doc["label"] = "{id}.h5";
  f.doc.erase("channels");
  f.doc["h5"] = {{"image_key", "img"}, {"label_key", "seg"}, {"axis_order", "xyz"}};
  f.doc["spacing"] = {0.625, 0.625, 0.625};
  const Case c = f.load().load_case("h1", true);
  ASSERT_EQ(c.channels.size(), 1u);
  EXPECT_TRUE(c.channels[0].geometry.spacing_known);
  EXPECT_EQ(c.channels[0].geometry.spacing, (std::array<double, 3>{0.625, 0.625, 0.625}));
  EXPECT_EQ(c.label->geometry.spacing, (std::array<double, 3>{0.625, 0.625, 0.625}));
  EXPECT_EQ(c.label->at(0, 0, 1), 1);
  f.doc["h5"]["label_key"] = "mask";
  expect_error<InputError>([&] { f.load().load_case("h1", true); }, {"case 'h1'", "h1.h5", "'mask'"});
}

TEST(Dataset, SelectChannelsKeepsOrderAndRejectsUnknown) {
  Fixture f;
  const DatasetDescription d = f.load();
  const DatasetDescription t2 = d.select_channels({"T2"});
  EXPECT_EQ(t2.channels, (std::vector<std::string>{"T2"}));
  EXPECT_EQ(t2.image_paths("c0")[0], d.image_paths("c0")[1]);
  expect_error<InputError>([&] { d.select_channels({"FLAIR"}); }, {"'FLAIR'", "T1, T2"});
}

}  // namespace
}  // namespace flowrun
