#pragma once
/// @file composition.hpp
/// What a trainer is made of, by name: the (role, name) pairs a checkpoint stores so
/// that it resumes only in a trainer of the same composition, and that tools read back
/// (CheckpointInfo::component) instead of parsing a string.

#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include "invlearn/core/detect.hpp"

namespace invlearn {

/// (role, name) pairs, in the order composition() gives them.
using Composition = std::vector<std::pair<std::string, std::string>>;

namespace detail {
namespace composition {

template <class T> using name_t = decltype(T::name);
template <class T> using step_rule_t = typename T::step_rule;

/// T::name, or "custom" for a component without one.
template <class T>
std::string name_of() {
  if constexpr (is_detected_v<name_t, T>)
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
///   schedule   when meta steps run         ("test-pass", ...)  for a schedule that holds rows out
///   step_rule  the policy's step rule      ("sgd", "normalized") for a policy that has one
///   optimizer  the optimizer               ("adam", "sgd")
///   sampler    the unlabeled sampler       ("uniform", "dns", "srns")
/// Only the types matter: TrainerT names its policy_type, optimizer_type and schedule,
/// and has labeled_loss(), unlabeled_loss() and sampler() accessors.
template <class TrainerT>
Composition composition(const TrainerT& /*trainer*/) {
  namespace dc = detail::composition;
  using T = std::remove_const_t<TrainerT>;
  using Labeled = std::decay_t<decltype(std::declval<T&>().labeled_loss())>;
  using Unlabeled = std::decay_t<decltype(std::declval<T&>().unlabeled_loss())>;
  using Policy = typename T::policy_type;
  using Schedule = typename T::schedule;
  using Sampler = std::decay_t<decltype(std::declval<T&>().sampler())>;
  Composition c;
  c.emplace_back("labeled", dc::name_of<Labeled>());
  c.emplace_back("unlabeled", dc::name_of<Unlabeled>());
  c.emplace_back("policy", dc::name_of<Policy>());
  if constexpr (Schedule::holds_out) c.emplace_back("schedule", dc::name_of<Schedule>());
  if constexpr (is_detected_v<dc::step_rule_t, Policy>)
    c.emplace_back("step_rule", dc::name_of<typename Policy::step_rule>());
  c.emplace_back("optimizer", dc::name_of<typename T::optimizer_type>());
  c.emplace_back("sampler", dc::name_of<Sampler>());
  return c;
}

/// What a role is, for messages: "update policy's step_rule", "labeled loss", ...
inline std::string describe_role(const std::string& role) {
  static const char* const names[][2] = {{"labeled", "labeled loss"},
                                         {"unlabeled", "unlabeled loss"},
                                         {"policy", "update policy"},
                                         {"schedule", "schedule"},
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
