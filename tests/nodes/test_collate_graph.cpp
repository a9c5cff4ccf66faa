// data.collate and data.to_device (tensors per docs/packets.md), and the data
// pipeline as a graph: sampler -> load -> rot_flip -> shift_crop -> collate
// must give identical batches whatever the thread count.
#include <ATen/ATen.h>

#include <mutex>

#include "lib/ops/shift_crop.h"
#include "core/graph_runner.h"
#include "core/graph_spec.h"
#include "core/graph_validation.h"
#include "node_test_support.h"

namespace flowrun {
namespace {

using namespace nodetest;

at::Tensor tensor_of(const ImageVolume& v) {
  return at::from_blob(const_cast<float*>(v.data.data()), {v.size[0], v.size[1], v.size[2]}, at::kFloat);
}

Sample with_b(Sample s, Index3 shift) {
  for (auto& ch : s.channels) {
    ImageVolume b = ch;
    for (auto& x : b.data) x = -x;
    s.channels_b.push_back(std::move(b));
  }
  s.shift = shift;
  overlap_boxes({s.channels[0].size[0], s.channels[0].size[1], s.channels[0].size[2]}, shift, &s.overlap_a,
                &s.overlap_b);
  return s;
}

TEST(CollateNode, StacksLabeledFirstWithLabelsCropsBAndMeta) {
  const Index3 p{4, 3, 2};
  const SampleList in = {with_b(memory_sample("u0", false, p), {1, -2, 0}), memory_sample("l0", true, p),
                         with_b(memory_sample("u1", false, p), {0, 0, 3})};
  Driver d("data.collate", json::object());
  const PacketPtr out = d.run(0, samples_packet(in));
  const at::Tensor image = out->get<at::Tensor>("image");
  const at::Tensor label = out->get<at::Tensor>("label");
  const at::Tensor image_b = out->get<at::Tensor>("image_b");
  EXPECT_EQ(image.sizes(), (at::IntArrayRef{3, 2, 4, 3, 2}));
  EXPECT_EQ(image.scalar_type(), at::kFloat);
  EXPECT_EQ(label.sizes(), (at::IntArrayRef{1, 4, 3, 2}));
  EXPECT_EQ(label.scalar_type(), at::kLong);
  EXPECT_EQ(image_b.sizes(), (at::IntArrayRef{2, 2, 4, 3, 2}));
  const size_t order[] = {1, 0, 2};
  for (int64_t b = 0; b < 3; ++b)
    for (int64_t c = 0; c < 2; ++c)
      EXPECT_TRUE(at::equal(image[b][c], tensor_of(in[order[b]].channels[size_t(c)]))) << b << " " << c;
  for (int64_t u = 0; u < 2; ++u)
    for (int64_t c = 0; c < 2; ++c)
      EXPECT_TRUE(at::equal(image_b[u][c], tensor_of(in[u == 0 ? 0 : 2].channels_b[size_t(c)])));
  const auto lab = label.flatten();
  for (int64_t i = 0; i < lab.numel(); ++i) EXPECT_EQ(lab[i].item<int64_t>(), i % 7);
  EXPECT_EQ(out->meta["cases"], json({"l0", "u0", "u1"}));
  EXPECT_EQ(out->meta["labeled_count"], 1);
  EXPECT_EQ(out->meta["unlabeled_count"], 2);
  EXPECT_EQ(out->meta["shifts"], json({{1, -2, 0}, {0, 0, 3}}));
  EXPECT_EQ(out->meta["patch"], json({4, 3, 2}));
  // The crop node's overlap boxes travel with the batch (not recomputed downstream).
  EXPECT_EQ(out->meta["overlaps"], json::parse(R"([{"a": [[1, 0, 0], [4, 1, 2]], "b": [[0, 2, 0], [3, 3, 2]]},
                                                   {"a": [[0, 0, 2], [4, 3, 2]], "b": [[0, 0, 0], [4, 3, 0]]}])"));
}

TEST(CollateNode, NoImageBWithoutShiftCropAndErrorsNameCases) {
  const Index3 p{2, 2, 2};
  Driver d("data.collate", json::object());
  const PacketPtr plain = d.run(0, samples_packet({memory_sample("l0", true, p), memory_sample("u0", false, p)}));
  EXPECT_FALSE(plain->has("image_b"));
  EXPECT_EQ(plain->meta["shifts"], json({{0, 0, 0}}));
  EXPECT_FALSE(plain->meta.contains("overlaps"));

  expect_error<RunError>(
      [&] { d.run(1, samples_packet({memory_sample("l0", true, p), memory_sample("u7", false, {2, 2, 4})})); },
      {"case 'u7'", "case 'l0'", "2x2x4", "2x2x2"});
  expect_error<RunError>(
      [&] { d.run(2, samples_packet({with_b(memory_sample("u0", false, p), {0, 0, 0}), memory_sample("u1", false, p)})); },
      {"1 of 2"});
}

PacketPtr small_batch() {
  return Driver("data.collate", json::object())
      .run(0, samples_packet({memory_sample("l0", true, {2, 2, 2}),
                              with_b(memory_sample("u0", false, {2, 2, 2}), {1, 0, 0})}));
}

TEST(ToDeviceNode, CpuPassesThePacketThroughUncopied) {
  const PacketPtr batch = small_batch();
  Driver cpu("data.to_device", json::object(), "", {{"device", "cpu"}});
  EXPECT_EQ(cpu.run(0, batch).get(), batch.get());
}

TEST(ToDeviceNode, CudaMovesEveryTensorAndKeepsMeta) {
  if (!at::hasCUDA()) GTEST_SKIP() << "no CUDA device";
  const PacketPtr batch = small_batch();
  Driver cuda("data.to_device", json::object(), "", {{"device", "cuda"}});
  const PacketPtr out = cuda.run(0, batch);
  EXPECT_EQ(out->meta, batch->meta);
  for (const char* name : {"image", "label", "image_b"}) {
    const at::Tensor t = out->get<at::Tensor>(name);
    EXPECT_TRUE(t.is_cuda()) << name;
    EXPECT_TRUE(at::equal(t.cpu(), batch->get<at::Tensor>(name))) << name;
  }
}

// Keeps every batch packet it receives, for comparing runs.
struct Captured {
  std::mutex mutex;
  std::map<int64_t, PacketPtr> batches;
};

class CaptureNode : public Node {
 public:
  explicit CaptureNode(Captured* into) : into_(into) {}
  void process(NodeContext&, BatchIO& io) override {
    std::lock_guard<std::mutex> lock(into_->mutex);
    into_->batches[io.id()] = io.input_ptr("in");
  }

