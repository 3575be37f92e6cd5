// invlearn-recommend's parts as functions: its flags, the --users and --exclude files,
// and the tsv and JSON it writes. The program itself is tested end to end by
// tests/cli/run_serving_tests.sh.

#include <catch2/catch.hpp>

#include <cstdio>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "common/json.hpp"
#include "inputs.hpp"
#include "output.hpp"
#include "parse.hpp"

namespace {

std::string scratch(const std::string& name, const std::string& content) {
  const std::string path = std::string(INVLEARN_TEST_BINARY_DIR) + "/recommend_" + name;
  std::ofstream(path, std::ios::binary) << content;
  return path;
}

std::string read(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::string usage_error(std::vector<std::string> args) {
  try {
    recommend::parse_args(args);
  } catch (const cli::UsageError& e) {
    return e.what();
  }
  FAIL("no UsageError for the arguments");
  return "";
}

invlearn::IdMap ids(std::vector<std::string> raws) { return invlearn::IdMap::from_raws(std::move(raws)); }

}  // namespace

TEST_CASE("recommend: flags", "[cli]") {
  const recommend::Options o = recommend::parse_args({"--load", "m.ckpt"});
  CHECK(o.users == "all");
  CHECK(o.k == 20);
  CHECK(o.format == "tsv");
  CHECK(o.out.empty());
  const recommend::Options two = recommend::parse_args({"--load", "m", "--exclude", "a.tsv", "--exclude=b.tsv", "--k", "5"});
  CHECK(two.exclude.size() == 2);
  CHECK(two.k == 5);
  CHECK(usage_error({"--k", "3"}).find("--load") != std::string::npos);
  CHECK(usage_error({"--load", "m", "--k", "0"}).find("--k: must be at least 1, got 0") != std::string::npos);
  CHECK(usage_error({"--load", "m", "--k", "x"}).find("--k: expected an integer") != std::string::npos);
  CHECK(usage_error({"--load", "m", "--load", "n"}).find("--load: given more than once") != std::string::npos);
  CHECK(usage_error({"--load", "m", "--exclude-format", "csv"}).find("--exclude-format: applies to --exclude") !=
        std::string::npos);
  CHECK(usage_error({"--load", "m", "--format", "xml"}).find("--format: unknown value 'xml'") != std::string::npos);
  CHECK(recommend::parse_args({"--help"}).help);
  CHECK(recommend::help_text().find("--exclude") != std::string::npos);
}

TEST_CASE("recommend: --users reads raw ids, one per line, and names an unknown one", "[cli]") {
  const invlearn::IdMap users = ids({"a", "b", "c"});
  CHECK(recommend::read_users("all", users) == std::vector<invlearn::Index>{0, 1, 2});
  CHECK(recommend::read_users(scratch("users.txt", "c\n\n  a \r\nc\n"), users) == std::vector<invlearn::Index>{2, 0, 2});
  const std::string bad = scratch("bad_users.txt", "a\nzz\n");
  try {
    recommend::read_users(bad, users);
    FAIL("no error for an unknown user");
  } catch (const cli::UsageError& e) {
    CHECK(std::string(e.what()).find(bad + ":2: unknown user id 'zz'") != std::string::npos);
  }
  CHECK_THROWS_AS(recommend::read_users("/nonexistent-dir-for-cli-test/u.txt", users), cli::UsageError);
}

TEST_CASE("recommend: --exclude maps raw ids through the model's maps and drops unknown ones", "[cli]") {
  const invlearn::IdMap users = ids({"u1", "u2"}), items = ids({"x", "y", "z"});
  const std::string path = scratch("exclude.tsv", "u2\tz\t5\nu1\tx\t1\nu9\tx\t3\nu1\tnew\t2\n");
  const invlearn::PairIndex pairs = recommend::read_exclusions({path}, "auto", users, items);
  CHECK(pairs.size() == 2);
  CHECK(pairs.contains(1, 2));
  CHECK(pairs.contains(0, 0));
  CHECK_FALSE(pairs.contains(0, 2));
  CHECK(recommend::read_exclusions({}, "auto", users, items).size() == 0);
  CHECK_THROWS_AS(recommend::read_exclusions({scratch("short.tsv", "u1\tx\n")}, "auto", users, items),
                  invlearn::ParseError);
}

TEST_CASE("recommend: tsv and JSON output", "[cli]") {
  const invlearn::IdMap users = ids({"u1", "u2"}), items = ids({"x", "y", "z"});
  invlearn::Recommendations<float> lists;
  lists.reset({1, 0}, 2);
  lists.lengths = {2, 1};
  lists.items = {2, 0, 1, -1};
  lists.scores = {0.5f, -0.25f, 1.0f / 3.0f, 0.0f};
  const std::string tsv = std::string(INVLEARN_TEST_BINARY_DIR) + "/recommend_out.tsv";
  {
    recommend::Writer w("tsv", tsv, 2);
    w.add(lists, users, items);
    w.finish();
  }
  CHECK(read(tsv) == "u2\t1\tz\t0.5\nu2\t2\tx\t-0.25\nu1\t1\ty\t0.333333343\n");
  CHECK(std::stof("0.333333343") == 1.0f / 3.0f);  // the shortest text that reads back
  const std::string json = std::string(INVLEARN_TEST_BINARY_DIR) + "/recommend_out.json";
  {
    recommend::Writer w("json", json, 2);
    w.add(lists, users, items);
    w.add(lists, users, items);
    w.finish();
  }
  const cli::Json j = cli::Json::parse(read(json));
  CHECK(j["k"] == 2);
  REQUIRE(j["recommendations"].size() == 4);
  CHECK(j["recommendations"][0]["user"] == "u2");
  CHECK(j["recommendations"][0]["items"] == cli::Json::array({"z", "x"}));
  CHECK(j["recommendations"][1]["scores"].size() == 1);
  {
    recommend::Writer w("json", json, 3);
    w.finish();
  }
  CHECK(cli::Json::parse(read(json))["recommendations"].empty());
  std::remove(tsv.c_str());
  std::remove(json.c_str());
}
