// Slice panels as PNG through libpng, written to memory.
#include "runner/report_panels.h"

#include <png.h>

#include <algorithm>
#include <array>
#include <cstdint>
#include <functional>

#include "core/error.h"

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

std::string base64(const std::vector<uint8_t>& in) {
  static const char* const k = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  out.reserve((in.size() + 2) / 3 * 4);
  for (size_t i = 0; i < in.size(); i += 3) {
    const uint32_t b = uint32_t(in[i]) << 16 | (i + 1 < in.size() ? uint32_t(in[i + 1]) << 8 : 0) |
                       (i + 2 < in.size() ? uint32_t(in[i + 2]) : 0);
    out += k[b >> 18 & 63];
    out += k[b >> 12 & 63];
    out += i + 1 < in.size() ? k[b >> 6 & 63] : '=';
    out += i + 2 < in.size() ? k[b & 63] : '=';
  }
  return out;
}

// One 2D cut: pixel (u, v) of the view is voxel at(u, v).
template <class At>
Rgb render(int w, int h, const At& at_image, const std::function<bool(int, int)>& ref,
           const std::function<bool(int, int)>& pred) {
  // Grey levels from the slice's 1st to 99th percentile, so outliers do not
  // wash the picture out.
  std::vector<float> values;
  values.reserve(size_t(w) * size_t(h));
  for (int v = 0; v < h; ++v)
    for (int u = 0; u < w; ++u) values.push_back(at_image(u, v));
  std::vector<float> sorted = values;
  std::sort(sorted.begin(), sorted.end());
  const float lo = sorted[sorted.size() / 100], hi = sorted[sorted.size() - 1 - sorted.size() / 100];
  const int scale = std::max(1, 256 / std::max(w, h));
  Rgb img;
  img.w = w * scale;
  img.h = h * scale;
  img.px.resize(size_t(img.w) * size_t(img.h) * 3);
  const auto edge = [&](const std::function<bool(int, int)>& in, int u, int v) {
    if (!in(u, v)) return false;
    return (u == 0 || !in(u - 1, v)) || (u == w - 1 || !in(u + 1, v)) || (v == 0 || !in(u, v - 1)) ||
           (v == h - 1 || !in(u, v + 1));
  };
  for (int v = 0; v < h; ++v)
    for (int u = 0; u < w; ++u) {
      const float t = hi > lo ? std::clamp((values[size_t(v) * size_t(w) + size_t(u)] - lo) / (hi - lo), 0.f, 1.f) : 0.f;
      std::array<uint8_t, 3> c{uint8_t(t * 255), uint8_t(t * 255), uint8_t(t * 255)};
      const bool r = edge(ref, u, v), p = edge(pred, u, v);
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
  std::array<int64_t, 3> lo = n, hi{-1, -1, -1};
  for (int64_t x = 0; x < n[0]; ++x)
    for (int64_t y = 0; y < n[1]; ++y)
      for (int64_t z = 0; z < n[2]; ++z)
        if (reference.at(x, y, z)) {
          lo = {std::min(lo[0], x), std::min(lo[1], y), std::min(lo[2], z)};
          hi = {std::max(hi[0], x), std::max(hi[1], y), std::max(hi[2], z)};
        }
  std::array<int64_t, 3> c{n[0] / 2, n[1] / 2, n[2] / 2};
  if (hi[0] >= 0) c = {(lo[0] + hi[0]) / 2, (lo[1] + hi[1]) / 2, (lo[2] + hi[2]) / 2};
  const int nx = int(n[0]), ny = int(n[1]), nz = int(n[2]);
  std::vector<SlicePanel> out;
  // Axial: x across, y down. Coronal and sagittal: z up.
  out.push_back({"axial", base64(encode_png(render(
                              nx, ny, [&](int u, int v) { return image.at(u, v, c[2]); },
                              [&](int u, int v) { return reference.at(u, v, c[2]) != 0; },
                              [&](int u, int v) { return prediction.at(u, v, c[2]) != 0; })))});
  out.push_back({"coronal", base64(encode_png(render(
                                nx, nz, [&](int u, int v) { return image.at(u, c[1], nz - 1 - v); },
                                [&](int u, int v) { return reference.at(u, c[1], nz - 1 - v) != 0; },
                                [&](int u, int v) { return prediction.at(u, c[1], nz - 1 - v) != 0; })))});
  out.push_back({"sagittal", base64(encode_png(render(
                                 ny, nz, [&](int u, int v) { return image.at(c[0], u, nz - 1 - v); },
                                 [&](int u, int v) { return reference.at(c[0], u, nz - 1 - v) != 0; },
                                 [&](int u, int v) { return prediction.at(c[0], u, nz - 1 - v) != 0; })))});
  return out;
}

}  // namespace flowrun
