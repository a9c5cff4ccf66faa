// ITK ResampleImageFilter behind flowrun volumes (a build without ITK says
// so when asked to resample).
#include "lib/volume/resample.h"

#if FLOWRUN_WITH_ITK
#include <itkBSplineInterpolateImageFunction.h>
#include <itkLinearInterpolateImageFunction.h>
#include <itkNearestNeighborInterpolateImageFunction.h>
#include <itkResampleImageFilter.h>

#include "lib/volume/itk_convert.h"
#endif

#include <algorithm>
#include <cmath>

#include "core/error.h"

namespace flowrun {

namespace {

void check_request(const Geometry& g, const std::array<double, 3>& spacing, const char* what) {
  if (!g.spacing_known) {
    throw InputError(std::string(what) + ": the volume's spacing is unknown (HDF5 source?); set \"spacing\" in the dataset description");
  }
  for (double s : spacing) {
    if (!(s > 0.0) || !std::isfinite(s)) throw InputError(std::string(what) + ": target spacing must be positive and finite");
  }
}

#if FLOWRUN_WITH_ITK
template <class P, class T>
Volume<T> run(const Volume<T>& v, const std::array<double, 3>& spacing,
              typename itk::InterpolateImageFunction<detail::ItkImage<P>, double>::Pointer interp) {
  using Image = detail::ItkImage<P>;
  auto in = detail::to_itk<P>(v);
  auto filter = itk::ResampleImageFilter<Image, Image>::New();
  filter->SetInput(in);
  filter->SetInterpolator(interp);
  const auto n = resampled_size(v.size, v.geometry.spacing, spacing);
  typename Image::SizeType size;
  typename Image::SpacingType sp;
  for (unsigned i = 0; i < 3; ++i) {
    size[i] = static_cast<itk::SizeValueType>(n[i]);
    sp[i] = spacing[i];
  }
  filter->SetSize(size);
  filter->SetOutputSpacing(sp);
  // Corner-aligned: the output grid spans the same physical box as the input,
  // so no output centre falls outside the input's half-voxel border.
  typename Image::PointType origin = in->GetOrigin();
  for (unsigned i = 0; i < 3; ++i)
    for (unsigned j = 0; j < 3; ++j) origin[i] += in->GetDirection()(i, j) * 0.5 * (spacing[j] - v.geometry.spacing[j]);
  filter->SetOutputOrigin(origin);
  filter->SetOutputDirection(in->GetDirection());
  filter->SetDefaultPixelValue(0);
  try {
    filter->Update();
  } catch (const itk::ExceptionObject& e) {
    throw RunError(std::string("resampling failed: ") + e.GetDescription());
  }
  return detail::from_itk<T>(filter->GetOutput());
}
#else
[[noreturn]] void no_itk(const char* what) {
  throw InputError(std::string(what) + ": this flowrun was built without ITK (FLOWRUN_WITH_ITK=OFF), which "
                   "resampling needs; prepare the dataset with a build that has ITK");
}
#endif

}  // namespace

std::array<int64_t, 3> resampled_size(const std::array<int64_t, 3>& size, const std::array<double, 3>& from,
                                      const std::array<double, 3>& to) {
  std::array<int64_t, 3> n{};
  for (int i = 0; i < 3; ++i) n[i] = std::max<int64_t>(1, std::llround(double(size[i]) * from[i] / to[i]));
  return n;
}

ImageVolume resample_image(const ImageVolume& v, const std::array<double, 3>& spacing, int order) {
  check_request(v.geometry, spacing, "resample_image");
#if !FLOWRUN_WITH_ITK
  (void)order;
  no_itk("resample_image");
#else
  using Image = detail::ItkImage<float>;
  typename itk::InterpolateImageFunction<Image, double>::Pointer interp;
  if (order == 0) {
    interp = itk::NearestNeighborInterpolateImageFunction<Image, double>::New();
  } else if (order == 1) {
    interp = itk::LinearInterpolateImageFunction<Image, double>::New();
  } else if (order >= 2 && order <= 5) {
    auto b = itk::BSplineInterpolateImageFunction<Image, double, double>::New();
    b->SetSplineOrder(static_cast<unsigned>(order));
    interp = b;
  } else {
    throw InputError("resample_image: interpolation order " + std::to_string(order) + " is not supported; expected 0..5");
  }
  return run<float>(v, spacing, interp);
#endif
}

LabelVolume resample_label(const LabelVolume& v, const std::array<double, 3>& spacing) {
  check_request(v.geometry, spacing, "resample_label");
#if !FLOWRUN_WITH_ITK
  no_itk("resample_label");
#else
  using Image = detail::ItkImage<uint8_t>;
  typename itk::InterpolateImageFunction<Image, double>::Pointer interp =
      itk::NearestNeighborInterpolateImageFunction<Image, double>::New();
  return run<uint8_t>(v, spacing, interp);
#endif
}

}  // namespace flowrun
