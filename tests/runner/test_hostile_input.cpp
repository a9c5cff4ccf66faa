// Hostile input through the flowrun executable (issue 11's classes): each
// case is refused with exit 2 and a message naming what was wrong, or handled
// as documented, never a crash, and never a write outside the output folder.
#include <gtest/gtest.h>

#include <filesystem>
#include <functional>
#include <fstream>

#include <nlohmann/json.hpp>
#include <zlib.h>

#include "cli_support.h"

namespace flowrun {
using nlohmann::json;
namespace fs = std::filesystem;

static testing::CommandResult fr(const std::string& args) { return testing::run_command(std::string(FLOWRUN_EXE) + " " + args); }

namespace {

std::string demo() { return std::string(FLOWRUN_SOURCE_DIR) + "/graphs/demo.json"; }

// `depth` nested arrays around 1, as text (no recursion anywhere).
std::string nested(size_t depth) { return std::string(depth, '[') + "1" + std::string(depth, ']'); }

void expect_refused(const testing::CommandResult& r, const std::string& says) {
  EXPECT_EQ(r.code, 2) << r.output;
  EXPECT_NE(r.output.find(says), std::string::npos) << "message lacks '" << says << "':\n" << r.output.substr(0, 2000);
  EXPECT_LT(r.output.size(), 4000u) << "the message echoes the input";
}

// DIR/data (synthetic, 10 cases) and DIR/g.json: the tiny demo for
// `iterations` batches, no validation and no test pass.
bool write_tiny_run(const std::string& dir, int iterations) {
  if (fr("synth --out " + dir + "/data --cases 10 --size 32 32 32").code != 0) return false;
  json g = testing::tiny_demo(FLOWRUN_SOURCE_DIR, dir + "/data/synthetic.json", iterations, 1000000);
  for (auto& n : g["nodes"])
    if (n["id"] == "validate") n["params"]["test_at_end"] = false;
  std::ofstream(dir + "/g.json") << g.dump();
  return true;
}

// Replaces the last `from` by `to` (same length) inside the stored ZIP
// record that holds it, and rewrites that record's CRC-32 (central header,
// local header, data descriptor): an edit of a checkpoint's metadata that
// keeps the archive valid.
bool patch_stored_record(const std::string& path, const std::string& from, const std::string& to) {
  std::ifstream in(path, std::ios::binary);
  std::string b((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  const auto u16 = [&](size_t p) { return size_t(uint8_t(b[p])) | size_t(uint8_t(b[p + 1])) << 8; };
  const auto u32 = [&](size_t p) { return u16(p) | u16(p + 2) << 16; };
  const auto put32 = [&](size_t p, uint32_t v) { for (int i = 0; i < 4; ++i) b[p + i] = char((v >> (8 * i)) & 0xff); };
  for (size_t c = b.find("PK\x01\x02"); c != std::string::npos; c = b.find("PK\x01\x02", c + 4)) {
    const size_t size = u32(c + 20), local = u32(c + 42);
    const size_t data = local + 30 + u16(local + 26) + u16(local + 28);
    const size_t at = b.rfind(from, data + size - from.size());
    if (at == std::string::npos || at < data) continue;
    b.replace(at, to.size(), to);
    const uint32_t crc = uint32_t(::crc32(0, reinterpret_cast<const Bytef*>(b.data() + data), uInt(size)));
    put32(c + 16, crc);
    if (u32(local + 14) != 0) put32(local + 14, crc);
    if (u16(local + 6) & 8) put32(b.compare(data + size, 4, "PK\x07\x08") == 0 ? data + size + 4 : data + size, crc);
    std::ofstream(path, std::ios::binary | std::ios::trunc) << b;
    return true;
  }
  return false;
}

std::string file_text(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

}  // namespace

TEST(HostileInput, DeepJsonIsRefusedNotAStackOverflow) {
  const std::string dir = testing::scratch("hostile_deep");
  json g = json::parse(std::ifstream(demo()));
  std::string text = g.dump();
  text.replace(text.find("\"doc\":") + 6, 0, nested(100000) + ", \"doc_was\":");
  std::ofstream(dir + "/deep.json") << text;
  expect_refused(fr("validate " + dir + "/deep.json"), "nested deeper than 64 levels");
  // A --set value (an argument holds at most 128 KiB, so 20 000 levels).
  std::ofstream(dir + "/arg.txt") << "params.seed=" << nested(20000);
  expect_refused(testing::run_command(std::string(FLOWRUN_EXE) + " validate " + demo() + " --set \"$(cat " + dir +
                                      "/arg.txt)\""),
                 "nested deeper than 64 levels");
}

TEST(HostileInput, HugeGraphFilesAndSetValuesAreRefusedBeforeParsing) {
  const std::string dir = testing::scratch("hostile_huge");
  {
    std::ofstream f(dir + "/huge.json");
    f << "{\"doc\": [";
    const std::string chunk(1 << 20, ' ');
    for (int i = 0; i < 65; ++i) f << chunk;
    f << "1]}";
  }
  expect_refused(fr("validate " + dir + "/huge.json"), "MiB of JSON");
  std::ofstream(dir + "/arg.txt") << "name=" << std::string(100 << 10, 'x');
  expect_refused(testing::run_command(std::string(FLOWRUN_EXE) + " validate " + demo() + " --set \"$(cat " + dir +
                                      "/arg.txt)\""),
                 "at most 65536");
}

TEST(HostileInput, ThreadCountsOutOfRange) {
  for (const char* n : {"100000", "-1", "0"}) {
    const auto r = fr("run " + demo() + " --threads " + std::string(n) + " --out " + testing::scratch("hostile_threads"));
    EXPECT_EQ(r.code, 2) << n << ": " << r.output;
    EXPECT_NE(r.output.find("--threads"), std::string::npos) << r.output;
  }
}

TEST(HostileInput, BrokenPluginsAreNamed) {
  const std::string dir = FLOWRUN_TEST_PLUGIN_DIR;
  const std::string g = testing::scratch("hostile_plugins") + "/g.json";
  for (const char* p : {"libflowrun_nullreg.so", "libflowrun_throwing.so"}) {
    std::ofstream(g) << json{{"plugins", {dir + "/" + p}}, {"nodes", json::array()}}.dump();
    const auto v = fr("validate " + g);
    EXPECT_EQ(v.code, 2) << p << ": " << v.output;
    EXPECT_NE(v.output.find(p), std::string::npos) << v.output;
  }
  EXPECT_NE(fr("validate " + g).output.find("failed while registering its types: boom"), std::string::npos);
  // `flowrun nodes` lists what loads and reports the broken ones; no crash.
  const auto listing = testing::run_command("FLOWRUN_PLUGIN_PATH=" + dir + " " + std::string(FLOWRUN_EXE) + " nodes");
  EXPECT_EQ(listing.code, 0) << listing.output;
  EXPECT_NE(listing.output.find("no register function"), std::string::npos) << listing.output;
}

TEST(HostileInput, IdsAndNamesCannotBecomePaths) {
  expect_refused(fr("validate " + demo() + " --set name=../../../x"), "run name");
  expect_refused(fr("validate " + demo() + " --set name=/tmp/x"), "run name");
  const std::string dir = testing::scratch("hostile_ids");
  json g = json::parse(std::ifstream(demo()));
  g["nodes"][0]["id"] = "sam\"ple\n";
  std::ofstream(dir + "/g.json") << g.dump();
  expect_refused(fr("dot " + dir + "/g.json"), "node id");
}

// SIGTERM (timeout, Slurm, Kubernetes) and SIGHUP (the session closed) end a
// run as Ctrl-C does: the batches in flight finish, last.pt and profile.json
// are written, exit 1.
TEST(HostileInput, SigtermAndSighupSaveLikeCtrlC) {
  for (const std::string sig : {"TERM", "HUP"}) {
    const std::string dir = testing::scratch("hostile_sig" + sig);
    ASSERT_TRUE(write_tiny_run(dir, 100000));
    // The signal goes once training has started (log.jsonl has a line), as a
    // scheduler's would: before that the run has nothing to save.
    const std::string run =
        std::string(FLOWRUN_EXE) + " run " + dir + "/g.json --out " + dir + "/run --set params.threads=1";
    const auto r = testing::run_command("sh -c '" + run + " & pid=$!; for i in $(seq 1200); do [ -s " + dir +
                                        "/run/log.jsonl ] && break; sleep 0.1; done; kill -" + sig +
                                        " $pid; wait $pid'");
    EXPECT_EQ(r.code, 1) << sig << ": " << r.output;
    EXPECT_NE(r.output.find("interrupted after"), std::string::npos) << sig << ": " << r.output;
    EXPECT_TRUE(fs::exists(dir + "/run/checkpoints/last.pt")) << sig << ": " << r.output;
    EXPECT_TRUE(fs::exists(dir + "/run/profile.json")) << sig << ": " << r.output;
  }
}

// A run folder is never replaced silently, and one folder has one writer.
TEST(HostileInput, ExistingRunFoldersAndConcurrentWriters) {
  const std::string dir = testing::scratch("hostile_folders");
  ASSERT_TRUE(write_tiny_run(dir, 2));
  const std::string run = "run " + dir + "/g.json --set params.threads=1 --out " + dir + "/run";
  ASSERT_EQ(fr(run).code, 0);
  const auto again = fr(run);
  EXPECT_EQ(again.code, 2) << again.output;
  EXPECT_NE(again.output.find("holds a previous run"), std::string::npos) << again.output;
  EXPECT_NE(again.output.find("--resume"), std::string::npos) << again.output;
  // --force replaces it, and cleans temp files that dead writers left.
  std::ofstream(dir + "/run/checkpoints/last.pt.tmp.999999") << "half a checkpoint";
  ASSERT_EQ(fr(run + " --force").code, 0);
  EXPECT_FALSE(fs::exists(dir + "/run/checkpoints/last.pt.tmp.999999"));
  EXPECT_FALSE(fs::exists(dir + "/run/.flowrun.lock")) << "the lock outlived the run";
  // A live writer's lock (pid 1 is always alive) refuses; a dead one's is taken over.
  fs::create_directories(dir + "/busy");
  std::ofstream(dir + "/busy/.flowrun.lock") << "1\n";
  const auto busy = fr("run " + dir + "/g.json --set params.threads=1 --out " + dir + "/busy");
  EXPECT_EQ(busy.code, 2) << busy.output;
  EXPECT_NE(busy.output.find("another flowrun (pid 1)"), std::string::npos) << busy.output;
  fs::create_directories(dir + "/stale");
  std::ofstream(dir + "/stale/.flowrun.lock") << "999999\n";
  EXPECT_EQ(fr("run " + dir + "/g.json --set params.threads=1 --out " + dir + "/stale").code, 0);
}

TEST(HostileInput, HugeListIndexInSetIsInvalidInput) {
  const auto r = fr("validate " + demo() + " --set nodes.crop.patch.99999999999999999999=5");
  EXPECT_EQ(r.code, 2) << r.output;
  EXPECT_NE(r.output.find("is not an index"), std::string::npos) << r.output;
}

TEST(HostileInput, WrongTypesAndMalformedProfilesAreInvalidInput) {
  const std::string dir = testing::scratch("hostile_types");
  json g = json::parse(std::ifstream(demo()));
  g["doc"] = json::array({1, 2});
  std::ofstream(dir + "/g.json") << g.dump();
  expect_refused(fr("validate " + dir + "/g.json"), "$.doc: expected a string");
  std::ofstream(dir + "/profile.json") << R"({"nodes": {"sample": "not an object"}})";
  expect_refused(fr("dot " + demo() + " --profile " + dir + "/profile.json"), "not a flowrun profile");
}

// Resuming keeps the profile of each part.
TEST(HostileInput, ResumeKeepsTheEarlierProfile) {
  const std::string dir = testing::scratch("hostile_resume");
  ASSERT_TRUE(write_tiny_run(dir, 2));
  ASSERT_EQ(fr("run " + dir + "/g.json --set params.threads=1 --out " + dir + "/run").code, 0);
  const auto r = fr("run " + dir + "/g.json --set params.threads=1 --set params.iterations=3 --resume " + dir + "/run");
  ASSERT_EQ(r.code, 0) << r.output;
  EXPECT_TRUE(fs::exists(dir + "/run/profile.until_batch_2.json")) << r.output;
  EXPECT_TRUE(fs::exists(dir + "/run/profile.json"));
}

TEST(HostileInput, GlobalParamsValidateAsRunWouldUseThem) {
  expect_refused(fr("validate " + demo() + " --set params.device=tpu"), "$.params.device");
  expect_refused(fr("validate " + demo() + " --set params.iterations=1e30"), "$.params.iterations");
  EXPECT_EQ(fr("validate " + demo() + " --set params.device=cuda:1").code, 0);
}

TEST(HostileInput, OutOfRangeEvalOptionsAndLibraryBacktraces) {
  for (const char* bad : {"--window-batch 0", "--label -5"}) {
    const auto r = fr("eval --checkpoint /nonexistent " + std::string(bad));
    EXPECT_EQ(r.code, 2) << bad << ": " << r.output;
    EXPECT_NE(r.output.find(std::string(bad).substr(0, std::string(bad).find(' '))), std::string::npos) << r.output;
  }
  // Widths beyond the schema's range are invalid input; a model within it
  // but too large to allocate (1024 filters: ~29 GB of bottleneck weights)
  // fails with LibTorch's message, not its backtrace.
  const std::string dir = testing::scratch("hostile_alloc");
  ASSERT_TRUE(write_tiny_run(dir, 1));
  expect_refused(fr("validate " + dir + "/g.json --set resources.net1.n_filters=100000"), "in [1, 1024]");
  // An address-space limit makes the allocation fail the same way on every
  // machine: without it a 1024-filter V-Net may fit in overcommitted memory
  // and train for hours, or be ended by the OOM killer, depending on the load.
  // AddressSanitizer reserves terabytes of address space, so its builds go
  // without the limit.
#if defined(__SANITIZE_ADDRESS__)
  const std::string limit;
#else
  const std::string limit = "ulimit -v 8000000; ";
#endif
  const auto r = testing::run_command(limit + std::string(FLOWRUN_EXE) + " run " + dir +
                                      "/g.json --set params.threads=1 --set resources.net1.n_filters=1024 --out " +
                                      dir + "/run");
  EXPECT_NE(r.code, 0) << r.output;
  EXPECT_EQ(r.output.find("frame #"), std::string::npos) << r.output.substr(0, 3000);
  EXPECT_EQ(r.output.find("Exception raised from"), std::string::npos) << r.output.substr(0, 3000);
}

// `validate` opens the dataset description and checks what `run` would
// refuse: the description itself, its splits against the nodes, the files,
// resource names in nets lists, and the prefetch ordering edge.
TEST(HostileInput, ValidateRejectsWhatRunWouldReject) {
  const std::string dir = testing::scratch("hostile_validate_dataset");
  ASSERT_TRUE(write_tiny_run(dir, 2));
  const std::string g = dir + "/g.json";
  ASSERT_EQ(fr("validate " + g).code, 0) << fr("validate " + g).output;

  expect_refused(fr("validate " + g + " --set dataset=/etc/passwd"), "/etc/passwd");
  const json desc = json::parse(std::ifstream(dir + "/data/synthetic.json"));
  auto variant = [&](const std::string& name, const std::function<void(json&)>& change) {
    json d = desc;
    change(d);
    std::ofstream(dir + "/data/" + name) << d.dump();
    return fr("validate " + g + " --set dataset=" + dir + "/data/" + name);
  };
  expect_refused(variant("unknown_key.json", [](json& d) { d["splitz"] = json::object(); }), "$.splitz: unknown key");
  expect_refused(variant("empty_train.json", [](json& d) { d["splits"]["train"] = json::array(); }), "node 'sample'");
  expect_refused(variant("no_val.json", [](json& d) { d["splits"]["val"] = json::array(); }), "names no cases");
  expect_refused(fr("validate " + g + " --set nodes.sample.labeled_count=100"), "labelled count 100");
  expect_refused(fr("validate " + g + " --set nodes.validate.split=vall --set nodes.validate.select_on_test=true"),
                 "no split 'vall'");

  // Missing files: refused by default, skipped on request.
  std::string image = desc["image"].is_array() ? desc["image"][0] : desc["image"];
  std::string first_case;  // a labelled training case
  std::getline(std::ifstream(dir + "/data/train.list"), first_case);
  image.replace(image.find("{id}"), 4, first_case);
  fs::rename(dir + "/data/" + image, dir + "/moved.nii.gz");
  expect_refused(fr("validate " + g), fs::path(image).filename().string() + "' (channel");
  EXPECT_EQ(fr("validate --no-file-check " + g).code, 0);
  fs::rename(dir + "/moved.nii.gz", dir + "/data/" + image);

  expect_refused(fr("validate " + g + " --set 'nodes.forward.nets=[\"net1\",\"ghost\"]'"),
                 "nets[1]: no resource named 'ghost'");
  expect_refused(fr("validate " + g + " --set 'nodes.checkpoint.nets=[\"net3\"]'"), "no resource named 'net3'");
  {
    json without = json::parse(std::ifstream(g));
    without["edges"] = json::array();
    std::ofstream(dir + "/no_back_edge.json") << without.dump();
    expect_refused(fr("validate " + dir + "/no_back_edge.json"), "with params.prefetch > 1");
    EXPECT_EQ(fr("validate " + dir + "/no_back_edge.json --set params.prefetch=1").code, 0);
  }
}

// A checkpoint altered after it was written is refused (its records' CRC-32),
// and metadata a run cannot have written is refused before the run folder is
// touched.
TEST(HostileInput, AlteredCheckpointsAndImpossibleMetadataAreRefused) {
  const std::string dir = testing::scratch("hostile_checkpoint_integrity");
  ASSERT_TRUE(write_tiny_run(dir, 12));
  const auto first = fr("run " + dir + "/g.json --out " + dir + "/run");
  ASSERT_EQ(first.code, 0) << first.output;
  const std::string resume = "run " + dir + "/g.json --set params.iterations=14 --resume ";

  fs::copy(dir + "/run", dir + "/flipped", fs::copy_options::recursive);
  const std::string flipped = dir + "/flipped/checkpoints/last.pt";
  {
    std::fstream f(flipped, std::ios::in | std::ios::out | std::ios::binary);
    f.seekg(static_cast<std::streamoff>(fs::file_size(flipped) / 2));
    char c = 0;
    f.get(c);
    f.seekp(static_cast<std::streamoff>(fs::file_size(flipped) / 2));
    f.put(static_cast<char>(c ^ 0x10));
  }
  expect_refused(fr(resume + dir + "/flipped"), "fails its CRC-32 check");
  expect_refused(fr("eval -c " + dir + "/flipped --which last --dataset " + dir + "/data/synthetic.json"), "CRC-32");

  fs::copy(dir + "/run", dir + "/negative", fs::copy_options::recursive);
  ASSERT_TRUE(patch_stored_record(dir + "/negative/checkpoints/last.pt", "\"iteration\":11", "\"iteration\":-5"));
  const std::string log_before = file_text(dir + "/negative/log.jsonl");
  ASSERT_FALSE(log_before.empty());
  expect_refused(fr(resume + dir + "/negative"), "iteration -5");
  EXPECT_EQ(file_text(dir + "/negative/log.jsonl"), log_before);
  EXPECT_TRUE(fs::exists(dir + "/negative/profile.json"));

  // The untouched run resumes, and the temp file of a writer killed
  // mid-save (kill -9) goes at once.
  const std::string stale = dir + "/run/checkpoints/last.pt.tmp.4194303";
  std::ofstream(stale) << "half a checkpoint";
  const auto ok = fr(resume + dir + "/run");
  EXPECT_EQ(ok.code, 0) << ok.output;
  EXPECT_FALSE(fs::exists(stale));
}

// A full disk (here a file-size limit) while a checkpoint is written fails
// the run with exit 1 naming the node, leaves no temporary file, and the
// process ends normally (no std::terminate from LibTorch's writer).
TEST(HostileInput, FullDiskDuringACheckpointFailsCleanly) {
  const std::string dir = testing::scratch("hostile_full_disk");
  ASSERT_TRUE(write_tiny_run(dir, 2));
  const auto r = testing::run_command("bash -c 'ulimit -f 64; exec " + std::string(FLOWRUN_EXE) + " run " + dir +
                                      "/g.json --out " + dir + "/run'");
  EXPECT_EQ(r.code, 1) << r.output;
  EXPECT_NE(r.output.find("checkpoint"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("File too large"), std::string::npos) << r.output;
  EXPECT_EQ(r.output.find("terminate"), std::string::npos) << r.output;
  for (const auto& e : fs::recursive_directory_iterator(dir + "/run"))
    EXPECT_EQ(e.path().filename().string().find(".tmp."), std::string::npos) << e.path();
}

// A graph's dataset generator never replaces a dataset made with other
// options (a run trained on it would no longer match its data).
TEST(HostileInput, GeneratorDoesNotReplaceAnotherDataset) {
  const std::string dir = testing::scratch("hostile_generator");
  ASSERT_TRUE(write_tiny_run(dir, 1));
  json g = json::parse(std::ifstream(dir + "/g.json"));
  g["dataset_generator"] = {{"type", "synthetic"}, {"params", {{"cases", 12}, {"size", {32, 32, 32}}}}};
  std::ofstream(dir + "/gen.json") << g.dump();
  const std::string before = file_text(dir + "/data/synthetic.json");
  const auto r = fr("run " + dir + "/gen.json --out " + dir + "/run");
  expect_refused(r, "holds another dataset");
  EXPECT_NE(r.output.find("--force"), std::string::npos) << r.output;
  EXPECT_EQ(file_text(dir + "/data/synthetic.json"), before);
  EXPECT_FALSE(fs::exists(dir + "/run/log.jsonl"));
}

// Duplicate keys are refused with their JSON path, not resolved silently,
// in graph files, dataset descriptions and --set values; node counts are bounded.
TEST(HostileInput, DuplicateKeysAndHugeNodeCountsAreRefused) {
  const std::string dir = testing::scratch("hostile_duplicates");
  std::string text = file_text(demo());
  const std::string sigma = "\"sigma\": 5";
  ASSERT_NE(text.find(sigma), std::string::npos);
  text.replace(text.find(sigma), sigma.size(), sigma + ", \"sigma\": 2");
  std::ofstream(dir + "/dup.json") << text;
  expect_refused(fr("validate " + dir + "/dup.json"), "$.nodes[].params has the key \"sigma\" twice");
  expect_refused(fr("validate " + demo() + " --set 'nodes.crop.params={\"sigma\":1,\"sigma\":2}'"),
                 "has the key \"sigma\" twice");
  ASSERT_TRUE(write_tiny_run(dir, 1));
  std::string desc = file_text(dir + "/data/synthetic.json");
  desc.replace(desc.find("\"name\""), 6, "\"name\": \"x\", \"name\"");
  std::ofstream(dir + "/data/dup_desc.json") << desc;
  expect_refused(fr("validate " + dir + "/g.json --set dataset=" + dir + "/data/dup_desc.json"),
                 "has the key \"name\" twice");

  json many = json::parse(std::ifstream(demo()));
  many.erase("extends");
  for (int i = 0; i < 5000; ++i) many["nodes"].push_back({{"id", "n" + std::to_string(i)}, {"type", "data.collate"}});
  std::ofstream(dir + "/many.json") << many.dump();
  expect_refused(fr("validate " + dir + "/many.json"), "a graph holds at most 4096");
}

}  // namespace flowrun
