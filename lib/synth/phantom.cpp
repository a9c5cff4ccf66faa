// Phantom construction. Shapes are defined in millimetres so the anisotropic
// spacing changes the voxel grid, not the anatomy.
#include "lib/synth/phantom.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdio>
#include <vector>

#include "core/error.h"
#include "core/rng.h"
#include "lib/ops/normalize.h"
#include "lib/synth/random_fields.h"

namespace flowrun {

namespace {

using Vec3 = std::array<double, 3>;

Vec3 add(const Vec3& a, const Vec3& b, double s = 1.0) { return {a[0] + s * b[0], a[1] + s * b[1], a[2] + s * b[2]}; }
double dot(const Vec3& a, const Vec3& b) { return a[0] * b[0] + a[1] * b[1] + a[2] * b[2]; }
Vec3 unit(const Vec3& a) {
  const double n = std::sqrt(dot(a, a));
  return n > 0.0 ? Vec3{a[0] / n, a[1] / n, a[2] / n} : Vec3{1.0, 0.0, 0.0};
}
Vec3 cross(const Vec3& a, const Vec3& b) {
  return {a[1] * b[2] - a[2] * b[1], a[2] * b[0] - a[0] * b[2], a[0] * b[1] - a[1] * b[0]};
}
Vec3 random_direction(Rng& rng) { return unit({normal01(rng), normal01(rng), normal01(rng)}); }
double uniform(Rng& rng, double lo, double hi) { return lo + (hi - lo) * rng.uniform01(); }

// An anisotropic Gaussian rotated about z; value 0.5 is its surface.
struct Blob {
  Vec3 centre{};
  Vec3 sigma{1.0, 1.0, 1.0};
  double angle = 0.0;
  double weight = 1.0;

  double operator()(const Vec3& p) const {
    const double dx = p[0] - centre[0], dy = p[1] - centre[1], dz = p[2] - centre[2];
    const double c = std::cos(angle), s = std::sin(angle);
    const double u = (c * dx + s * dy) / sigma[0], v = (-s * dx + c * dy) / sigma[1], w = dz / sigma[2];
    return weight * std::exp(-0.5 * (u * u + v * v + w * w));
  }
};

// Threshold radius r (value 0.5 at distance r) -> Gaussian sigma.
double sigma_for_radius(double r) { return r / std::sqrt(2.0 * std::log(2.0)); }

struct Organ {
  std::vector<Blob> blobs;
  double operator()(const Vec3& p) const {
    double f = 0.0;
    for (const Blob& b : blobs) f += b(p);
    return f;
  }
  // Distance from the main centre to the surface along `dir` (first exit).
  double reach(const Vec3& dir) const {
    double t = 0.0;
    while (t < 200.0 && (*this)(add(blobs[0].centre, dir, t)) > 0.5) t += 0.25;
    return t;
  }
};

Organ make_organ(const SynthOptions& o, const Vec3& extent, Rng& rng) {
  Organ organ;
  Blob body;
  for (int a = 0; a < 3; ++a) body.centre[a] = uniform(rng, 0.35, 0.65) * extent[a];
  const double s = sigma_for_radius(uniform(rng, o.organ_radius_min, o.organ_radius_max));
  body.sigma = {s * uniform(rng, 0.75, 1.3), s * uniform(rng, 0.75, 1.3), s * uniform(rng, 0.7, 1.1)};
  body.angle = uniform(rng, 0.0, M_PI);
  organ.blobs.push_back(body);
  const int lobes = static_cast<int>(rng.uniform_int(2, 4));
  for (int i = 0; i < lobes; ++i) {
    Blob lobe;
    lobe.centre = add(body.centre, random_direction(rng), s * uniform(rng, 0.9, 1.4));
    const double ls = s * uniform(rng, 0.4, 0.65);
    lobe.sigma = {ls * uniform(rng, 0.8, 1.25), ls * uniform(rng, 0.8, 1.25), ls * uniform(rng, 0.8, 1.25)};
    lobe.angle = uniform(rng, 0.0, M_PI);
    lobe.weight = uniform(rng, 0.6, 0.9);
    organ.blobs.push_back(lobe);
  }
  return organ;
}

// Distractors touch the organ from outside: placed just beyond its surface.
std::vector<Blob> make_distractors(const SynthOptions& o, const Organ& organ, Rng& rng) {
  std::vector<Blob> out;
  for (int i = 0; i < o.distractors; ++i) {
    const Vec3 dir = random_direction(rng);
    const double r = uniform(rng, 3.5, 7.0);
    Blob b;
    b.centre = add(organ.blobs[0].centre, dir, organ.reach(dir) + r * uniform(rng, 0.6, 1.0));
    const double s = sigma_for_radius(r);
    b.sigma = {s * uniform(rng, 0.8, 1.25), s * uniform(rng, 0.8, 1.25), s * uniform(rng, 0.8, 1.25)};
    b.angle = uniform(rng, 0.0, M_PI);
    b.weight = uniform(rng, 0.9, 1.1);  // brightness relative to the organ
    out.push_back(b);
  }
  return out;
}

// A bent tube passing close to the organ, as a polyline.
struct Tube {
  std::vector<Vec3> points;
  double radius = 2.0;

