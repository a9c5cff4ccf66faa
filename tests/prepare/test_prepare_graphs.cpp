// Each shipped prepare graph run end to end on small raw inputs the test
// writes in the formats the real datasets come in (Pancreas: DICOM series +
// NIfTI labels in the NIH layout; BraTS: four NIfTI modalities + seg with
// {0,1,2,4}; LA: NRRD with label 255), and the errors bad raw data gives.
#include <gtest/gtest.h>
#include <itkGDCMImageIO.h>
#include <itkImage.h>
#include <itkImageFileWriter.h>
#include <itkMetaDataObject.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <random>
#include <set>

#include "core/error.h"
#include "core/graph_runner.h"
#include "core/graph_spec.h"
#include "core/graph_validation.h"
#include "core/overrides.h"
#include "core/registry.h"
#include "nodes/prepare/prepare_nodes.h"
#include "lib/volume/dataset.h"
#include "lib/volume/volume_io.h"

#include "prepare_test_util.h"

namespace fs = std::filesystem;

namespace flowrun {
namespace {

// Runs graphs/prepare/<name> with --set style overrides, as `flowrun run` does.
RunResult run_prepare(const std::string& name, const std::vector<std::string>& sets, int threads = 4) {
  Registry reg;
  register_prepare_nodes(reg);
  const std::string file = std::string(FLOWRUN_SOURCE_DIR) + "/graphs/prepare/" + name;
  nlohmann::json doc = read_json_file(file);
  std::vector<Override> ov;
  for (auto& s : sets) ov.push_back(parse_override(s));
  apply_overrides(doc, ov, reg);
  ValidatedGraph g = validate_graph(parse_graph(doc, file), reg);
  RunOptions o;
  o.max_threads = threads;
  return run_graph(g, reg, o);
}

std::string error_of_run(const std::string& name, const std::vector<std::string>& sets) {
  try {
    run_prepare(name, sets);
  } catch (const std::exception& e) {
    return e.what();
  }
  ADD_FAILURE() << "expected the run to fail";
  return {};
}

struct Stats {
  double mean = 0, std = 0;
  int64_t n = 0;
};

template <class Pred>
Stats stats(const ImageVolume& v, Pred in) {
  double s = 0, s2 = 0;
  int64_t n = 0;
  for (size_t i = 0; i < v.data.size(); ++i)
    if (in(i)) { s += v.data[i]; s2 += double(v.data[i]) * v.data[i]; ++n; }
  Stats r;
  r.n = n;
  r.mean = n ? s / n : 0;
  r.std = n ? std::sqrt(std::max(0.0, s2 / n - r.mean * r.mean)) : 0;
  return r;
}

int64_t count_nonzero(const LabelVolume& l) {
  int64_t n = 0;
  for (uint8_t x : l.data) n += x != 0;
  return n;
}

// ---------------------------------------------------------------- Pancreas

using Slab = itk::Image<int16_t, 3>;

// One DICOM file per z slice, each depth-1 volume keeping its position.
void write_dicom_series(const ImageVolume& v, const fs::path& dir, int series_no) {
  fs::create_directories(dir);
  const std::string study = "1.2.826.0.1.3680043.2.1125.88." + std::to_string(series_no);
  const std::string series = study + ".2";
  for (int64_t z = 0; z < v.size[2]; ++z) {
    auto slab = Slab::New();
    Slab::RegionType region;
    region.SetSize({static_cast<itk::SizeValueType>(v.size[0]), static_cast<itk::SizeValueType>(v.size[1]), 1});
    slab->SetRegions(region);
    Slab::SpacingType sp;
    Slab::PointType origin;
    for (unsigned i = 0; i < 3; ++i) {
      sp[i] = v.geometry.spacing[i];
      origin[i] = v.geometry.origin[i] + (i == 2 ? double(z) * v.geometry.spacing[2] : 0.0);
    }
    slab->SetSpacing(sp);
    slab->SetOrigin(origin);
    slab->Allocate();
    for (int64_t y = 0; y < v.size[1]; ++y)
      for (int64_t x = 0; x < v.size[0]; ++x) slab->SetPixel({x, y, 0}, static_cast<int16_t>(v.at(x, y, z)));
    auto io = itk::GDCMImageIO::New();
    io->KeepOriginalUIDOn();
    auto& dict = slab->GetMetaDataDictionary();
    itk::EncapsulateMetaData<std::string>(dict, "0008|0060", "CT");
    itk::EncapsulateMetaData<std::string>(dict, "0028|0004", "MONOCHROME2");
    itk::EncapsulateMetaData<std::string>(dict, "0020|000d", study);
    itk::EncapsulateMetaData<std::string>(dict, "0020|000e", series);
    itk::EncapsulateMetaData<std::string>(dict, "0008|0018", series + "." + std::to_string(z + 1));
    itk::EncapsulateMetaData<std::string>(dict, "0020|0013", std::to_string(z + 1));
    auto w = itk::ImageFileWriter<Slab>::New();
    w->SetImageIO(io);
    w->SetInput(slab);
    w->SetFileName((dir / ("1-" + std::to_string(100 + z) + ".dcm")).string());
    w->Update();
  }
}

// NIH layout: Pancreas-CT/PANCREAS_000k/<study>/<series>/*.dcm and
// TCIA_pancreas_labels-02-05-2017/label000k.nii.gz. A body of soft tissue in
// air, a bone, and a small pancreas; spacing 0.8 x 0.8 x 2.5 mm.
void write_raw_pancreas(const fs::path& root, int cases) {
  std::mt19937 gen(5);
  std::normal_distribution<float> noise(0.0f, 15.0f);
  for (int k = 1; k <= cases; ++k) {
    const std::string num = "000" + std::to_string(k);
    ImageVolume img({40, 36, 12}, -1000.0f);
    img.geometry.spacing = {0.8, 0.8, 2.5};
    img.geometry.origin = {-16.0, -14.0, 10.0 * k};
    LabelVolume lab({40, 36, 12}, 0);
    lab.geometry = img.geometry;
    for (int64_t x = 0; x < 40; ++x)
      for (int64_t y = 0; y < 36; ++y)
        for (int64_t z = 0; z < 12; ++z) {
          const double dx = (x - 20) / 17.0, dy = (y - 18) / 15.0;
          if (dx * dx + dy * dy > 1.0) continue;
          float v = 40.0f + noise(gen);
          if (std::abs(x - 8) <= 2 && std::abs(y - 18) <= 2) v = 700.0f;  // bone, above the window
          const double px = (x - 22 - k) * 0.8, py = (y - 16) * 0.8, pz = (z - 6) * 2.5;
          if (px * px + py * py + pz * pz <= 16.0) {
            v = 100.0f + noise(gen);
            lab.at(x, y, z) = 1;
          }
          img.at(x, y, z) = std::round(v);
        }
    write_dicom_series(img, root / "Pancreas-CT" / ("PANCREAS_" + num) / "1.2.3-study" / "1.2.3-series", k);
    fs::create_directories(root / "TCIA_pancreas_labels-02-05-2017");
    write_label(lab, (root / "TCIA_pancreas_labels-02-05-2017" / ("label" + num + ".nii.gz")).string());
  }
}

TEST(PrepareLaHalf, LineageHdf5ToHalfResolutionNifti) {
  // The real LA volumes (skips without them): HDF5 with no stored spacing,
  // the graph states 0.625 mm, resamples to 1.25 mm and writes NIfTI.
  const fs::path la = fs::path(FLOWRUN_SOURCE_DIR).parent_path() / "shared" / "data" / "LA";
  if (!fs::exists(la / "06SR5RBREL16DQ6M8LWS.h5")) GTEST_SKIP() << "LA data not found at " << la;
  const fs::path out = fresh_dir() / "la_half";
  const RunResult r = run_prepare("la_h5_half.json", {"nodes.cases.root=" + la.string(), "nodes.cases.limit=2",
                                                      "nodes.write.out=" + out.string()});
  EXPECT_EQ(r.batches, 2);
  const DatasetDescription d = DatasetDescription::load((out / "la_half.json").string());
  ASSERT_EQ(d.split("train").size(), 2u);
  const Case c = d.load_case("06SR5RBREL16DQ6M8LWS", true);
  const ImageVolume& img = c.channels[0];
  EXPECT_NEAR(img.geometry.spacing[0], 1.25, 1e-9);
  EXPECT_EQ(img.size[2], 44) << "88 slices of 0.625 mm";
  const ImageVolume full = read_image((la / "06SR5RBREL16DQ6M8LWS.h5:image").string());
  EXPECT_EQ(img.size[0], (full.size[0] + 1) / 2);
  int64_t fg = 0;
  for (uint8_t v : c.label->data) fg += v;
  EXPECT_GT(fg, 0);
  EXPECT_NE(error_of_run("la_h5_half.json", {"nodes.cases.root=" + la.string(), "nodes.read.spacing=[1,2]",
                                              "nodes.write.out=" + out.string()}).find("three positive numbers"),
            std::string::npos);
}

TEST(PreparePancreas, ShipsMcNetsPublishedSplit) {
  // MC-Net's Pancreas lists (the paper follows its split): 62 training and 20
  // test ids of the 82 NIH scans, image00NN = PANCREAS_00NN.
  const nlohmann::json g = nlohmann::json::parse(std::ifstream(std::string(FLOWRUN_SOURCE_DIR) + "/graphs/prepare/pancreas.json"));
  nlohmann::json splits;
  for (const auto& n : g["nodes"])
    if (n["id"] == "write") splits = n["params"]["splits"];
  ASSERT_EQ(splits["train"].size(), 62u);
  ASSERT_EQ(splits["test"].size(), 20u);
  std::set<std::string> all;
  for (const char* s : {"train", "test"})
    for (const auto& id : splits[s]) all.insert(id.get<std::string>());
  EXPECT_EQ(all.size(), 82u) << "a case in both lists or listed twice";
  EXPECT_EQ(splits["test"][0], "PANCREAS_0050");
  EXPECT_EQ(splits["train"][0], "PANCREAS_0057");
}

TEST(PreparePancreas, DicomToOneMillimetreCroppedZscoredDataset) {
  const fs::path d = fresh_dir();
  write_raw_pancreas(d / "raw", 3);
  const fs::path out = d / "pancreas";
  const RunResult r = run_prepare("pancreas.json", {"nodes.cases.root=" + (d / "raw").string(),
                                                    "nodes.write.out=" + out.string(),
                                                    R"(nodes.write.splits={"train": ["PANCREAS_0001", "PANCREAS_0002"], "test": ["PANCREAS_0003"]})",
                                                    "nodes.write.labeled_fraction=0.5", "nodes.crop.patch=[16,16,16]", "nodes.crop.margin=[2,2,0]"});
  EXPECT_EQ(r.batches, 3);
  const DatasetDescription desc = DatasetDescription::load((out / "pancreas.json").string());
  EXPECT_EQ(desc.split("train"), (std::vector<std::string>{"PANCREAS_0001", "PANCREAS_0002"}));
  EXPECT_EQ(desc.split("test"), (std::vector<std::string>{"PANCREAS_0003"}));
  EXPECT_EQ(desc.channels, (std::vector<std::string>{"CT"}));
  EXPECT_EQ(desc.image_paths("PANCREAS_0001")[0], (out / "images" / "PANCREAS_0001.nii.gz").string());
  EXPECT_EQ(desc.raw["preprocessing"]["cases"], 3);
  for (const std::string id : {"PANCREAS_0001", "PANCREAS_0002", "PANCREAS_0003"}) {
    const Case c = desc.load_case(id, true);  // also checks labels are in {0, 1}
    const ImageVolume& img = c.channels[0];
    // 40 x 36 x 12 voxels of 0.8 x 0.8 x 2.5 mm -> 32 x 29 x 30 at 1 mm; x, y cropped to the 16 patch.
    EXPECT_EQ(img.size, (std::array<int64_t, 3>{16, 16, 30})) << id;
    for (int i = 0; i < 3; ++i) EXPECT_NEAR(img.geometry.spacing[i], 1.0, 1e-6) << id;
    const Stats s = stats(img, [](size_t) { return true; });
    EXPECT_NEAR(s.mean, 0.0, 1e-3) << id;
    EXPECT_NEAR(s.std, 1.0, 1e-3) << id;
    // The pancreas (4 mm ball, ~268 mm^3) survives resampling and the crop whole.
    EXPECT_GT(count_nonzero(*c.label), 150) << id;
    EXPECT_LT(count_nonzero(*c.label), 400) << id;
    // Image and label stay aligned through resampling and the crop: the pancreas (100 HU)
    // is brighter than the tissue (40 HU) around it.
    const Stats in = stats(img, [&](size_t i) { return c.label->data[i] != 0; });
    const Stats out_s = stats(img, [&](size_t i) { return c.label->data[i] == 0; });
    EXPECT_GT(in.mean, out_s.mean + 0.5) << id;
  }
}

TEST(PreparePancreas, MissingLabelNamesCaseAndFile) {
  const fs::path d = fresh_dir();
  write_raw_pancreas(d / "raw", 2);
  fs::remove(d / "raw" / "TCIA_pancreas_labels-02-05-2017" / "label0002.nii.gz");
  const std::string msg = error_of_run("pancreas.json", {"nodes.cases.root=" + (d / "raw").string(),
                                                         "nodes.write.out=" + (d / "out").string(),
                                                         "nodes.write.test_count=1"});
  EXPECT_NE(msg.find("case 'PANCREAS_0002'"), std::string::npos) << msg;
  EXPECT_NE(msg.find("label0002.nii.gz"), std::string::npos) << msg;
  EXPECT_FALSE(fs::exists(d / "out" / "pancreas.json")) << "a failed run must not write a description";
}

// ---------------------------------------------------------------- BraTS

// MICCAI_BraTS layout: {HGG,LGG}/<id>/<id>_{flair,t1,t1ce,t2,seg}.nii.gz; a
// brain ellipsoid (0 outside) in a 30 x 28 x 20 volume, tumour labels 1, 2, 4.
void write_raw_brats(const fs::path& root, const std::vector<std::pair<std::string, std::string>>& cases) {
  std::mt19937 gen(9);
  std::normal_distribution<float> noise(0.0f, 20.0f);
  const char* mods[] = {"flair", "t1", "t1ce", "t2"};
  for (size_t k = 0; k < cases.size(); ++k) {
    const auto& [grade, id] = cases[k];
    const fs::path dir = root / grade / id;
    fs::create_directories(dir);
    LabelVolume seg({30, 28, 20}, 0);
    seg.geometry.spacing = {1, 1, 1};
    for (int m = 0; m < 4; ++m) {
      ImageVolume img({30, 28, 20}, 0.0f);
      for (int64_t x = 0; x < 30; ++x)
        for (int64_t y = 0; y < 28; ++y)
          for (int64_t z = 0; z < 20; ++z) {
            const double dx = (x - 15) / 10.0, dy = (y - 14) / 9.0, dz = (z - 10) / (6.0 + double(k));
            if (dx * dx + dy * dy + dz * dz > 1.0) continue;
            const double t = (x - 17.0) * (x - 17.0) + (y - 13.0) * (y - 13.0) + (z - 10.0) * (z - 10.0);
            img.at(x, y, z) = std::max(1.0f, 300.0f * (m + 1) + noise(gen) + (t < 9 ? 400.0f : 0.0f));
            if (m == 0) seg.at(x, y, z) = t < 2 ? 4 : t < 5 ? 1 : t < 9 ? 2 : 0;
          }
      if (m == 0) img.at(15, 14, 10) = 1e5f;  // one hot voxel the 99.9th percentile clip removes
      write_image(img, (dir / (id + "_" + mods[m] + ".nii.gz")).string());
    }
    write_label(seg, (dir / (id + "_seg.nii.gz")).string());
  }
}

const std::vector<std::pair<std::string, std::string>> kBrats = {
    {"HGG", "BraTS19_A_1"}, {"HGG", "BraTS19_B_1"}, {"LGG", "BraTS19_C_1"}};

TEST(PrepareBrats, BrainCropClipZscoreWholeTumour) {
  const fs::path d = fresh_dir();
  write_raw_brats(d / "raw", kBrats);
  const fs::path out = d / "brats";
  run_prepare("brats2019.json", {"nodes.cases.root=" + (d / "raw").string(), "nodes.write.out=" + out.string(),
                                 "nodes.write.val_count=1", "nodes.write.test_count=1", "nodes.write.labeled_fraction=1"});
  const DatasetDescription desc = DatasetDescription::load((out / "brats2019.json").string());
  EXPECT_EQ(desc.split("train"), (std::vector<std::string>{"BraTS19_A_1"}));
  EXPECT_EQ(desc.split("val"), (std::vector<std::string>{"BraTS19_B_1"}));
  EXPECT_EQ(desc.split("test"), (std::vector<std::string>{"BraTS19_C_1"}));
  EXPECT_EQ(desc.channels, (std::vector<std::string>{"FLAIR", "T1", "T1Gd", "T2"}));
  for (size_t k = 0; k < kBrats.size(); ++k) {
    const std::string& id = kBrats[k].second;
    const Case c = desc.load_case(id, true);
    ASSERT_EQ(c.channels.size(), 4u);
    // The brain box: x 5..25, y 5..23, z 10 -+ (6 + k) - the ellipsoid's extent.
    EXPECT_EQ(c.channels[0].size[0], 21) << id;
    EXPECT_EQ(c.channels[0].size[1], 19) << id;
    EXPECT_EQ(c.channels[0].size[2], 2 * (6 + int64_t(k)) + 1) << id;
    // Brain = nonzero in any modality before z-scoring; z-scored channels are 0 outside it.
    const ImageVolume raw_flair = read_image((d / "raw" / kBrats[k].first / id / (id + "_flair.nii.gz")).string());
    int64_t brain = 0;
    for (float v : raw_flair.data) brain += v != 0.0f;
    for (int m = 0; m < 4; ++m) {
      const ImageVolume& ch = c.channels[m];
      const Stats s = stats(ch, [&](size_t i) { return ch.data[i] != 0.0f; });
      EXPECT_EQ(s.n, brain) << id << " channel " << m;
      EXPECT_NEAR(s.mean, 0.0, 1e-3) << id << " channel " << m;
      EXPECT_NEAR(s.std, 1.0, 1e-3) << id << " channel " << m;
    }
    // Without the clip the hot voxel would sit hundreds of stds out.
    float mx = 0;
    for (float v : c.channels[0].data) mx = std::max(mx, v);
    EXPECT_LT(mx, 8.0f) << id;
    const LabelVolume raw_seg = read_label((d / "raw" / kBrats[k].first / id / (id + "_seg.nii.gz")).string());
    EXPECT_EQ(count_nonzero(*c.label), count_nonzero(raw_seg)) << id;
    for (uint8_t v : c.label->data) EXPECT_LE(v, 1);
  }
}

TEST(PrepareBrats, FlairOnlyByOverrides) {
  const fs::path d = fresh_dir();
  write_raw_brats(d / "raw", kBrats);
  const fs::path out = d / "brats";
  run_prepare("brats2019.json", {"nodes.cases.root=" + (d / "raw").string(), "nodes.write.out=" + out.string(),
                                 "nodes.cases.image=[\"{id}/{id}_flair.nii.gz\"]",
                                 "nodes.write.image=[\"images/{id}_0000.nii.gz\"]", "nodes.write.channels=[\"FLAIR\"]",
                                 "nodes.write.val_count=0", "nodes.write.test_count=1", "nodes.write.labeled_fraction=0.5"});
  const DatasetDescription desc = DatasetDescription::load((out / "brats2019.json").string());
  EXPECT_EQ(desc.channels, (std::vector<std::string>{"FLAIR"}));
  EXPECT_EQ(desc.load_case("BraTS19_A_1", true).channels.size(), 1u);
  EXPECT_FALSE(fs::exists(out / "images" / "BraTS19_A_1_0001.nii.gz"));
}

TEST(PrepareBrats, LabelShapeMismatchNamesCaseAndFile) {
  const fs::path d = fresh_dir();
  write_raw_brats(d / "raw", kBrats);
  LabelVolume wrong({30, 28, 19}, 0);
  const fs::path seg = d / "raw" / "LGG" / "BraTS19_C_1" / "BraTS19_C_1_seg.nii.gz";
  write_label(wrong, seg.string());
  const std::string msg = error_of_run("brats2019.json", {"nodes.cases.root=" + (d / "raw").string(),
                                                          "nodes.write.out=" + (d / "out").string(),
                                                          "nodes.write.test_count=1"});
  EXPECT_NE(msg.find("case 'BraTS19_C_1'"), std::string::npos) << msg;
  EXPECT_NE(msg.find(seg.string()), std::string::npos) << msg;
  EXPECT_NE(msg.find("30x28x19"), std::string::npos) << msg;
}

// ---------------------------------------------------------------- LA

// 2018 challenge layout: <case>/lgemri.nrrd and <case>/laendo.nrrd (atrium = 255).
std::vector<ImageVolume> write_raw_la(const fs::path& root, int cases) {
  std::mt19937 gen(3);
  std::normal_distribution<float> noise(0.0f, 10.0f);
  std::vector<ImageVolume> raw;
  for (int k = 0; k < cases; ++k) {
    const std::string id = "CASE" + std::to_string(10 + k);
    ImageVolume img({60, 56, 10}, 0.0f);
    img.geometry.spacing = {0.625, 0.625, 2.5};
    LabelVolume lab({60, 56, 10}, 0);
    lab.geometry = img.geometry;
    for (int64_t x = 0; x < 60; ++x)
      for (int64_t y = 0; y < 56; ++y)
        for (int64_t z = 0; z < 10; ++z) {
          const bool atrium = std::abs(x - 30 - k) <= 4 && std::abs(y - 25) <= 3 && z >= 3 && z <= 6;
          img.at(x, y, z) = 50.0f + noise(gen) + (atrium ? 80.0f : 0.0f);
          lab.at(x, y, z) = atrium ? 255 : 0;
        }
    fs::create_directories(root / id);
    write_image(img, (root / id / "lgemri.nrrd").string());
    write_label(lab, (root / id / "laendo.nrrd").string());
    raw.push_back(img);
  }
  return raw;
}

TEST(PrepareLa, NrrdToZscoredLineageCrop) {
  const fs::path d = fresh_dir();
  const auto raw = write_raw_la(d / "raw", 3);
  const fs::path out = d / "la";
  const std::vector<std::string> sets = {"nodes.cases.root=" + (d / "raw").string(), "nodes.write.out=" + out.string(),
                                         "nodes.write.test_count=1", "nodes.write.labeled_fraction=0.5", "nodes.crop.patch=[20,20,8]",
                                         "nodes.crop.margin=[2,2,1]", "nodes.crop.jitter=[3,3,1]"};
  run_prepare("la.json", sets);
  const DatasetDescription desc = DatasetDescription::load((out / "la.json").string());
  EXPECT_EQ(desc.split("train"), (std::vector<std::string>{"CASE10", "CASE11"}));
  EXPECT_EQ(desc.split("test"), (std::vector<std::string>{"CASE12"}));
  std::vector<std::vector<float>> first;
  for (int k = 0; k < 3; ++k) {
    const std::string id = "CASE" + std::to_string(10 + k);
    const Case c = desc.load_case(id, true);
    const ImageVolume& img = c.channels[0];
    // Atrium x extent 9, y 7: x box 9 - 1 + 2 * (2 + 0..2) + 2 * ((20 - 8) / 2) -> 24..28 voxels,
    // y 7 - 1 + 2 * (2 + 0..2) + 2 * 7 -> 24..28; z (10 voxels) is never cropped.
    EXPECT_GE(img.size[0], 24) << id;
    EXPECT_LE(img.size[0], 28) << id;
    EXPECT_GE(img.size[1], 24) << id;
    EXPECT_LE(img.size[1], 28) << id;
    EXPECT_EQ(img.size[2], 10) << id;
    EXPECT_EQ(count_nonzero(*c.label), 9 * 7 * 4) << id;
    // Z-scored over the whole raw volume before the crop, as the lineage does: find the
    // crop's offset from the origin shift and compare voxels with the raw volume's z-score.
    const ImageVolume& r = raw[static_cast<size_t>(k)];
    const Stats s = stats(r, [](size_t) { return true; });
    const int64_t ox = std::llround(img.geometry.origin[0] / 0.625), oy = std::llround(img.geometry.origin[1] / 0.625);
    for (int64_t x = 0; x < img.size[0]; x += 5)
      for (int64_t y = 0; y < img.size[1]; y += 5)
        EXPECT_NEAR(img.at(x, y, 4), (r.at(x + ox, y + oy, 4) - s.mean) / s.std, 1e-3) << id;
    first.push_back(img.data);
  }
  // The random margins come from the graph's seed: a rerun writes the same crops.
  run_prepare("la.json", sets);
  for (int k = 0; k < 3; ++k)
    EXPECT_EQ(DatasetDescription::load((out / "la.json").string()).load_case("CASE" + std::to_string(10 + k), true).channels[0].data,
              first[static_cast<size_t>(k)]);
}

TEST(PrepareLa, MissingImageOfGivenIdIsNamed) {
  const fs::path d = fresh_dir();
  write_raw_la(d / "raw", 2);
  const std::string msg = error_of_run("la.json", {"nodes.cases.root=" + (d / "raw").string(),
                                                   "nodes.write.out=" + (d / "out").string(),
                                                   "nodes.cases.ids=[\"CASE10\",\"CASE99\"]"});
  EXPECT_NE(msg.find("case 'CASE99'"), std::string::npos) << msg;
  EXPECT_NE(msg.find("CASE99/lgemri.nrrd"), std::string::npos) << msg;
}

TEST(PrepareLa, UnloadableDescriptionIsRefusedNotWritten) {
  const fs::path d = fresh_dir();
  write_raw_la(d / "raw", 3);
  // The default 5 % of 2 training cases rounds to none: training graphs could not load it.
  const std::string msg = error_of_run("la.json", {"nodes.cases.root=" + (d / "raw").string(),
                                                   "nodes.write.out=" + (d / "out").string(),
                                                   "nodes.write.test_count=1"});
  EXPECT_NE(msg.find("rounds to 0"), std::string::npos) << msg;
  EXPECT_FALSE(fs::exists(d / "out" / "la.json"));
}

TEST(PrepareLa, SplitsNamingAnUnpreparedCaseFail) {
  const fs::path d = fresh_dir();
  write_raw_la(d / "raw", 2);
  const std::string msg = error_of_run("la.json", {"nodes.cases.root=" + (d / "raw").string(),
                                                   "nodes.write.out=" + (d / "out").string(),
                                                   "nodes.write.splits={\"train\":[\"CASE10\"],\"test\":[\"CASE77\"]}"});
  EXPECT_NE(msg.find("CASE77"), std::string::npos) << msg;
}

}  // namespace
}  // namespace flowrun
