// Checkpoint files: one LibTorch archive per file holding every model (one
// nested archive each), the optimizer state and the metadata as a JSON
// string. Written to a temporary file, synced and renamed over the target so
// a crash or a failing write never leaves a half-written checkpoint behind.
#include "lib/torch/checkpoint.h"

#include <fcntl.h>
#include <signal.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <set>

#include <torch/optim/optimizer.h>
#include <torch/serialize/input-archive.h>
#include <torch/serialize/output-archive.h>

#include "core/json_limits.h"
#include "core/error.h"
#include "lib/torch/zip_integrity.h"

namespace fs = std::filesystem;
using nlohmann::json;

namespace flowrun {

namespace {

constexpr int kFormatVersion = 1;

// Archive keys are TorchScript attribute names, so resource names (which may
// hold '-' or '.') are mapped to plain keys recorded in the metadata.
std::string model_key(size_t i) { return "model" + std::to_string(i); }

std::string short_message(const std::exception& e) {
  if (auto* c = dynamic_cast<const c10::Error*>(&e)) return c->what_without_backtrace();
  return e.what();
}

void sync_directory(const fs::path& dir) {
  const int fd = ::open(dir.empty() ? "." : dir.c_str(), O_RDONLY | O_DIRECTORY);
  if (fd >= 0) {
    ::fsync(fd);
    ::close(fd);
  }
}

// Writes through a file descriptor so the data can be fsync'ed before the rename.
void write_synced(torch::serialize::OutputArchive& archive, const fs::path& tmp) {
  const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) throw RunError("cannot create " + tmp.string() + ": " + std::strerror(errno));
  std::string write_error;
  try {
    // A failed write is recorded and the rest of the archive swallowed, not
    // reported as a short write: LibTorch's writer would throw, then throw
    // again from its destructor while finishing the archive, and that ends
    // the process (std::terminate) on a full disk.
    archive.save_to([&](const void* data, size_t n) -> size_t {
      if (!write_error.empty()) return n;
      const char* p = static_cast<const char*>(data);
      size_t done = 0;
      while (done < n) {
        const ssize_t w = ::write(fd, p + done, n - done);
        if (w < 0 && errno == EINTR) continue;
        if (w <= 0) {
          write_error = w < 0 ? std::strerror(errno) : "no space written";
          return n;
        }
        done += static_cast<size_t>(w);
      }
      return n;
    });
  } catch (const std::exception& e) {
    ::close(fd);
    throw RunError("writing " + tmp.string() + ": " + (write_error.empty() ? short_message(e) : write_error));
  }
  if (!write_error.empty()) {
    ::close(fd);
    throw RunError("writing " + tmp.string() + ": " + write_error);
  }
  const bool synced = ::fsync(fd) == 0;
  const bool closed = ::close(fd) == 0;
  if (!synced || !closed) throw RunError("writing " + tmp.string() + ": " + std::strerror(errno));
}

}  // namespace

// Temp files of writers that died mid-write (kill -9, power loss):
// "<name>.pt.tmp.<pid>" whose process no longer exists. A live writer's file
// (another flowrun on the same folder) is left alone.
void remove_stale_checkpoint_temps(const std::string& folder) {
  std::error_code ec;
  const fs::path dir = folder.empty() ? fs::path(".") : fs::path(folder);
  for (const auto& e : fs::directory_iterator(dir, ec)) {
    const std::string name = e.path().filename().string();
    const auto at = name.rfind(".pt.tmp.");
    if (at == std::string::npos) continue;
    const std::string pid_text = name.substr(at + 8);
    if (pid_text.empty() || pid_text.size() > 9 || pid_text.find_first_not_of("0123456789") != std::string::npos) continue;
    const pid_t pid = static_cast<pid_t>(std::stol(pid_text));
    if (pid == ::getpid() || (::kill(pid, 0) != 0 && errno == ESRCH)) fs::remove(e.path(), ec);
  }
}

namespace {

struct OpenedCheckpoint {
  torch::serialize::InputArchive archive;
  json meta;
};

OpenedCheckpoint open_checkpoint(const std::string& path, const c10::optional<c10::Device>& device) {
  std::error_code ec;
  if (!fs::exists(path, ec)) throw InputError(path + ": no such checkpoint file");
  if (!fs::is_regular_file(path, ec)) throw InputError(path + ": not a file (expected a .pt checkpoint)");
  verify_zip_records(path);
  OpenedCheckpoint c;
  try {
    c.archive.load_from(path, device);
  } catch (const std::exception& e) {
    throw InputError(path + ": unreadable checkpoint (truncated or corrupt file?): " + short_message(e));
  }
  c10::IValue text;
  try {
    if (!c.archive.try_read("meta", text) || !text.isString())
      throw InputError(path + ": not a flowrun checkpoint (no metadata)");
    c.meta = json::parse(text.toStringRef());
    check_json_depth(c.meta, path + ": metadata");
  } catch (const InputError&) {
    throw;
  } catch (const std::exception& e) {
    throw InputError(path + ": corrupt checkpoint metadata: " + short_message(e));
  }
  if (!c.meta.is_object() || c.meta.value("flowrun_checkpoint", 0) != kFormatVersion)
    throw InputError(path + ": not a flowrun checkpoint of format " + std::to_string(kFormatVersion));
  if (!c.meta.contains("iteration") || !c.meta["iteration"].is_number_integer())
    throw InputError(path + ": corrupt checkpoint metadata (no integer \"iteration\")");
  if (!c.meta.contains("architectures") || !c.meta["architectures"].is_object() ||
      !c.meta.contains("model_keys") || !c.meta["model_keys"].is_object())
    throw InputError(path + ": corrupt checkpoint metadata (no \"architectures\" / \"model_keys\")");
  return c;
}

// "width (checkpoint 16, graph 8), norm (checkpoint batch, graph instance)".
std::string architecture_difference(const json& saved, const json& current) {
  if (!saved.is_object() || !current.is_object())
    return "checkpoint " + saved.dump() + ", graph " + current.dump();
  std::set<std::string> keys;
  for (auto& [k, v] : saved.items()) keys.insert(k);
  for (auto& [k, v] : current.items()) keys.insert(k);
  std::string out;
  for (auto& k : keys) {
    const json a = saved.contains(k) ? saved[k] : json("<absent>");
    const json b = current.contains(k) ? current[k] : json("<absent>");
    if (a == b) continue;
    if (!out.empty()) out += ", ";
    out += k + " (checkpoint " + a.dump() + ", graph " + b.dump() + ")";
  }
  return out;
}

}  // namespace