  double distance(const Vec3& p) const {
    double best = 1e30;
    for (size_t i = 0; i + 1 < points.size(); ++i) {
      const Vec3 ab = add(points[i + 1], points[i], -1.0), ap = add(p, points[i], -1.0);
      const double t = std::clamp(dot(ap, ab) / std::max(dot(ab, ab), 1e-12), 0.0, 1.0);
      const Vec3 d = add(ap, ab, -t);
      best = std::min(best, dot(d, d));
    }
    return std::sqrt(best);
  }
};

Tube make_vessel(const Organ& organ, Rng& rng) {
  Tube tube;
  tube.radius = uniform(rng, 1.5, 2.5);
  const Vec3 side = random_direction(rng);
  const Vec3 along = unit(cross(side, random_direction(rng)));
  const Vec3 bend_dir = cross(side, along);
  const Vec3 pass = add(organ.blobs[0].centre, side, organ.reach(side) + tube.radius + uniform(rng, 0.0, 3.0));
  const double bend = uniform(rng, -15.0, 15.0);
  for (int i = 0; i <= 32; ++i) {
    const double t = -80.0 + 5.0 * i;
    tube.points.push_back(add(add(pass, along, t), bend_dir, bend * (t / 80.0) * (t / 80.0)));
  }
  return tube;
}

double ramp(double x, double lo, double hi) { return std::clamp((x - lo) / (hi - lo), 0.0, 1.0); }

void check_options(const SynthOptions& o) {
  for (int a = 0; a < 3; ++a) {
    if (o.size[a] < 8) throw InputError("synth: every size must be >= 8 voxels, got " + shape_string(o.size));
    if (!(o.spacing[a] > 0.0)) throw InputError("synth: spacing must be > 0");
  }
  if (o.classes < 2 || o.classes > 8) throw InputError("synth: classes must be in [2, 8], got " + std::to_string(o.classes));
  if (o.noise < 0.0 || o.texture < 0.0 || o.bias < 0.0 || o.distractors < 0 ||
      !(o.organ_radius_min > 0.0 && o.organ_radius_max >= o.organ_radius_min))
    throw InputError("synth: noise, texture, bias and distractors must be >= 0 and "
                     "0 < organ_radius_min <= organ_radius_max");
}

}  // namespace

std::string synth_case_id(int case_index) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "case_%03d", case_index);
  return buf;
}

std::pair<ImageVolume, LabelVolume> make_phantom(const SynthOptions& o, int case_index) {
  check_options(o);
  const std::string id = synth_case_id(case_index);
  const Vec3 extent{o.size[0] * o.spacing[0], o.size[1] * o.spacing[1], o.size[2] * o.spacing[2]};

  Rng shape_rng(o.seed, case_index, "synth:organ");
  const Organ organ = make_organ(o, extent, shape_rng);
  Rng distractor_rng(o.seed, case_index, "synth:distractors");
  const std::vector<Blob> distractors = make_distractors(o, organ, distractor_rng);
  Rng vessel_rng(o.seed, case_index, "synth:vessel");
  const Tube vessel = make_vessel(organ, vessel_rng);

  // Fields in voxel units: texture grain ~2 mm, rim patchiness ~6 mm, bias ~15 mm.
  auto mm = [&](double s) { return std::array<double, 3>{s / o.spacing[0], s / o.spacing[1], s / o.spacing[2]}; };
  Rng texture_rng(o.seed, case_index, "synth:texture");
  const ImageVolume texture = smooth_field(o.size, mm(2.0), texture_rng);
  Rng rim_rng(o.seed, case_index, "synth:rim");
  const ImageVolume rim_patches = smooth_field(o.size, mm(6.0), rim_rng);
  Rng bias_rng(o.seed, case_index, "synth:bias");
  const ImageVolume bias = smooth_field(o.size, mm(15.0), bias_rng);
  Rng noise_rng(o.seed, case_index, "synth:noise");
  const ImageVolume noise = white_noise(o.size, noise_rng);

  ImageVolume image(o.size);
  LabelVolume label(o.size);
  image.geometry.spacing = o.spacing;
  label.geometry = image.geometry;
  for (int64_t x = 0; x < o.size[0]; ++x)
    for (int64_t y = 0; y < o.size[1]; ++y)
      for (int64_t z = 0; z < o.size[2]; ++z) {
        const size_t i = static_cast<size_t>(image.index(x, y, z));
        const Vec3 p{(x + 0.5) * o.spacing[0], (y + 0.5) * o.spacing[1], (z + 0.5) * o.spacing[2]};
        const double f = organ(p);
        // Partial-volume edge: the organ's brightness ramps up across its surface.
        double signal = o.contrast * ramp(f, 0.4, 0.6);
        for (const Blob& d : distractors) signal = std::max(signal, o.contrast * d.weight * ramp(d(p), 0.4, 0.6));
        if (o.vessel)
          signal = std::max(signal, 1.6 * o.contrast * ramp(vessel.radius + 0.5 - vessel.distance(p), 0.0, 1.0));
        // A thin dark capsule just outside the organ, present on part of its surface.
        if (f > 0.3 && f <= 0.5) signal -= o.rim * o.contrast * ramp(rim_patches.data[i], -0.5, 0.5);
        const double tissue = 1.0 + o.texture * texture.data[i];
        image.data[i] = static_cast<float>((tissue + signal) * std::exp(o.bias * bias.data[i]) + o.noise * noise.data[i]);
        label.data[i] = f > 0.5 ? 1 : 0;
        if (o.classes > 2 && f > 0.5) {
          // Shells of the organ's field, 0.5 .. 0.95 in equal steps; the
          // inner ones brighter, so the classes can be told apart.
          const int k = 1 + std::min(o.classes - 2, static_cast<int>((f - 0.5) / (0.45 / (o.classes - 1))));
          label.data[i] = static_cast<uint8_t>(k);
          image.data[i] += static_cast<float>(0.6 * o.contrast * (k - 1) * std::exp(o.bias * bias.data[i]));
        }
      }
  return {zscore(image, id), std::move(label)};
}

}  // namespace flowrun
