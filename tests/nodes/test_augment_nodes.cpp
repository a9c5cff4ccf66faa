// data.rot_flip, data.random_crop, data.shift_crop and data.normalize on small
// in-memory samples: exact voxels against the ops they wrap, replayed from the
// batch's random stream, and the invariants the training step relies on
// (channels and label move together; A and B agree on their overlap).
#include <cmath>
#include <set>

#include "lib/ops/normalize.h"
#include "lib/ops/pad_for_patch.h"
#include "lib/ops/random_crop.h"
#include "lib/ops/rot_flip.h"
#include "lib/ops/shift_crop.h"
#include "node_test_support.h"

namespace flowrun {
namespace {

using namespace nodetest;

// Channels and label of memory_sample() stay in step: label == ch0 % 7, ch1 == ch0 + 10000.
void expect_label_follows_channels(const Sample& s) {
  ASSERT_TRUE(s.label.has_value());
  ASSERT_EQ(s.label->size, s.channels[0].size);
  for (size_t i = 0; i < s.label->data.size(); ++i)
    ASSERT_EQ(int(s.label->data[i]), int(s.channels[0].data[i]) % 7) << s.id << " voxel " << i;
  // Zero padding is 0 in both channels; every original voxel of channel 1 is >= 10000.
  for (size_t i = 0; i < s.channels[1].data.size(); ++i)
    if (s.channels[1].data[i] != 0.0f || s.channels[0].data[i] != 0.0f)
      ASSERT_EQ(s.channels[1].data[i], s.channels[0].data[i] + 10000.0f) << s.id << " voxel " << i;
}

SampleList three_samples(Index3 size = {6, 5, 4}) {
  return {memory_sample("l0", true, size), memory_sample("l1", true, size), memory_sample("u0", false, size)};
}

TEST(RotFlipNode, AppliesOneDrawPerSampleInOrderToChannelsAndLabel) {
  const SampleList in = three_samples();
  Driver d("data.rot_flip", json::object(), "", {{"seed", 9}}, "aug");
  const PacketPtr out = d.run(4, samples_packet(in));
  Rng rng = d.ctx.rng(4);
  const SampleList& s = samples_of(out);
  ASSERT_EQ(s.size(), 3u);
  for (size_t i = 0; i < 3; ++i) {
    const RotFlip rf = draw_rot_flip(rng);
    EXPECT_EQ(s[i].id, in[i].id);
    EXPECT_EQ(s[i].channels[0].data, apply_rot_flip(in[i].channels[0], rf).data);
    EXPECT_EQ(s[i].channels[0].size, apply_rot_flip(in[i].channels[0], rf).size);
    if (in[i].labeled) expect_label_follows_channels(s[i]);
  }
  EXPECT_EQ(out->meta["cases"], json({"l0", "l1", "u0"}));
  // Over a few batches both k parities occur, so the x-y swap is exercised.
  std::set<Index3> sizes;
  for (int64_t b = 0; b < 12; ++b) sizes.insert(samples_of(d.run(b, samples_packet(in)))[0].channels[0].size);
  EXPECT_EQ(sizes, (std::set<Index3>{{6, 5, 4}, {5, 6, 4}}));
}

TEST(RotFlipNode, DisabledForwardsAndOnlyLabeledKeepsUnlabeled) {
  const PacketPtr in = samples_packet(three_samples());
  Driver off("data.rot_flip", {{"enabled", false}});
  EXPECT_EQ(off.run(0, in).get(), in.get());

  Driver all("data.rot_flip", json::object(), "", json::object(), "aug");
  Driver lab("data.rot_flip", {{"only_labeled", true}}, "", json::object(), "aug");
  for (int64_t b = 0; b < 4; ++b) {
    const SampleList& a = samples_of(all.run(b, in));
    const SampleList& l = samples_of(lab.run(b, in));
    EXPECT_EQ(l[0].channels[0].data, a[0].channels[0].data);
    EXPECT_EQ(l[1].channels[0].data, a[1].channels[0].data);
    EXPECT_EQ(l[2].channels[0].data, samples_of(in)[2].channels[0].data);
  }
}

TEST(RandomCropNode, CutsOnePatchAtTheDrawnOriginForChannelsAndLabel) {
  const SampleList in = three_samples({10, 9, 7});
  Driver d("data.random_crop", {{"patch", {4, 3, 2}}}, "", {{"seed", 2}}, "crop");
  const SampleList& s = samples_of(d.run(1, samples_packet(in)));
  Rng rng = d.ctx.rng(1);
  for (size_t i = 0; i < 3; ++i) {
    const Index3 o = draw_crop_origin(rng, {10, 9, 7}, {4, 3, 2});
    EXPECT_EQ(s[i].origin_a, o);
    ASSERT_EQ(s[i].channels[0].size, (Index3{4, 3, 2}));
    for (int64_t x = 0; x < 4; ++x)
      for (int64_t y = 0; y < 3; ++y)
        for (int64_t z = 0; z < 2; ++z)
          EXPECT_EQ(s[i].channels[0].at(x, y, z), in[i].channels[0].at(o[0] + x, o[1] + y, o[2] + z));
    if (in[i].labeled) expect_label_follows_channels(s[i]);
    EXPECT_TRUE(s[i].channels_b.empty());
  }
}

TEST(RandomCropNode, PadsWithZerosWhenTheVolumeIsNotLargerThanThePatch) {
  const SampleList in = {memory_sample("l0", true, {10, 9, 6})};
  // y: 9 <= 12 pads 4 each side (17); z: 6 <= 6 pads 3 each side (12); x is not padded.
  Driver d("data.random_crop", {{"patch", {8, 12, 6}}}, "", json::object(), "crop");
  for (int64_t b = 0; b < 5; ++b) {
    const Sample s = samples_of(d.run(b, samples_packet(in)))[0];
    Rng rng = d.ctx.rng(b);
    const Index3 o = draw_crop_origin(rng, {10, 17, 12}, {8, 12, 6});
    ASSERT_EQ(s.origin_a, o);
    for (int64_t x = 0; x < 8; ++x)
      for (int64_t y = 0; y < 12; ++y)
        for (int64_t z = 0; z < 6; ++z) {
          const int64_t sx = o[0] + x, sy = o[1] + y - 4, sz = o[2] + z - 3;
          const bool inside = sy >= 0 && sy < 9 && sz >= 0 && sz < 6;
          ASSERT_EQ(s.channels[0].at(x, y, z), inside ? in[0].channels[0].at(sx, sy, sz) : 0.0f);
          ASSERT_EQ(s.label->at(x, y, z), inside ? in[0].label->at(sx, sy, sz) : 0);
        }
  }
}

TEST(RandomCropNode, PatchTooLargeWithoutPaddingNamesTheCase) {
  Driver d("data.random_crop", {{"patch", {8, 12, 6}}, {"pad", false}});
  expect_error<InputError>([&] { d.run(0, samples_packet({memory_sample("case7", true, {10, 9, 6})})); },
                           {"case 'case7'", "8x12x6", "10x9x6"});
}

TEST(ShiftCropNode, OverlapBoxesHoldTheSameVoxelsInAAndB) {
  const SampleList in = three_samples({14, 13, 12});
  Driver d("data.shift_crop", {{"patch", {8, 8, 6}}, {"sigma", 3}}, "", {{"seed", 21}}, "dplg");
  int nonzero_shifts = 0;
  for (int64_t b = 0; b < 10; ++b) {
    const SampleList& s = samples_of(d.run(b, samples_packet(in)));
    Rng rng = d.ctx.rng(b);
    // Labelled samples: a plain crop A from the same stream, no crop B.
    for (size_t i = 0; i < 2; ++i) {
      EXPECT_EQ(s[i].origin_a, draw_crop_origin(rng, {14, 13, 12}, {8, 8, 6}));
      EXPECT_TRUE(s[i].channels_b.empty());
      EXPECT_EQ(s[i].shift, (Index3{0, 0, 0}));
      expect_label_follows_channels(s[i]);
    }
    const ShiftCropPlan plan = draw_shift_crop(rng, {14, 13, 12}, {8, 8, 6}, 3);
    const Sample& u = s[2];
    EXPECT_EQ(u.origin_a, plan.origin_a);
    EXPECT_EQ(u.shift, plan.shift);
    EXPECT_EQ(u.overlap_a, plan.overlap_a);
    EXPECT_EQ(u.overlap_b, plan.overlap_b);
    ASSERT_EQ(u.channels_b.size(), 2u);
    for (int a = 0; a < 3; ++a) EXPECT_LE(std::abs(u.shift[a]), 3);
    nonzero_shifts += u.shift != Index3{0, 0, 0};
    // B is the patch at origin_a + shift of the input.
    for (int c = 0; c < 2; ++c)
      EXPECT_EQ(u.channels_b[size_t(c)].at(0, 0, 0),
                in[2].channels[size_t(c)].at(u.origin_a[0] + u.shift[0], u.origin_a[1] + u.shift[1],
                                             u.origin_a[2] + u.shift[2]));
    const Index3 e = u.overlap_a.extent();
    ASSERT_EQ(e, u.overlap_b.extent());
    ASSERT_FALSE(u.overlap_a.empty());
    for (int c = 0; c < 2; ++c)
      for (int64_t x = 0; x < e[0]; ++x)
        for (int64_t y = 0; y < e[1]; ++y)
          for (int64_t z = 0; z < e[2]; ++z)
            ASSERT_EQ(u.channels[size_t(c)].at(u.overlap_a.lo[0] + x, u.overlap_a.lo[1] + y, u.overlap_a.lo[2] + z),
                      u.channels_b[size_t(c)].at(u.overlap_b.lo[0] + x, u.overlap_b.lo[1] + y,
                                                 u.overlap_b.lo[2] + z));
  }
  EXPECT_GT(nonzero_shifts, 0);
}

TEST(ShiftCropNode, ApplyToAllPaddingAndSigmaZero) {
  const SampleList in = {memory_sample("l0", true, {10, 9, 6}), memory_sample("u0", false, {10, 9, 6})};
  Driver all("data.shift_crop", {{"patch", {8, 8, 8}}, {"apply_to", "all"}});
  const SampleList& s = samples_of(all.run(0, samples_packet(in)));
  for (const Sample& t : s) {
    ASSERT_EQ(t.channels_b.size(), 2u);
    EXPECT_EQ(t.channels[0].size, (Index3{8, 8, 8}));
    EXPECT_EQ(t.channels_b[0].size, (Index3{8, 8, 8}));
    const Index3 e = t.overlap_a.extent();
    for (int64_t x = 0; x < e[0]; ++x)
      for (int64_t y = 0; y < e[1]; ++y)
        for (int64_t z = 0; z < e[2]; ++z)
          ASSERT_EQ(t.channels[0].at(t.overlap_a.lo[0] + x, t.overlap_a.lo[1] + y, t.overlap_a.lo[2] + z),
                    t.channels_b[0].at(t.overlap_b.lo[0] + x, t.overlap_b.lo[1] + y, t.overlap_b.lo[2] + z));
  }
  expect_label_follows_channels(s[0]);

  Driver zero("data.shift_crop", {{"patch", {4, 4, 4}}, {"sigma", 0}});
  const Sample u = samples_of(zero.run(3, samples_packet(in)))[1];
  EXPECT_EQ(u.shift, (Index3{0, 0, 0}));
  EXPECT_EQ(u.channels_b[0].data, u.channels[0].data);
  EXPECT_EQ(u.overlap_a, (Box{{0, 0, 0}, {4, 4, 4}}));

  Driver tight("data.shift_crop", {{"patch", {8, 12, 6}}, {"pad", false}});
  expect_error<InputError>([&] { tight.run(0, samples_packet(in)); }, {"case 'l0'", "8x12x6"});
}

TEST(NormalizeNode, ModesMatchTheOpsAndNoneForwards) {
  const PacketPtr in = samples_packet(three_samples());
  Driver none("data.normalize", json::object());
  EXPECT_EQ(none.run(0, in).get(), in.get());

  const ImageVolume ch = samples_of(in)[0].channels[1];
  Driver z("data.normalize", {{"mode", "zscore"}});
  EXPECT_EQ(samples_of(z.run(0, in))[0].channels[1].data, zscore(ch).data);
  Driver m("data.normalize", {{"mode", "minmax"}});
  const SampleList& mm = samples_of(m.run(0, in));
  EXPECT_EQ(mm[2].channels[0].data, minmax(samples_of(in)[2].channels[0]).data);
  EXPECT_EQ(mm[0].label->data, samples_of(in)[0].label->data);
  Driver hu("data.normalize", {{"mode", "hu_window"}, {"window", {10.0, 20.0}}});
  const ImageVolume w = samples_of(hu.run(0, in))[0].channels[0];
  EXPECT_EQ(w.data, hu_window(samples_of(in)[0].channels[0], 10.0f, 20.0f, true).data);
  EXPECT_EQ(w.at(0, 0, 0), 0.0f);
  EXPECT_EQ(w.at(5, 4, 3), 1.0f);
  Driver raw("data.normalize", {{"mode", "hu_window"}, {"window", {10.0, 20.0}}, {"rescale", false}});
  EXPECT_EQ(samples_of(raw.run(0, in))[0].channels[0].at(0, 0, 3), 10.0f);

  Sample shifted = memory_sample("u1", false, {4, 4, 4});
  shifted.channels_b = shifted.channels;
  expect_error<RunError>([&] { z.run(0, samples_packet({shifted})); }, {"case 'u1'", "before the shift crop"});
}

}  // namespace
}  // namespace flowrun
