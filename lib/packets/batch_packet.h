// Port type "batch": a collated training batch (data.collate, data.to_device).
// One header per port type names the packet's value keys, so a producer and
// its consumers cannot disagree on a spelling, and PortSpec::keys lets
// `flowrun validate` check every edge before a run.
#pragma once

#include <string>
#include <vector>

namespace flowrun::batch_packet {

inline constexpr char kType[] = "batch";
inline constexpr char kImage[] = "image";    // [L+U, C, X, Y, Z] float, labelled samples first
inline constexpr char kLabel[] = "label";    // [L, X, Y, Z] long, of the labelled samples
inline constexpr char kImageB[] = "image_b"; // [U', C, X, Y, Z] crops B of the shifted samples (optional)

// Meta keys: case ids, labelled flags and counts, and for crops B each
// unlabelled sample's shift and overlap boxes (lib/ops/shift_crop.h).
inline constexpr char kMetaShifts[] = "shifts";
inline constexpr char kMetaOverlaps[] = "overlaps";
inline constexpr char kMetaPatch[] = "patch";

// Keys every batch carries (image_b only when crops B were cut).
inline std::vector<std::string> keys() { return {kImage, kLabel}; }

}  // namespace flowrun::batch_packet