void save_checkpoint(const std::string& path, const std::map<std::string, SegmentationModel*>& models,
                     torch::optim::Optimizer* optimizer, json meta) {
  if (!meta.is_object()) meta = json::object();
  meta["flowrun_checkpoint"] = kFormatVersion;
  if (!meta.contains("iteration")) meta["iteration"] = -1;
  json architectures = json::object(), keys = json::object();
  torch::serialize::OutputArchive root;
  size_t i = 0;
  for (auto& [name, model] : models) {
    if (!model) throw RunError("checkpoint " + path + ": model '" + name + "' is null");
    torch::serialize::OutputArchive a;
    try {
      model->module().save(a);
    } catch (const std::exception& e) {
      throw RunError("checkpoint " + path + ": saving model '" + name + "': " + short_message(e));
    }
    root.write(model_key(i), a);
    architectures[name] = model->architecture();
    keys[name] = model_key(i);
    ++i;
  }
  meta["architectures"] = architectures;
  meta["model_keys"] = keys;
  meta["has_optimizer"] = optimizer != nullptr;
  if (optimizer) {
    torch::serialize::OutputArchive o;
    optimizer->save(o);
    root.write("optimizer", o);
  }
  root.write("meta", c10::IValue(meta.dump()));

  const fs::path target(path);
  std::error_code ec;
  if (target.has_parent_path()) fs::create_directories(target.parent_path(), ec);
  remove_stale_checkpoint_temps(target.parent_path().string());
  const fs::path tmp = target.string() + ".tmp." + std::to_string(::getpid());
  try {
    write_synced(root, tmp);
  } catch (...) {
    fs::remove(tmp, ec);
    throw;
  }
  fs::rename(tmp, target, ec);
  if (ec) {
    std::error_code ignore;
    fs::remove(tmp, ignore);
    throw RunError("checkpoint " + path + ": cannot move the written file into place: " + ec.message());
  }
  sync_directory(target.parent_path());
}

json read_checkpoint_meta(const std::string& path) {
  return open_checkpoint(path, c10::Device(c10::kCPU)).meta;
}

json load_checkpoint(const std::string& path, const std::map<std::string, SegmentationModel*>& models,
                     torch::optim::Optimizer* optimizer) {
  c10::optional<c10::Device> device;
  if (!models.empty()) device = models.begin()->second->device();
  OpenedCheckpoint c = open_checkpoint(path, device);
  const json& archs = c.meta["architectures"];
  for (auto& [name, model] : models) {
    if (!archs.contains(name)) {
      std::string held;
      for (auto& [k, v] : archs.items()) held += (held.empty() ? "" : ", ") + k;
      throw InputError(path + ": holds no model for resource '" + name + "' (it holds: " + held + ")");
    }
    const json current = model->architecture();
    if (archs[name] != current)
      throw InputError(path + ": resource '" + name + "' has another architecture than the checkpoint's: " +
                       architecture_difference(archs[name], current));
  }
  for (auto& [name, model] : models) {
    const auto key = c.meta["model_keys"].value(name, std::string());
    torch::serialize::InputArchive a;
    try {
      if (key.empty() || !c.archive.try_read(key, a))
        throw InputError(path + ": corrupt checkpoint (no weights for '" + name + "')");
      model->module().load(a);
    } catch (const InputError&) {
      throw;
    } catch (const std::exception& e) {
      throw InputError(path + ": loading the weights of '" + name + "': " + short_message(e));
    }
  }
  if (optimizer) {
    torch::serialize::InputArchive o;
    if (!c.meta.value("has_optimizer", false) || !c.archive.try_read("optimizer", o))
      throw InputError(path + ": holds no optimizer state, so training cannot resume from it");
    try {
      optimizer->load(o);
    } catch (const std::exception& e) {
      throw InputError(path + ": the optimizer state does not fit this optimizer: " + short_message(e));
    }
  }
  return c.meta;
}

}  // namespace flowrun
