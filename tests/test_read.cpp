// Readers (data/read/): each format, detection, every bad-input error, the format concept
// and its registry, and the line splitting they share.

#include <catch2/catch.hpp>

#include <cmath>
#include <set>
#include <string>
#include <string_view>
#include <tuple>
#include <utility>
#include <vector>

#include "invlearn/core/random.hpp"
#include "invlearn/data/labeling.hpp"
#include "invlearn/data/read.hpp"
#include "invlearn/data/read/file_lines.hpp"
#include "support/temp_file.hpp"

using invlearn::Format;
using invlearn::Index;
using invlearn::LabelRule;
using invlearn::ParseError;
using invlearn::RawRatings;
using invlearn_test::TempFile;

namespace {

// The raw (user, item) ids and the value of row r.
std::tuple<std::string, std::string, double> row(const RawRatings& r, std::size_t k) {
  return {r.user_ids.raw(r.users[k]), r.item_ids.raw(r.items[k]), r.values[k]};
}

// Parsing `text` must throw a ParseError at `line` naming `field`, whose message holds
// the line number, the field and `words`.
void expect_parse_error(const std::string& text, Format format, long long line,
                        const std::string& field, const std::string& words) {
  INFO("input: " << text);
  try {
    invlearn::read_ratings_from_string(text, format, "fixture.txt");
    FAIL("no ParseError thrown");
  } catch (const ParseError& e) {
    const std::string what = e.what();
    INFO("what(): " << what);
    CHECK(e.file() == "fixture.txt");
    CHECK(e.line() == line);
    CHECK(e.field() == field);
    CHECK(what.find("fixture.txt:" + std::to_string(line) + ":") != std::string::npos);
    if (!field.empty()) CHECK(what.find(field) != std::string::npos);
    CHECK(what.find(words) != std::string::npos);
  }
}

// A format written as a user would add one: `user|item|value`. It is not registered
// (that is the registry's line); the tests check it against the concept and use its split.
struct PipeFormat {
  static constexpr const char* name = "pipe";
  static constexpr const char* layout = "user|item|value";
  static constexpr const char* value_column = "value";
  static constexpr bool has_header = false;
  static bool detect(std::string_view line) { return line.find('|') != std::string_view::npos; }
  static invlearn::FieldError split(std::string_view line, std::size_t want, std::vector<std::string_view>& fields,
                                    std::string&) {
    invlearn::detail::split_at(line, "|", want, fields);
    return {};
  }
};

// A type that is not a format: check_format() would stop at its missing members.
struct NotAFormat {
  static constexpr const char* name = "none";
};

}  // namespace

TEST_CASE("read: the archetype, every registered format and a new one pass check_format", "[read]") {
  static_assert(invlearn::check_format<invlearn::FormatArchetype>());
  static_assert(invlearn::check_format<invlearn::formats::MovieLens>());
  static_assert(invlearn::check_format<invlearn::formats::Tsv>());
  static_assert(invlearn::check_format<invlearn::formats::Csv>());
  static_assert(invlearn::check_format<invlearn::formats::WatchRatio>());
  static_assert(invlearn::check_format<PipeFormat>());
  // What check_format() asks, member by member, is detectable; a type without them is not.
  static_assert(invlearn::is_detected_v<invlearn::detail::format_name_t, NotAFormat>);
  static_assert(!invlearn::is_detected_v<invlearn::detail::format_split_t, NotAFormat>);
  static_assert(!invlearn::is_detected_v<invlearn::detail::format_detect_t, NotAFormat>);
  static_assert(!invlearn::is_detected_v<invlearn::detail::format_has_header_t, NotAFormat>);
  CHECK(invlearn::Formats::size == 4);
  std::vector<std::string_view> fields;
  std::string scratch;
  CHECK(PipeFormat::split("7 | x | 4.5", 3, fields, scratch).column == 0);
  CHECK(fields == std::vector<std::string_view>{"7", "x", "4.5"});
  CHECK_FALSE(invlearn::FormatArchetype::detect("anything"));
}

