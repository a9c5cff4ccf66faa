// Deterministic random streams keyed by (graph seed, batch id, node id).
//
// Every random choice a node makes draws from a generator made here, so a run
// is reproducible whatever the thread interleaving: the stream depends only on
// the key, never on which thread or in which order batches are processed.
#pragma once

#include <cstdint>
#include <random>
#include <string_view>

namespace flowrun {

// SplitMix64 finaliser: cheap, well-mixed 64-bit hash step.
inline uint64_t mix64(uint64_t x) {
  x += 0x9E3779B97F4A7C15ull;
  x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ull;
  x = (x ^ (x >> 27)) * 0x94D049BB133111EBull;
  return x ^ (x >> 31);
}

// FNV-1a over the bytes of a string, then mixed.
inline uint64_t hash_name(std::string_view s) {
  uint64_t h = 0xCBF29CE484222325ull;
  for (unsigned char c : s) h = (h ^ c) * 0x100000001B3ull;
  return mix64(h);
}

inline uint64_t stream_key(uint64_t seed, int64_t batch_id, std::string_view node_id) {
  return mix64(mix64(seed) ^ mix64(static_cast<uint64_t>(batch_id) + 0x51ull) ^ hash_name(node_id));
}

// The generator nodes use. std::mt19937_64 output is specified by the standard,
// so streams are identical across platforms; distributions are not, so nodes
// that need exact cross-platform values use uniform_int() / uniform01() below.
class Rng {
 public:
  explicit Rng(uint64_t key) : engine_(key) {}
  Rng(uint64_t seed, int64_t batch_id, std::string_view node_id)
      : engine_(stream_key(seed, batch_id, node_id)) {}

  uint64_t next() { return engine_(); }
  // Uniform integer in [lo, hi] inclusive (unbiased by rejection).
  int64_t uniform_int(int64_t lo, int64_t hi) {
    const uint64_t span = static_cast<uint64_t>(hi - lo) + 1ull;
    if (span == 0) return static_cast<int64_t>(next());
    const uint64_t limit = UINT64_MAX - UINT64_MAX % span;
    uint64_t r;
    do { r = next(); } while (r >= limit);
    return lo + static_cast<int64_t>(r % span);
  }
  // Uniform double in [0, 1) with 53 random bits.
  double uniform01() { return static_cast<double>(next() >> 11) * (1.0 / 9007199254740992.0); }
  std::mt19937_64& engine() { return engine_; }

 private:
  std::mt19937_64 engine_;
};

}  // namespace flowrun
