#pragma once
/// @file readers.hpp
/// Streaming readers for ratings files: MovieLens `::`, tab/whitespace separated,
/// CSV with a header, and headerless `user,item,watch_ratio` CSV (KuaiRec).
///
/// Files are read in 1 MiB chunks and split into lines in place; numbers are parsed
/// with std::from_chars (no iostream extraction per field), so a million lines parse in
/// a fraction of a second. Raw ids are kept as strings exactly as written (trimmed) and
/// mapped to dense indices in order of first appearance (IdMap).
///
/// CSV fields (formats csv and watch_ratio) may be quoted as in RFC 4180: inside double
/// quotes a comma is part of the field and `""` stands for one quote character; blanks
/// around and just inside the quotes are trimmed like those of unquoted fields, and a
/// quote inside an unquoted field is an ordinary character. A quoted field must close on
/// the line it opens on: quoted fields holding a newline are not supported and are
/// reported as an unterminated quote. Text between a closing quote and the next comma
/// is an error as well.
///
/// Every malformed input throws ParseError naming the file, the 1-based line and the
/// field ("user", "item" or "value"; empty for the header and for other columns, whose
/// 1-based position the message gives instead); nothing is silently skipped except
/// blank lines.

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <memory>
#include <string>
#include <string_view>
#include <system_error>
#include <utility>
#include <vector>

#include "invlearn/core/error.hpp"
#include "invlearn/core/types.hpp"
#include "invlearn/data/interactions.hpp"

namespace invlearn {

/// Layout of a ratings file.
enum class Format {
  automatic,   ///< sniffed from the first non-empty line (see detect_format)
  movielens,   ///< `user::item::rating[::timestamp]` (ML-1M, ML-10M ratings.dat)
  tsv,         ///< `user item rating [timestamp]`, tabs or spaces (ML-100K u.data, *.rating)
  csv,         ///< comma separated with a header line naming the columns
  watch_ratio  ///< `user,item,value` without a header (KuaiRec style)
};

/// The format named on a command line: "auto", "movielens", "tsv", "csv" or "watch-ratio".
inline Format parse_format(const std::string& name) {
  if (name == "auto" || name == "automatic") return Format::automatic;
  if (name == "movielens") return Format::movielens;
  if (name == "tsv") return Format::tsv;
  if (name == "csv") return Format::csv;
  if (name == "watch-ratio" || name == "watch_ratio") return Format::watch_ratio;
  throw InvalidArgument("unknown format '" + name +
                        "': expected auto, movielens, tsv, csv or watch-ratio");
}

/// The command-line name of a format (inverse of parse_format).
inline const char* format_name(Format f) {
  switch (f) {
    case Format::automatic: return "auto";
    case Format::movielens: return "movielens";
    case Format::tsv: return "tsv";
    case Format::csv: return "csv";
    case Format::watch_ratio: return "watch-ratio";
  }
  return "?";
}

/// Rows of (user, item, value) as read from a file, over dense ids.
///
/// Duplicate (user, item) rows follow one documented rule, **last wins**: the value of
/// the last row in the file is kept and the earlier rows are dropped (counted in
/// `duplicates_dropped`). Surviving rows keep their file order.
struct RawRatings {
  std::vector<Index> users;   ///< dense user index per row
  std::vector<Index> items;   ///< dense item index per row
  std::vector<double> values; ///< rating / watch ratio per row (finite, >= 0)
  IdMap user_ids;             ///< raw user id <-> dense index
  IdMap item_ids;             ///< raw item id <-> dense index
  std::string source;         ///< file name (or the name given for in-memory text)
  Format format = Format::automatic;  ///< the format actually parsed (never `automatic`)
  std::string value_column;   ///< name of the value column ("rating", "watch_ratio", ...)
  Index duplicates_dropped = 0;  ///< earlier rows of repeated (user, item) pairs removed

