#pragma once
/// @file signed_joint.hpp
/// IDL's joint step with its IDL term followed, left out or inverted, in a direction the
/// caller sets: the step of IG by blocks (block_inverse_gradient.hpp).

#include <string>

#include "invlearn/core/error.hpp"
#include "invlearn/model/parameters.hpp"
#include "invlearn/update/joint.hpp"
#include "invlearn/update/step_kernels.hpp"

namespace invlearn {

/// Algorithm 1's three directions for the IDL term of IDL's joint step:
/// \f[ G = w_l\,g_l - d\,w_u\,g_u,\qquad d \in \{-1, 0, +1\} \f]
/// (g_l, g_u the gradients of the labeled and unlabeled losses, w_l, w_u their shares of the
/// joint batch): d = -1 is IDL's step (the direct gradient of the unlabeled loss), 0 the
/// labels alone at the same scale, +1 the IDL term inverted. The move is a full optimizer
/// step on G, not α·g_u: as far as a training step on the unlabeled loss goes.
/// The direction is the State's, set by set_direction(); 0 until then.
struct SignedJointUpdate {
  static constexpr const char* name = "signed-joint";
  static constexpr bool uses_unlabeled = true;
  static constexpr bool is_meta = false;

  template <class S>
  class State {
   public:
    State(const SignedJointUpdate& /*policy*/, const Parameters<S>& /*params*/) {}

    /// The direction of the steps to come: -1 direct, 0 none, +1 inverse.
    void set_direction(int d) {
      require(d >= -1 && d <= 1, "SignedJointUpdate: a direction is -1, 0 or +1, not " + std::to_string(d));
      direction_ = d;
    }
    int direction() const { return direction_; }

    template <class Ctx>
    void step(Ctx& ctx, const BatchView& labeled, const UnlabeledBatch* unlabeled, StepRecord& rec) {
      if (unlabeled == nullptr || unlabeled->batch.size() == 0) {
        rec.labeled_loss = labeled_step(ctx, labeled);
        return;
      }
      JointUpdate::step_with_unlabeled_weight(ctx, labeled, *unlabeled, static_cast<double>(-direction_), rec);
      rec.choice = direction_;
    }

    /// Archive protocol (core/archive.hpp): the direction in force.
    template <class Archive>
    void serialize(Archive& ar) {
      ar(direction_);
      ar.check(direction_ >= -1 && direction_ <= 1, "a direction outside {-1, 0, +1}");
    }

   private:
    int direction_ = 0;
  };
};

}  // namespace invlearn
