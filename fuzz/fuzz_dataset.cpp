// Fuzzes dataset descriptions (lib/volume/dataset.h): DatasetDescription::load
// (read_json_file's limits, then parse) of the input bytes as a description
// file, then split, labeled_ids / unlabeled_ids (the description's default
// subset, and a fraction and a count taken from the input), image_paths and
// label_path of listed ids, and check_cases. The scratch folder holds list
// files (train.list, test.list) and some case files. No volume is read.
// Only InputError may escape.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>

#include "fuzz/fuzz_support.h"
#include "lib/volume/dataset.h"

namespace {

const std::filesystem::path& setup() {
  static const std::filesystem::path dir = [] {
    const auto& d = flowrun::fuzz::scratch_dir("fuzz_dataset");
    const std::string train = "# training cases\na\nb\nc\nd\n\ne\n", test = "f\ng\n";
    flowrun::fuzz::write_file(d / "train.list", train.data(), train.size());
    flowrun::fuzz::write_file(d / "test.list", test.data(), test.size());
    std::filesystem::create_directories(d / "images");
    for (const char* id : {"a", "b", "c"}) flowrun::fuzz::write_file(d / "images" / (std::string(id) + ".nii.gz"), "", 0);
    return d;
  }();
  return dir;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace flowrun;
  const std::string file = (setup() / "ds.json").string();
  fuzz::write_file(file, data, size);
  // A fraction and a count for the subset calls, from the input's last bytes.
  const uint8_t a = size > 0 ? data[size - 1] : 0, b = size > 1 ? data[size - 2] : 0;
  const std::optional<double> fraction = (a & 1) ? std::optional<double>((a >> 1) / 100.0) : std::nullopt;
  const std::optional<int> count = (b & 1) ? std::optional<int>(int(int8_t(b)) >> 1) : std::nullopt;
  fuzz::expect_only_input_errors("fuzz_dataset", [&] {
    const DatasetDescription d = DatasetDescription::load(file);
    for (const auto& [name, ids] : d.splits) {
      for (const auto& id : d.split(name)) {
        d.image_paths(id);
        if (d.has_labels()) d.label_path(id);
      }
    }
    if (d.has_split("train")) {
      d.labeled_ids();
      d.unlabeled_ids();
      fuzz::expect_only_input_errors("fuzz_dataset", [&] {
        d.labeled_ids(fraction, count);
        d.unlabeled_ids(fraction, count);
      });
    }
    d.split("val");  // may not exist: InputError
  });
  fuzz::expect_only_input_errors("fuzz_dataset", [&] {
    const DatasetDescription d = DatasetDescription::load(file);
    for (const auto& [name, ids] : d.splits) d.check_cases(ids);
  });
  return 0;
}