  Index size() const { return static_cast<Index>(users.size()); }
  bool empty() const { return users.empty(); }
};

/// Longest raw id accepted. Longer ones are almost always a wrong format or a binary file.
constexpr std::size_t kMaxIdLength = 64;

namespace detail {

inline bool is_blank_char(char c) {
  return c == ' ' || c == '\t' || c == '\r' || c == '\v' || c == '\f';
}

inline std::string_view trim(std::string_view s) {
  std::size_t b = 0, e = s.size();
  while (b < e && is_blank_char(s[b])) ++b;
  while (e > b && is_blank_char(s[e - 1])) --e;
  return s.substr(b, e - b);
}

/// Parses the whole of `s` as a double (a leading '+' is accepted, which
/// std::from_chars alone would reject). Returns the std::errc of the conversion;
/// std::errc::invalid_argument also when characters are left over.
inline std::errc parse_double(std::string_view s, double& out) {
  const char* b = s.data();
  const char* e = b + s.size();
  if (b != e && *b == '+') {
    ++b;
    if (b != e && (*b == '-' || *b == '+')) return std::errc::invalid_argument;
  }
  if (b == e) return std::errc::invalid_argument;
  const auto r = std::from_chars(b, e, out, std::chars_format::general);
  if (r.ec != std::errc()) return r.ec;
  if (r.ptr != e) return std::errc::invalid_argument;
  return std::errc();
}

inline bool looks_numeric(std::string_view s) {
  double v = 0;
  const std::errc ec = parse_double(trim(s), v);
  return ec == std::errc() || ec == std::errc::result_out_of_range;
}

inline std::string lower(std::string_view s) {
  std::string r(s);
  for (char& c : r) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return r;
}

/// Column names recognised in CSV headers, in order of preference.
inline const std::vector<std::string>& user_column_names() {
  static const std::vector<std::string> n{"user", "user_id", "userid", "uid"};
  return n;
}
inline const std::vector<std::string>& item_column_names() {
  static const std::vector<std::string> n{"item",     "item_id", "itemid",  "movieid",
                                          "movie_id", "video_id", "videoid", "iid"};
  return n;
}
inline const std::vector<std::string>& value_column_names() {
  static const std::vector<std::string> n{"rating", "value", "watch_ratio", "label"};
  return n;
}

inline bool is_known_column(const std::string& lowered) {
  for (const auto* names : {&user_column_names(), &item_column_names(), &value_column_names()})
    if (std::find(names->begin(), names->end(), lowered) != names->end()) return true;
  return false;
}

/// A malformed quoted field found by split_quoted_csv.
struct CsvQuoteError {
  std::size_t column = 0;  ///< 1-based column of the field; 0 when the line is well formed
  const char* problem = "";  ///< what is wrong, e.g. "unterminated quote"
  const char* hint = "";     ///< how to write it instead
};

/// Splits a CSV line that may hold quoted fields (see the file comment) at the commas
/// outside quotes, appending at most `want` trimmed fields to `out`. The rest of the
/// line is still checked, so a quote left open in an ignored column is reported too
/// rather than read as a field spanning lines. Fields holding `""` are stored unescaped
/// in `scratch`, reserved to the line's size up front so that it never reallocates and
/// the views in `out` stay valid until the next call with the same `scratch`. On a
/// malformed field, returns its column; `out` then holds the fields before it.
inline CsvQuoteError split_quoted_csv(std::string_view line, std::size_t want,
                                      std::vector<std::string_view>& out,
                                      std::string& scratch) {
  constexpr std::size_t npos = std::string_view::npos;
  scratch.clear();
  scratch.reserve(line.size());
  const std::size_t n = line.size();
  std::size_t k = 0;
  for (std::size_t column = 1;; ++column) {
    while (k < n && is_blank_char(line[k])) ++k;
    std::string_view field;
    if (k < n && line[k] == '"') {
      const std::size_t open = k + 1;
      std::size_t close = open;
      bool doubled = false;
      for (;;) {
        close = line.find('"', close);
        if (close == npos)
          return {column, "unterminated quote",
                  "a quoted field must close on the line it opens on; fields spanning "
                  "lines are not supported"};
        if (close + 1 < n && line[close + 1] == '"') {
          doubled = true;
          close += 2;
          continue;
        }
        break;
      }
      field = line.substr(open, close - open);
      if (doubled) {
        const std::size_t at = scratch.size();
        for (std::size_t j = 0; j < field.size(); ++j) {
          scratch.push_back(field[j]);
          if (field[j] == '"') ++j;  // the second quote of a `""` pair
        }
        field = std::string_view(scratch).substr(at);
      }
      field = trim(field);
      k = close + 1;
      while (k < n && is_blank_char(line[k])) ++k;
      if (k < n && line[k] != ',')
        return {column, "text after the closing quote",
                "a quote inside a quoted field is written as two quotes"};
    } else {
      const std::size_t c = line.find(',', k);
      const std::size_t end = c == npos ? n : c;
      field = trim(line.substr(k, end - k));
      k = end;
    }
    if (out.size() < want) out.push_back(field);
    if (k >= n) return {};
    ++k;  // past the comma
  }
}

/// Splits `line` at the commas outside quotes into all its fields, trimmed and
/// unquoted; see split_quoted_csv for `scratch` and the result. Lines without a quote
/// take a plain split.
inline CsvQuoteError split_commas(std::string_view line, std::vector<std::string_view>& out,
                                  std::string& scratch) {
  out.clear();
  if (line.find('"') != std::string_view::npos)
    return split_quoted_csv(line, static_cast<std::size_t>(-1), out, scratch);
  std::size_t start = 0;
  for (;;) {
    const std::size_t c = line.find(',', start);
    if (c == std::string_view::npos) {
      out.push_back(trim(line.substr(start)));
      return {};
    }
    out.push_back(trim(line.substr(start, c - start)));
    start = c + 1;
  }
}

/// Printable, shortened copy of a field for error messages.
inline std::string shown(std::string_view s) {
  std::string r;
  const std::size_t n = std::min<std::size_t>(s.size(), 40);
  for (std::size_t k = 0; k < n; ++k) {
    const unsigned char c = static_cast<unsigned char>(s[k]);
    if (c >= 0x20 && c < 0x7f) {
      r.push_back(static_cast<char>(c));
    } else {
      static const char hex[] = "0123456789abcdef";
      r += "\\x";
      r.push_back(hex[c >> 4]);
      r.push_back(hex[c & 15]);
    }
  }
  if (s.size() > n) r += "...";
  return "'" + r + "'";
}

}  // namespace detail

/// Guesses the format from the first non-empty line of a file.
///
/// Contains "::" → movielens; a tab → tsv; a comma → csv when the line looks like a
/// header (a field is a known column name, or the third field is not a number), otherwise
/// watch_ratio (headerless CSV, whose ids may still be strings); spaces → tsv. A line with
/// none of these is reported as tsv so that the parse error names the missing field.
/// Fields are split as CSV (quotes honoured); a malformed quote is not reported here
/// but by the parser, which judges by the fields before it.
inline Format detect_format(std::string_view first_line) {
  if (first_line.find("::") != std::string_view::npos) return Format::movielens;
  if (first_line.find('\t') != std::string_view::npos) return Format::tsv;
  if (first_line.find(',') != std::string_view::npos) {
    std::vector<std::string_view> fields;
    std::string scratch;
    detail::split_commas(first_line, fields, scratch);
    for (auto f : fields)
      if (detail::is_known_column(detail::lower(f))) return Format::csv;
    if (fields.size() >= 3 && !detail::looks_numeric(fields[2])) return Format::csv;
    return Format::watch_ratio;
  }
  return Format::tsv;
}

namespace detail {

/// Line-by-line parser shared by the file and in-memory readers. Lines are fed in
/// order (without their '\n'); the parser counts them, so error line numbers are the
/// file's 1-based line numbers, blank lines included.
class RatingsParser {
 public:
  RatingsParser(Format format, std::string name, IdMap& users, IdMap& items, RawRatings& out)
      : format_(format), name_(std::move(name)), users_(users), items_(items), out_(out) {
    out_.source = name_;
    fields_.reserve(8);
  }

