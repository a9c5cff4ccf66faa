// Fig.-2-style panels for `flowrun report`: axial, coronal and sagittal
// slices through the centre of a case's reference label, the image in grey
// with the reference outline in green and the prediction's in red, as PNG
// (libpng) in base64 for a data URI.
#pragma once

#include <string>
#include <vector>

#include "lib/volume/volume.h"

namespace flowrun {

struct SlicePanel {
  std::string view;        // "axial", "coronal", "sagittal"
  std::string png_base64;  // the PNG file's bytes, base64
};

// The three views; image, reference and prediction must have one size
// (InputError naming `what` when not). A reference with no foreground is
// cut through the volume's centre.
std::vector<SlicePanel> slice_panels(const ImageVolume& image, const LabelVolume& reference,
                                     const LabelVolume& prediction, const std::string& what);

}  // namespace flowrun
