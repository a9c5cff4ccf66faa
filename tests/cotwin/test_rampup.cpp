// Tests of the unsupervised-weight ramp-up: endpoints, lineage stepping,
// fraction of the run, shapes, validation.
#include <cmath>

#include <gtest/gtest.h>

#include "core/error.h"
#include "plugins/cotwin/rampup.h"

namespace flowrun {
namespace {

TEST(RampUp, LineageSigmoidEndpoints) {
  RampUpOptions o;  // sigmoid, epochs of 150 iterations, T = 40
  EXPECT_DOUBLE_EQ(rampup_weight(o, 0), std::exp(-5.0));
  // iter // 150 as in the lineage: the whole first epoch keeps w(0).
  EXPECT_DOUBLE_EQ(rampup_weight(o, 149), std::exp(-5.0));
  // t = 1: exp(-5 (39/40)^2) = exp(-4.753125).
  EXPECT_NEAR(rampup_weight(o, 150), std::exp(-4.753125), 1e-15);
  // t = 20: exp(-5 / 4).
  EXPECT_NEAR(rampup_weight(o, 3000), std::exp(-1.25), 1e-15);
  EXPECT_DOUBLE_EQ(rampup_weight(o, 6000), 1.0);
  EXPECT_DOUBLE_EQ(rampup_weight(o, 15000), 1.0);
}

TEST(RampUp, MonotoneNonDecreasing) {
  for (RampShape s : {RampShape::sigmoid, RampShape::linear}) {
    RampUpOptions o;
    o.shape = s;
    double prev = -1.0;
    for (int64_t i = 0; i <= 7000; i += 7) {
      const double w = rampup_weight(o, i);
      EXPECT_GE(w, prev) << "iteration " << i;
      EXPECT_LE(w, 1.0);
      prev = w;
    }
  }
}

TEST(RampUp, FractionOfTheRun) {
  RampUpOptions o;
  o.unit = RampUnit::fraction;
  o.length = 0.25;  // T = 250 iterations of a 1000-iteration run
  o.max_weight = 0.1;
  EXPECT_NEAR(rampup_weight(o, 0, 1000), 0.1 * std::exp(-5.0), 1e-15);
  EXPECT_NEAR(rampup_weight(o, 125, 1000), 0.1 * std::exp(-1.25), 1e-15);
  EXPECT_NEAR(rampup_weight(o, 250, 1000), 0.1, 1e-15);
  EXPECT_NEAR(rampup_weight(o, 999, 1000), 0.1, 1e-15);
  EXPECT_THROW(rampup_weight(o, 10), RunError);  // total iterations missing
}

TEST(RampUp, IterationsLinearAndConstant) {
  RampUpOptions o;
  o.unit = RampUnit::iterations;
  o.length = 200;
  o.shape = RampShape::linear;
  EXPECT_DOUBLE_EQ(rampup_weight(o, 0), 0.0);
  EXPECT_DOUBLE_EQ(rampup_weight(o, 50), 0.25);
  EXPECT_DOUBLE_EQ(rampup_weight(o, 400), 1.0);
  o.shape = RampShape::constant;
  o.max_weight = 0.7;
  EXPECT_DOUBLE_EQ(rampup_weight(o, 0), 0.7);
  EXPECT_DOUBLE_EQ(rampup_weight(o, 1000), 0.7);
}

TEST(RampUp, ZeroLengthIsFullWeight) {
  RampUpOptions o;
  o.length = 0.0;
  EXPECT_DOUBLE_EQ(rampup_weight(o, 0), 1.0);
}

TEST(RampUp, ParsingAndValidation) {
  EXPECT_EQ(parse_ramp_shape("linear"), RampShape::linear);
  EXPECT_EQ(parse_ramp_unit("fraction"), RampUnit::fraction);
  EXPECT_THROW(parse_ramp_shape("cosine"), InputError);
  EXPECT_THROW(parse_ramp_unit("seconds"), InputError);
  RampUpOptions o;
  EXPECT_NO_THROW(validate(o));
  o.length = -1.0;
  EXPECT_THROW(validate(o), InputError);
  o = RampUpOptions{};
  o.unit = RampUnit::fraction;
  o.length = 1.5;
  EXPECT_THROW(validate(o), InputError);
  o = RampUpOptions{};
  o.iters_per_epoch = 0;
  EXPECT_THROW(validate(o), InputError);
}

}  // namespace
}  // namespace flowrun
