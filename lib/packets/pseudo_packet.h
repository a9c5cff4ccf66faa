// Port type "pseudo": the forward packet plus each network's pseudo-labels for
// the other (cotwin.pseudo_labels). Keys of the forward packet pass through.
#pragma once

#include <string>
#include <vector>

#include "lib/packets/forward_packet.h"

namespace flowrun::pseudo_packet {

inline constexpr char kType[] = "pseudo";
inline constexpr char kFixFrom1[] = "fix_from1";  // [U, X, Y, Z] long: net1's fixed labels, supervising net2
inline constexpr char kDynFrom1[] = "dyn_from1";  // net1's dynamic labels
inline constexpr char kFixFrom2[] = "fix_from2";  // net2's, supervising net1
inline constexpr char kDynFrom2[] = "dyn_from2";

inline const char* fixed_from(int net) { return net == 1 ? kFixFrom1 : kFixFrom2; }
inline const char* dynamic_from(int net) { return net == 1 ? kDynFrom1 : kDynFrom2; }

inline std::vector<std::string> keys() {
  std::vector<std::string> k = forward_packet::keys();
  k.insert(k.end(), {kFixFrom1, kDynFrom1, kFixFrom2, kDynFrom2});
  return k;
}

}  // namespace flowrun::pseudo_packet
