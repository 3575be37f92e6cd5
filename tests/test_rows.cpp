// Core pieces the data layer and every part share: rows (core/rows.hpp), message text
// (core/text.hpp), the detection idiom (core/detect.hpp) and OptionError.

#include <catch2/catch.hpp>

#include <cmath>
#include <string>
#include <vector>

#include "invlearn/core/detect.hpp"
#include "invlearn/core/error.hpp"
#include "invlearn/core/rows.hpp"
#include "invlearn/core/text.hpp"
#include "invlearn/data/interactions.hpp"

using invlearn::Batch;
using invlearn::BatchView;
using invlearn::Index;
using invlearn::Interactions;
using invlearn::Rows;

namespace {

Rows three() {
  Rows r;
  r.push_back(0, 10, 1.0f);
  r.push_back(1, 11, 0.0f);
  r.push_back(2, 12, 1.0f);
  return r;
}

template <class T>
using has_size_member = decltype(std::declval<const T&>().size());

}  // namespace

TEST_CASE("rows: one structure of arrays behind Batch and Interactions", "[rows]") {
  static_assert(std::is_same<Batch, Rows>::value);
  static_assert(std::is_base_of<Rows, Interactions>::value);
  Rows r = three();
  CHECK(r.size() == 3);
  const BatchView v = r.view();
  CHECK(v.size == 3);
  CHECK(v.users[2] == 2);
  const BatchView tail = v.slice(1, 2);
  CHECK(tail.items[0] == 11);
  CHECK(tail.labels[1] == 1.0f);
  r.clear();
  CHECK(r.empty());
  Interactions i;
  i.num_users = 3;
  i.num_items = 13;
  static_cast<Rows&>(i) = three();
  CHECK(i.positives() == 2);
  CHECK(Interactions::empty_like(i).num_items == 13);
  CHECK(Interactions::empty_like(i).empty());
}

TEST_CASE("rows: gather takes rows in a given order, keep_if keeps them in theirs", "[rows]") {
  const Rows r = three();
  const std::vector<Index> order{2, 0, 2};
  Batch out;
  out.push_back(9, 9, 9.0f);  // replaced
  invlearn::gather(r, order.data(), 3, out);
  CHECK(out.users == std::vector<Index>{2, 0, 2});
  CHECK(out.items == std::vector<Index>{12, 10, 12});
  CHECK(out.labels == std::vector<float>{1, 1, 1});

  Rows kept = three(), removed;
  std::vector<std::size_t> asked;
  invlearn::keep_if(kept, [&](std::size_t k) { asked.push_back(k); return k != 1; }, &removed);
  CHECK(asked == std::vector<std::size_t>{0, 1, 2});
  CHECK(kept.users == std::vector<Index>{0, 2});
  CHECK(removed.items == std::vector<Index>{11});
  CHECK(removed.labels == std::vector<float>{0});
  Rows all = three();
  invlearn::keep_if(all, [](std::size_t) { return false; });
  CHECK(all.empty());
}

TEST_CASE("rows: check_ids names the place, the row and the bad id", "[rows]") {
  const Rows r = three();
  CHECK_NOTHROW(invlearn::check_ids(r.view(), 3, 13, "here"));
  CHECK_THROWS_WITH(invlearn::check_ids(r.view(), 2, 13, "here"),
                    "here: row 2: user id 2 is outside [0, 2)");
  CHECK_THROWS_WITH(invlearn::check_ids(r.view(), 3, 12, "there"),
                    "there: row 2: item id 12 is outside [0, 12)");
  BatchView bad;
  bad.size = -1;
  CHECK_THROWS_AS(invlearn::check_ids(bad, 1, 1, "x"), invlearn::InvalidArgument);
  bad.size = 2;
  CHECK_THROWS_WITH(invlearn::check_ids(bad, 1, 1, "x"), Catch::Contains("null"));
  CHECK_NOTHROW(invlearn::check_ids(BatchView(), 0, 0, "empty"));
  // Interactions::validate and the models' check_batch are this check.
  Interactions i;
  i.num_users = 3;
  i.num_items = 12;
  static_cast<Rows&>(i) = three();
  CHECK_THROWS_WITH(i.validate("train"), "train: row 2: item id 12 is outside [0, 12)");
}

TEST_CASE("text: numbers in their shortest exact form, input shown safely", "[rows]") {
  CHECK(invlearn::format_number(0.8) == "0.8");
  CHECK(invlearn::format_number(1e-5) == "1e-05");
  CHECK(invlearn::format_number(2.0) == "2");
  CHECK(invlearn::format_number(std::nan("")) == "nan");
  CHECK(invlearn::in_quotes("a b") == "'a b'");
  CHECK(invlearn::shown("ok") == "'ok'");
  CHECK(invlearn::shown(std::string("a\x01", 2)) == "'a\\x01'");
  CHECK(invlearn::shown(std::string(50, 'x')) == "'" + std::string(40, 'x') + "...'");
}

TEST_CASE("detect: is_detected tells which members a type has", "[rows]") {
  static_assert(invlearn::is_detected_v<has_size_member, Rows>);
  static_assert(!invlearn::is_detected_v<has_size_member, BatchView>);
  static_assert(!invlearn::is_detected_v<has_size_member, int>);
}

TEST_CASE("error: OptionError names the option in option() and in the message", "[rows]") {
  const invlearn::OptionError e("SplitOptions::label_fraction", "must be in (0, 1], got 1.5");
  CHECK(e.option() == "SplitOptions::label_fraction");
  CHECK(std::string(e.what()) == "SplitOptions::label_fraction: must be in (0, 1], got 1.5");
  const invlearn::OptionError c("SplitOptions::unlabeled", "middle: no rows", "kuai");
  CHECK(std::string(c.what()) == "kuai: SplitOptions::unlabeled: middle: no rows");
  CHECK_THROWS_AS(invlearn::require_option(false, "X::y", "bad"), invlearn::InvalidArgument);
  CHECK_NOTHROW(invlearn::require_option(true, "X::y", "bad"));
}
