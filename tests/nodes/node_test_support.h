// Shared fixtures of the data-node tests: a tiny two-channel NIfTI dataset in
// a per-test temp folder with its description, a driver that opens one node
// of the built-in registry and feeds it packets, and in-memory samples whose
// voxel values identify their position.
#pragma once

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "tests/support/expect_error.h"
#include "core/error.h"
#include "core/global_params.h"
#include "core/node_runner.h"
#include "core/registry.h"
#include "nodes/builtin_nodes.h"
#include "nodes/sample.h"
#include "nodes/samples_io.h"
#include "lib/volume/volume_io.h"

namespace flowrun::nodetest {

namespace fs = std::filesystem;
using nlohmann::json;

inline fs::path temp_dir() {
  const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
  fs::path d = fs::temp_directory_path() /
               ("flowrun_nodes_" + std::to_string(::getpid())) /
               (std::string(info->test_suite_name()) + "." + info->name());
  fs::remove_all(d);
  fs::create_directories(d);
  return d;
}

inline const Index3 kCaseSize{10, 9, 6};

// Channel c of case k holds 1000 * k + 100 * c + (voxel index % 97); the label
// is (x + y + z) % 2. Distinct per case and channel, so a mix-up shows.
inline ImageVolume case_channel(int k, int c, Index3 size = kCaseSize) {
  ImageVolume v(size);
  for (size_t i = 0; i < v.data.size(); ++i) v.data[i] = float(1000 * k + 100 * c + int(i % 97));
  v.geometry.spacing = {1.0, 1.0, 2.0};
  return v;
}
inline LabelVolume case_label(Index3 size = kCaseSize) {
  LabelVolume v(size);
  for (int64_t x = 0; x < size[0]; ++x)
    for (int64_t y = 0; y < size[1]; ++y)
      for (int64_t z = 0; z < size[2]; ++z) v.at(x, y, z) = uint8_t((x + y + z) % 2);
  v.geometry.spacing = {1.0, 1.0, 2.0};
  return v;
}

// Cases c0..c9: train = c0..c7 (first 4 labelled), val = c8, c9.
struct Dataset {
  fs::path dir;
  json doc = {{"name", "tiny"},
              {"root", "."},
              {"channels", {"A", "B"}},
              {"labels", {{"0", "background"}, {"1", "fg"}}},
              {"image", {"{id}_0.nii.gz", "{id}_1.nii.gz"}},
              {"label", "{id}_label.nii.gz"},
              {"splits", {{"train", {"c0", "c1", "c2", "c3", "c4", "c5", "c6", "c7"}}, {"val", {"c8", "c9"}}}},
              {"labeled_count", 4}};

  explicit Dataset(fs::path where = temp_dir()) : dir(std::move(where)) {
    fs::create_directories(dir);
    for (int k = 0; k < 10; ++k) write_case(k);
    save();
  }
  static std::string id(int k) { return "c" + std::to_string(k); }
  void write_case(int k, Index3 size = kCaseSize) const {
    for (int c = 0; c < 2; ++c) write_image(case_channel(k, c, size), file(id(k) + "_" + std::to_string(c) + ".nii.gz"));
    write_label(case_label(size), file(id(k) + "_label.nii.gz"));
  }
  std::string file(const std::string& name) const { return (dir / name).string(); }
  std::string description() const { return file("tiny.json"); }
  void save() const { std::ofstream(description()) << doc.dump(2); }
};

inline const Registry& builtin_registry() {
  static const Registry r = [] {
    Registry reg;
    register_builtin_nodes(reg);
    return reg;
  }();
  return r;
}

// One node of a built-in type, opened with validated params, driven batch by batch.
// The built-in registry's node `type` under the public harness
// (core/node_runner.h), opened at once as the data-node tests expect.
struct Driver {
  NodeRunner runner;
  NodeContext& ctx;

  Driver(const std::string& type, const json& params, const std::string& dataset = "",
         json globals = json::object(), const std::string& id = "n")
      : runner(builtin_registry(), type, params, id), ctx(runner.context()) {
    runner.globals(globals).dataset(dataset);
    runner.open();
  }
  PacketPtr run(int64_t batch, PacketPtr in = nullptr) { return runner.run_one(batch, std::move(in)); }
};

inline PacketPtr cases_packet(const std::vector<std::string>& ids, const std::vector<bool>& labeled) {
  auto p = std::make_shared<Packet>();
  p->meta["cases"] = ids;
  p->meta["labeled"] = labeled;
  return p;
}

inline PacketPtr samples_packet(SampleList list) {
  auto p = std::make_shared<Packet>();
  json cases = json::array(), labeled = json::array();
  for (const auto& s : list) {
    cases.push_back(s.id);
    labeled.push_back(s.labeled);
  }
  p->meta["cases"] = cases;
  p->meta["labeled"] = labeled;
  p->set<SampleListPtr>(kSamplesKey, std::make_shared<const SampleList>(std::move(list)));
  return p;
}

// A copy, so `const SampleList& s = samples_of(node.run(...))` outlives the packet.
inline SampleList samples_of(const PacketPtr& p) { return *p->get<SampleListPtr>(kSamplesKey); }

// In-memory sample: channel c voxel i holds 10000 * c + i, and the label holds
// i % 7, so label == int(channel 0) % 7 holds exactly after any transform that
// moves channel and label voxels together.
inline Sample memory_sample(const std::string& id, bool labeled, Index3 size, int channels = 2) {
  Sample s;
  s.id = id;
  s.labeled = labeled;
  for (int c = 0; c < channels; ++c) {
    ImageVolume v(size);
    for (size_t i = 0; i < v.data.size(); ++i) v.data[i] = float(10000 * c + int(i));
    s.channels.push_back(std::move(v));
  }
  if (labeled) {
    LabelVolume l(size);
    for (size_t i = 0; i < l.data.size(); ++i) l.data[i] = uint8_t(i % 7);
    s.label = std::move(l);
  }
  return s;
}

using flowrun::test_support::expect_error;

}  // namespace flowrun::nodetest
