// Port type "forward": the batch plus both networks' logits
// (cotwin.twin_forward). Keys of the batch pass through.
#pragma once

#include <string>
#include <vector>

#include "lib/packets/batch_packet.h"

namespace flowrun::forward_packet {

inline constexpr char kType[] = "forward";
inline constexpr char kLogits1[] = "logits1";    // [L+U, K, X, Y, Z] of net1 (students, with autograd)
inline constexpr char kLogits2[] = "logits2";
inline constexpr char kLogits1B[] = "logits1_b"; // [U', K, ...] on crops B, no grad (teachers; optional)
inline constexpr char kLogits2B[] = "logits2_b";
inline constexpr char kLogits1A[] = "logits1_a"; // CutMix only: no-grad logits on the unmixed crops A
inline constexpr char kLogits2A[] = "logits2_a";
inline constexpr char kCutmixMask[] = "cutmix_mask";  // CutMix only: [U, X, Y, Z] box mask
inline constexpr char kCutmixPerm[] = "cutmix_perm";  // CutMix only: [U] mixing partner of each sample

// One network's key: net 1 or 2.
inline const char* logits(int net) { return net == 1 ? kLogits1 : kLogits2; }
inline const char* logits_b(int net) { return net == 1 ? kLogits1B : kLogits2B; }
inline const char* logits_a(int net) { return net == 1 ? kLogits1A : kLogits2A; }

inline std::vector<std::string> keys() {
  std::vector<std::string> k = batch_packet::keys();
  k.insert(k.end(), {kLogits1, kLogits2});
  return k;
}

}  // namespace flowrun::forward_packet