  long long line_number() const { return line_; }

  /// Reserves room for about `rows` rows, so the output vectors are not regrown
  /// (and copied) while a large file streams in.
  void reserve(std::size_t rows) {
    direct_limit_ = static_cast<std::uint32_t>(
        std::min<std::size_t>(kDirectCacheLimit, std::max<std::size_t>(1u << 16, 4 * rows)));
    out_.users.reserve(rows);
    out_.items.reserve(rows);
    out_.values.reserve(rows);
  }

  void feed(std::string_view line) {
    ++line_;
    if (line_ == 1 && line.size() >= 3 && line.substr(0, 3) == "\xEF\xBB\xBF")
      line.remove_prefix(3);  // UTF-8 byte order mark
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);  // CRLF
    if (trim(line).empty()) return;
    if (!seen_first_) {
      seen_first_ = true;
      first_line_ = line_;
      if (format_ == Format::automatic) format_ = detect_format(line);
      out_.format = format_;
      setup_columns();
      if (format_ == Format::csv) {
        parse_header(line);
        return;
      }
    }
    parse_row(line);
  }

  /// Checks that data was found and applies the last-wins rule for duplicate pairs.
  void finish() {
    if (!seen_first_) throw ParseError(name_, 0, "", "file is empty (no non-blank lines)");
    if (out_.users.empty())
      throw ParseError(name_, line_ == 0 ? 1 : line_, "",
                       format_ == Format::csv ? "no data rows after the header"
                                              : "no data rows");
    if (&users_ != &out_.user_ids) out_.user_ids = users_;
    if (&items_ != &out_.item_ids) out_.item_ids = items_;
    drop_duplicates();
  }

