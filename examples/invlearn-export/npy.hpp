#pragma once
// NumPy's .npy format, version 1.0, for a row-major float or double matrix: the magic
// string, the header dict padded to a multiple of 64 bytes, then the values little-endian.
// numpy.load reads it as an array of shape (rows, cols).

#include <cstdint>
#include <cstring>
#include <string>
#include <type_traits>

namespace exporter {

/// The bytes of an .npy file holding rows × cols values, row-major at `data`.
template <class S>
std::string npy_bytes(const S* data, long long rows, long long cols) {
  static_assert(std::is_same<S, float>::value || std::is_same<S, double>::value, "npy: float or double");
  static_assert(sizeof(float) == 4 && sizeof(double) == 8, "npy: IEEE float and double");
  const std::uint16_t probe = 1;
  unsigned char first = 0;
  std::memcpy(&first, &probe, 1);
  const char order = first == 1 ? '<' : '>';  // the machine's own byte order, declared as it is
  std::string header = std::string("{'descr': '") + order + (std::is_same<S, float>::value ? "f4" : "f8") +
                       "', 'fortran_order': False, 'shape': (" + std::to_string(rows) + ", " + std::to_string(cols) +
                       "), }";
  const std::size_t prefix = 10;  // magic (6), version (2), header length (2)
  const std::size_t total = (prefix + header.size() + 1 + 63) / 64 * 64;
  header.append(total - prefix - header.size() - 1, ' ');
  header += '\n';
  std::string out("\x93NUMPY\x01\x00", 8);
  const std::size_t length = header.size();
  out += static_cast<char>(length & 0xff);
  out += static_cast<char>((length >> 8) & 0xff);
  out += header;
  const std::size_t bytes = static_cast<std::size_t>(rows * cols) * sizeof(S);
  out.append(reinterpret_cast<const char*>(data), bytes);
  return out;
}

}  // namespace exporter
