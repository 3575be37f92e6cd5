#pragma once
/// @file composition.hpp
/// What a trainer is made of, by name: the (role, name) pairs a checkpoint stores so
/// that it resumes only in a trainer of the same composition, and that tools read back
/// (CheckpointInfo::component) instead of parsing a string.

#include <string>
#include <type_traits>
#include <utility>
#include <vector>

namespace invlearn {

/// (role, name) pairs, in the order composition() gives them.
using Composition = std::vector<std::pair<std::string, std::string>>;

namespace detail {
namespace composition {

template <class T, class = void>
struct has_name : std::false_type {};
template <class T>
struct has_name<T, std::void_t<decltype(T::name)>> : std::true_type {};

/// The trainer's schedule type: `TrainerT::Schedule` when the trainer has one, else
/// the update policy's `schedule`, else void (no schedule).
template <class TrainerT, class Policy, class = void>
struct schedule_of {
  using type = void;
};
template <class TrainerT, class Policy>
struct schedule_of<TrainerT, Policy, std::void_t<typename Policy::schedule>> {
  using type = typename Policy::schedule;
};
template <class TrainerT, class Policy, class = void>
struct trainer_schedule : schedule_of<TrainerT, Policy> {};
template <class TrainerT, class Policy>
struct trainer_schedule<TrainerT, Policy, std::void_t<typename TrainerT::Schedule>> {
  using type = typename TrainerT::Schedule;
};

/// The update policy's step rule type (its member `rule`), or void.
template <class Policy, class = void>
struct step_rule_of {
  using type = void;
};
template <class Policy>
struct step_rule_of<Policy, std::void_t<decltype(std::declval<Policy&>().rule)>> {
  using type = std::decay_t<decltype(std::declval<Policy&>().rule)>;
};

/// T::name, or "custom" for a component without one.
template <class T>
std::string name_of() {
  if constexpr (has_name<T>::value)
    return T::name;
  else
    return "custom";
}

}  // namespace composition
}  // namespace detail

/// The composition of a trainer, from its components' `static constexpr const char*
/// name` members ("custom" where a component has none), as (role, name) pairs:
///   labeled    the labeled loss            ("bce", "tce", ...)
///   unlabeled  the unlabeled loss          ("bce", "idl", ...)
///   policy     the update policy           ("joint", "ig", ...)
///   schedule   when meta steps run         ("test-pass", ...)  only if there is one
///   step_rule  the update policy's `rule`  ("sgd", "normalized") only if it has one
///   optimizer  the optimizer               ("adam", "sgd")
///   sampler    the unlabeled sampler       ("uniform", "dns", "srns")
/// Only the types matter: TrainerT needs labeled_loss(), unlabeled_loss(), policy(),
/// optimizer() and sampler() accessors, and may name its schedule `Schedule`.
template <class TrainerT>
Composition composition(const TrainerT& /*trainer*/) {
  namespace dc = detail::composition;
  using T = std::remove_const_t<TrainerT>;
  using Labeled = std::decay_t<decltype(std::declval<T&>().labeled_loss())>;
  using Unlabeled = std::decay_t<decltype(std::declval<T&>().unlabeled_loss())>;
  using Policy = std::decay_t<decltype(std::declval<T&>().policy())>;
  using Optimizer = std::decay_t<decltype(std::declval<T&>().optimizer())>;
  using Sampler = std::decay_t<decltype(std::declval<T&>().sampler())>;
  using Schedule = typename dc::trainer_schedule<T, Policy>::type;
  using StepRule = typename dc::step_rule_of<Policy>::type;
  Composition c;
  c.emplace_back("labeled", dc::name_of<Labeled>());
  c.emplace_back("unlabeled", dc::name_of<Unlabeled>());
  c.emplace_back("policy", dc::name_of<Policy>());
  if constexpr (!std::is_void<Schedule>::value) c.emplace_back("schedule", dc::name_of<Schedule>());
  if constexpr (!std::is_void<StepRule>::value) c.emplace_back("step_rule", dc::name_of<StepRule>());
  c.emplace_back("optimizer", dc::name_of<Optimizer>());
  c.emplace_back("sampler", dc::name_of<Sampler>());
  return c;
}

/// What a role is, for messages: "update policy's step_rule", "labeled loss", ...
inline std::string describe_role(const std::string& role) {
  static const char* const names[][2] = {{"labeled", "labeled loss"},
                                         {"unlabeled", "unlabeled loss"},
                                         {"policy", "update policy"},
                                         {"schedule", "update policy's schedule"},
                                         {"step_rule", "update policy's step_rule"},
                                         {"optimizer", "optimizer"},
                                         {"sampler", "sampler"}};
  for (const auto& n : names)
    if (role == n[0]) return n[1];
  return "component '" + role + "'";
}

/// "labeled=bce unlabeled=idl policy=ig ...": a composition on one line, for messages.
inline std::string composition_text(const Composition& c) {
  std::string s;
  for (const auto& rn : c) s += (s.empty() ? "" : " ") + rn.first + "=" + rn.second;
  return s;
}

}  // namespace invlearn