 private:
  [[noreturn]] void fail(const std::string& field, const std::string& problem) const {
    throw ParseError(name_, line_, field, problem);
  }

  void setup_columns() {
    user_col_ = 0;
    item_col_ = 1;
    value_col_ = 2;
    out_.value_column = format_ == Format::watch_ratio ? "watch_ratio" : "rating";
  }

  const char* layout() const {
    switch (format_) {
      case Format::movielens: return "user::item::rating::timestamp";
      case Format::tsv: return "user item rating [timestamp]";
      case Format::watch_ratio: return "user,item,watch_ratio";
      default: return "the header's columns";
    }
  }

  /// CSV header: find the user, item and value columns by name. Columns not named
  /// fall back to positions 0, 1, 2, but only when that is consistent with the names
  /// that were found; a half-recognised header is an error, not a guess.
  void parse_header(std::string_view line) {
    std::vector<std::string_view> cols;
    check_quotes(split_commas(line, cols, scratch_), true);
    bool all_numeric = true;
    for (auto c : cols) all_numeric = all_numeric && looks_numeric(c);
    if (all_numeric)
      fail("", "expected a header line naming the columns, found only numbers "
               "(use --format watch-ratio for a CSV without header)");
    std::vector<std::string> lowered;
    for (auto c : cols) lowered.push_back(lower(c));
    auto find = [&](const std::vector<std::string>& names) -> long {
      for (const auto& n : names)
        for (std::size_t k = 0; k < lowered.size(); ++k)
          if (lowered[k] == n) return static_cast<long>(k);
      return -1;
    };
    const long u = find(user_column_names()), i = find(item_column_names()),
               v = find(value_column_names());
    if (u >= 0 && i >= 0 && v >= 0) {
      user_col_ = static_cast<std::size_t>(u);
      item_col_ = static_cast<std::size_t>(i);
      value_col_ = static_cast<std::size_t>(v);
    } else {
      if ((u >= 0 && u != 0) || (i >= 0 && i != 1) || (v >= 0 && v != 2)) {
        const char* missing = u < 0 ? "user" : (i < 0 ? "item" : "value");
        fail(missing, "the header names some columns but no " + std::string(missing) +
                          " column (user: user/user_id/userId; item: item/item_id/itemId/"
                          "movieId/video_id; value: rating/value/watch_ratio/label)");
      }
      if (cols.size() < 3)
        fail(cols.size() < 2 ? "item" : "value",
             "the header has " + std::to_string(cols.size()) +
                 " column(s); need user, item and value columns");
      user_col_ = 0;
      item_col_ = 1;
      value_col_ = 2;
    }
    out_.value_column = std::string(cols[value_col_]);
  }

