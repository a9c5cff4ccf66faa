// Conversion between flowrun volumes (z fastest, geometry per axis) and ITK
// images (x fastest). Header-only templates shared by the IO and resampling
// code; includes ITK, so only flowrun_volume's own sources include it.
#pragma once

#include <itkImage.h>

#include "lib/volume/volume.h"

namespace flowrun::detail {

template <class P>
using ItkImage = itk::Image<P, 3>;

template <class T, class P>
Volume<T> from_itk(const ItkImage<P>* img) {
  const auto region = img->GetLargestPossibleRegion();
  const auto sz = region.GetSize();
  const int64_t nx = static_cast<int64_t>(sz[0]), ny = static_cast<int64_t>(sz[1]), nz = static_cast<int64_t>(sz[2]);
  Volume<T> v({nx, ny, nz});
  const P* buf = img->GetBufferPointer();
  // Walk the ITK buffer in its own order (contiguous reads) and scatter.
  for (int64_t z = 0; z < nz; ++z)
    for (int64_t y = 0; y < ny; ++y) {
      const P* row = buf + (z * ny + y) * nx;
      for (int64_t x = 0; x < nx; ++x) v.data[static_cast<size_t>((x * ny + y) * nz + z)] = static_cast<T>(row[x]);
    }
  // A non-zero start index moves the first voxel; fold it into the origin.
  typename ItkImage<P>::PointType first;
  img->TransformIndexToPhysicalPoint(region.GetIndex(), first);
  const auto& dir = img->GetDirection();
  for (unsigned i = 0; i < 3; ++i) {
    v.geometry.spacing[i] = img->GetSpacing()[i];
    v.geometry.origin[i] = first[i];
    for (unsigned j = 0; j < 3; ++j) v.geometry.direction[i * 3 + j] = dir(i, j);
  }
  v.geometry.spacing_known = true;
  return v;
}

template <class P, class T>
typename ItkImage<P>::Pointer to_itk(const Volume<T>& v) {
  using Image = ItkImage<P>;
  auto img = Image::New();
  typename Image::SizeType size;
  for (unsigned i = 0; i < 3; ++i) size[i] = static_cast<itk::SizeValueType>(v.size[i]);
  typename Image::RegionType region;
  region.SetSize(size);
  img->SetRegions(region);
  typename Image::SpacingType spacing;
  typename Image::PointType origin;
  typename Image::DirectionType dir;
  for (unsigned i = 0; i < 3; ++i) {
    spacing[i] = v.geometry.spacing[i];
    origin[i] = v.geometry.origin[i];
    for (unsigned j = 0; j < 3; ++j) dir(i, j) = v.geometry.direction[i * 3 + j];
  }
  img->SetSpacing(spacing);
  img->SetOrigin(origin);
  img->SetDirection(dir);
  img->Allocate();
  const int64_t nx = v.size[0], ny = v.size[1], nz = v.size[2];
  P* buf = img->GetBufferPointer();
  for (int64_t z = 0; z < nz; ++z)
    for (int64_t y = 0; y < ny; ++y) {
      P* row = buf + (z * ny + y) * nx;
      for (int64_t x = 0; x < nx; ++x) row[x] = static_cast<P>(v.data[static_cast<size_t>((x * ny + y) * nz + z)]);
    }
  return img;
}

}  // namespace flowrun::detail
