// Data layer: readers (each format, detection, every bad-input error), labeling,
// splits, label fraction, Dataset assembly, PairIndex and the synthetic data set.

#include <catch2/catch.hpp>

#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <string>
#include <tuple>
#include <unistd.h>
#include <utility>
#include <vector>

#include "invlearn/data/labeling.hpp"
#include "invlearn/data/readers.hpp"
#include "invlearn/data/split.hpp"
#include "invlearn/data/synthetic.hpp"

using invlearn::Format;
using invlearn::Index;
using invlearn::Interactions;
using invlearn::LabelRule;
using invlearn::ParseError;
using invlearn::RawRatings;
using invlearn::SplitOptions;

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

// A temporary file removed at scope exit.
struct TempFile {
  std::filesystem::path path;
  explicit TempFile(const std::string& name, const std::string& content)
      : path(std::filesystem::temp_directory_path() /
             ("invlearn_test_data_" + std::to_string(::getpid()) + "_" + name)) {
    std::ofstream f(path, std::ios::binary);
    f << content;
  }
  ~TempFile() {
    std::error_code ec;
    std::filesystem::remove(path, ec);
  }
  std::string str() const { return path.string(); }
};

// Random labeled rows with distinct (user, item) pairs.
Interactions random_rows(Index users, Index items, std::size_t n, std::uint64_t seed) {
  invlearn::Rng rng(seed);
  std::set<std::pair<Index, Index>> seen;
  Interactions rows;
  rows.num_users = users;
  rows.num_items = items;
  while (rows.users.size() < n) {
    const Index u = rng.index(users), i = rng.index(items);
    if (!seen.insert({u, i}).second) continue;
    rows.push_back(u, i, static_cast<float>(rng.index(2)));
  }
  return rows;
}

using Triple = std::tuple<Index, Index, float>;

std::multiset<Triple> triples(const Interactions& rows) {
  std::multiset<Triple> s;
  for (std::size_t r = 0; r < rows.users.size(); ++r)
    s.insert({rows.users[r], rows.items[r], rows.labels[r]});
  return s;
}

bool same_rows(const Interactions& a, const Interactions& b) {
  return a.users == b.users && a.items == b.items && a.labels == b.labels;
}

}  // namespace

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

TEST_CASE("data: pre-split files share one id mapping", "[data]") {
  TempFile train("train.rating", "a\tx\t5\nb\ty\t1\nb\tz\t3\n");
  TempFile valid("valid.rating", "c\tx\t4\na\ty\t2\n");
  TempFile test("test.rating", "b\tx\t4\nd\tw\t1\n");
  const auto p = invlearn::read_ratings_presplit(train.str(), valid.str(), test.str());
  CHECK(p.test.user_ids.raws() == std::vector<std::string>{"a", "b", "c", "d"});
  CHECK(p.test.item_ids.raws() == std::vector<std::string>{"x", "y", "z", "w"});
  CHECK(p.valid.users == std::vector<Index>{2, 0});
  CHECK(p.test.items == std::vector<Index>{0, 3});

  SplitOptions opts;
  const auto d = invlearn::make_dataset_presplit(p.train, p.valid, p.test, LabelRule::ratings(),
                                                 opts);
  CHECK(d.train.size() == 3);
  CHECK(d.valid.size() == 2);
  CHECK(d.test.size() == 2);
  for (const Interactions* part : {&d.train, &d.valid, &d.test, &d.unlabeled_pool}) {
    CHECK(part->num_users == 4);
    CHECK(part->num_items == 4);
  }
  CHECK(d.train.labels == std::vector<float>{1, 0, 1});

  // Separately read files have inconsistent maps: refused.
  const auto lone_valid = invlearn::read_ratings(valid.str());
  CHECK_THROWS_AS(invlearn::make_dataset_presplit(p.train, lone_valid, p.test,
                                                  LabelRule::ratings(), opts),
                  invlearn::InvalidArgument);

  // `middle` takes the unclear rows of the training file.
  opts.unlabeled = SplitOptions::Unlabeled::middle;
  const auto dm = invlearn::make_dataset_presplit(p.train, p.valid, p.test,
                                                  LabelRule::ratings_paper_text(), opts);
  REQUIRE(dm.unlabeled_pool.size() == 1);  // b,z,3 is unclear under > 3 / < 2
  CHECK(dm.unlabeled_pool.users[0] == 1);
  CHECK(dm.unlabeled_pool.items[0] == 2);
  CHECK(std::isnan(dm.unlabeled_pool.labels[0]));
}