  /// Splits a data line into at most `want` fields; returns how many there are
  /// (capped at `want`).
  std::size_t split(std::string_view line, std::size_t want) {
    fields_.clear();
    switch (format_) {
      case Format::movielens: {
        std::size_t start = 0;
        while (fields_.size() < want) {
          const std::size_t c = line.find("::", start);
          if (c == std::string_view::npos) {
            fields_.push_back(trim(line.substr(start)));
            break;
          }
          fields_.push_back(trim(line.substr(start, c - start)));
          start = c + 2;
        }
        break;
      }
      case Format::tsv: {
        std::size_t k = 0;
        const std::size_t n = line.size();
        while (fields_.size() < want) {
          while (k < n && is_blank_char(line[k])) ++k;
          if (k == n) break;
          const std::size_t b = k;
          while (k < n && !is_blank_char(line[k])) ++k;
          fields_.push_back(line.substr(b, k - b));
        }
        break;
      }
      default: {  // csv, watch_ratio
        if (line.find('"') != std::string_view::npos) {
          check_quotes(split_quoted_csv(line, want, fields_, scratch_), false);
          break;
        }
        std::size_t start = 0;
        while (fields_.size() < want) {
          const std::size_t c = line.find(',', start);
          if (c == std::string_view::npos) {
            fields_.push_back(trim(line.substr(start)));
            break;
          }
          fields_.push_back(trim(line.substr(start, c - start)));
          start = c + 1;
        }
        break;
      }
    }
    return fields_.size();
  }

  /// Throws for a malformed quoted field, naming its role (user, item or value) when
  /// it has one and its column always.
  void check_quotes(const CsvQuoteError& e, bool header) const {
    if (e.column == 0) return;
    const std::size_t col = e.column - 1;
    const char* field = "";
    if (!header) {
      if (col == user_col_) field = "user";
      else if (col == item_col_) field = "item";
      else if (col == value_col_) field = "value";
    }
    fail(field, std::string(e.problem) + " in column " + std::to_string(e.column) + " (" +
                    e.hint + ")");
  }

  void check_id(std::string_view id, const char* field) const {
    if (id.empty()) fail(field, "empty id");
    if (id.size() > kMaxIdLength)
      fail(field, "id of " + std::to_string(id.size()) + " characters is longer than " +
                      std::to_string(kMaxIdLength) + " (wrong --format, or not a ratings file?)");
  }

