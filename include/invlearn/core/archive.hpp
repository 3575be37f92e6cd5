#pragma once
/// @file archive.hpp
/// The serialize(Archive&) protocol: how a component with state exposes it to
/// checkpoints without depending on the file format.
///
/// A component with state has one member template, used both to save and to load:
/// ```
/// template <class Archive>
/// void serialize(Archive& ar) {
///   ar(field1, field2, ...);                     // every field of the state, in a fixed order
///   ar.check(field1.size() == field2.size(), "what is inconsistent");
/// }
/// ```
/// - `ar(fields...)` writes the fields (saving) or reads them back in place (loading),
///   in the order given. The order is the format: changing it changes the files.
/// - `ar.check(ok, what)` rejects a loaded state that is inconsistent: when loading and
///   `ok` is false, the load fails with a message naming the section and `what`. When
///   saving it does nothing, so the check can read the fields the line above loaded.
/// - `Archive::loading` is a `static constexpr bool`: true while loading. Code that
///   must differ (e.g. rebuilding an index after the fields are read) tests it with
///   `if constexpr`.
/// - `ar(named("dim", dim), ...)` gives a field a name. Binary archives ignore it (the
///   bytes are those of `dim`); archives that read fields by name (a header of an older
///   format) or show them (a message saying which option differs) use it.
///
/// Field types every archive encodes: bool, integers and enums, float and double,
/// std::string, std::pair, std::vector of any of these (not std::vector<bool>), Eigen
/// matrices and Table, Parameters, Rng, and any class with a serialize() member. An
/// empty class without serialize() is stateless and encodes as nothing. C arrays are
/// not fields: list their elements (`for (auto& x : a) ar(x);`).
///
/// A component needs no include to implement the protocol: serialize() is a member
/// template, instantiated only by an archive (io/ holds the binary ones). A component
/// without serialize() has no state and writes no checkpoint section.

#include <type_traits>
#include <utility>

namespace invlearn {

/// A field with a name, for archives that read or show fields by name (see named()).
template <class T>
struct Named {
  const char* name;
  T& value;
};

/// `ar(named("dim", dim))`: the field `dim`, named "dim" (see the file comment).
template <class T>
Named<T> named(const char* name, T& value) {
  return Named<T>{name, value};
}

namespace detail {

template <class...>
struct always_false : std::false_type {};

/// True when T has a member `serialize(Archive&)`.
template <class T, class Archive, class = void>
struct has_serialize : std::false_type {};
template <class T, class Archive>
struct has_serialize<T, Archive, std::void_t<decltype(std::declval<T&>().serialize(std::declval<Archive&>()))>>
    : std::true_type {};

/// An archive type for asking whether a component has state (has_serialize<T, ProbeArchive>);
/// never read or written.
struct ProbeArchive {
  static constexpr bool loading = false;
  template <class... T>
  void operator()(T&&...) {}
  void check(bool, const char*) {}
};

/// True when T is a Named<...> field.
template <class T>
struct is_named : std::false_type {};
template <class T>
struct is_named<Named<T>> : std::true_type {};

/// True when T has no state to save: an empty class without serialize() (SgdStep, ...).
template <class T, class Archive>
struct is_stateless
    : std::integral_constant<bool, std::is_class<T>::value && std::is_empty<T>::value &&
                                       !has_serialize<T, Archive>::value> {};

}  // namespace detail
}  // namespace invlearn