TEST_CASE("data: label rules, unclear rows and ambiguous rules", "[data]") {
  const auto ratings = invlearn::read_ratings_from_string(
      "1::a::1\n1::b::2\n1::c::3\n2::a::4\n2::b::5\n", Format::movielens, "r");
  SECTION("ratings(): > 2 positive, <= 2 negative, all labeled") {
    const auto rows = invlearn::apply_labels(ratings, LabelRule::ratings());
    CHECK(rows.labeled.labels == std::vector<float>{0, 0, 1, 1, 1});
    CHECK(rows.unclear.empty());
    CHECK(rows.labeled.num_users == 2);
    CHECK(rows.labeled.num_items == 3);
    rows.labeled.validate("labeled");
  }
  SECTION("paper text: > 3 positive, < 2 negative, the rest unclear") {
    const auto rows = invlearn::apply_labels(ratings, LabelRule::ratings_paper_text());
    CHECK(rows.labeled.labels == std::vector<float>{0, 1, 1});
    REQUIRE(rows.unclear.size() == 2);
    CHECK(std::isnan(rows.unclear.labels[0]));
    CHECK(rows.unclear.items == std::vector<Index>{1, 2});
  }
  SECTION("watch ratio: thresholds themselves are unclear") {
    const auto wr = invlearn::read_ratings_from_string("1,a,0.1\n1,b,0.2\n1,c,0.5\n1,d,0.8\n1,e,1.7\n",
                                                       Format::watch_ratio, "w");
    const auto rows = invlearn::apply_labels(wr, LabelRule::watch_ratio());
    CHECK(rows.labeled.labels == std::vector<float>{0, 1});
    CHECK(rows.labeled.items == std::vector<Index>{0, 4});
    CHECK(rows.unclear.items == std::vector<Index>{1, 2, 3});
  }
  SECTION("a value both above --positive-above and below --negative-below is rejected") {
    const auto half = invlearn::read_ratings_from_string("1::a::2.5\n", Format::movielens, "h");
    try {
      invlearn::apply_labels(half, LabelRule::ratings());
      FAIL("no InvalidArgument thrown");
    } catch (const invlearn::InvalidArgument& e) {
      const std::string what = e.what();
      CHECK(what.find("--positive-above") != std::string::npos);
      CHECK(what.find("--negative-below") != std::string::npos);
      CHECK(what.find("2.5") != std::string::npos);
    }
    CHECK_THROWS_AS(LabelRule::ratings().label(2.5), invlearn::InvalidArgument);
    CHECK(LabelRule{2.25, 2.25}.label(2.5) == 1.0f);
  }
  SECTION("non-finite thresholds are rejected") {
    CHECK_THROWS_WITH(invlearn::apply_labels(ratings, LabelRule{std::nan(""), 1.0}),
                      Catch::Contains("--positive-above"));
    CHECK_THROWS_WITH(invlearn::apply_labels(ratings, LabelRule{1.0, INFINITY}),
                      Catch::Contains("--negative-below"));
  }
}

TEST_CASE("data: split sizes, determinism and disjointness", "[data]") {
  const Interactions rows = random_rows(50, 40, 1000, 1);
  const auto a = invlearn::split_rows(rows, 0.6, 0.2, 42);
  CHECK(a.train.size() == 600);
  CHECK(a.valid.size() == 200);
  CHECK(a.test.size() == 200);
  for (const Interactions* p : {&a.train, &a.valid, &a.test}) {
    CHECK(p->num_users == 50);
    CHECK(p->num_items == 40);
  }
  // Disjoint and together exactly the input rows.
  std::multiset<Triple> all = triples(a.train);
  for (const auto& t : triples(a.valid)) all.insert(t);
  for (const auto& t : triples(a.test)) all.insert(t);
  CHECK(all == triples(rows));
  std::set<std::pair<Index, Index>> pairs;
  for (const Interactions* p : {&a.train, &a.valid, &a.test})
    for (Index r = 0; r < p->size(); ++r) pairs.insert({p->users[r], p->items[r]});
  CHECK(pairs.size() == 1000);

  const auto b = invlearn::split_rows(rows, 0.6, 0.2, 42);
  CHECK(same_rows(a.train, b.train));
  CHECK(same_rows(a.test, b.test));
  const auto c = invlearn::split_rows(rows, 0.6, 0.2, 43);
  CHECK_FALSE(same_rows(a.train, c.train));

  const auto d = invlearn::split_rows(rows, 0.8, 0.1, 42);
  CHECK(d.train.size() == 800);
  CHECK(d.valid.size() == 100);
  CHECK_THROWS_AS(invlearn::split_rows(rows, 0.9, 0.2, 42), invlearn::InvalidArgument);
  CHECK_THROWS_AS(invlearn::split_rows(rows, 0.0, 0.2, 42), invlearn::InvalidArgument);
}