 private:
  Captured* into_;
};

std::map<int64_t, PacketPtr> run_pipeline(const Dataset& ds, int threads, const std::string& dataset_key = "") {
  Captured captured;
  Registry r;
  register_builtin_nodes(r);
  NodeSchema s;
  s.type = "test.capture";
  s.doc = "keeps the batches it receives";
  s.inputs = {{"in", "batch", ""}};
  r.add_node(s, [&captured](const NodeContext&) { return std::make_unique<CaptureNode>(&captured); });
  json g = {{"params", {{"seed", 5}, {"iterations", 6}, {"device", "cpu"}, {"prefetch", 4}}},
            {"nodes",
             {{{"id", "sampler"}, {"type", "data.two_stream_sampler"}},
              {{"id", "load"}, {"type", "data.load_case"}, {"concurrency", "unlimited"}},
              {{"id", "aug"}, {"type", "data.rot_flip"}, {"concurrency", "unlimited"}},
              {{"id", "crop"}, {"type", "data.shift_crop"}, {"params", {{"patch", {8, 8, 8}}, {"sigma", 2}}},
               {"concurrency", "unlimited"}},
              {{"id", "collate"}, {"type", "data.collate"}, {"concurrency", "unlimited"}},
              {{"id", "sink"}, {"type", "test.capture"}}}},
            {"edges", nlohmann::json::parse(R"([["sampler.out", "load.in"], ["load.out", "aug.in"], ["aug.out", "crop.in"],
                                       ["crop.out", "collate.in"], ["collate.out", "sink.in"]])")}};
  if (dataset_key.empty()) g["dataset"] = ds.description();
  const ValidatedGraph vg = validate_graph(parse_graph(g, ""), r);
  RunOptions o;
  o.max_threads = threads;
  const RunResult res = run_graph(vg, r, o);
  EXPECT_EQ(res.batches, 6);
  return captured.batches;
}

TEST(DataGraph, BatchesAreIdenticalAcrossThreadCounts) {
  Dataset ds;
  const auto one = run_pipeline(ds, 1);
  const auto four = run_pipeline(ds, 4);
  ASSERT_EQ(one.size(), 6u);
  ASSERT_EQ(four.size(), 6u);
  std::set<std::string> distinct;
  for (const auto& [b, p] : one) {
    const PacketPtr& q = four.at(b);
    EXPECT_EQ(p->meta, q->meta) << "batch " << b;
    for (const char* name : {"image", "label", "image_b"})
      EXPECT_TRUE(at::equal(p->get<at::Tensor>(name), q->get<at::Tensor>(name))) << "batch " << b << " " << name;
    EXPECT_EQ(p->get<at::Tensor>("image").sizes(), (at::IntArrayRef{4, 2, 8, 8, 8}));
    EXPECT_EQ(p->meta["labeled_count"], 2);
    distinct.insert(p->meta["cases"].dump() + p->meta["shifts"].dump());
  }
  EXPECT_GT(distinct.size(), 1u);
}

TEST(DataGraph, GraphWithoutDatasetIsRefusedAtOpen) {
  Dataset ds;
  expect_error<InputError>([&] { run_pipeline(ds, 1, "none"); }, {"needs the graph's \"dataset\""});
}

}  // namespace
}  // namespace flowrun
