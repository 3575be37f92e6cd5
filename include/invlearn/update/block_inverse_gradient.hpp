#pragma once
/// @file block_inverse_gradient.hpp
/// IG by blocks: the signed joint step, its direction searched block by block.

#include "invlearn/update/signed_joint.hpp"

namespace invlearn {

/// The update policy of IG by blocks: SignedJointUpdate's steps, with the directions the
/// trainer tries for each block (train/block_search.hpp). A block — the steps between two
/// evaluations — is run once per direction from the same state, with the same batches and
/// unlabeled pairs, and the run with the lowest validation BCE goes on.
///
/// Why blocks and not a verdict per step: a batch's one-step effect on a few held-out
/// labels is mostly noise against an optimizer step's momentum (measured on the KuaiRec
/// slice at 5% of the labels: a per-step verdict inverts a fifth of IDL's steps and loses
/// its gain); a block's effect on the validation rows is what early stopping selects by,
/// and it sees harm that builds up over many steps (self-labels drifting from the truth)
/// as well as a gain that does. No training label is held out.
struct BlockInverseGradient : SignedJointUpdate {
  static constexpr const char* name = "ig-blocks";
  /// The directions a block is tried with, in order; a tie keeps the earlier (no update).
  static constexpr int block_directions[3] = {0, -1, +1};
};

}  // namespace invlearn
