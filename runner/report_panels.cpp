// Slice panels as PNG through libpng, written to memory.
#include "runner/report_panels.h"

#include <png.h>

#include <algorithm>
#include <array>
#include <cstdint>
#include <functional>
#include <optional>

#include "core/base64.h"
#include "core/error.h"
#include "lib/ops/bounding_box.h"

namespace flowrun {

namespace {

struct Rgb {
  std::vector<uint8_t> px;  // row-major, 3 bytes a pixel
  int w = 0, h = 0;
};

void append_bytes(png_structp png, png_bytep data, png_size_t n) {
  auto* out = static_cast<std::vector<uint8_t>*>(png_get_io_ptr(png));
  out->insert(out->end(), data, data + n);
}

std::vector<uint8_t> encode_png(const Rgb& img) {
  std::vector<uint8_t> bytes;
  png_structp png = png_create_write_struct(PNG_LIBPNG_VER_STRING, nullptr, nullptr, nullptr);
  png_infop info = png ? png_create_info_struct(png) : nullptr;
  if (!png || !info) {
    png_destroy_write_struct(&png, &info);
    throw RunError("libpng: cannot create a PNG writer");
  }
  if (setjmp(png_jmpbuf(png))) {  // libpng reports its errors by longjmp
    png_destroy_write_struct(&png, &info);
    throw RunError("libpng failed while encoding a report panel");
  }
  png_set_write_fn(png, &bytes, append_bytes, nullptr);
  png_set_IHDR(png, info, png_uint_32(img.w), png_uint_32(img.h), 8, PNG_COLOR_TYPE_RGB, PNG_INTERLACE_NONE,
               PNG_COMPRESSION_TYPE_DEFAULT, PNG_FILTER_TYPE_DEFAULT);
  png_write_info(png, info);
  for (int y = 0; y < img.h; ++y)
    png_write_row(png, const_cast<png_bytep>(img.px.data() + size_t(y) * size_t(img.w) * 3));
  png_write_end(png, nullptr);
  png_destroy_write_struct(&png, &info);
  return bytes;
}

// One 2D cut of the volumes: pixel (u, v) is voxel voxel(u, v).
struct View {
  const char* name;
  int w, h;
  std::function<Index3(int, int)> voxel;
};

Rgb render(const View& view, const ImageVolume& image, const LabelVolume& ref, const LabelVolume& pred) {
  const int w = view.w, h = view.h;
  std::vector<float> values;
  std::vector<uint8_t> in_ref, in_pred;
  values.reserve(size_t(w) * size_t(h));
  for (int v = 0; v < h; ++v)
    for (int u = 0; u < w; ++u) {
      const Index3 p = view.voxel(u, v);
      values.push_back(image.at(p[0], p[1], p[2]));
      in_ref.push_back(ref.at(p[0], p[1], p[2]) != 0);
      in_pred.push_back(pred.at(p[0], p[1], p[2]) != 0);
    }
  // Grey levels from the slice's 1st to 99th percentile, so outliers do not
  // wash the picture out.
  std::vector<float> sorted = values;
  std::sort(sorted.begin(), sorted.end());
  const float lo = sorted[sorted.size() / 100], hi = sorted[sorted.size() - 1 - sorted.size() / 100];
  const int scale = std::max(1, 256 / std::max(w, h));
  Rgb img;
  img.w = w * scale;
  img.h = h * scale;
  img.px.resize(size_t(img.w) * size_t(img.h) * 3);
  // A mask's outline: inside, with a 4-neighbour outside (or the border).
  const auto edge = [&](const std::vector<uint8_t>& in, int u, int v) {
    const auto at = [&](int a, int b) { return in[size_t(b) * size_t(w) + size_t(a)] != 0; };
    return at(u, v) && (u == 0 || !at(u - 1, v) || u == w - 1 || !at(u + 1, v) || v == 0 || !at(u, v - 1) ||
                        v == h - 1 || !at(u, v + 1));
  };
  for (int v = 0; v < h; ++v)
    for (int u = 0; u < w; ++u) {
      const float t = hi > lo ? std::clamp((values[size_t(v) * size_t(w) + size_t(u)] - lo) / (hi - lo), 0.f, 1.f) : 0.f;
      std::array<uint8_t, 3> c{uint8_t(t * 255), uint8_t(t * 255), uint8_t(t * 255)};
      const bool r = edge(in_ref, u, v), p = edge(in_pred, u, v);
      if (r && p) c = {255, 220, 0};
      else if (r) c = {0, 166, 81};
      else if (p) c = {224, 48, 30};
      for (int dy = 0; dy < scale; ++dy)
        for (int dx = 0; dx < scale; ++dx) {
          uint8_t* px = img.px.data() + (size_t(v * scale + dy) * size_t(img.w) + size_t(u * scale + dx)) * 3;
          px[0] = c[0], px[1] = c[1], px[2] = c[2];
        }
    }
  return img;
}

}  // namespace

std::vector<SlicePanel> slice_panels(const ImageVolume& image, const LabelVolume& reference,
                                     const LabelVolume& prediction, const std::string& what) {
  if (image.size != reference.size || image.size != prediction.size)
    throw InputError(what + ": image, reference and prediction differ in size");
  const auto& n = image.size;
  if (n[0] <= 0 || n[1] <= 0 || n[2] <= 0) throw InputError(what + ": empty volume");
  // The centre of the reference's bounding box (the volume's without one).
  Index3 c{n[0] / 2, n[1] / 2, n[2] / 2};
  if (const std::optional<Box> b = bounding_box(reference))
    for (int a = 0; a < 3; ++a) c[a] = (b->lo[a] + b->hi[a] - 1) / 2;
  const int nx = int(n[0]), ny = int(n[1]), nz = int(n[2]);
  // Axial: x across, y down. Coronal and sagittal: z up.
  const View views[] = {
      {"axial", nx, ny, [&](int u, int v) { return Index3{u, v, c[2]}; }},
      {"coronal", nx, nz, [&](int u, int v) { return Index3{u, c[1], nz - 1 - v}; }},
      {"sagittal", ny, nz, [&](int u, int v) { return Index3{c[0], u, nz - 1 - v}; }},
  };
  std::vector<SlicePanel> out;
  for (const View& view : views) {
    const std::vector<uint8_t> png = encode_png(render(view, image, reference, prediction));
    out.push_back({view.name, base64_encode(png.data(), png.size())});
  }
  return out;
}

}  // namespace flowrun