TEST_CASE("read: the registry lists the formats in the order of Format", "[read]") {
  std::vector<std::string> names;
  std::vector<Format> ids;
  invlearn::for_each_format([&](auto f, Format id) {
    names.push_back(decltype(f)::name);
    ids.push_back(id);
  });
  CHECK(names == std::vector<std::string>{"movielens", "tsv", "csv", "watch-ratio"});
  CHECK(ids == std::vector<Format>{Format::movielens, Format::tsv, Format::csv, Format::watch_ratio});
  for (Format f : ids) CHECK(invlearn::visit_format(f, [](auto g) { return std::string(decltype(g)::name); }) ==
                             invlearn::format_name(f));
  CHECK(invlearn::visit_format(Format::csv, [](auto g) { return decltype(g)::has_header; }));
  try {
    invlearn::parse_format("xml");
    FAIL("no OptionError thrown");
  } catch (const invlearn::OptionError& e) {
    CHECK(e.option() == "Format");
    CHECK(std::string(e.what()) == "Format: unknown format 'xml': expected auto, movielens, tsv, csv or watch-ratio");
  }
}

TEST_CASE("read: lines of a text and of a file, split alike", "[read]") {
  std::vector<std::string> seen;
  invlearn::detail::for_each_line("a\n\nb\r\nc", [&](std::string_view l) { seen.emplace_back(l); });
  CHECK(seen == std::vector<std::string>{"a", "", "b\r", "c"});
  TempFile file("lines.txt", "a\n\nb\r\nc");
  std::vector<std::string> from_file;
  std::size_t expected = 0;
  invlearn::detail::for_each_file_line(
      file.str(), [&](std::string_view l) { from_file.emplace_back(l); }, [&](std::size_t n) { expected = n; });
  CHECK(from_file == seen);
  CHECK(expected >= 4);
  std::vector<std::string_view> fields;
  invlearn::detail::split_at(" a :: b::c ", "::", 2, fields);
  CHECK(fields == std::vector<std::string_view>{"a", "b"});
}

TEST_CASE("data: parse_format names", "[data]") {
  CHECK(invlearn::parse_format("auto") == Format::automatic);
  CHECK(invlearn::parse_format("movielens") == Format::movielens);
  CHECK(invlearn::parse_format("tsv") == Format::tsv);
  CHECK(invlearn::parse_format("csv") == Format::csv);
  CHECK(invlearn::parse_format("watch-ratio") == Format::watch_ratio);
  CHECK_THROWS_AS(invlearn::parse_format("xml"), invlearn::InvalidArgument);
  for (Format f : {Format::automatic, Format::movielens, Format::tsv, Format::csv,
                   Format::watch_ratio})
    CHECK(invlearn::parse_format(invlearn::format_name(f)) == f);
}

TEST_CASE("data: movielens reader maps raw ids by first appearance", "[data]") {
  const auto r = invlearn::read_ratings_from_string(
      "10::200::5::978300760\n10::300::3::978300761\n20::200::1::978300762\n", Format::movielens,
      "ml.dat");
  REQUIRE(r.size() == 3);
  CHECK(r.users == std::vector<Index>{0, 0, 1});
  CHECK(r.items == std::vector<Index>{0, 1, 0});
  CHECK(r.values == std::vector<double>{5, 3, 1});
  CHECK(r.user_ids.raw(0) == "10");
  CHECK(r.user_ids.raw(1) == "20");
  CHECK(r.item_ids.raw(1) == "300");
  CHECK(r.source == "ml.dat");
  CHECK(r.format == Format::movielens);
  CHECK(r.duplicates_dropped == 0);
}

TEST_CASE("data: tsv reader takes tabs or runs of spaces, timestamp optional", "[data]") {
  const auto r = invlearn::read_ratings_from_string(
      "196\t242\t3\t881250949\n  u2   i7  4.5\n196\t7\t1\n", Format::tsv, "u.data");
  REQUIRE(r.size() == 3);
  CHECK(row(r, 0) == std::make_tuple(std::string("196"), std::string("242"), 3.0));
  CHECK(row(r, 1) == std::make_tuple(std::string("u2"), std::string("i7"), 4.5));
  CHECK(row(r, 2) == std::make_tuple(std::string("196"), std::string("7"), 1.0));
  CHECK(r.user_ids.size() == 2);
  CHECK(r.item_ids.size() == 3);
}

