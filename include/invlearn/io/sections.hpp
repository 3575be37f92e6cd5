#pragma once
/// @file sections.hpp
/// The format's versions and the one table of its sections.
///
/// Adding a section is one row in kSections (its tag, name and first version) plus
/// the code that writes and reads it; the names in messages,
/// the list in CheckpointInfo::sections and the check that a file holds no unknown
/// section all come from the table. Changing the layout or the contents of a section
/// bumps kCheckpointVersion, and the reader keeps reading the older versions.

#include <cstdint>
#include <string>

#include "invlearn/io/bytes.hpp"

namespace invlearn {

/// The format version this library writes. History:
///   1  the first format;
///   2  the trace section (TRCE); version 1 files load with an empty trace;
///   3  the model's options in a section of their own (MOPT, written by the model's
///      Options::serialize) instead of fixed dim / mlp_layers / init_std header fields,
///      and the trainer's composition as (role, name) pairs instead of one string;
///   4  the early-stopping counters (STOP); older files resume as if every epoch had been
///      evaluated.
constexpr std::uint32_t kCheckpointVersion = 4;
/// The oldest format version this library reads.
constexpr std::uint32_t kCheckpointMinVersion = 1;

namespace detail {
namespace ckpt {

/// One kind of section.
struct SectionKind {
  char tag[5];          ///< 4 bytes in the file
  const char* name;     ///< in messages and CheckpointInfo::sections
  std::uint32_t since;  ///< the first format version that has it
};

/// Every section, in the order a file holds them. The header is always first; a model
/// file (save_model) holds the sections up to the parameters, a training checkpoint
/// the others too. The writer accepts no tag that is not here, and a training
/// checkpoint holding one is rejected.
inline constexpr SectionKind kSections[] = {
    {"HEAD", "header", 1},
    {"MOPT", "model options", 3},
    {"USER", "user ids", 1},
    {"ITEM", "item ids", 1},
    {"PARM", "parameters", 1},
    {"OPTS", "trainer options", 1},
    {"TRNR", "trainer state", 1},
    {"STOP", "early stopping", 4},
    {"OPTM", "optimizer", 1},
    {"LOSL", "labeled loss", 1},
    {"LOSU", "unlabeled loss", 1},
    {"PLCY", "update policy", 1},
    {"SMPL", "sampler", 1},
    {"TRCE", "trace", 2},
};

/// The row of `tag`, or null.
inline const SectionKind* find_section_kind(const std::string& tag) {
  for (const auto& s : kSections)
    if (tag == s.tag) return &s;
  return nullptr;
}

/// Whether a file of format `version` may hold a section tagged `tag`.
inline bool known_section(const std::string& tag, std::uint32_t version) {
  const SectionKind* s = find_section_kind(tag);
  return s != nullptr && s->since <= version;
}

/// The human name of a section tag, for messages: the table's name, or the tag quoted
/// with unprintable bytes escaped.
inline std::string section_name(const std::string& tag) {
  if (const SectionKind* s = find_section_kind(tag)) return s->name;
  std::string printable;
  for (char c : tag) {
    const auto u = static_cast<unsigned char>(c);
    if (u >= 0x20 && u < 0x7F) {
      printable.push_back(c);
    } else {
      printable += "\\x";
      printable += hex(u).substr(16);
    }
  }
  return "'" + printable + "'";
}

}  // namespace ckpt
}  // namespace detail
}  // namespace invlearn
