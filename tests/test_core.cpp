// Storage under the models: the cache-line-aligned Table and the row → slot map of a
// sparse gradient.

#include <catch2/catch.hpp>

#include <cstdint>
#include <map>
#include <utility>
#include <vector>

#include "invlearn/core/random.hpp"
#include "invlearn/core/table.hpp"
#include "invlearn/model/backbone.hpp"

using invlearn::Index;
using invlearn::Table;

namespace {
bool line_aligned(const void* p) { return reinterpret_cast<std::uintptr_t>(p) % 64 == 0; }
}  // namespace

TEST_CASE("core: Table storage starts on a cache line, so a 128-byte row spans two lines", "[core][table]") {
  // Sizes around the allocator's switch to mmap (128 KiB) and a huge-page-sized one.
  for (const Index rows : {Index(1), Index(3), Index(1000), Index(5000), Index(70000)}) {
    Table<float> t(rows, 32);
    CHECK(line_aligned(t.data()));
    CHECK(line_aligned(t.row(rows - 1).data()));
    Table<double> u(rows, 7);
    CHECK(line_aligned(u.data()));
  }
}

TEST_CASE("core: Table copies deep, moves cheaply and resizes to a new shape", "[core][table]") {
  Table<double> a(4, 3);
  for (Index k = 0; k < a.size(); ++k) a.data()[k] = static_cast<double>(k);

  Table<double> b = a;  // deep copy
  REQUIRE(b.rows() == 4);
  REQUIRE(b.cols() == 3);
  CHECK(b.data() != a.data());
  CHECK(b == a);
  b(0, 0) = -1.0;
  CHECK(a(0, 0) == 0.0);

  const double* storage = a.data();
  Table<double> c = std::move(a);  // takes the storage
  CHECK(c.data() == storage);
  CHECK(c(3, 2) == 11.0);
  CHECK(a.size() == 0);  // NOLINT(bugprone-use-after-move): a moved-from Table is empty

  c = b;  // copy-assign over a table of the same shape keeps values apart
  CHECK(c(0, 0) == -1.0);
  c.resize(2, 5);
  CHECK(c.rows() == 2);
  CHECK(c.cols() == 5);
  CHECK(line_aligned(c.data()));

  // Assigning an expression of another shape that reads the table itself.
  Table<double> e = b;
  e = e.bottomRows(2).rightCols(2);
  REQUIRE(e.rows() == 2);
  CHECK(e(0, 0) == b(2, 1));
  CHECK(e(1, 1) == b(3, 2));

  // From an Eigen expression: shape and values; then Eigen arithmetic in place.
  Table<double> d = invlearn::RowMatrix<double>::Constant(3, 2, 1.5);
  d.row(1) *= 2.0;
  CHECK(d.sum() == Approx(1.5 * 4 + 3.0 * 2));

  std::vector<Table<float>> many(3, Table<float>(10, 4));  // copies in a vector stay distinct
  many[0].setZero();
  many[1].setOnes();
  CHECK(many[0].sum() == 0.0f);
  CHECK(many[1].sum() == 40.0f);
}

TEST_CASE("core: the slot map finds every row it holds, grows, and forgets on clear", "[core][gradient]") {
  invlearn::RowSlotMap map;
  map.reserve(8);  // deliberately small: inserting 5000 rows must grow it
  invlearn::Rng rng(3, invlearn::Stream::synthetic);
  std::map<Index, std::int32_t> truth;
  for (int round = 0; round < 3; ++round) {
    truth.clear();
    map.clear();
    for (int k = 0; k < 5000; ++k) {
      // Ids from a huge range and runs of consecutive ids (the worst case for a weak hash).
      const Index row = (k % 2 == 0) ? rng.index(Index(1) << 40) : 1000 + k;
      const auto next = static_cast<std::int32_t>(truth.size());
      const auto [slot, inserted] = map.find_or_insert(row, next);
      const auto it = truth.find(row);
      if (it == truth.end()) {
        REQUIRE(inserted);
        REQUIRE(slot == next);
        truth.emplace(row, next);
      } else {
        REQUIRE_FALSE(inserted);
        REQUIRE(slot == it->second);
      }
    }
    for (const auto& [row, slot] : truth) REQUIRE(map.find(row) == slot);
    CHECK(map.find(999) == -1);
    CHECK(map.find((Index(1) << 41) + 7) == -1);
  }
  map.clear();
  for (const auto& [row, slot] : truth) REQUIRE(map.find(row) == -1);
}

TEST_CASE("core: SparseRows sums duplicates in first-appearance order after clear and reuse", "[core][gradient]") {
  invlearn::SparseRows<double> g(1000000, 2, 4);  // a large table: storage is sized to the batch
  const Index ids[] = {999999, 5, 999999, 7, 5, 0};
  invlearn::RowMatrix<double> per(6, 2);
  per << 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12;
  for (int pass = 0; pass < 2; ++pass) {
    g.assign_sum(ids, 6, per);
    REQUIRE(g.count() == 4);
    CHECK(g.rows() == std::vector<Index>({999999, 5, 7, 0}));
    CHECK(g.value(g.find(999999))(0) == 1 + 5);
    CHECK(g.value(g.find(5))(1) == 4 + 10);
    CHECK(g.value(g.find(0))(0) == 11);
    CHECK(g.find(6) == -1);
  }
  invlearn::SparseRows<double> h(1000000, 2, 4);
  const Index other[] = {7, 42};
  h.assign_sum(other, 2, per.topRows(2));
  g.add(h, 2.0);
  CHECK(g.count() == 5);
  CHECK(g.value(g.find(7))(0) == 7 + 2.0 * 1);
  CHECK(g.value(g.find(42))(1) == 2.0 * 4);
}