TEST_CASE("data: csv reader finds columns by header name", "[data]") {
  SECTION("MovieLens-20M layout, item column first in the file") {
    const auto r = invlearn::read_ratings_from_string(
        "movieId,userId,rating,timestamp\n31,1,2.5,1260759144\n1029,1,3,1260759179\n",
        Format::csv, "ratings.csv");
    REQUIRE(r.size() == 2);
    CHECK(row(r, 0) == std::make_tuple(std::string("1"), std::string("31"), 2.5));
    CHECK(row(r, 1) == std::make_tuple(std::string("1"), std::string("1029"), 3.0));
    CHECK(r.value_column == "rating");
  }
  SECTION("KuaiRec matrix layout with many columns") {
    const auto r = invlearn::read_ratings_from_string(
        "user_id,video_id,play_duration,video_duration,time,date,timestamp,watch_ratio\n"
        "14,148,4381,6067,2020-07-05 05:27:48.378,20200705,1593898068.378,0.722103\n",
        Format::csv, "small_matrix.csv");
    REQUIRE(r.size() == 1);
    CHECK(row(r, 0) == std::make_tuple(std::string("14"), std::string("148"), 0.722103));
    CHECK(r.value_column == "watch_ratio");
    CHECK(LabelRule::for_data(r).positive_above == 0.8);
  }
  SECTION("unknown names fall back to the first three columns; quotes and spaces trimmed") {
    const auto r = invlearn::read_ratings_from_string("a,b,c,d\n\"u 1\", i1 ,4,x\n",
                                                      Format::csv, "x.csv");
    REQUIRE(r.size() == 1);
    CHECK(row(r, 0) == std::make_tuple(std::string("u 1"), std::string("i1"), 4.0));
  }
  SECTION("a header naming some columns but not the value column is an error") {
    expect_parse_error("score,user,rating\n1,2,3\n", Format::csv, 1, "item", "header");
  }
  SECTION("an all-numeric first line is not a header") {
    expect_parse_error("1,2,3\n4,5,6\n", Format::csv, 1, "", "header");
  }
}

TEST_CASE("data: csv reader splits RFC 4180 quoted fields", "[data]") {
  SECTION("a quoted header name holding a comma does not shift the columns") {
    const auto r = invlearn::read_ratings_from_string(
        "user_id,\"title, year\",video_id,watch_ratio\n"
        "14,\"Cats, dogs, birds\",148,0.7\n"
        "15,plain,149,1.5\n",
        Format::csv, "quoted_header.csv");
    REQUIRE(r.size() == 2);
    CHECK(row(r, 0) == std::make_tuple(std::string("14"), std::string("148"), 0.7));
    CHECK(row(r, 1) == std::make_tuple(std::string("15"), std::string("149"), 1.5));
    CHECK(r.value_column == "watch_ratio");
  }
  SECTION("an unrecognised quoted value column name is kept whole") {
    const auto r = invlearn::read_ratings_from_string("user,item,\"rating, 1-5\"\n1,2,4\n",
                                                      Format::csv, "x.csv");
    REQUIRE(r.size() == 1);
    CHECK(r.value_column == "rating, 1-5");
    CHECK(row(r, 0) == std::make_tuple(std::string("1"), std::string("2"), 4.0));
  }
  SECTION("quoted ids with commas, and commas inside ignored quoted columns") {
    const auto r = invlearn::read_ratings_from_string(
        "\"12\",\"a, b\",0.5,\"ignored, too\"\n"
        "12 , \"c\" ,\"1.5\"\n"
        "\"13, x\",a, 2\n",
        Format::watch_ratio, "quoted.txt");
    REQUIRE(r.size() == 3);
    CHECK(row(r, 0) == std::make_tuple(std::string("12"), std::string("a, b"), 0.5));
    CHECK(row(r, 1) == std::make_tuple(std::string("12"), std::string("c"), 1.5));
    CHECK(row(r, 2) == std::make_tuple(std::string("13, x"), std::string("a"), 2.0));
    CHECK(r.user_ids.size() == 2);
  }
  SECTION("doubled quotes inside quotes are one quote character") {
    const auto r = invlearn::read_ratings_from_string(
        "user_id,comment,video_id,watch_ratio\n"
        "14,\"really \"\"great\"\", 10/10\",\"v \"\"1\"\"\",0.5\n"
        "14,\"\",\"\"\"\",1\n"
        "15,x,a\"b,2\n",
        Format::csv, "doubled.csv");
    REQUIRE(r.size() == 3);
    CHECK(row(r, 0) == std::make_tuple(std::string("14"), std::string("v \"1\""), 0.5));
    CHECK(row(r, 1) == std::make_tuple(std::string("14"), std::string("\""), 1.0));
    // A quote inside an unquoted field is an ordinary character.
    CHECK(row(r, 2) == std::make_tuple(std::string("15"), std::string("a\"b"), 2.0));
  }
  SECTION("auto-detection sees quoted fields whole") {
    CHECK(invlearn::detect_format("\"14\",\"a, b\",0.5") == Format::watch_ratio);
    CHECK(invlearn::detect_format("\"user id\",\"item, name\",\"rating\"") == Format::csv);
    const auto r = invlearn::read_ratings_from_string("\"14\",\"a, b\",0.5\n", Format::automatic,
                                                      "auto");
    CHECK(r.format == Format::watch_ratio);
    REQUIRE(r.size() == 1);
    CHECK(row(r, 0) == std::make_tuple(std::string("14"), std::string("a, b"), 0.5));
  }
}

