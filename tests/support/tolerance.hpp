#pragma once
// Tolerances per scalar type, for tests that run over float and double.

namespace invlearn_test {

/// Relative tolerance for a comparison of a result computed in S against a reference in
/// double: the double tolerances are those the tests were written with; float's allow
/// for its 24-bit mantissa.
template <class S>
struct Tol;
template <>
struct Tol<double> {
  static constexpr double gradient = 1e-6;  ///< analytic vs central differences (losses)
  static constexpr double exact = 1e-12;    ///< a formula evaluated in two orders
};
template <>
struct Tol<float> {
  static constexpr double gradient = 2e-5;
  static constexpr double exact = 2e-6;
};

}  // namespace invlearn_test
