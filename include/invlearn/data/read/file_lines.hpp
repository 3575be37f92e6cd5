#pragma once
/// @file file_lines.hpp
/// Lines of a text held in memory or of a file streamed in 1 MiB chunks, split in place.

#include <cerrno>
#include <cstddef>
#include <cstdio>
#include <cstring>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "invlearn/core/error.hpp"

namespace invlearn {
namespace detail {

/// Calls line(view) for every line of `text` (split at '\n', without it; a last line
/// without a newline counts).
template <class Line>
inline void for_each_line(std::string_view text, Line&& line) {
  std::size_t start = 0;
  while (start < text.size()) {
    const void* hit = std::memchr(text.data() + start, '\n', text.size() - start);
    if (!hit) {
      line(text.substr(start));
      return;
    }
    const std::size_t nl = static_cast<std::size_t>(static_cast<const char*>(hit) - text.data());
    line(text.substr(start, nl - start));
    start = nl + 1;
  }
}

/// Streams the file at `path` in 1 MiB chunks and calls line(view) for every line, as
/// for_each_line does; only complete lines are handed on, and a line longer than the
/// buffer grows it. After the first chunk's lines, calls expect(n) once with an estimate
/// of the file's line count (from its size and the bytes per line so far), so the caller
/// can reserve its output. Throws ParseError(path, ...) when the file cannot be opened or
/// read (the line number is that of the last line handed on).
template <class Line, class Expect>
inline void for_each_file_line(const std::string& path, Line&& line, Expect&& expect) {
  std::FILE* fp = std::fopen(path.c_str(), "rb");
  if (!fp) {
    const int err = errno;
    throw ParseError(path, 0, "", std::string("cannot open: ") + std::strerror(err));
  }
  std::unique_ptr<std::FILE, int (*)(std::FILE*)> guard(fp, &std::fclose);

  long long file_bytes = -1;
  if (std::fseek(fp, 0, SEEK_END) == 0) {
    file_bytes = std::ftell(fp);
    if (std::fseek(fp, 0, SEEK_SET) != 0) {
      const int err = errno;
      throw ParseError(path, 0, "", std::string("cannot read: ") + std::strerror(err));
    }
  }
  std::clearerr(fp);
  long long lines = 0;
  bool estimated = false;
  std::vector<char> buf(std::size_t(1) << 20);
  std::size_t have = 0;
  for (;;) {
    if (have == buf.size()) buf.resize(buf.size() * 2);
    errno = 0;
    const std::size_t got = std::fread(buf.data() + have, 1, buf.size() - have, fp);
    if (got == 0) {
      if (std::ferror(fp)) {
        const int err = errno;
        throw ParseError(path, lines, "", std::string("cannot read: ") + (err ? std::strerror(err) : "read error"));
      }
      break;
    }
    const std::size_t scanned = have;  // bytes already known to hold no '\n'
    have += got;
    const char* base = buf.data();
    std::size_t start = 0, from = scanned;
    while (const void* hit = std::memchr(base + from, '\n', have - from)) {
      const std::size_t nl = static_cast<std::size_t>(static_cast<const char*>(hit) - base);
      line(std::string_view(base + start, nl - start));
      ++lines;
      start = from = nl + 1;
    }
    if (!estimated && file_bytes > 0 && lines > 0) {
      estimated = true;
      const double per_line = static_cast<double>(start) / static_cast<double>(lines);
      expect(static_cast<std::size_t>(1.05 * static_cast<double>(file_bytes) / per_line) + 16);
    }
    if (start > 0) {
      std::memmove(buf.data(), base + start, have - start);
      have -= start;
    }
  }
  if (have > 0) line(std::string_view(buf.data(), have));
}

}  // namespace detail
}  // namespace invlearn