TEST_CASE("data: an unterminated quote throws ParseError naming file line and column",
          "[data]") {
  SECTION("in a data row, named by its role and column") {
    expect_parse_error("user,item,rating\n1,2,3\n1,\"x,3\n", Format::csv, 3, "item",
                       "unterminated quote in column 2");
    expect_parse_error("1,2,3\n\"4,5,6\n", Format::watch_ratio, 2, "user",
                       "unterminated quote in column 1");
    expect_parse_error("1,2,3\n4,5,\"6\n", Format::automatic, 2, "value",
                       "unterminated quote in column 3");
  }
  SECTION("in an ignored column, even past the value column") {
    expect_parse_error("1,2,3,\"note\n", Format::watch_ratio, 1, "",
                       "unterminated quote in column 4");
    expect_parse_error("user,x,item,rating\n1,\"a,\"\"b,2,3\n", Format::csv, 2, "",
                       "unterminated quote in column 2");
  }
  SECTION("in the header") {
    expect_parse_error("user,\"item,rating\n1,2,3\n", Format::csv, 1, "",
                       "unterminated quote in column 2");
  }
  SECTION("a quoted field spanning two lines is not supported") {
    expect_parse_error("user,comment,item,rating\n1,\"two\nlines\",2,3\n", Format::csv, 2, "",
                       "unterminated quote in column 2");
  }
  SECTION("text after a closing quote") {
    expect_parse_error("1,\"a\"b,3\n", Format::watch_ratio, 1, "item",
                       "after the closing quote in column 2");
  }
  SECTION("the file reader names the file and the line") {
    TempFile file("unterminated.csv",
                  "user_id,video_id,watch_ratio\r\n1,2,0.5\r\n\r\n3,\"4,0.5\r\n");
    try {
      invlearn::read_ratings(file.str());
      FAIL("no ParseError thrown");
    } catch (const ParseError& e) {
      const std::string what = e.what();
      INFO("what(): " << what);
      CHECK(e.line() == 4);
      CHECK(e.field() == "item");
      CHECK(what.find(file.str() + ":4: item: unterminated quote in column 2") !=
            std::string::npos);
    }
  }
}

TEST_CASE("data: watch-ratio reader (headerless KuaiRec CSV)", "[data]") {
  const auto r = invlearn::read_ratings_from_string(
      "14,10070,1.3318276580959\n14,2517,0.2\n15,2517,0\n", Format::watch_ratio, "random.txt");
  REQUIRE(r.size() == 3);
  CHECK(row(r, 0) == std::make_tuple(std::string("14"), std::string("10070"), 1.3318276580959));
  CHECK(row(r, 2) == std::make_tuple(std::string("15"), std::string("2517"), 0.0));
  CHECK(r.value_column == "watch_ratio");
  CHECK(LabelRule::for_data(r).negative_below == 0.2);
}

TEST_CASE("data: format auto-detection from the first non-empty line", "[data]") {
  CHECK(invlearn::detect_format("1::1193::5::978300760") == Format::movielens);
  CHECK(invlearn::detect_format("196\t242\t3\t881250949") == Format::tsv);
  CHECK(invlearn::detect_format("196 242 3") == Format::tsv);
  CHECK(invlearn::detect_format("userId,movieId,rating,timestamp") == Format::csv);
  CHECK(invlearn::detect_format("a,b,score") == Format::csv);
  CHECK(invlearn::detect_format("14,10070,1.33") == Format::watch_ratio);
  CHECK(invlearn::detect_format("u14,v10070,1.33") == Format::watch_ratio);

  const std::vector<std::pair<std::string, Format>> cases{
      {"\n\n1::2::5::0\n", Format::movielens},
      {"1\t2\t5\n", Format::tsv},
      {"user,item,rating\n1,2,5\n", Format::csv},
      {"1,2,0.5\n", Format::watch_ratio},
      {"1 2 5\n", Format::tsv}};
  for (const auto& c : cases) {
    const auto r = invlearn::read_ratings_from_string(c.first, Format::automatic, "auto");
    CHECK(r.format == c.second);
    REQUIRE(r.size() == 1);
    CHECK(r.user_ids.raw(0) == "1");
    CHECK(r.item_ids.raw(0) == "2");
  }
}

