#pragma once
/// @file table.hpp
/// The storage of an embedding table (and of an optimizer's per-row moments).

#include <cstddef>
#include <cstring>
#include <memory>
#include <new>
#include <utility>

#include "invlearn/core/memory.hpp"
#include "invlearn/core/types.hpp"

namespace invlearn {

/// A row-major matrix whose storage starts on a 64-byte (cache-line) boundary and is
/// backed by huge pages where the kernel allows it.
///
/// Why not RowMatrix: Eigen aligns heap storage to 16 bytes, so with d = 32 floats a
/// 128-byte row of a RowMatrix straddles three cache lines instead of two. A training
/// step reads and writes a few thousand scattered rows of tables that can be gigabytes,
/// each a miss to DRAM: the misalignment alone costs half as many lines again.
///
/// A Table is an Eigen::Map over storage it owns, so every Eigen expression works on it
/// (`t.row(i)`, `t.setZero()`, `t == u`, `t.allFinite()`). Unlike a Map it is a value:
/// copies are deep, and resize() reallocates (contents unspecified, as Eigen's resize()).
template <class S>
class Table : public Eigen::Map<RowMatrix<S>, Eigen::AlignedMax> {
  using Base = Eigen::Map<RowMatrix<S>, Eigen::AlignedMax>;

 public:
  using Scalar = S;
  static constexpr std::size_t kAlignment = 64;

  Table() : Base(nullptr, 0, 0) {}
  Table(Index rows, Index cols) : Base(nullptr, 0, 0) { resize(rows, cols); }
  Table(const Table& other) : Base(nullptr, 0, 0) { *this = other; }
  Table(Table&& other) noexcept : Base(nullptr, 0, 0) { take(other); }
  /// A table holding the values of an Eigen expression.
  template <class Derived>
  Table(const Eigen::DenseBase<Derived>& values) : Base(nullptr, 0, 0) {  // NOLINT: implicit, as Eigen's
    *this = values;
  }

  Table& operator=(const Table& other) {
    if (this != &other) {
      resize(other.rows(), other.cols());
      if (other.size() > 0)
        std::memcpy(this->data(), other.data(), static_cast<std::size_t>(other.size()) * sizeof(S));
    }
    return *this;
  }
  Table& operator=(Table&& other) noexcept {
    if (this != &other) take(other);
    return *this;
  }
  /// Takes the shape and values of an Eigen expression.
  template <class Derived>
  Table& operator=(const Eigen::DenseBase<Derived>& values) {
    if (values.rows() != this->rows() || values.cols() != this->cols()) {
      // `values` may read this table (t = t.topRows(2)): fill new storage while the old lives.
      Table fresh(values.rows(), values.cols());
      fresh.Base::operator=(values.derived());
      return *this = std::move(fresh);
    }
    Base::operator=(values.derived());
    return *this;
  }

  /// Reallocates to rows × cols (a no-op for the same shape); contents are unspecified.
  void resize(Index rows, Index cols) {
    if (rows == this->rows() && cols == this->cols()) return;
    const std::size_t n = static_cast<std::size_t>(rows) * static_cast<std::size_t>(cols);
    Storage fresh;
    if (n > 0) {
      fresh.reset(static_cast<S*>(::operator new[](n * sizeof(S), std::align_val_t(kAlignment))));
      advise_huge_pages(fresh.get(), n * sizeof(S));  // before the first write, or it is too late
    }
    storage_ = std::move(fresh);
    reseat(rows, cols);
  }

 private:
  struct Free {
    void operator()(S* p) const { ::operator delete[](p, std::align_val_t(kAlignment)); }
  };
  using Storage = std::unique_ptr<S[], Free>;

  /// Points the Map at the owned storage (Eigen's documented way to re-target a Map).
  void reseat(Index rows, Index cols) { new (static_cast<Base*>(this)) Base(storage_.get(), rows, cols); }

  void take(Table& other) noexcept {
    const Index rows = other.rows(), cols = other.cols();
    storage_ = std::move(other.storage_);
    reseat(rows, cols);
    other.reseat(0, 0);
  }

  Storage storage_;
};

}  // namespace invlearn
