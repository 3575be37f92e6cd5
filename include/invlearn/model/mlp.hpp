#pragma once
/// @file mlp.hpp
/// A ReLU MLP tower whose weights live in a backbone's dense block: the layout, the
/// forward over a chunk of rows and the backward over a batch.

#include <algorithm>
#include <vector>

#include "invlearn/config.hpp"
#include "invlearn/core/random.hpp"
#include "invlearn/core/types.hpp"
#include "invlearn/model/dense.hpp"
#include "invlearn/model/init.hpp"

namespace invlearn {

/// Layers l = 0..L-1 of widths[l] → widths[l+1], each \f$A_l = \mathrm{ReLU}(A_{l-1}W_l + b_l)\f$
/// with \f$A_{-1}\f$ the input. W_l is stored column-major (in × out) at weight_offset(l) of
/// the dense block, b_l at bias_offset(l). Rows never interact, so a forward can run on any
/// chunk of rows; every reduction over rows (the weight gradients) runs in row order.
class MLPLayout {
 public:
  MLPLayout() = default;
  /// `widths` from input to output (e.g. {256, 128, 64, 32}); weights start at `offset`.
  MLPLayout(std::vector<Index> widths, Index offset) : widths_(std::move(widths)) {
    for (std::size_t l = 0; l + 1 < widths_.size(); ++l) {
      weight_offset_.push_back(offset);
      offset += widths_[l] * widths_[l + 1];
      bias_offset_.push_back(offset);
      offset += widths_[l + 1];
    }
    end_ = offset;
  }

  int layers() const { return static_cast<int>(weight_offset_.size()); }
  const std::vector<Index>& widths() const { return widths_; }
  Index input_width() const { return widths_.front(); }
  Index output_width() const { return widths_.back(); }
  Index weight_offset(int l) const { return weight_offset_[static_cast<std::size_t>(l)]; }
  Index bias_offset(int l) const { return bias_offset_[static_cast<std::size_t>(l)]; }
  /// First index of the dense block after the tower's weights.
  Index end() const { return end_; }

  /// Xavier-uniform weights, layer by layer (biases stay as they are: zero).
  template <class S>
  void init(Vector<S>& dense, Rng& rng) const {
    for (int l = 0; l < layers(); ++l) {
      const Index in = widths_[l], out = widths_[l + 1];
      init_uniform(dense.data() + weight_offset(l), in * out, xavier_uniform_bound(in, out), rng);
    }
  }

  /// Activations of rows [first, first + rows) of `input` through every layer into
  /// act[l] (the same rows), with the weights at `dense`.
  template <class S>
  void forward(const S* dense, const RowMatrix<S>& input, std::vector<RowMatrix<S>>& act, Index first,
               Index rows) const {
    for (int l = 0; l < layers(); ++l) {
      const Index in = widths_[l], out = widths_[l + 1];
      const RowMatrix<S>& below = l == 0 ? input : act[l - 1];
      const auto x = below.block(first, 0, rows, in);
      Eigen::Map<const ColMatrix<S>> W(dense + weight_offset(l), in, out);
      const Eigen::Map<const Vector<S>> bias(dense + bias_offset(l), out);
      auto a = act[l].block(first, 0, rows, out);
      a.noalias() = x * W;
      for (Index k = 0; k < rows; ++k) a.row(k) = (a.row(k) + bias.transpose()).cwiseMax(S(0));
    }
  }

  /// Back-propagates dZ of the top layer (rows 0..n of delta_top, already through the
  /// top ReLU) to the input: adds nothing, writes the weight and bias gradients at their
  /// offsets of `grad_dense` (which the caller zeroed), and returns the buffer (delta_a or
  /// delta_b) that holds dX = ∂/∂input.
  ///
  /// Called by every thread of an enclosing parallel region (or outside one: then the
  /// worksharing loops below run on the calling thread alone). Each layer is one loop over
  /// fixed tasks, shared dynamically: the weight gradient dW = Xᵀ·dZ in chunks of
  /// kGemmChunk rows of dW (each chunk sums over the whole batch in row order), the bias
  /// gradient (one task, in row order), and dA = dZ·Wᵀ in chunks of kGemmChunk batch rows,
  /// each then through the ReLU of the layer below. All read dZ and write disjoint outputs,
  /// so they run side by side; the loop's closing barrier makes dA the next layer's dZ.
  /// The tasks depend on the shapes only, and each task's arithmetic on nothing else, so
  /// the result does not depend on the thread count or on which thread takes which task.
  template <class S>
  RowMatrix<S>& backward(const S* dense, const RowMatrix<S>& input, const std::vector<RowMatrix<S>>& act,
                         RowMatrix<S>& delta_a, RowMatrix<S>& delta_b, Index n, S* grad_dense) const {
    auto delta = [&](int parity) -> RowMatrix<S>& { return parity ? delta_b : delta_a; };
    const auto chunks_of = [](Index rows) { return (rows + detail::kGemmChunk - 1) / detail::kGemmChunk; };
    int cur = 0;  // delta_a holds the top dZ
    for (int l = layers() - 1; l >= 0; --l) {
      const Index in = widths_[l], out = widths_[l + 1];
      const auto dz = delta(cur).topLeftCorner(n, out);
      const RowMatrix<S>& below = l == 0 ? input : act[l - 1];
      const auto x = below.topLeftCorner(n, in);
      Eigen::Map<ColMatrix<S>> dW(grad_dense + weight_offset(l), in, out);
      Eigen::Map<Vector<S>> dbias(grad_dense + bias_offset(l), out);
      Eigen::Map<const ColMatrix<S>> W(dense + weight_offset(l), in, out);
      auto da = delta(1 - cur).topLeftCorner(n, in);
      // Tasks [0, weight_tasks): chunks of dW, the largest first; then the bias; then dA.
      const Index weight_tasks = chunks_of(in);
      const Index tasks = weight_tasks + 1 + chunks_of(n);
      INVLEARN_OMP(for schedule(dynamic, 1))
      for (Index t = 0; t < tasks; ++t) {
        if (t < weight_tasks) {
          const Index first = t * detail::kGemmChunk;
          const Index rows = std::min(detail::kGemmChunk, in - first);
          dW.middleRows(first, rows).noalias() = x.middleCols(first, rows).transpose() * dz;
        } else if (t == weight_tasks) {
          for (Index k = 0; k < n; ++k) dbias.noalias() += dz.row(k).transpose();
        } else {
          const Index first = (t - weight_tasks - 1) * detail::kGemmChunk;
          const Index rows = std::min(detail::kGemmChunk, n - first);
          da.middleRows(first, rows).noalias() = dz.middleRows(first, rows) * W.transpose();
          if (l == 0) continue;
          const auto& a = act[l - 1];
          for (Index k = first; k < first + rows; ++k) {
            // Unconditional stores through plain pointers, so the compiler vectorises the select.
            const S* a_row = a.row(k).data();
            S* d_row = da.row(k).data();
            for (Index j = 0; j < in; ++j) d_row[j] = a_row[j] > S(0) ? d_row[j] : S(0);
          }
        }
      }
      cur = 1 - cur;
    }
    return delta(cur);
  }

 private:
  std::vector<Index> widths_;
  std::vector<Index> weight_offset_, bias_offset_;
  Index end_ = 0;
};

}  // namespace invlearn
