// bench_sliding_window: seconds per LA-sized volume of the lineage's sliding
// window (V-Net, n_filters 16, patch 112x112x80) at window_batch 1 against
// larger window batches, on this machine, checking that every setting gives
// the same mask. A full LA volume at stride 18x18x4 is hundreds of windows,
// so --stride allows a coarser run; the window count is printed either way.
//
// Usage: bench_sliding_window [--image SPEC] [--size X Y Z] [--stride X Y Z]
//          [--batches 1,2,4,8] [--reps N] [--threads N] [--device cpu|cuda]
//          [--patch X Y Z] [--filters N]
#include <chrono>
#include <cstdio>
#include <cstring>
#include <sstream>
#include <string>
#include <vector>

#include <torch/torch.h>

#include "lib/volume/volume_io.h"
#include "lib/eval/sliding_window.h"
#include "lib/torch/cpu_settings.h"
#include "plugins/vnet/vnet.h"

namespace {

std::vector<int64_t> int_list(const std::string& s) {
  std::vector<int64_t> r;
  std::stringstream ss(s);
  std::string item;
  while (std::getline(ss, item, ',')) r.push_back(std::stoll(item));
  return r;
}

}  // namespace

int main(int argc, char** argv) {
  std::string image_spec, device_name = "cpu";
  std::array<int64_t, 3> size{200, 150, 88};
  flowrun::SlidingWindowOptions opt;  // patch 112x112x80, stride 18x18x4
  std::vector<int64_t> batches{1, 2, 4, 8};
  int reps = 1, threads = 0, filters = 16;
  std::string command;
  for (int i = 0; i < argc; ++i) command += std::string(i ? " " : "") + argv[i];
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    auto need = [&](int n) {
      if (i + n >= argc) {
        std::fprintf(stderr, "%s needs %d value(s)\n", a.c_str(), n);
        std::exit(2);
      }
    };
    if (a == "--image") { need(1); image_spec = argv[++i]; }
    else if (a == "--size") { need(3); for (int k = 0; k < 3; ++k) size[k] = std::stoll(argv[++i]); }
    else if (a == "--stride") { need(3); for (int k = 0; k < 3; ++k) opt.stride[k] = std::stoll(argv[++i]); }
    else if (a == "--batches") { need(1); batches = int_list(argv[++i]); }
    else if (a == "--reps") { need(1); reps = std::stoi(argv[++i]); }
    else if (a == "--threads") { need(1); threads = std::stoi(argv[++i]); }
    else if (a == "--device") { need(1); device_name = argv[++i]; }
    else if (a == "--patch") { need(3); for (int k = 0; k < 3; ++k) opt.patch[k] = std::stoll(argv[++i]); }
    else if (a == "--filters") { need(1); filters = std::stoi(argv[++i]); }
    else {
      std::fprintf(stderr, "usage: %s [--image SPEC] [--size X Y Z] [--stride X Y Z] [--batches 1,2,4] [--reps N] "
                   "[--threads N] [--device cpu|cuda] [--patch X Y Z] [--filters N]\n", argv[0]);
      return 2;
    }
  }
  // The same process settings as flowrun itself, so its figures are flowrun's.
  const bool malloc_tuned = flowrun::tune_malloc_for_tensors();
  const flowrun::CpuThreads cpu = flowrun::configure_cpu_threads(threads);
  const torch::Device device(device_name);

  at::Tensor image;
  if (!image_spec.empty()) {
    const flowrun::ImageVolume v = flowrun::read_image(image_spec, {"image", {}});
    size = v.size;
    image = torch::from_blob(const_cast<float*>(v.data.data()), {1, size[0], size[1], size[2]}, torch::kFloat).clone();
  } else {
    torch::manual_seed(7);
    image = torch::randn({1, size[0], size[1], size[2]});
  }
  image = image.to(device);

  torch::manual_seed(1337);
  flowrun::VNetOptions vo;
  vo.n_filters = filters;
  flowrun::VNet net(vo);
  net->to(device);
  net->eval();
  torch::NoGradGuard no_grad;
  const flowrun::WindowPlan plan = flowrun::plan_windows(size, opt);
  std::printf("command: %s\n", command.c_str());
  std::printf("volume %s (%s), patch %s, stride %s: %lld windows; torch threads %d, BLAS threads %d, malloc tuning %s; device %s\n",
              flowrun::shape_string(size).c_str(), image_spec.empty() ? "random" : image_spec.c_str(),
              flowrun::shape_string(opt.patch).c_str(), flowrun::shape_string(opt.stride).c_str(),
              static_cast<long long>(plan.windows()), cpu.torch, cpu.blas, malloc_tuned ? "on" : "off",
              device_name.c_str());

  at::Tensor reference;
  double base = 0, best = 1e300;
  int64_t best_batch = 0;
  bool all_equal = true;
  for (int64_t wb : batches) {
    opt.window_batch = wb;
    double seconds = 1e300;
    at::Tensor mask;
    for (int r = 0; r < reps; ++r) {
      const auto t0 = std::chrono::steady_clock::now();
      mask = flowrun::argmax_labels(
          flowrun::sliding_window_probs(image, opt, [&](const at::Tensor& x) { return net->forward(x); }));
      if (device.is_cuda()) torch::cuda::synchronize();
      seconds = std::min(seconds, std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count());
    }
    mask = mask.cpu();
    bool same = true;
    if (!reference.defined()) reference = mask;
    else same = torch::equal(reference, mask);
    all_equal = all_equal && same;
    if (wb == batches.front()) base = seconds;
    if (seconds < best) best = seconds, best_batch = wb;
    std::printf("window_batch %3lld: %8.2f s per volume (%.3f s per window)%s\n", static_cast<long long>(wb), seconds,
                seconds / double(plan.windows()),
                wb == batches.front() ? "" : (same ? ", mask identical" : ", MASK DIFFERS"));
    std::fflush(stdout);
  }
  std::printf("best: window_batch %lld, %.2f s per volume, %.2fx window_batch %lld; masks %s\n",
              static_cast<long long>(best_batch), best, base / best, static_cast<long long>(batches.front()),
              all_equal ? "identical" : "DIFFER");
  return all_equal ? 0 : 1;
}
