// Port type "loss": the scalar training loss with autograd, and its terms in
// meta "terms" (cotwin.loss, read by train.sgd_step).
#pragma once

#include <string>
#include <vector>

namespace flowrun::loss_packet {

inline constexpr char kType[] = "loss";
inline constexpr char kLoss[] = "loss";  // scalar float with autograd

inline std::vector<std::string> keys() { return {kLoss}; }

}  // namespace flowrun::loss_packet
