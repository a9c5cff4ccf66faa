// Parameter schema validation: defaults, types, ranges, enums, lists, unknown names.
#include "core/param_schema.h"
#include "test_support.h"

namespace flowrun {
using nlohmann::json;
using testing::expect_error;

static ParamSchema schema() {
  return {ParamSpec::integer("n", 3, "count", 1, 10), ParamSpec::real("sigma", 5.0, "shift", 0, 50),
          ParamSpec::choice("combine", "mean", {"mean", "max", "replace"}, "rule"),
          ParamSpec::int_list("patch", {96, 96, 96}, "patch", 3, 16), ParamSpec::boolean("on", false, "flag"),
          ParamSpec::string("name", "x", "a name")};
}

TEST(Params, DefaultsAreFilledIn) {
  json p = validate_params(json::object(), schema(), "g.json: $.nodes[0].params");
  EXPECT_EQ(p["n"], 3);
  EXPECT_EQ(p["combine"], "mean");
  EXPECT_EQ(p["patch"], json({96, 96, 96}));
  EXPECT_EQ(p["on"], false);
}

TEST(Params, GivenValuesWinAndIntegralFloatsBecomeInts) {
  json p = validate_params(json{{"n", 4.0}, {"sigma", 2}}, schema(), "w");
  EXPECT_TRUE(p["n"].is_number_integer());
  EXPECT_EQ(p["n"], 4);
  EXPECT_EQ(p["sigma"], 2);
}

TEST(Params, UnknownParameterNamesCloseOnes) {
  expect_error<InputError>([] { validate_params(json{{"sigam", 1}}, schema(), "g.json: $.nodes[2].params"); },
                           {"g.json: $.nodes[2].params.sigam", "unknown parameter", "did you mean 'sigma'"});
}

TEST(Params, WrongTypeIsRejected) {
  expect_error<InputError>([] { validate_params(json{{"sigma", "big"}}, schema(), "w"); },
                           {"w.sigma", "expected a number in [0, 50]", "\"big\""});
  expect_error<InputError>([] { validate_params(json{{"n", 2.5}}, schema(), "w"); }, {"w.n", "integer"});
  expect_error<InputError>([] { validate_params(json{{"on", 1}}, schema(), "w"); }, {"true or false"});
}

TEST(Params, OutOfRangeIsRejected) {
  expect_error<InputError>([] { validate_params(json{{"sigma", 51}}, schema(), "w"); }, {"w.sigma", "[0, 50]", "51"});
  expect_error<InputError>([] { validate_params(json{{"n", 0}}, schema(), "w"); }, {"w.n", "[1, 10]"});
}

TEST(Params, EnumAndListsAreChecked) {
  expect_error<InputError>([] { validate_params(json{{"combine", "avg"}}, schema(), "w"); },
                           {"w.combine", "one of \"mean\", \"max\", \"replace\""});
  expect_error<InputError>([] { validate_params(json{{"patch", {96, 96}}}, schema(), "w"); },
                           {"w.patch", "list of 3 integers"});
  expect_error<InputError>([] { validate_params(json{{"patch", {96, 8, 96}}}, schema(), "w"); }, {">= 16"});
}

TEST(Params, RequiredParameterMustBeGiven) {
  ParamSchema s{ParamSpec::string("path", "", "a file").require()};
  expect_error<InputError>([&] { validate_params(json::object(), s, "w"); }, {"missing required parameter 'path'"});
}

TEST(Params, CloseNamesFindPrefixedTypes) {
  auto c = close_names("shift_crop", {"cotwin.shift_crop", "data.random_crop", "eval.metrics"});
  ASSERT_FALSE(c.empty());
  EXPECT_EQ(c[0], "cotwin.shift_crop");
}

}  // namespace flowrun
