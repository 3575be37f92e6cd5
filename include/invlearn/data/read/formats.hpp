#pragma once
/// @file formats.hpp
/// The registry of ratings-file formats, and the names of formats.
///
/// A new format is one file in data/read/ (a type that passes check_format(), see
/// FormatArchetype) and one entry here: its type in `Formats` and its enumerator in
/// `Format`, at the same position. Nothing else names a format.

#include <cstddef>
#include <string>
#include <utility>

#include "invlearn/core/error.hpp"
#include "invlearn/data/read/csv.hpp"
#include "invlearn/data/read/format.hpp"
#include "invlearn/data/read/movielens.hpp"
#include "invlearn/data/read/tsv.hpp"
#include "invlearn/data/read/watch_ratio.hpp"

namespace invlearn {

/// Layout of a ratings file: `automatic`, then one enumerator per entry of `Formats`, in
/// its order.
enum class Format {
  automatic,   ///< sniffed from the first non-empty line (see detect_format)
  movielens,   ///< formats::MovieLens
  tsv,         ///< formats::Tsv
  csv,         ///< formats::Csv
  watch_ratio  ///< formats::WatchRatio
};

/// Every format, in the order of Format's enumerators; detect_format() asks them in this
/// order too.
using Formats = FormatList<formats::MovieLens, formats::Tsv, formats::Csv, formats::WatchRatio>;

namespace detail {

template <class... F>
constexpr bool check_formats(FormatList<F...>) {
  return (check_format<F>() && ...);
}
static_assert(check_formats(Formats{}), "see the messages above: a registered format is not a Format");

template <std::size_t K, class Fn, class F, class... Rest>
decltype(auto) visit_format_at(std::size_t k, Fn&& fn, FormatList<F, Rest...>) {
  if constexpr (sizeof...(Rest) == 0) {
    return fn(F{});
  } else {
    if (k == K) return fn(F{});
    return visit_format_at<K + 1>(k, std::forward<Fn>(fn), FormatList<Rest...>{});
  }
}

template <class Fn, class... F>
void for_each_format(Fn&& fn, FormatList<F...>) {
  (fn(F{}), ...);
}

}  // namespace detail

/// Calls fn(F{}) with the format type F of `format` (which must not be `automatic`) and
/// returns what it returns.
template <class Fn>
decltype(auto) visit_format(Format format, Fn&& fn) {
  return detail::visit_format_at<0>(static_cast<std::size_t>(format) - 1, std::forward<Fn>(fn), Formats{});
}

/// Calls fn(F{}, format) for every registered format, in registry order.
template <class Fn>
void for_each_format(Fn&& fn) {
  std::size_t k = 0;
  detail::for_each_format([&](auto f) { fn(f, static_cast<Format>(++k)); }, Formats{});
}

/// The format named "auto" (or "automatic"), or by a format's name ('_' may stand for '-':
/// "watch-ratio" or "watch_ratio"). Throws OptionError("Format") for any other name.
inline Format parse_format(const std::string& name) {
  if (name == "auto" || name == "automatic") return Format::automatic;
  std::string dashed = name;
  for (char& c : dashed)
    if (c == '_') c = '-';
  Format found = Format::automatic;
  std::string known = "auto";
  std::size_t left = Formats::size;
  for_each_format([&](auto f, Format id) {
    using F = decltype(f);
    if (dashed == F::name) found = id;
    known += --left == 0 ? " or " : ", ";
    known += F::name;
  });
  if (found == Format::automatic)
    throw OptionError("Format", "unknown format '" + name + "': expected " + known);
  return found;
}

/// The name parse_format() reads back as `format`: "auto" or the format's name.
inline const char* format_name(Format format) {
  if (format == Format::automatic) return "auto";
  return visit_format(format, [](auto f) { return decltype(f)::name; });
}

}  // namespace invlearn