  void parse_row(std::string_view line) {
    const std::size_t want = std::max(user_col_, std::max(item_col_, value_col_)) + 1;
    const std::size_t got = split(line, want);
    if (got < want) {
      // The missing field is the wanted column with the lowest position past the end.
      const char* missing = "value";
      std::size_t lowest = static_cast<std::size_t>(-1);
      const std::pair<std::size_t, const char*> wanted[] = {
          {user_col_, "user"}, {item_col_, "item"}, {value_col_, "value"}};
      for (const auto& w : wanted)
        if (w.first >= got && w.first < lowest) lowest = w.first, missing = w.second;
      fail(missing, "missing field: the line has " + std::to_string(got) +
                        " field(s), expected " + layout());
    }
    const std::string_view user = fields_[user_col_];
    const std::string_view item = fields_[item_col_];
    const std::string_view value_text = fields_[value_col_];
    check_id(user, "user");
    check_id(item, "item");

    double value = 0.0;
    const std::errc ec = parse_double(value_text, value);
    if (ec == std::errc::result_out_of_range)
      fail("value", shown(value_text) + " is out of the range of a double");
    if (ec != std::errc()) {
      if (line_ == first_line_ && format_ != Format::csv)
        fail("value", shown(value_text) + " is not a number; the line looks like a header, "
                      "which " + std::string(format_name(format_)) +
                      " files do not have (use --format csv for a CSV with a header line)");
      fail("value", shown(value_text) + " is not a number");
    }
    if (!std::isfinite(value)) fail("value", shown(value_text) + " is NaN or infinite");
    if (value < 0.0)
      fail("value", shown(value_text) +
                        " is negative; ratings and watch ratios cannot be negative");

    out_.users.push_back(map_user(user));
    out_.items.push_back(map_id(item, items_, item_cache_));
    out_.values.push_back(value);
  }

  /// Ratings files are usually grouped by user, so the previous row's user is cached
  /// and most rows skip any lookup.
  Index map_user(std::string_view raw) {
    if (last_user_ >= 0 && raw == std::string_view(last_user_raw_)) return last_user_;
    last_user_raw_.assign(raw.data(), raw.size());
    last_user_ = map_id(raw, users_, user_cache_);
    return last_user_;
  }

  /// Numeric ids below this are served from the direct cache, at most 16 MiB of it;
  /// reserve() lowers the bound to 4 × the expected rows (at least 65536), so a small
  /// file with one huge id does not allocate the whole cache.
  static constexpr std::uint32_t kDirectCacheLimit = 1u << 22;

  /// The dense index of `raw`. Most ids are small decimal integers: those written in
  /// canonical form (no sign, no leading zero) are looked up in a plain array indexed
  /// by their value, which only caches what the IdMap returned — "014" and "14" are
  /// still different ids, because "014" is not canonical and takes the IdMap path.
  Index map_id(std::string_view raw, IdMap& map, std::vector<std::int32_t>& cache) const {
    std::uint32_t v = 0;
    bool canonical = !raw.empty() && raw.size() <= 7 && !(raw.size() > 1 && raw[0] == '0');
    for (std::size_t k = 0; canonical && k < raw.size(); ++k) {
      const unsigned d = static_cast<unsigned char>(raw[k]) - static_cast<unsigned>('0');
      if (d > 9) canonical = false;
      v = v * 10 + d;
    }
    if (!canonical || v >= direct_limit_) return map.get_or_add(std::string(raw));
    if (v >= cache.size()) cache.resize(std::max<std::size_t>(v + 1, 2 * cache.size()), -1);
    std::int32_t& slot = cache[v];
    if (slot < 0) {
      const Index id = map.get_or_add(std::string(raw));
      if (id > static_cast<Index>(INT32_MAX)) return id;
      slot = static_cast<std::int32_t>(id);
    }
    return slot;
  }

