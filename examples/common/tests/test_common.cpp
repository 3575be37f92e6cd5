// What the programs share, as functions: output path checks, JSON text, the atomic
// write and the mapping of library option names to flags.

#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <limits>
#include <sstream>
#include <string>
#include <vector>

#include "common/atomic_file.hpp"
#include "common/command_line.hpp"
#include "common/flags.hpp"
#include "common/json.hpp"
#include "common/option_names.hpp"
#include "common/paths.hpp"

namespace {

std::string text(const cli::Json& j) { return cli::json_text(j); }

}  // namespace

TEST_CASE("common: output paths are checked before any work", "[cli]") {
  CHECK_THROWS_AS(cli::check_output_path("--json", "/nonexistent-dir-for-cli-test/r.json"), cli::UsageError);
  CHECK_THROWS_WITH(cli::check_output_path("--json", "/nonexistent-dir-for-cli-test/r.json"),
                    Catch::Contains("--json: cannot write to directory /nonexistent-dir-for-cli-test"));
  CHECK_THROWS_WITH(cli::check_output_path("--trace", "out/"), Catch::Contains("names a directory"));
  CHECK_NOTHROW(cli::check_output_path("--json", "r.json"));
  CHECK_FALSE(cli::readable("/nonexistent-dir-for-cli-test/r.json"));
}

TEST_CASE("common: JSON strings are escaped", "[cli]") {
  CHECK(text("plain") == "\"plain\"\n");
  CHECK(text("a\"b\\c") == "\"a\\\"b\\\\c\"\n");
  CHECK(text("\n\r\t\b\f") == "\"\\n\\r\\t\\b\\f\"\n");
  CHECK(text(std::string("\x01\x1f", 2)) == "\"\\u0001\\u001f\"\n");
  CHECK(text(std::string("a\0b", 3)) == "\"a\\u0000b\"\n");
  // Valid UTF-8 is kept as it is; every string reads back as written.
  const std::string utf8 = "caf\xC3\xA9 \xE2\x82\xAC \xF0\x9F\x98\x80 \x7f";
  CHECK(text(utf8) == "\"" + utf8 + "\"\n");
  for (const std::string& s : {std::string("a\"b\\c"), std::string("\x01\x1f\x7f", 3), std::string("a\0b", 3), utf8})
    CHECK(cli::Json::parse(text(s)) == s);
}

TEST_CASE("common: invalid UTF-8 becomes U+FFFD, and the JSON stays valid", "[cli]") {
  const std::string fffd = "\xEF\xBF\xBD";
  // A stray continuation byte, a truncated sequence, an overlong, a surrogate.
  CHECK(cli::Json::parse(text("\x80")) == fffd);
  CHECK(cli::Json::parse(text("\xC3")) == fffd);
  CHECK(cli::Json::parse(text("\xC0\xAF")) == fffd + fffd);
  CHECK(cli::Json::parse(text("\xED\xA0\x80")) == fffd + fffd + fffd);
  CHECK(cli::Json::parse(text("\xFF" "a")) == fffd + "a");
  cli::Json object;
  object["name"] = "data/\xFF\xFE.csv";
  CHECK(cli::Json::parse(text(object))["name"] == "data/" + fffd + fffd + ".csv");
}

TEST_CASE("common: JSON numbers; NaN and infinities are null", "[cli]") {
  CHECK(text(0.5) == "0.5\n");
  CHECK(text(1e-3) == "0.001\n");
  CHECK(cli::Json::parse(text(-2.0)) == -2.0);
  CHECK(text(0.1 + 0.2) == "0.30000000000000004\n");  // round-trips exactly
  CHECK(text(std::nan("")) == "null\n");
  CHECK(text(std::numeric_limits<double>::infinity()) == "null\n");
  CHECK(text(-std::numeric_limits<double>::infinity()) == "null\n");
  CHECK(text(42LL) == "42\n");
  CHECK(cli::string_or_null("").is_null());
  CHECK(cli::string_or_null("sgd") == "sgd");
}

TEST_CASE("common: atomic write replaces the whole file", "[cli]") {
  const std::string path = std::string(INVLEARN_TEST_BINARY_DIR) + "/cli_atomic.json";
  cli::write_file_atomic(path, "{\"a\": 1}\n");
  cli::write_file_atomic(path, "{}\n");
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  CHECK(ss.str() == "{}\n");
  std::remove(path.c_str());
  CHECK_THROWS_AS(cli::write_file_atomic("/nonexistent-dir-for-cli-test/x.json", "{}"), cli::OutputError);
  CHECK_THROWS_WITH(cli::write_file_atomic("/nonexistent-dir-for-cli-test/x.json", "{}"),
                    Catch::Contains("cannot write /nonexistent-dir-for-cli-test/x.json"));
}

TEST_CASE("common: a file written in pieces appears whole, and only when committed", "[cli]") {
  const std::string path = std::string(INVLEARN_TEST_BINARY_DIR) + "/cli_pieces.txt";
  cli::write_file_atomic(path, "old\n");
  auto content = [&] {
    std::ifstream in(path);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
  };
  {
    cli::AtomicOutput out(path);
    out.write("new ");
    CHECK(content() == "old\n");
  }  // no commit: the old content stays, and no temporary file is left
  CHECK(content() == "old\n");
  {
    cli::AtomicOutput out(path);
    out.write("a ");
    out.write("b\n");
    out.commit();
  }
  CHECK(content() == "a b\n");
  std::remove(path.c_str());
  CHECK_THROWS_AS(cli::AtomicOutput("/nonexistent-dir-for-cli-test/x.txt"), cli::OutputError);
}

TEST_CASE("common: a list flag may be repeated, any other flag not", "[cli]") {
  std::vector<std::string> list;
  std::string one;
  CLI::App app;
  cli::add_list_flag(app, "--exclude", "PATH", list, "files");
  cli::add_text_flag(app, "--load", "PATH", one, "a file", "");
  CHECK(cli::parse_command_line(app, {"--exclude", "a", "--load", "m", "--exclude=b"}));
  std::sort(list.begin(), list.end());
  CHECK(list == std::vector<std::string>{"a", "b"});
  CLI::App again;
  list.clear();
  cli::add_list_flag(again, "--exclude", "PATH", list, "files");
  cli::add_text_flag(again, "--load", "PATH", one, "a file", "");
  CHECK_THROWS_WITH(cli::parse_command_line(again, {"--load", "m", "--load", "n"}), Catch::Contains("--load: given more than once"));
  CHECK_THROWS_WITH(cli::parse_command_line(again, {"--exclude"}), Catch::Contains("--exclude: missing value"));
}

TEST_CASE("common: library option names become flags, whole names only", "[cli]") {
  const std::vector<cli::OptionFlag> table{{"SplitOptions::unlabeled", "--unlabeled"}, {"A::b", "--b"}};
  CHECK(cli::with_flag_names("SplitOptions::unlabeled: unknown 'x'", table) == "--unlabeled: unknown 'x'");
  CHECK(cli::with_flag_names("SplitOptions::unlabeled_pool is empty", table) == "SplitOptions::unlabeled_pool is empty");
  CHECK(cli::with_flag_names("X::SplitOptions::unlabeled", table) == "X::SplitOptions::unlabeled");
  CHECK(cli::with_flag_names("A::b and A::b, not A::bc", table) == "--b and --b, not A::bc");
  CHECK(cli::with_flag_names("no option here", table) == "no option here");
}
