// The sweep's grid: parsing --vary, the order of runs, folder names, refusals.
#include <gtest/gtest.h>

#include "core/error.h"
#include "runner/sweep_plan.h"

namespace flowrun {

TEST(SweepPlan, ValuesSplitOnTopLevelCommasOnly) {
  const SweepAxis a = parse_sweep_axis("nodes.crop.patch=[32,32,32],[48,48,32],\"a,b\"");
  EXPECT_EQ(a.path, "nodes.crop.patch");
  EXPECT_EQ(a.values, (std::vector<std::string>{"[32,32,32]", "[48,48,32]", "\"a,b\""}));
  for (const char* bad : {"nodes.crop.sigma", "=1,2", "x=1,,2", "x=[1,2", "x=1,1", "x=\"a"})
    EXPECT_THROW(parse_sweep_axis(bad), InputError) << bad;
}

TEST(SweepPlan, GridIsRowMajorWithSeedsInnermost) {
  const auto runs = plan_sweep({parse_sweep_axis("nodes.crop.sigma=2,5"), parse_sweep_axis("nodes.loss.alpha=0.5,1")}, 2);
  ASSERT_EQ(runs.size(), 8u);
  EXPECT_EQ(runs[0].folder, "sigma-2_alpha-0.5/seed-1");
  EXPECT_EQ(runs[1].folder, "sigma-2_alpha-0.5/seed-2");
  EXPECT_EQ(runs[2].folder, "sigma-2_alpha-1/seed-1");
  EXPECT_EQ(runs[7].folder, "sigma-5_alpha-1/seed-2");
  EXPECT_EQ(runs[7].sets, (std::vector<std::string>{"nodes.crop.sigma=5", "nodes.loss.alpha=1", "params.seed=2"}));
}

TEST(SweepPlan, PathsJoinedByPlusTakeOneValueTogether) {
  const auto runs = plan_sweep({parse_sweep_axis("nodes.pseudo.dynamic+nodes.loss.dynamic=true,false")}, 1);
  ASSERT_EQ(runs.size(), 2u);
  EXPECT_EQ(runs[1].folder, "dynamic-false/seed-1");
  EXPECT_EQ(runs[1].sets,
            (std::vector<std::string>{"nodes.pseudo.dynamic=false", "nodes.loss.dynamic=false", "params.seed=1"}));
  for (const char* bad : {"+a=1", "a+=1", "a++b=1"}) EXPECT_THROW(parse_sweep_axis(bad), InputError) << bad;
}

TEST(SweepPlan, GraphVariesTheFileNotAnOverride) {
  const auto runs =
      plan_sweep({parse_sweep_axis("graph=graphs/demo.json,graphs/demo_supervised.json"), parse_sweep_axis("x.y=1")}, 1);
  ASSERT_EQ(runs.size(), 2u);
  EXPECT_EQ(runs[1].graph, "graphs/demo_supervised.json");
  EXPECT_EQ(runs[1].point, "graph-graphs_demo_supervised.json_y-1");
  EXPECT_EQ(runs[1].sets, (std::vector<std::string>{"x.y=1", "params.seed=1"}));
  EXPECT_THROW(parse_sweep_axis("graph+nodes.loss.beta=1"), InputError);
}

TEST(SweepPlan, FolderNamesStayInsideTheSweepFolder) {
  const auto runs = plan_sweep({parse_sweep_axis("dataset=../x/y.json,/etc/z.json")}, 1);
  ASSERT_EQ(runs.size(), 2u);
  EXPECT_EQ(runs[0].point, "dataset-.._x_y.json");  // one folder, not a path upwards
  EXPECT_EQ(runs[1].point, "dataset-_etc_z.json");
  EXPECT_THROW(plan_sweep({parse_sweep_axis("x=a/b,a_b")}, 1), InputError);  // same folder
  EXPECT_THROW(plan_sweep({parse_sweep_axis("x=1"), parse_sweep_axis("x=2")}, 1), InputError);
  EXPECT_THROW(plan_sweep({parse_sweep_axis("x=1")}, 0), InputError);
  EXPECT_THROW(plan_sweep({}, 1), InputError);
}

}  // namespace flowrun