  /// Last wins: rows are bucketed by user (counting sort), each user's (item, row)
  /// pairs sorted, and every row followed by a later row of the same pair dropped.
  /// O(n log d) for n rows and d rows per user; no hash set of all pairs.
  void drop_duplicates() {
    const std::size_t n = out_.users.size();
    const std::size_t nu = static_cast<std::size_t>(users_.size());
    std::vector<std::size_t> offsets(nu + 1, 0);
    for (Index u : out_.users) ++offsets[static_cast<std::size_t>(u) + 1];
    for (std::size_t u = 0; u < nu; ++u) offsets[u + 1] += offsets[u];
    std::vector<std::pair<Index, std::size_t>> by_user(n);
    {
      std::vector<std::size_t> fill(offsets.begin(), offsets.end() - 1);
      for (std::size_t r = 0; r < n; ++r)
        by_user[fill[static_cast<std::size_t>(out_.users[r])]++] = {out_.items[r], r};
    }
    std::vector<char> keep;
    std::size_t dropped = 0;
    for (std::size_t u = 0; u < nu; ++u) {
      auto b = by_user.begin() + static_cast<std::ptrdiff_t>(offsets[u]);
      auto e = by_user.begin() + static_cast<std::ptrdiff_t>(offsets[u + 1]);
      if (e - b < 2) continue;
      std::sort(b, e);
      for (auto it = b; it + 1 < e; ++it) {
        if (it->first == (it + 1)->first) {
          if (keep.empty()) keep.assign(n, 1);
          keep[it->second] = 0;
          ++dropped;
        }
      }
    }
    out_.duplicates_dropped = static_cast<Index>(dropped);
    if (dropped == 0) return;
    std::size_t w = 0;
    for (std::size_t r = 0; r < n; ++r) {
      if (!keep[r]) continue;
      out_.users[w] = out_.users[r];
      out_.items[w] = out_.items[r];
      out_.values[w] = out_.values[r];
      ++w;
    }
    out_.users.resize(w);
    out_.items.resize(w);
    out_.values.resize(w);
  }

  Format format_;
  std::string name_;
  IdMap& users_;
  IdMap& items_;
  RawRatings& out_;
  long long line_ = 0;
  long long first_line_ = 0;
  bool seen_first_ = false;
  std::size_t user_col_ = 0, item_col_ = 1, value_col_ = 2;
  std::vector<std::string_view> fields_;
  std::string scratch_;  // unescaped quoted fields that fields_ may point into
  std::string last_user_raw_;
  Index last_user_ = -1;
  std::vector<std::int32_t> user_cache_, item_cache_;
  std::uint32_t direct_limit_ = 1u << 16;
};

/// Feeds every line of `text` (split at '\n'; a last line without newline counts).
inline void feed_lines(RatingsParser& parser, std::string_view text) {
  std::size_t start = 0;
  while (start < text.size()) {
    const void* hit = std::memchr(text.data() + start, '\n', text.size() - start);
    if (!hit) {
      parser.feed(text.substr(start));
      return;
    }
    const std::size_t nl = static_cast<std::size_t>(static_cast<const char*>(hit) - text.data());
    parser.feed(text.substr(start, nl - start));
    start = nl + 1;
  }
}

/// Parses `text` into `out`, with ids added to `users` and `items`.
inline void parse_text_into(std::string_view text, Format format, const std::string& name,
                            IdMap& users, IdMap& items, RawRatings& out) {
  RatingsParser parser(format, name, users, items, out);
  parser.reserve(static_cast<std::size_t>(std::count(text.begin(), text.end(), '\n')) + 1);
  feed_lines(parser, text);
  parser.finish();
}

/// Streams the file at `path` into `out` in 1 MiB chunks, with ids added to `users`
/// and `items`. Only complete lines are handed to the parser; a line longer than the
/// buffer grows it.
inline void read_file_into(const std::string& path, Format format, IdMap& users, IdMap& items,
                           RawRatings& out) {
  std::FILE* fp = std::fopen(path.c_str(), "rb");
  if (!fp) {
    const int err = errno;
    throw ParseError(path, 0, "", std::string("cannot open: ") + std::strerror(err));
  }
  std::unique_ptr<std::FILE, int (*)(std::FILE*)> guard(fp, &std::fclose);

  RatingsParser parser(format, path, users, items, out);
  // The file size and the first chunk's bytes per line give the row count to reserve.
  long long file_bytes = -1;
  if (std::fseek(fp, 0, SEEK_END) == 0) {
    file_bytes = std::ftell(fp);
    if (std::fseek(fp, 0, SEEK_SET) != 0) {
      const int err = errno;
      throw ParseError(path, 0, "", std::string("cannot read: ") + std::strerror(err));
    }
  }
  std::clearerr(fp);
  bool reserved = false;
  std::vector<char> buf(std::size_t(1) << 20);
  std::size_t have = 0;
  for (;;) {
    if (have == buf.size()) buf.resize(buf.size() * 2);
    errno = 0;
    const std::size_t got = std::fread(buf.data() + have, 1, buf.size() - have, fp);
    if (got == 0) {
      if (std::ferror(fp)) {
        const int err = errno;
        throw ParseError(path, parser.line_number(), "",
                         std::string("cannot read: ") +
                             (err ? std::strerror(err) : "read error"));
      }
      break;
    }
    const std::size_t scanned = have;  // bytes already known to hold no '\n'
    have += got;
    const char* base = buf.data();
    std::size_t start = 0, from = scanned;
    while (const void* hit = std::memchr(base + from, '\n', have - from)) {
      const std::size_t nl = static_cast<std::size_t>(static_cast<const char*>(hit) - base);
      parser.feed(std::string_view(base + start, nl - start));
      start = from = nl + 1;
    }
    if (!reserved && file_bytes > 0 && parser.line_number() > 0) {
      reserved = true;
      const double per_line = static_cast<double>(start) / static_cast<double>(parser.line_number());
      parser.reserve(static_cast<std::size_t>(1.05 * static_cast<double>(file_bytes) / per_line) + 16);
    }
    if (start > 0) {
      std::memmove(buf.data(), base + start, have - start);
      have -= start;
    }
  }
  if (have > 0) parser.feed(std::string_view(buf.data(), have));
  parser.finish();
}

}  // namespace detail

