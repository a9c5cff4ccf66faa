// bench_metrics: seconds per case of compute_metrics on one real LA label
// against a prediction made from it (shifted, then eroded), to compare with
// medpy's ~0.9 s per case. Usage: bench_metrics [LABEL_SPEC [SHIFT_X]]
// (LABEL_SPEC such as case.h5:label; default: the first case of
// ../shared/data/LA/train.list, relative to the working directory).
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <string>
#include <vector>

#include "core/error.h"
#include "lib/volume/volume_io.h"
#include "lib/metrics/metrics.h"

namespace {

using flowrun::LabelVolume;

std::string default_spec() {
  const std::string dir = "../shared/data/LA/";
  std::ifstream list(dir + "train.list");
  std::string id;
  if (!std::getline(list, id) || id.empty())
    throw flowrun::InputError("cannot read the first case id from " + dir + "train.list; pass a label path");
  return dir + id + ".h5:label";
}

// A plausible imperfect prediction: the label moved by `shift` voxels along x,
// then eroded once by the 6-connected cross so the surfaces differ everywhere.
LabelVolume make_prediction(const LabelVolume& ref, int64_t shift) {
  const auto& n = ref.size;
  LabelVolume moved(n, 0);
  for (int64_t x = 0; x < n[0]; ++x) {
    const int64_t from = x - shift;
    if (from < 0 || from >= n[0]) continue;
    for (int64_t y = 0; y < n[1]; ++y)
      for (int64_t z = 0; z < n[2]; ++z) moved.at(x, y, z) = ref.at(from, y, z);
  }
  LabelVolume out(n, 0);
  for (int64_t x = 1; x + 1 < n[0]; ++x)
    for (int64_t y = 1; y + 1 < n[1]; ++y)
      for (int64_t z = 1; z + 1 < n[2]; ++z)
        out.at(x, y, z) = moved.at(x, y, z) & moved.at(x - 1, y, z) & moved.at(x + 1, y, z) &
                          moved.at(x, y - 1, z) & moved.at(x, y + 1, z) & moved.at(x, y, z - 1) &
                          moved.at(x, y, z + 1);
  return out;
}

int64_t count(const LabelVolume& v) {
  int64_t c = 0;
  for (uint8_t b : v.data) c += b != 0;
  return c;
}

void run(const LabelVolume& pred, const LabelVolume& ref, const std::array<double, 3>& spacing, const char* what) {
  std::vector<double> seconds;
  flowrun::CaseMetrics m;
  for (int rep = 0; rep < 5; ++rep) {
    const auto t0 = std::chrono::steady_clock::now();
    m = flowrun::compute_metrics(pred, ref, spacing);
    seconds.push_back(std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count());
  }
  std::sort(seconds.begin(), seconds.end());
  std::printf("%-22s median %.4f s/case (min %.4f, max %.4f)  dice %.6f  jaccard %.6f  hd95 %.6f  asd %.6f%s\n",
              what, seconds[2], seconds[0], seconds[4], m.dice, m.jaccard, m.hd95, m.asd, m.empty ? "  EMPTY" : "");
}

}  // namespace

int main(int argc, char** argv) {
  try {
    const std::string spec = argc > 1 ? argv[1] : default_spec();
    const int64_t shift = argc > 2 ? std::stoll(argv[2]) : 2;
    const LabelVolume ref = flowrun::read_label(spec);
    const LabelVolume pred = make_prediction(ref, shift);
    std::printf("label %s  size %s  foreground ref %lld pred %lld  (pred = shift %lld along x, eroded once)\n",
                spec.c_str(), flowrun::shape_string(ref.size).c_str(), static_cast<long long>(count(ref)),
                static_cast<long long>(count(pred)), static_cast<long long>(shift));
    run(pred, ref, {1.0, 1.0, 1.0}, "voxel units");
    run(pred, ref, {0.625, 0.625, 0.625}, "spacing 0.625 mm");
    return 0;
  } catch (const flowrun::InputError& e) {
    std::fprintf(stderr, "bench_metrics: %s\n", e.what());
    return flowrun::kExitInvalidInput;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "bench_metrics: %s\n", e.what());
    return flowrun::kExitRunFailure;
  }
}