TEST_CASE("data: label_fraction keeps a seeded share and hides the rest with labels", "[data]") {
  const Interactions rows = random_rows(30, 30, 600, 2);
  Interactions kept = rows, hidden;
  invlearn::label_fraction(kept, 0.1, 7, &hidden);
  CHECK(kept.size() == 60);
  CHECK(hidden.size() == 540);
  CHECK(hidden.num_users == 30);
  std::multiset<Triple> all = triples(kept);
  for (const auto& t : triples(hidden)) all.insert(t);
  CHECK(all == triples(rows));  // hidden rows keep their true labels

  Interactions again = rows;
  invlearn::label_fraction(again, 0.1, 7, nullptr);
  CHECK(same_rows(again, kept));
  Interactions other = rows;
  invlearn::label_fraction(other, 0.1, 8, nullptr);
  CHECK_FALSE(same_rows(other, kept));

  Interactions full = rows;
  invlearn::label_fraction(full, 1.0, 7, &hidden);
  CHECK(same_rows(full, rows));
  CHECK(hidden.empty());

  Interactions tiny = random_rows(5, 5, 3, 3);
  invlearn::label_fraction(tiny, 0.01, 7, &hidden);
  CHECK(tiny.size() == 1);  // never all labels gone
  CHECK_THROWS_AS(invlearn::label_fraction(full, 0.0, 7, nullptr), invlearn::InvalidArgument);
  CHECK_THROWS_AS(invlearn::label_fraction(full, 1.5, 7, nullptr), invlearn::InvalidArgument);
}

TEST_CASE("data: make_dataset fills splits and the unlabeled pool", "[data]") {
  // 200 users x 10 items, watch ratios spread over [0, 1.2).
  std::string text;
  invlearn::Rng rng(5);
  for (int u = 0; u < 200; ++u)
    for (int i = 0; i < 10; ++i)
      text += "u" + std::to_string(u) + ",v" + std::to_string(i) + "," +
              std::to_string(rng.uniform(0.0, 1.2)) + "\n";
  const auto raw = invlearn::read_ratings_from_string(text, Format::automatic, "kuai");
  REQUIRE(raw.format == Format::watch_ratio);
  const LabelRule rule = LabelRule::for_data(raw);
  const auto rows = invlearn::apply_labels(raw, rule);
  const std::size_t n = rows.labeled.users.size();

  SplitOptions opts;
  const auto d = invlearn::make_dataset(raw, rule, opts);
  CHECK(d.name == "kuai");
  CHECK(static_cast<std::size_t>(d.train.size() + d.valid.size() + d.test.size()) == n);
  CHECK(d.train.size() == static_cast<Index>(std::llround(0.6 * static_cast<double>(n))));
  CHECK(d.unlabeled_pool.empty());
  CHECK(d.num_users() == 200);
  CHECK(d.num_items() == 10);
  for (const Interactions* p : {&d.train, &d.valid, &d.test, &d.unlabeled_pool}) {
    CHECK(p->num_users == 200);
    CHECK(p->num_items == 10);
  }
  d.train.validate("train");
  d.test.validate("test");
  CHECK(d.users.raw(0) == "u0");

  SECTION("middle: unclear rows of the training share, label NaN") {
    opts.unlabeled = SplitOptions::Unlabeled::middle;
    const auto m = invlearn::make_dataset(raw, rule, opts);
    CHECK(same_rows(m.train, d.train));  // the labeled split does not depend on the pool
    CHECK(m.unlabeled_pool.size() ==
          static_cast<Index>(std::llround(0.6 * static_cast<double>(rows.unclear.size()))));
    for (float y : m.unlabeled_pool.labels) CHECK(std::isnan(y));
    m.unlabeled_pool.validate("pool", false);
    CHECK_THROWS_AS(invlearn::make_dataset(raw, LabelRule{-1.0, 0.0}, opts),
                    invlearn::InvalidArgument);  // every value is positive: no unclear rows
  }
  SECTION("hidden: the training rows whose labels were hidden, labels kept") {
    opts.unlabeled = SplitOptions::Unlabeled::hidden;
    opts.label_fraction = 0.25;
    const auto h = invlearn::make_dataset(raw, rule, opts);
    CHECK(h.train.size() + h.unlabeled_pool.size() == d.train.size());
    CHECK(h.train.size() == static_cast<Index>(std::llround(0.25 * static_cast<double>(d.train.size()))));
    std::multiset<Triple> all = triples(h.train);
    for (const auto& t : triples(h.unlabeled_pool)) all.insert(t);
    CHECK(all == triples(d.train));
    h.unlabeled_pool.validate("pool", true);
    opts.label_fraction = 1.0;
    CHECK_THROWS_AS(invlearn::make_dataset(raw, rule, opts), invlearn::InvalidArgument);
  }
}