TEST_CASE("data: bad input throws ParseError naming file, line and field", "[data]") {
  SECTION("empty input") {
    expect_parse_error("", Format::automatic, 0, "", "file is empty");
    expect_parse_error("\n  \r\n\t\n", Format::movielens, 0, "", "file is empty");
    expect_parse_error("user,item,rating\n\n", Format::csv, 2, "", "no data rows");
  }
  SECTION("missing fields") {
    expect_parse_error("1::2\n", Format::movielens, 1, "value", "missing field");
    expect_parse_error("1::2::3\n7\n", Format::movielens, 2, "item", "missing field");
    expect_parse_error("1\t2\t3\n\n4\n", Format::tsv, 3, "item", "missing field");
    expect_parse_error("1,2,3\n4,5\n", Format::watch_ratio, 2, "value", "missing field");
    expect_parse_error("user,item,rating\n1,2\n", Format::csv, 2, "value", "missing field");
  }
  SECTION("non-numeric value") {
    expect_parse_error("1::2::5::0\n1::3::five::0\n", Format::movielens, 2, "value",
                       "not a number");
    expect_parse_error("1,2,0.5\n1,3,0.5x\n", Format::watch_ratio, 2, "value", "not a number");
    expect_parse_error("1\t2\t\n", Format::tsv, 1, "value", "missing field");
  }
  SECTION("NaN and infinite values") {
    expect_parse_error("1,2,nan\n", Format::watch_ratio, 1, "value", "NaN or infinite");
    expect_parse_error("1,2,0.1\n1,3,inf\n", Format::automatic, 2, "value", "NaN or infinite");
    expect_parse_error("1::2::-inf::0\n", Format::movielens, 1, "value", "NaN or infinite");
    expect_parse_error("1::2::1e999::0\n", Format::movielens, 1, "value", "out of the range");
  }
  SECTION("negative values") {
    expect_parse_error("1::2::5\n1::3::-1\n", Format::movielens, 2, "value", "negative");
    expect_parse_error("1,2,-0.5\n", Format::watch_ratio, 1, "value", "negative");
  }
  SECTION("a header line where the format has none") {
    expect_parse_error("user\titem\trating\n1\t2\t3\n", Format::tsv, 1, "value",
                       "looks like a header");
    expect_parse_error("user_id,video_id,watch_ratio\n1,2,3\n", Format::watch_ratio, 1, "value",
                       "looks like a header");
    expect_parse_error("UserID::MovieID::Rating::Timestamp\n1::2::3::4\n", Format::automatic, 1,
                       "value", "looks like a header");
  }
  SECTION("over-long and empty ids") {
    const std::string long_id(65, 'x');
    expect_parse_error("1::2::3\n" + long_id + "::2::3\n", Format::movielens, 2, "user",
                       "longer than 64");
    expect_parse_error("1," + long_id + ",3\n", Format::watch_ratio, 1, "item", "longer than 64");
    CHECK_NOTHROW(invlearn::read_ratings_from_string(std::string(64, 'x') + "::2::3\n",
                                                     Format::movielens, "ok"));
    expect_parse_error(",2,3\n", Format::watch_ratio, 1, "user", "empty id");
    expect_parse_error("1::::3\n", Format::movielens, 1, "item", "empty id");
  }
  SECTION("missing file") {
    try {
      invlearn::read_ratings("/nonexistent/dir/ratings.dat");
      FAIL("no ParseError thrown");
    } catch (const ParseError& e) {
      CHECK(e.line() == 0);
      CHECK(std::string(e.what()).find("/nonexistent/dir/ratings.dat:0: cannot open: ") !=
            std::string::npos);
    }
  }
}

TEST_CASE("data: CRLF, blank lines, BOM and a last line without newline", "[data]") {
  const auto r = invlearn::read_ratings_from_string(
      "\xEF\xBB\xBF" "1::2::5::0\r\n\r\n   \n3::4::1::0\r\n5::2::2", Format::automatic, "crlf");
  REQUIRE(r.size() == 3);
  CHECK(row(r, 0) == std::make_tuple(std::string("1"), std::string("2"), 5.0));
  CHECK(row(r, 1) == std::make_tuple(std::string("3"), std::string("4"), 1.0));
  CHECK(row(r, 2) == std::make_tuple(std::string("5"), std::string("2"), 2.0));
  // Line numbers count blank lines.
  expect_parse_error("1::2::5\r\n\r\n\r\n1::x::bad\r\n", Format::movielens, 4, "value",
                     "not a number");
}

