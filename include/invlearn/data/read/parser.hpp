#pragma once
/// @file parser.hpp
/// The line-by-line parser of ratings files, for every registered format.
///
/// Every malformed input throws ParseError naming the file, the 1-based line and the
/// field ("user", "item" or "value"; empty for the header and for other columns, whose
/// 1-based position the message gives instead); nothing is silently skipped except
/// blank lines.

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <string>
#include <string_view>
#include <system_error>
#include <utility>
#include <vector>

#include "invlearn/core/error.hpp"
#include "invlearn/core/text.hpp"
#include "invlearn/core/types.hpp"
#include "invlearn/data/id_map.hpp"
#include "invlearn/data/read/dedup.hpp"
#include "invlearn/data/read/detect.hpp"
#include "invlearn/data/read/fields.hpp"
#include "invlearn/data/read/formats.hpp"
#include "invlearn/data/read/header.hpp"
#include "invlearn/data/read/id_cache.hpp"
#include "invlearn/data/read/raw_ratings.hpp"

namespace invlearn {
namespace detail {

/// Parses lines fed in order (without their '\n'); it counts them, so error line numbers
/// are the file's 1-based line numbers, blank lines included. The format is fixed at the
/// first non-blank line (detected there for Format::automatic); each data line then goes
/// through that format's split() and the checks every format shares.
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
    user_cache_.expect_rows(rows);
    item_cache_.expect_rows(rows);
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
    if (!row_) {
      first_line_ = line_;
      if (format_ == Format::automatic) format_ = detect_format(line);
      out_.format = format_;
      const bool header = visit_format(format_, [this](auto f) { return start<decltype(f)>(); });
      if (header) {
        (this->*header_)(line);
        return;
      }
    }
    (this->*row_)(line);
  }

  /// Checks that data was found and applies the last-wins rule for duplicate pairs.
  void finish() {
    if (!row_) throw ParseError(name_, 0, "", "file is empty (no non-blank lines)");
    if (out_.users.empty())
      throw ParseError(name_, line_ == 0 ? 1 : line_, "",
                       has_header_ ? "no data rows after the header" : "no data rows");
    if (&users_ != &out_.user_ids) out_.user_ids = users_;
    if (&items_ != &out_.item_ids) out_.item_ids = items_;
    out_.duplicates_dropped = drop_duplicate_pairs(out_, users_.size());
  }

 private:
  using LineFn = void (RatingsParser::*)(std::string_view);

  [[noreturn]] void fail(const std::string& field, const std::string& problem) const {
    throw ParseError(name_, line_, field, problem);
  }

  /// Takes format F for the rest of the file; returns whether the first line is its header.
  template <class F>
  bool start() {
    row_ = &RatingsParser::parse_row<F>;
    header_ = &RatingsParser::parse_header<F>;
    has_header_ = F::has_header;
    out_.value_column = F::value_column;
    return F::has_header;
  }

  template <class F>
  void parse_header(std::string_view line) {
    fields_.clear();
    check_split(F::split(line, static_cast<std::size_t>(-1), fields_, scratch_), true);
    const Columns c = read_header(fields_, name_, line_);
    columns_ = c;
    out_.value_column = c.value_name;
  }

  /// Throws for a malformed field, naming its role (user, item or value) when it has one
  /// and its column always.
  void check_split(const FieldError& e, bool header) const {
    if (e.column == 0) return;
    const std::size_t col = e.column - 1;
    const char* field = "";
    if (!header) {
      if (col == columns_.user) field = "user";
      else if (col == columns_.item) field = "item";
      else if (col == columns_.value) field = "value";
    }
    fail(field, std::string(e.problem) + " in column " + std::to_string(e.column) + " (" + e.hint + ")");
  }

  void check_id(std::string_view id, const char* field) const {
    if (id.empty()) fail(field, "empty id");
    if (id.size() > kMaxIdLength)
      fail(field, "id of " + std::to_string(id.size()) + " characters is longer than " +
                      std::to_string(kMaxIdLength) + " (wrong Format, or not a ratings file?)");
  }

  template <class F>
  void parse_row(std::string_view line) {
    const std::size_t want = std::max(columns_.user, std::max(columns_.item, columns_.value)) + 1;
    fields_.clear();
    check_split(F::split(line, want, fields_, scratch_), false);
    const std::size_t got = fields_.size();
    if (got < want) {
      // The missing field is the wanted column with the lowest position past the end.
      const char* missing = "value";
      std::size_t lowest = static_cast<std::size_t>(-1);
      const std::pair<std::size_t, const char*> wanted[] = {
          {columns_.user, "user"}, {columns_.item, "item"}, {columns_.value, "value"}};
      for (const auto& w : wanted)
        if (w.first >= got && w.first < lowest) lowest = w.first, missing = w.second;
      fail(missing, "missing field: the line has " + std::to_string(got) + " field(s), expected " + F::layout);
    }
    const std::string_view user = fields_[columns_.user];
    const std::string_view item = fields_[columns_.item];
    const std::string_view value_text = fields_[columns_.value];
    check_id(user, "user");
    check_id(item, "item");

    double value = 0.0;
    const std::errc ec = parse_double(value_text, value);
    if (ec == std::errc::result_out_of_range) fail("value", shown(value_text) + " is out of the range of a double");
    if (ec != std::errc()) {
      if (line_ == first_line_ && !F::has_header)
        fail("value", shown(value_text) + " is not a number; the line looks like a header, which " +
                          std::string(F::name) +
                          " files do not have (Format::csv reads a CSV with a header line)");
      fail("value", shown(value_text) + " is not a number");
    }
    if (!std::isfinite(value)) fail("value", shown(value_text) + " is NaN or infinite");
    if (value < 0.0) fail("value", shown(value_text) + " is negative; ratings and watch ratios cannot be negative");

    out_.users.push_back(map_user(user));
    out_.items.push_back(item_cache_.map(item, items_));
    out_.values.push_back(value);
  }

  /// Ratings files are usually grouped by user, so the previous row's user is kept and
  /// most rows skip any lookup.
  Index map_user(std::string_view raw) {
    if (last_user_ >= 0 && raw == std::string_view(last_user_raw_)) return last_user_;
    last_user_raw_.assign(raw.data(), raw.size());
    last_user_ = user_cache_.map(raw, users_);
    return last_user_;
  }

  Format format_;
  std::string name_;
  IdMap& users_;
  IdMap& items_;
  RawRatings& out_;
  long long line_ = 0;
  long long first_line_ = 0;
  LineFn row_ = nullptr;     ///< set at the first non-blank line
  LineFn header_ = nullptr;
  bool has_header_ = false;
  Columns columns_;
  std::vector<std::string_view> fields_;
  std::string scratch_;  // unescaped quoted fields that fields_ may point into
  std::string last_user_raw_;
  Index last_user_ = -1;
  IdCache user_cache_, item_cache_;
};

}  // namespace detail
}  // namespace invlearn