TEST_CASE("data: PairIndex agrees with a brute-force set", "[data]") {
  invlearn::Rng rng(11);
  Interactions a, b;
  a.num_users = b.num_users = 60;
  a.num_items = b.num_items = 80;
  std::set<std::pair<Index, Index>> truth;
  for (int k = 0; k < 1500; ++k) {  // with repeats
    const Index u = rng.index(60), i = rng.index(80);
    (k % 3 ? a : b).push_back(u, i, 1.0f);
    truth.insert({u, i});
  }
  const invlearn::PairIndex index({&a, &b});
  CHECK(index.size() == static_cast<Index>(truth.size()));
  CHECK(index.num_users() == 60);
  for (Index u = 0; u < 60; ++u) {
    Index degree = 0;
    for (Index i = 0; i < 80; ++i) {
      const bool expected = truth.count({u, i}) > 0;
      degree += expected;
      if (index.contains(u, i) != expected) FAIL("pair (" << u << ", " << i << ")");
    }
    CHECK(index.degree(u) == degree);
    CHECK(std::is_sorted(index.begin(u), index.end(u)));
  }
  CHECK_FALSE(index.contains(-1, 0));
  CHECK_FALSE(index.contains(60, 0));
  CHECK_FALSE(index.contains(0, -1));

  const invlearn::PairIndex only_a(a);
  for (Index r = 0; r < a.size(); ++r) CHECK(only_a.contains(a.users[r], a.items[r]));
  const invlearn::PairIndex empty;
  CHECK_FALSE(empty.contains(0, 0));
  CHECK(empty.size() == 0);
}

TEST_CASE("data: PairIndex answers exactly at scale, also when copied", "[data]") {
  // Enough pairs for a many-block filter, ids spread over large ranges, and queries that
  // are mostly absent pairs (the samplers' case): any false negative or false positive
  // of the index fails here.
  invlearn::Rng rng(12);
  Interactions t;
  t.num_users = 50000;
  t.num_items = 1 << 20;
  std::set<std::pair<Index, Index>> truth;
  for (int k = 0; k < 200000; ++k) {
    const Index u = rng.index(t.num_users), i = rng.index(t.num_items);
    t.push_back(u, i, 1.0f);
    truth.insert({u, i});
  }
  const invlearn::PairIndex built(t);
  const invlearn::PairIndex copy = built;  // a copy may sit at another alignment
  for (const auto* index : {&built, &copy}) {
    for (const auto& [u, i] : truth) REQUIRE(index->contains(u, i));
    for (int k = 0; k < 200000; ++k) {
      const Index u = rng.index(t.num_users), i = rng.index(t.num_items);
      REQUIRE(index->contains(u, i) == (truth.count({u, i}) > 0));
    }
    for (Index i = 0; i < 64; ++i) REQUIRE(index->contains(7, i) == (truth.count({7, i}) > 0));
  }
}