/// Parses ratings held in memory; `name` stands for the file name in errors. Ids are
/// added to (and looked up in) `users` and `items`, so several texts can share one
/// mapping; the result holds a copy of the maps as they stand afterwards.
inline RawRatings read_ratings_from_string(const std::string& text, Format format,
                                           const std::string& name, IdMap& users,
                                           IdMap& items) {
  RawRatings out;
  detail::parse_text_into(text, format, name, users, items, out);
  return out;
}

/// Parses ratings held in memory with fresh id maps (used by tests and fuzzers).
inline RawRatings read_ratings_from_string(const std::string& text,
                                           Format format = Format::automatic,
                                           const std::string& name = "<string>") {
  RawRatings out;
  detail::parse_text_into(text, format, name, out.user_ids, out.item_ids, out);
  return out;
}

/// Reads a ratings file, adding ids to `users` and `items`: pass the same maps for
/// pre-split train/valid/test files so one raw id gets one index across them. The
/// result holds a copy of the maps as they stand afterwards. On a ParseError the maps
/// may already hold ids from the failing file.
inline RawRatings read_ratings(const std::string& path, Format format, IdMap& users,
                               IdMap& items) {
  RawRatings out;
  detail::read_file_into(path, format, users, items, out);
  return out;
}

/// Reads a ratings file with fresh id maps.
inline RawRatings read_ratings(const std::string& path, Format format = Format::automatic) {
  RawRatings out;
  detail::read_file_into(path, format, out.user_ids, out.item_ids, out);
  return out;
}

/// Three pre-split files read with one shared id mapping.
struct PresplitRatings {
  RawRatings train, valid, test;
};

/// Reads train, valid and test files (in that order) sharing one user and one item
/// mapping; each part's maps are the shared maps as they stood after reading it, so
/// `test`'s maps cover all three files.
inline PresplitRatings read_ratings_presplit(const std::string& train_path,
                                             const std::string& valid_path,
                                             const std::string& test_path,
                                             Format format = Format::automatic) {
  IdMap users, items;
  PresplitRatings p;
  p.train = read_ratings(train_path, format, users, items);
  p.valid = read_ratings(valid_path, format, users, items);
  p.test = read_ratings(test_path, format, users, items);
  return p;
}

}  // namespace invlearn
