// libFuzzer target for the checkpoint reader: any bytes must either load into a model
// consistent with the file's header or throw an invlearn::Error (CheckpointError). Any
// other exception, a crash, a sanitizer report, an allocation the file cannot account
// for, or a loaded model that breaks the invariants below is a bug.
//
// Almost every mutation breaks the checksum, which stops the reader at once. So each
// input is tried twice: as it is, and "resealed" (its length field and checksum made
// valid again), so that mutations reach the section parser and the size checks.
//
// Seed corpus: fuzz/corpus/checkpoint/, model files written by encode_model() for
//   gmf_3x2_d2.ckpt          GMF<float>(3, 2, {dim 2}, seed 1), users u0..u2, items i0..i1 (format 1)
//   neumf_3x2_d1.ckpt        NeuMF<float>(3, 2, {dim 1, mlp_layers 1}, seed 1), same ids (format 1)
//   gmf_3x2_d2.v3.ckpt       the first again, format 3 (model options section)
//   neumf_3x2_d1.v3.ckpt     the second again, format 3
// and copies of tests/data/ (format 2, written by the library of commit 794e421):
//   gmf_3x2_d2.v2.ckpt, neumf_3x2_d1_l2.v2.ckpt (NeuMF<double>), ig_gmf_e1.v2.ckpt (an IG
//   training checkpoint: composition string, trainer sections).
// (tests/test_checkpoint.cpp checks that the format 1 and 2 files still load: files of an
// older library stay readable.)

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>

#include "invlearn/core/error.hpp"
#include "invlearn/io/io.hpp"
#include "invlearn/model/gmf.hpp"
#include "invlearn/model/neumf.hpp"

namespace {

template <class Model>
void check(const Model& m, const invlearn::IdMap& users, const invlearn::IdMap& items, const std::string& bytes) {
  const auto& p = m.parameters();
  if (m.num_users() < 1 || m.num_items() < 1) std::abort();
  // Everything loaded was stored in the file: no size may exceed what the bytes hold.
  if (static_cast<std::size_t>(p.size()) > bytes.size()) std::abort();
  if (static_cast<std::size_t>(users.size() + items.size()) > bytes.size()) std::abort();
  const invlearn::CheckpointInfo info = invlearn::decode_checkpoint_info(bytes);
  if (info.num_users != m.num_users() || info.num_items != m.num_items()) std::abort();
}

void try_load(const std::string& bytes) {
  try {
    invlearn::IdMap users, items;
    const auto m = invlearn::decode_model<invlearn::GMF<float>>(bytes, &users, &items, "fuzz");
    check(m, users, items, bytes);
  } catch (const invlearn::Error&) {
    // Rejected input: the expected outcome for most mutations.
  }
  try {
    invlearn::IdMap users, items;
    const auto m = invlearn::decode_model<invlearn::NeuMF<float>>(bytes, &users, &items, "fuzz");
    check(m, users, items, bytes);
  } catch (const invlearn::Error&) {
  }
  try {
    // The header of any version, and the options read from it (by name for formats 1-2).
    const invlearn::CheckpointInfo info = invlearn::decode_checkpoint_info(bytes, "fuzz");
    if (info.has_model_options()) {
      if (info.kind == "neumf") {
        const auto o = info.model_options<invlearn::NeuMFOptions>();
        if (o.dim < 1 || o.mlp_layers < 1 || o.mlp_layers > 10) std::abort();  // serialize() checks these
        (void)o.shape(info.num_users, info.num_items);
      } else {
        const auto o = info.model_options<invlearn::GMFOptions>();
        if (o.dim < 1) std::abort();
        (void)o.shape(info.num_users, info.num_items);
      }
    }
  } catch (const invlearn::Error&) {
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  namespace ck = invlearn::detail::ckpt;
  std::string bytes(reinterpret_cast<const char*>(data), size);
  try_load(bytes);
  if (size >= ck::kPreamble + ck::kTrailer) {
    const std::size_t body = size - ck::kTrailer;
    ck::set_u64(bytes, 12, size);
    ck::set_u64(bytes, body, ck::fnv1a64(reinterpret_cast<const unsigned char*>(bytes.data()), body));
    try_load(bytes);
  }
  return 0;
}