TEST_CASE("data: synthetic data is deterministic and has a planted truth", "[data]") {
  invlearn::SyntheticOptions o;
  o.users = 300;
  o.items = 200;
  o.labeled_per_user = 12;
  const invlearn::SyntheticData s1(o), s2(o);
  CHECK(same_rows(s1.observed(), s2.observed()));
  CHECK(s1.threshold() == s2.threshold());
  invlearn::SyntheticOptions o3 = o;
  o3.seed = 43;
  const invlearn::SyntheticData s3(o3);
  CHECK_FALSE(same_rows(s1.observed(), s3.observed()));

  // Uniformly random pairs: 30-60% positive (negative sampling's premise is wrong).
  invlearn::Rng rng(9);
  int positives = 0;
  for (int k = 0; k < 20000; ++k) positives += s1.truth(rng.index(300), rng.index(200)) == 1.0f;
  CHECK(positives / 20000.0 >= 0.3);
  CHECK(positives / 20000.0 <= 0.6);
  CHECK(s1.positive_rate() == Approx(0.45).margin(0.01));

  // Observed rows: labels are the truth, at least 2 distinct items per user, ~12 per user.
  const Interactions& obs = s1.observed();
  obs.validate("observed");
  std::map<Index, std::set<Index>> per_user;
  for (Index r = 0; r < obs.size(); ++r) {
    CHECK(obs.labels[r] == s1.truth(obs.users[r], obs.items[r]));
    CHECK(per_user[obs.users[r]].insert(obs.items[r]).second);
    CHECK((obs.labels[r] == 1.0f) ==
          (s1.true_logit(obs.users[r], obs.items[r]) > s1.threshold()));
  }
  CHECK(per_user.size() == 300);
  for (const auto& kv : per_user) CHECK(kv.second.size() >= 2);
  CHECK(static_cast<double>(obs.size()) / 300.0 == Approx(12.0).epsilon(0.15));
  CHECK_THROWS_AS(s1.truth(300, 0), invlearn::InvalidArgument);

  // Noise flips about that share of observed labels, on the same exposures.
  invlearn::SyntheticOptions on = o;
  on.noise = 0.2;
  const invlearn::SyntheticData noisy(on);
  REQUIRE(noisy.observed().size() == obs.size());
  CHECK(noisy.observed().users == obs.users);
  CHECK(noisy.observed().items == obs.items);
  Index flips = 0;
  for (Index r = 0; r < obs.size(); ++r) flips += noisy.observed().labels[r] != obs.labels[r];
  CHECK(static_cast<double>(flips) / static_cast<double>(obs.size()) == Approx(0.2).margin(0.04));
}

TEST_CASE("data: synthetic dataset() splits and hidden truth", "[data]") {
  invlearn::SyntheticOptions o;
  o.users = 200;
  o.items = 150;
  o.labeled_per_user = 10;
  o.noise = 0.1;
  const invlearn::SyntheticData syn(o);
  SplitOptions opts;
  const auto d = syn.dataset(opts);
  const Index n = syn.observed().size();
  CHECK(d.train.size() + d.valid.size() + d.test.size() == n);
  CHECK(d.unlabeled_pool.empty());
  CHECK(d.num_users() == 200);
  CHECK(d.num_items() == 150);
  CHECK(d.users.size() == 200);
  CHECK(d.items.raw(149) == "149");
  CHECK(same_rows(syn.dataset(opts).train, d.train));

  opts.unlabeled = SplitOptions::Unlabeled::hidden;
  opts.label_fraction = 0.2;
  const auto h = syn.dataset(opts);
  CHECK(h.train.size() + h.unlabeled_pool.size() == d.train.size());
  for (Index r = 0; r < h.unlabeled_pool.size(); ++r)  // the truth, not the noisy label
    CHECK(h.unlabeled_pool.labels[r] == syn.truth(h.unlabeled_pool.users[r], h.unlabeled_pool.items[r]));
  CHECK(h.unlabeled_pool.num_items == 150);

  opts.unlabeled = SplitOptions::Unlabeled::middle;
  CHECK_THROWS_AS(syn.dataset(opts), invlearn::InvalidArgument);

  invlearn::SyntheticOptions bad = o;
  bad.labeled_per_user = 1;
  CHECK_THROWS_AS(invlearn::SyntheticData(bad), invlearn::InvalidArgument);
}

TEST_CASE("data: synthetic defaults give about users x rows-per-user rows", "[data]") {
  const invlearn::SyntheticOptions o;
  const invlearn::SyntheticData syn;
  CHECK(syn.num_users() == o.users);
  CHECK(syn.num_items() == o.items);
  const double expected = static_cast<double>(o.users) * o.labeled_per_user;
  CHECK(static_cast<double>(syn.observed().size()) > 0.9 * expected);
  CHECK(static_cast<double>(syn.observed().size()) < 1.1 * expected);
  const double rate = static_cast<double>(syn.observed().positives()) /
                      static_cast<double>(syn.observed().size());
  CHECK(rate > 0.3);
  CHECK(rate < 0.6);
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
