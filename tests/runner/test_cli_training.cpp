// A tiny CoTwin run through the flowrun executable, end to end: synth, train
// with checkpoints, resume, eval / infer / metrics on the checkpoint it made,
// and the bad inputs around them (empty resume folder, corrupt checkpoint).
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include <nlohmann/json.hpp>

#include "cli_support.h"

namespace flowrun {
using nlohmann::json;
using testing::run_command;

static testing::CommandResult fr(const std::string& args) { return run_command(std::string(FLOWRUN_EXE) + " " + args); }

class CliTraining : public ::testing::Test {
 protected:
  static inline std::string dir;
  static void SetUpTestSuite() {
    dir = testing::scratch("training");
    auto s = fr("synth --out " + dir + "/data --cases 8 --size 32 32 32");
    ASSERT_EQ(s.code, 0) << s.output;
    std::ofstream(dir + "/tiny.json") << testing::tiny_demo(FLOWRUN_SOURCE_DIR, dir + "/data/synthetic.json", 4, 2).dump(2);
  }
};

TEST_F(CliTraining, TrainsResumesAndEvaluatesItsCheckpoint) {
  auto run = fr(dir + "/tiny.json --out " + dir + "/run --set params.iterations=2");
  ASSERT_EQ(run.code, 0) << run.output;
  EXPECT_TRUE(std::filesystem::exists(dir + "/run/checkpoints/last.pt"));
  auto resumed = fr(dir + "/tiny.json --resume " + dir + "/run");
  ASSERT_EQ(resumed.code, 0) << resumed.output;
  int lines = 0;
  std::ifstream log(dir + "/run/log.jsonl");
  for (std::string l; std::getline(log, l);) EXPECT_EQ(json::parse(l)["iteration"], lines++);
  EXPECT_EQ(lines, 4) << "each iteration logged once across the resume";
  json summary = json::parse(std::ifstream(dir + "/run/summary.json"));
  const double dice = summary["test"]["mean"]["dice"];
  EXPECT_EQ(summary["test"]["units"], "voxel") << "1 x 1 x 1.5 mm is not anisotropic enough for mm by default";
  EXPECT_GE(dice, 0.0);
  EXPECT_LE(dice, 1.0);

  auto ev = fr("eval --checkpoint " + dir + "/run --which last --out " + dir + "/eval --voxel");
  ASSERT_EQ(ev.code, 0) << ev.output;
  json es = json::parse(std::ifstream(dir + "/eval/summary.json"));
  EXPECT_NEAR(es["test"]["mean"]["dice"].get<double>(), dice, 1e-6) << "eval reproduces the run's own test Dice";

  const std::string img = dir + "/data/images/case_005_0000.nii.gz", gt = dir + "/data/labels/case_005.nii.gz";
  auto inf = fr("infer --checkpoint " + dir + "/run " + img + " -o " + dir + "/pred.nii.gz");
  ASSERT_EQ(inf.code, 0) << inf.output;
  auto m = fr("metrics " + dir + "/pred.nii.gz " + gt + " --json --voxel");
  ASSERT_EQ(m.code, 0) << m.output;
  json mj = json::parse(m.output.substr(m.output.find('{')));
  for (auto k : {"dice", "jaccard", "hd95", "asd", "units", "empty"}) EXPECT_TRUE(mj.contains(k)) << k;
}

TEST_F(CliTraining, BadResumeAndCorruptCheckpointExitWithTwo) {
  std::filesystem::create_directories(dir + "/empty");
  auto r = fr(dir + "/tiny.json --resume " + dir + "/empty");
  EXPECT_EQ(r.code, 2) << r.output;
  EXPECT_NE(r.output.find("no checkpoint"), std::string::npos) << r.output;
  std::filesystem::create_directories(dir + "/corrupt/checkpoints");
  std::ofstream(dir + "/corrupt/checkpoints/last.pt") << "not a checkpoint";
  auto e = fr("eval --checkpoint " + dir + "/corrupt/checkpoints/last.pt");
  EXPECT_EQ(e.code, 2) << e.output;
  EXPECT_NE(e.output.find("last.pt"), std::string::npos) << e.output;
}

// flowrun sweep: a 2 x 2 grid (values x seeds), then the same command again
// reruns nothing; a value the graph refuses stops the sweep with exit 2.
TEST_F(CliTraining, SweepRunsTheGridOnceAndSummarisesIt) {
  const std::string out = dir + "/sweep";
  const std::string cmd = "sweep " + dir + "/tiny.json --vary nodes.loss.beta=0.1,1 --seeds 2 --out " + out +
                          " --set params.iterations=1";
  auto first = fr(cmd);
  ASSERT_EQ(first.code, 0) << first.output;
  for (const char* p : {"beta-0.1/seed-1", "beta-0.1/seed-2", "beta-1/seed-1", "beta-1/seed-2"})
    EXPECT_TRUE(std::filesystem::exists(out + "/" + p + "/summary.json")) << p;
  std::ifstream csv(out + "/sweep.csv");
  std::vector<std::string> rows;
  for (std::string l; std::getline(csv, l);) rows.push_back(l);
  ASSERT_EQ(rows.size(), 5u);
  EXPECT_EQ(rows[0], "nodes.loss.beta,seed,dice,jaccard,hd95,asd,folder");
  EXPECT_EQ(rows[1].rfind("\"0.1\",1,", 0), 0u) << rows[1];
  EXPECT_NE(first.output.find("nodes.loss.beta"), std::string::npos) << "the table's header";
  const json sweep = json::parse(std::ifstream(out + "/sweep.json"));
  ASSERT_EQ(sweep["points"].size(), 2u);
  EXPECT_EQ(sweep["points"][1]["runs"][1]["seed"], 2);
  EXPECT_TRUE(sweep["points"][1]["runs"][1]["test"].contains("dice"));
  // The seeds make different runs: their first losses differ.
  auto first_loss = [&](const std::string& run) {
    std::ifstream log(out + "/" + run + "/log.jsonl");
    std::string line;
    std::getline(log, line);
    return json::parse(line)["total"].get<double>();
  };
  EXPECT_NE(first_loss("beta-0.1/seed-1"), first_loss("beta-0.1/seed-2"));
  EXPECT_TRUE(std::filesystem::exists(out + "/report.html"));
  auto again = fr(cmd);
  ASSERT_EQ(again.code, 0) << again.output;
  size_t kept = 0;
  for (size_t at = 0; (at = again.output.find("done before, kept", at)) != std::string::npos; ++at) ++kept;
  EXPECT_EQ(kept, 4u) << again.output;
  EXPECT_EQ(again.output.find("training (log"), std::string::npos) << again.output;
  auto bad = fr("sweep " + dir + "/tiny.json --vary nodes.loss.beta=-1 --out " + dir + "/bad_sweep");
  EXPECT_EQ(bad.code, 2) << bad.output;
  EXPECT_NE(bad.output.find("beta--1"), std::string::npos) << bad.output;
  auto typo = fr("sweep " + dir + "/tiny.json --vary nodes.loss.beta --out " + dir + "/bad_sweep");
  EXPECT_EQ(typo.code, 2) << typo.output;
  EXPECT_NE(typo.output.find("PATH=V1,V2"), std::string::npos) << typo.output;
}

// A dataset with four labels (an ACDC-like stand-in: three nested shells)
// trains with no model override (n_classes comes from the dataset) and is
// scored per class in summary.json, test_metrics.csv and the terminal table.
TEST(MultiClass, FourLabelDatasetTrainsAndIsScoredPerClass) {
  const std::string d = testing::scratch("multiclass");
  // ACDC's spacing: thick slices, so HD95 and ASD are reported in mm.
  auto s = fr("synth --out " + d + "/data --cases 8 --size 32 32 32 --classes 4 --spacing 1.5 1.5 10");
  ASSERT_EQ(s.code, 0) << s.output;
  const json desc = json::parse(std::ifstream(d + "/data/synthetic.json"));
  ASSERT_EQ(desc["labels"].size(), 4u);
  std::ofstream(d + "/g.json") << testing::tiny_demo(FLOWRUN_SOURCE_DIR, d + "/data/synthetic.json", 2, 2).dump(2);
  auto print = fr("validate --print " + d + "/g.json");
  ASSERT_EQ(print.code, 0) << print.output;
  const json printed = json::parse(print.output.substr(print.output.find('{')));
  EXPECT_EQ(printed["resources"]["net1"]["params"]["n_classes"], 4);
  EXPECT_EQ(printed["resources"]["net2"]["params"]["in_channels"], 1);
  auto run = fr(d + "/g.json --out " + d + "/run");
  ASSERT_EQ(run.code, 0) << run.output;
  const json test = json::parse(std::ifstream(d + "/run/summary.json"))["test"];
  ASSERT_TRUE(test.contains("classes")) << test.dump();
  ASSERT_EQ(test["classes"].size(), 3u);
  EXPECT_EQ(test["units"], "mm") << "1.5 x 1.5 x 10 mm voxels: HD95 and ASD in mm, not in voxels";
  double mean_of_classes = 0;
  for (int k = 0; k < 3; ++k) {
    EXPECT_EQ(test["classes"][k]["label"], k + 1);
    EXPECT_EQ(test["classes"][k]["name"], "shell_" + std::to_string(k + 1));
    mean_of_classes += test["classes"][k]["mean"]["dice"].get<double>() / 3;
  }
  EXPECT_NEAR(test["mean"]["dice"].get<double>(), mean_of_classes, 1e-9) << "the mean is the classes' mean";
  EXPECT_TRUE(test["per_case"][0]["per_class"].contains("shell_2"));
  std::ifstream csv(d + "/run/test_metrics.csv");
  std::string header;
  std::getline(csv, header);
  EXPECT_NE(header.find(",dice_shell_1,jaccard_shell_1,hd95_shell_1,asd_shell_1,dice_shell_2"), std::string::npos) << header;
  // flowrun eval rebuilds the 4-class model from the checkpoint.
  auto ev = fr("eval --checkpoint " + d + "/run --which last --out " + d + "/eval");
  ASSERT_EQ(ev.code, 0) << ev.output;
  EXPECT_NE(ev.output.find("shell_3"), std::string::npos) << ev.output;
  EXPECT_EQ(json::parse(std::ifstream(d + "/eval/summary.json"))["test"]["classes"].size(), 3u);
  // Overriding the model's classes still wins over the dataset.
  auto over = fr("validate --print " + d + "/g.json --set resources.net1.n_classes=2");
  ASSERT_EQ(over.code, 0) << over.output;
  EXPECT_EQ(json::parse(over.output.substr(over.output.find('{')))["resources"]["net1"]["params"]["n_classes"], 2);
}

}  // namespace flowrun