TEST_CASE("data: duplicate (user, item) rows, last wins", "[data]") {
  const auto r = invlearn::read_ratings_from_string(
      "1::2::5\n1::3::4\n2::2::3\n1::2::1\n1::2::2\n", Format::movielens, "dup");
  CHECK(r.duplicates_dropped == 2);
  REQUIRE(r.size() == 3);
  CHECK(row(r, 0) == std::make_tuple(std::string("1"), std::string("3"), 4.0));
  CHECK(row(r, 1) == std::make_tuple(std::string("2"), std::string("2"), 3.0));
  CHECK(row(r, 2) == std::make_tuple(std::string("1"), std::string("2"), 2.0));
}

TEST_CASE("data: numeric-looking ids stay strings", "[data]") {
  const auto r = invlearn::read_ratings_from_string("014::1::5\n14::1::4\n+14::01::3\n",
                                                    Format::movielens, "ids");
  CHECK(r.user_ids.size() == 3);
  CHECK(r.item_ids.size() == 2);
  CHECK(r.duplicates_dropped == 0);
  CHECK(r.user_ids.raw(0) == "014");
  CHECK(r.user_ids.raw(2) == "+14");
}

TEST_CASE("data: file reader streams large files like the string reader", "[data]") {
  // More than one 1 MiB chunk, CRLF endings, no final newline: chunk boundaries must
  // not split or lose lines.
  std::string text;
  invlearn::Rng rng(3);
  for (int k = 0; k < 120000; ++k) {
    text += std::to_string(rng.index(5000)) + "::" + std::to_string(rng.index(3000)) +
            "::" + std::to_string(1 + rng.index(5)) + "::978300760";
    if (k + 1 < 120000) text += "\r\n";
  }
  REQUIRE(text.size() > (std::size_t(2) << 20));
  TempFile file("big.dat", text);
  const auto from_file = invlearn::read_ratings(file.str());
  const auto from_string = invlearn::read_ratings_from_string(text, Format::automatic, "s");
  CHECK(from_file.format == Format::movielens);
  CHECK(from_file.size() == from_string.size());
  CHECK(from_file.duplicates_dropped == from_string.duplicates_dropped);
  CHECK(from_file.size() + from_file.duplicates_dropped == 120000);
  CHECK(from_file.users == from_string.users);
  CHECK(from_file.items == from_string.items);
  CHECK(from_file.values == from_string.values);
  CHECK(from_file.user_ids.raws() == from_string.user_ids.raws());

  // A parse error deep in the file reports its true line number.
  TempFile bad("bad.dat", text + "\n1::2::bad::0\n");
  try {
    invlearn::read_ratings(bad.str());
    FAIL("no ParseError thrown");
  } catch (const ParseError& e) {
    CHECK(e.line() == 120001);
    CHECK(e.field() == "value");
  }
}

TEST_CASE("data: readers throw only ParseError on random garbage", "[data]") {
  // A small in-test fuzz: random lines from a hostile alphabet, every format.
  static const char chars[] = "0123456789:,\t \r\n.-+eEnaifx\"\xEF\xBB\xBF\0";
  const std::string alphabet(chars, sizeof chars - 1);
  invlearn::Rng rng(21);
  int parsed = 0;
  for (int k = 0; k < 3000; ++k) {
    std::string text;
    const Index len = rng.index(60);
    for (Index c = 0; c < len; ++c) text.push_back(alphabet[rng.index(static_cast<Index>(alphabet.size()))]);
    for (Format f : {Format::automatic, Format::movielens, Format::tsv, Format::csv,
                     Format::watch_ratio}) {
      try {
        const auto r = invlearn::read_ratings_from_string(text, f, "garbage");
        ++parsed;
        REQUIRE(r.users.size() == r.values.size());
        for (std::size_t q = 0; q < r.users.size(); ++q) {
          REQUIRE(r.users[q] < r.user_ids.size());
          REQUIRE(r.items[q] < r.item_ids.size());
          REQUIRE(std::isfinite(r.values[q]));
          REQUIRE(r.values[q] >= 0.0);
        }
      } catch (const ParseError&) {
      }
    }
  }
  CHECK(parsed > 0);
}
