// read_launch_env: parsing and range checks of the launch variables.
#include "runner/launch_env.h"

#include <cstdlib>

#include "core/error.h"

namespace flowrun {

namespace {

int env_int(const char* name, int fallback, int lo, int hi) {
  const char* v = std::getenv(name);
  if (!v || !*v) return fallback;
  char* end = nullptr;
  const long x = std::strtol(v, &end, 10);
  if (*end != '\0' || x < lo || x > hi)
    throw InputError(std::string("environment variable ") + name + "='" + v + "' is not an integer in [" +
                     std::to_string(lo) + ", " + std::to_string(hi) + "]");
  return static_cast<int>(x);
}

}  // namespace

LaunchEnv read_launch_env() {
  LaunchEnv e;
  e.world_size = env_int("WORLD_SIZE", 1, 1, 65536);
  e.rank = env_int("RANK", 0, 0, 65535);
  e.local_rank = env_int("LOCAL_RANK", e.rank, 0, 65535);
  e.nnodes = env_int("NNODES", 1, 1, 65535);
  e.node_rank = env_int("NODE_RANK", 0, 0, 65535);
  e.master_port = env_int("MASTER_PORT", 0, 1, 65535);
  if (const char* a = std::getenv("MASTER_ADDR")) e.master_addr = a;
  if (e.rank >= e.world_size)
    throw InputError("environment: RANK=" + std::to_string(e.rank) + " is not below WORLD_SIZE=" +
                     std::to_string(e.world_size));
  if (e.node_rank >= e.nnodes)
    throw InputError("environment: NODE_RANK=" + std::to_string(e.node_rank) + " must be below NNODES=" +
                     std::to_string(e.nnodes));
  return e;
}

}  // namespace flowrun
