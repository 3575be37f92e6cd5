#pragma once
// The --json report: string escaping, numbers (NaN and infinities become null),
// and an atomic write, so a reader never sees half a file even if the run dies
// while writing it.

#include <cerrno>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include <unistd.h>

#include "results.hpp"

namespace cli {

/// An output (JSON, trace, checkpoint) could not be written. main() exits with code 1.
class OutputError : public std::runtime_error {
 public:
  explicit OutputError(const std::string& what) : std::runtime_error(what) {}
};

/// `s` as a JSON string literal, quotes included. Control characters are escaped;
/// bytes that are not valid UTF-8 (a file name can hold anything) become U+FFFD, so
/// the output is always valid JSON.
inline std::string json_string(std::string_view s) {
  std::string out;
  out.reserve(s.size() + 2);
  out.push_back('"');
  const auto* p = reinterpret_cast<const unsigned char*>(s.data());
  const std::size_t n = s.size();
  for (std::size_t k = 0; k < n;) {
    const unsigned char c = p[k];
    if (c < 0x80) {
      switch (c) {
        case '"': out += "\\\""; break;
        case '\\': out += "\\\\"; break;
        case '\b': out += "\\b"; break;
        case '\f': out += "\\f"; break;
        case '\n': out += "\\n"; break;
        case '\r': out += "\\r"; break;
        case '\t': out += "\\t"; break;
        default:
          if (c < 0x20 || c == 0x7f) {
            char buf[8];
            std::snprintf(buf, sizeof buf, "\\u%04x", c);
            out += buf;
          } else {
            out.push_back(static_cast<char>(c));
          }
      }
      ++k;
      continue;
    }
    // Multi-byte UTF-8: copy the sequence if well formed (no overlongs, no
    // surrogates, at most U+10FFFF), else write U+FFFD for this byte.
    std::size_t len = 0;
    unsigned cp = 0;
    if (c >= 0xC2 && c <= 0xDF) {
      len = 2;
      cp = c & 0x1Fu;
    } else if (c >= 0xE0 && c <= 0xEF) {
      len = 3;
      cp = c & 0x0Fu;
    } else if (c >= 0xF0 && c <= 0xF4) {
      len = 4;
      cp = c & 0x07u;
    }
    bool ok = len > 0 && k + len <= n;
    for (std::size_t j = 1; ok && j < len; ++j) {
      ok = (p[k + j] & 0xC0) == 0x80;
      cp = (cp << 6) | (p[k + j] & 0x3F);
    }
    if (ok) {
      ok = !(len == 3 && cp < 0x800) && !(len == 4 && (cp < 0x10000 || cp > 0x10FFFF)) &&
           !(cp >= 0xD800 && cp <= 0xDFFF);
    }
    if (ok) {
      out.append(s.data() + k, len);
      k += len;
    } else {
      out += "\\ufffd";
      ++k;
    }
  }
  out.push_back('"');
  return out;
}

/// A number as JSON: shortest round-trip text; NaN and infinities become null.
inline std::string json_number(double v) {
  if (!std::isfinite(v)) return "null";
  char buf[32];
  const auto r = std::to_chars(buf, buf + sizeof buf, v);
  return std::string(buf, r.ptr);
}

inline std::string json_number(long long v) { return std::to_string(v); }

inline std::string to_json(const DatasetSummary& d) {
  std::string s = "{";
  s += "\"name\": " + json_string(d.name);
  s += ", \"users\": " + json_number(static_cast<long long>(d.users));
  s += ", \"items\": " + json_number(static_cast<long long>(d.items));
  s += ", \"train_rows\": " + json_number(static_cast<long long>(d.train_rows));
  s += ", \"valid_rows\": " + json_number(static_cast<long long>(d.valid_rows));
  s += ", \"test_rows\": " + json_number(static_cast<long long>(d.test_rows));
  s += ", \"positive_share\": " + json_number(d.positive_share);
  s += ", \"unlabeled\": " + json_string(d.unlabeled);
  s += ", \"pool_rows\": " + json_number(static_cast<long long>(d.pool_rows));
  s += ", \"label_fraction\": " + json_number(d.label_fraction);
  s += "}";
  return s;
}

inline std::string to_json(const MethodResult& r) {
  std::string s = "{";
  s += "\"method\": " + json_string(r.method);
  s += ", \"auc\": " + json_number(r.auc);
  s += ", \"gauc\": " + json_number(r.gauc);
  s += ", \"gauc_weighted\": " + json_number(r.gauc_weighted);
  s += ", \"ndcg@10\": " + json_number(r.ndcg);
  s += ", \"mrr\": " + json_number(r.mrr);
  s += ", \"best_epoch\": " + (r.ok() ? json_number(static_cast<long long>(r.best_epoch)) : std::string("null"));
  s += ", \"train_seconds\": " + json_number(r.train_seconds);
  s += ", \"ig_choices\": {\"direct\": " + json_number(static_cast<long long>(r.choices[0])) +
       ", \"none\": " + json_number(static_cast<long long>(r.choices[1])) +
       ", \"inverse\": " + json_number(static_cast<long long>(r.choices[2])) + "}";
  s += ", \"annotation_accuracy\": " + json_number(r.annotation_accuracy);
  auto string_or_null = [](const std::string& v) { return v.empty() ? std::string("null") : json_string(v); };
  s += ", \"ig_schedule\": " + string_or_null(r.ig_schedule);
  s += ", \"ig_step\": " + string_or_null(r.ig_step);
  if (!r.ok()) s += ", \"error\": " + json_string(r.error);
  s += "}";
  return s;
}

/// The whole report: {"dataset": {...}, "model": "...", "results": [...]}.
inline std::string to_json(const DatasetSummary& dataset, const std::string& model,
                           const std::vector<MethodResult>& results) {
  std::string s = "{\n  \"dataset\": " + to_json(dataset) + ",\n  \"model\": " + json_string(model) +
                  ",\n  \"results\": [";
  for (std::size_t k = 0; k < results.size(); ++k) s += (k ? ",\n    " : "\n    ") + to_json(results[k]);
  s += results.empty() ? "]\n}\n" : "\n  ]\n}\n";
  return s;
}

/// Writes `content` to `path` through a temporary file in the same directory and a
/// rename, so `path` holds either its old content or all of the new one. Throws
/// OutputError naming the path.
inline void write_file_atomic(const std::string& path, const std::string& content) {
  const std::string tmp = path + ".tmp." + std::to_string(static_cast<long>(::getpid()));
  auto fail = [&](const std::string& what) {
    const int err = errno;
    std::remove(tmp.c_str());
    throw OutputError("cannot write " + path + ": " + what + (err ? std::string(": ") + std::strerror(err) : ""));
  };
  errno = 0;
  std::FILE* f = std::fopen(tmp.c_str(), "wb");
  if (!f) fail("cannot create " + tmp);
  const bool wrote = std::fwrite(content.data(), 1, content.size(), f) == content.size();
  const bool flushed = std::fflush(f) == 0 && ::fsync(::fileno(f)) == 0;
  const bool closed = std::fclose(f) == 0;
  if (!wrote || !flushed || !closed) fail("write failed");
  if (std::rename(tmp.c_str(), path.c_str()) != 0) fail("rename failed");
}

}  // namespace cli
