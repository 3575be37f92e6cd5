#pragma once
/// @file named_fields.hpp
/// Two archives over named fields (core/archive.hpp, named()): one reads options from
/// named values (the model fields of a format 1 or 2 header), one shows them as text
/// (which option of a file differs from the model it is loaded into).

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <limits>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include "invlearn/core/archive.hpp"
#include "invlearn/core/error.hpp"

namespace invlearn {
namespace detail {
namespace ckpt {

/// One named number, as a header of format 1 or 2 stored its model fields.
struct NamedValue {
  std::string name;
  bool integer = true;
  std::int64_t i = 0;
  double d = 0.0;
};

/// Loads a serialize() whose fields are all named from a list of named numbers: each
/// field takes the value of the same name. A field the list lacks, a field without a
/// name, or a value out of the field's range fails with a CheckpointError.
class ByNameArchive {
 public:
  static constexpr bool loading = true;
  /// `where` prefixes messages ("checkpoint 'x': section header").
  ByNameArchive(const std::vector<NamedValue>& values, std::string where)
      : values_(values), where_(std::move(where)) {}

  template <class... T>
  void operator()(T&&... fields) {
    (read(fields), ...);
  }
  void check(bool ok, const std::string& what) const {
    if (!ok) fail(what);
  }
  [[noreturn]] void fail(const std::string& what) const { throw CheckpointError(where_ + ": " + what); }

 private:
  template <class T>
  void read(T&) {
    fail("this header cannot give a field without a name (its format version stores named model fields only)");
  }
  template <class T>
  void read(Named<T>& f) {
    const NamedValue* v = nullptr;
    for (const auto& n : values_)
      if (n.name == f.name) v = &n;
    if (v == nullptr) fail("this header has no field '" + std::string(f.name) + "'");
    if constexpr (std::is_floating_point<T>::value) {
      f.value = static_cast<T>(v->integer ? static_cast<double>(v->i) : v->d);
    } else if constexpr (std::is_integral<T>::value && !std::is_same<T, bool>::value) {
      if (!v->integer) fail("field '" + std::string(f.name) + "' is not an integer");
      const bool fits = std::is_signed<T>::value
                            ? v->i >= static_cast<std::int64_t>(std::numeric_limits<T>::min()) &&
                                  v->i <= static_cast<std::int64_t>(std::numeric_limits<T>::max())
                            : v->i >= 0 && static_cast<std::uint64_t>(v->i) <=
                                               static_cast<std::uint64_t>(std::numeric_limits<T>::max());
      if (!fits)
        fail("field '" + std::string(f.name) + "' value " + std::to_string(v->i) + " is out of range");
      f.value = static_cast<T>(v->i);
    } else {
      static_assert(always_false<T>::value, "ByNameArchive: named fields must be integers or floating point");
    }
  }

  const std::vector<NamedValue>& values_;
  std::string where_;
};

/// A number as text, with as few digits as read back to the same value.
template <class T>
std::string number_text(T v) {
  if constexpr (std::is_floating_point<T>::value) {
    char buf[40];
    for (int digits = 6; digits <= 17; ++digits) {
      std::snprintf(buf, sizeof(buf), "%.*g", digits, static_cast<double>(v));
      if (static_cast<T>(std::strtod(buf, nullptr)) == v) break;
    }
    return buf;
  } else if constexpr (std::is_same<T, bool>::value) {
    return v ? "true" : "false";
  } else {
    return std::to_string(v);
  }
}

/// Saves the named numeric fields of a serialize() as (name, text) pairs, in order;
/// other fields are skipped. For messages only.
class FieldTextArchive {
 public:
  static constexpr bool loading = false;
  std::vector<std::pair<std::string, std::string>> fields;

  template <class... T>
  void operator()(T&&... f) {
    (show(f), ...);
  }
  void check(bool, const char*) {}
  void check(bool, const std::string&) {}

 private:
  template <class T>
  void show(const T&) {}
  template <class T>
  void show(const Named<T>& f) {
    if constexpr (std::is_arithmetic<std::remove_cv_t<T>>::value) fields.emplace_back(f.name, number_text(f.value));
  }
};

/// The named fields of `a` and `b` (two options of one type) that differ, as
/// "dim is 3, expected 4" joined by "; " ("" when none differs).
template <class Options>
std::string named_differences(Options a, Options b) {
  FieldTextArchive ta, tb;
  a.serialize(ta);
  b.serialize(tb);
  std::string out;
  for (std::size_t k = 0; k < ta.fields.size() && k < tb.fields.size(); ++k)
    if (ta.fields[k].second != tb.fields[k].second)
      out += (out.empty() ? "" : "; ") + ta.fields[k].first + " is " + ta.fields[k].second + ", expected " +
             tb.fields[k].second;
  return out;
}

}  // namespace ckpt
}  // namespace detail
}  // namespace invlearn
