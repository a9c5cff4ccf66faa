// c10d behind flowrun::Collectives: the TCPStore rendezvous, the Gloo (or
// NCCL) process group, and the translation of c10d's exceptions into errors
// that say which worker and which call.
#include "lib/torch/collectives.h"

#include <cstdlib>
#include <map>

#include <torch/csrc/distributed/c10d/ProcessGroupGloo.hpp>
#include <torch/csrc/distributed/c10d/TCPStore.hpp>
#if defined(USE_C10D_NCCL)
#include <torch/csrc/distributed/c10d/ProcessGroupNCCL.hpp>
#endif

#include "core/error.h"

namespace flowrun {

namespace {

double seconds_since(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

bool is_loopback(const std::string& addr) {
  return addr == "127.0.0.1" || addr == "localhost" || addr == "::1" || addr.rfind("127.", 0) == 0;
}

}  // namespace

// The process group, as the LibTorch version names it: ProcessGroupGloo is a
// ProcessGroup in 1.13 and a Backend in 2.x; both have the calls used here.
struct Collectives::Group {
  c10::intrusive_ptr<c10d::Store> store;
  c10::intrusive_ptr<c10d::ProcessGroupGloo> gloo;
#if defined(USE_C10D_NCCL)
  c10::intrusive_ptr<c10d::ProcessGroupNCCL> nccl;
#endif

