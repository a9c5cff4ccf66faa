// Summary over cases: numpy's mean and population std, empty cases counted.
#include <gtest/gtest.h>

#include <cmath>

#include "core/error.h"
#include "lib/metrics/metrics.h"

namespace flowrun {
namespace {

TEST(Summary, MeanAndPopulationStd) {
  std::vector<CaseMetrics> cases(3);
  cases[0] = {0.9, 0.8, 2.0, 0.5, false};
  cases[1] = {0.7, 0.6, 4.0, 1.5, false};
  cases[2] = {0.0, 0.0, 0.0, 0.0, true};
  const MetricsSummary s = summarize(cases);
  EXPECT_EQ(s.cases, 3);
  EXPECT_EQ(s.empty_cases, 1);
  EXPECT_NEAR(s.dice.mean, 1.6 / 3.0, 1e-15);
  // numpy.std([0.9, 0.7, 0.0]) = 0.3858612300930075
  EXPECT_NEAR(s.dice.std, 0.3858612300930075, 1e-15);
  EXPECT_NEAR(s.hd95.mean, 2.0, 1e-15);
  EXPECT_NEAR(s.hd95.std, std::sqrt(8.0 / 3.0), 1e-15);
  EXPECT_NEAR(s.asd.mean, 2.0 / 3.0, 1e-15);
  EXPECT_NEAR(s.jaccard.mean, 1.4 / 3.0, 1e-15);
}

TEST(Summary, NoCasesGivesNaN) {
  const MetricsSummary s = summarize({});
  EXPECT_EQ(s.cases, 0);
  EXPECT_TRUE(std::isnan(s.dice.mean));
  EXPECT_TRUE(std::isnan(s.asd.std));
}

TEST(Percentile, MatchesNumpyLinear) {
  // numpy.percentile([5, 1, 4, 2, 3], 95) = 4.8; ([1, 2], 50) = 1.5
  std::vector<double> v{5, 1, 4, 2, 3};
  EXPECT_NEAR(percentile_linear(v, 95.0), 4.8, 1e-15);
  std::vector<double> w{2, 1};
  EXPECT_DOUBLE_EQ(percentile_linear(w, 50.0), 1.5);
  std::vector<double> one{7};
  EXPECT_DOUBLE_EQ(percentile_linear(one, 95.0), 7.0);
  std::vector<double> none;
  EXPECT_THROW(percentile_linear(none, 95.0), InputError);
}

}  // namespace
}  // namespace flowrun
