// Largest-connected-component post-processing: 26-connectivity, ties, values kept.
#include <gtest/gtest.h>

#include "core/error.h"
#include "lib/metrics/connected_component.h"

namespace flowrun {
namespace {

TEST(LargestComponent, KeepsTheBiggestBlob) {
  LabelVolume m({8, 8, 8}, 0);
  for (int64_t x = 0; x < 3; ++x)
    for (int64_t y = 0; y < 3; ++y) m.at(x, y, 0) = 1;  // 9 voxels
  m.at(6, 6, 6) = 1;                                    // 2 voxels
  m.at(6, 6, 7) = 1;
  const LabelVolume out = largest_connected_component(m);
  EXPECT_EQ(out.size, m.size);
  EXPECT_EQ(out.at(1, 1, 0), 1);
  EXPECT_EQ(out.at(6, 6, 6), 0);
  EXPECT_EQ(out.at(6, 6, 7), 0);
  int64_t kept = 0;
  for (uint8_t v : out.data) kept += v;
  EXPECT_EQ(kept, 9);
}

// Voxels touching only at a corner are one 26-connected component.
TEST(LargestComponent, DiagonalNeighboursAreConnected) {
  LabelVolume m({5, 5, 5}, 0);
  m.at(0, 0, 0) = 1;
  m.at(1, 1, 1) = 1;
  m.at(2, 2, 2) = 1;
  m.at(4, 4, 0) = 1;
  m.at(4, 3, 0) = 1;
  const LabelVolume out = largest_connected_component(m);
  EXPECT_EQ(out.at(2, 2, 2), 1);
  EXPECT_EQ(out.at(0, 0, 0), 1);
  EXPECT_EQ(out.at(4, 4, 0), 0);
}

TEST(LargestComponent, TiesGoToTheFirstInCOrderAndValuesAreKept) {
  LabelVolume m({4, 4, 4}, 0);
  m.at(3, 3, 3) = 2;
  m.at(0, 0, 0) = 3;
  const LabelVolume out = largest_connected_component(m);
  EXPECT_EQ(out.at(0, 0, 0), 3);
  EXPECT_EQ(out.at(3, 3, 3), 0);
}

TEST(LargestComponent, EmptyStaysEmptyAndBadDataIsRejected) {
  LabelVolume m({3, 3, 3}, 0);
  EXPECT_EQ(largest_connected_component(m).data, m.data);
  m.data.pop_back();
  EXPECT_THROW(largest_connected_component(m), InputError);
}

}  // namespace
}  // namespace flowrun