  c10::intrusive_ptr<c10d::Work> allreduce(std::vector<at::Tensor>& t) {
#if defined(USE_C10D_NCCL)
    if (nccl) return nccl->allreduce(t);
#endif
    return gloo->allreduce(t);
  }
  c10::intrusive_ptr<c10d::Work> broadcast(std::vector<at::Tensor>& t, int root) {
    c10d::BroadcastOptions o;
    o.rootRank = root;
#if defined(USE_C10D_NCCL)
    if (nccl) return nccl->broadcast(t, o);
#endif
    return gloo->broadcast(t, o);
  }
  c10::intrusive_ptr<c10d::Work> barrier() {
#if defined(USE_C10D_NCCL)
    if (nccl) return nccl->barrier();
#endif
    return gloo->barrier();
  }
};

Collectives::Collectives(const CollectivesOptions& options) : options_(options), group_(std::make_unique<Group>()) {}
Collectives::~Collectives() = default;

std::shared_ptr<Collectives> Collectives::connect(const CollectivesOptions& o) {
  std::shared_ptr<Collectives> c(new Collectives(o));
  const std::string where = o.master_addr + ":" + std::to_string(o.master_port);
  const std::string who = "rank " + std::to_string(o.rank) + " of " + std::to_string(o.world_size);
  try {
    c10d::TCPStoreOptions so;
    so.port = static_cast<uint16_t>(o.master_port);
    so.isServer = o.rank == 0;
    so.numWorkers = static_cast<size_t>(o.world_size);
    so.waitWorkers = true;
    so.timeout = o.timeout;
    c->group_->store = c10::make_intrusive<c10d::TCPStore>(o.master_addr, so);
  } catch (const std::exception& e) {
    throw RunError(who + ": the rendezvous at " + where + " (MASTER_ADDR:MASTER_PORT) failed: " + e.what());
  }
  try {
    if (o.backend == "nccl") {
#if defined(USE_C10D_NCCL)
      auto opts = c10d::ProcessGroupNCCL::Options::create();
      opts->timeout = o.timeout;
      c->group_->nccl = c10::make_intrusive<c10d::ProcessGroupNCCL>(c->group_->store, o.rank, o.world_size, opts);
#else
      throw InputError("params.dist_backend 'nccl': the LibTorch this flowrun was built with has no c10d NCCL "
                       "(a CPU build such as Debian's); use gloo");
#endif
    } else {
      auto opts = c10d::ProcessGroupGloo::Options::create(o.timeout);
      const char* ifname = std::getenv("GLOO_SOCKET_IFNAME");
      if (ifname && *ifname) opts->devices.push_back(c10d::ProcessGroupGloo::createDeviceForInterface(ifname));
      else if (is_loopback(o.master_addr)) opts->devices.push_back(c10d::ProcessGroupGloo::createDeviceForHostname("127.0.0.1"));
      else opts->devices.push_back(c10d::ProcessGroupGloo::createDefaultDevice());
      opts->threads = 2;
      c->group_->gloo = c10::make_intrusive<c10d::ProcessGroupGloo>(c->group_->store, o.rank, o.world_size, opts);
    }
  } catch (const InputError&) {
    throw;
  } catch (const std::exception& e) {
    throw RunError(who + ": starting the " + o.backend + " process group (rendezvous " + where + ") failed: " + e.what());
  }
  return c;
}

void Collectives::fail(const std::string& what, const std::exception& e) const {
  throw RunError("rank " + std::to_string(options_.rank) + " of " + std::to_string(options_.world_size) + ": " + what +
                 " failed: " + e.what() + " (another worker has probably failed or stopped: its message says why; " +
                 "a worker that is only slow needs a longer params.dist_timeout_s)");
}

void Collectives::count(const char* kind, int64_t bytes, double wait_seconds) {
  std::lock_guard<std::mutex> lock(mu_);
  nlohmann::json& k = stats_[kind];
  if (k.is_null()) k = {{"calls", 0}, {"bytes", 0}, {"wait_seconds", 0.0}};
  k["calls"] = k["calls"].get<int64_t>() + 1;
  k["bytes"] = k["bytes"].get<int64_t>() + bytes;
  k["wait_seconds"] = k["wait_seconds"].get<double>() + wait_seconds;
}

Collectives::Pending Collectives::allreduce_sum(at::Tensor flat, const std::string& what) {
  std::vector<at::Tensor> t{std::move(flat)};
  Pending p;
  p.bytes = static_cast<int64_t>(t[0].numel() * t[0].element_size());
  try {
    auto work = group_->allreduce(t);
    p.work = std::shared_ptr<void>(new c10::intrusive_ptr<c10d::Work>(std::move(work)),
                                   [](void* w) { delete static_cast<c10::intrusive_ptr<c10d::Work>*>(w); });
  } catch (const std::exception& e) {
    fail(what, e);
  }
  return p;
}

void Collectives::wait(Pending& p, const std::string& what) {
  if (!p.work) return;
  const auto t0 = std::chrono::steady_clock::now();
  try {
    (*static_cast<c10::intrusive_ptr<c10d::Work>*>(p.work.get()))->wait(options_.timeout);
  } catch (const std::exception& e) {
    p.work.reset();
    fail(what, e);
  }
  p.work.reset();
  count("allreduce", p.bytes, seconds_since(t0));
}

void Collectives::barrier(const std::string& what) {
  const auto t0 = std::chrono::steady_clock::now();
  try {
    group_->barrier()->wait(options_.timeout);
  } catch (const std::exception& e) {
    fail(what, e);
  }
  count("barrier", 0, seconds_since(t0));
}

void Collectives::broadcast(std::vector<at::Tensor> tensors, int root, const std::string& what) {
  const auto t0 = std::chrono::steady_clock::now();
  int64_t bytes = 0;
  // One flat tensor per dtype (the process groups take one tensor per call).
  std::map<at::ScalarType, std::vector<at::Tensor>> by_type;
  for (auto& t : tensors) by_type[t.scalar_type()].push_back(t);
  try {
    for (auto& [type, group] : by_type) {
      std::vector<at::Tensor> flat_parts;
      for (auto& t : group) flat_parts.push_back(t.detach().reshape({-1}));
      std::vector<at::Tensor> flat{at::cat(flat_parts)};
      bytes += static_cast<int64_t>(flat[0].numel() * flat[0].element_size());
      group_->broadcast(flat, root)->wait(options_.timeout);
      int64_t off = 0;
      at::NoGradGuard no_grad;
      for (auto& t : group) {
        t.copy_(flat[0].narrow(0, off, t.numel()).view(t.sizes()));
        off += t.numel();
      }
    }
  } catch (const std::exception& e) {
    fail(what, e);
  }
  count("broadcast", bytes, seconds_since(t0));
}

void Collectives::record(const std::string& section, nlohmann::json value) {
  std::lock_guard<std::mutex> lock(mu_);
  stats_[section] = std::move(value);
}

nlohmann::json Collectives::stats() const {
  std::lock_guard<std::mutex> lock(mu_);
  return stats_;
}

}  // namespace flowrun
