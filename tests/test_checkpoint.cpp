// Tests of io/: round trips, exact resumption, corrupted files, atomic writes, and files
// of the older format versions 1 and 2.

#include <catch2/catch.hpp>

#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "invlearn/core/error.hpp"
#include "invlearn/core/random.hpp"
#include "invlearn/data/interactions.hpp"
#include "invlearn/data/sampling.hpp"
#include "invlearn/data/synthetic.hpp"
#include "invlearn/io/io.hpp"
#include "invlearn/loss/truncated.hpp"
#include "invlearn/model/gmf.hpp"
#include "invlearn/model/neumf.hpp"
#include "invlearn/optim/sgd.hpp"
#include "invlearn/train/methods.hpp"
#include "invlearn/update/normalized_step.hpp"

using invlearn::CheckpointError;
using invlearn::GMF;
using invlearn::GMFOptions;
using invlearn::IdMap;
using invlearn::Index;
using invlearn::NeuMF;
using invlearn::NeuMFOptions;
using invlearn::Parameters;
using invlearn::TrainerOptions;
namespace fs = std::filesystem;
namespace methods = invlearn::methods;

namespace {

bool quick() {
  const char* q = std::getenv("INVLEARN_QUICK");
  return q != nullptr && std::string(q) == "1";
}

/// A fresh directory under the system temp directory, removed with everything in it.
struct TempDir {
  fs::path path;
  TempDir() {
    static int counter = 0;
    invlearn::Rng rng(static_cast<std::uint64_t>(std::chrono::steady_clock::now().time_since_epoch().count()));
    for (;;) {
      path = fs::temp_directory_path() /
             ("invlearn_ckpt_" + std::to_string(++counter) + "_" + std::to_string(rng.next() % 1000000007ULL));
      if (fs::create_directory(path)) break;
    }
  }
  ~TempDir() {
    std::error_code ec;
    fs::remove_all(path, ec);
  }
  std::string file(const std::string& name) const { return (path / name).string(); }
};

std::string read_bytes(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}
void write_bytes(const std::string& path, const std::string& bytes) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
}

template <class S>
bool same(const Parameters<S>& a, const Parameters<S>& b) {
  if (a.tables.size() != b.tables.size() || a.dense.size() != b.dense.size()) return false;
  for (std::size_t k = 0; k < a.tables.size(); ++k) {
    if (a.tables[k].rows() != b.tables[k].rows() || a.tables[k].cols() != b.tables[k].cols()) return false;
    if (!(a.tables[k] == b.tables[k])) return false;
  }
  return a.dense == b.dense;
}

IdMap ids(const std::string& prefix, Index n) {
  std::vector<std::string> raws;
  for (Index k = 0; k < n; ++k) raws.push_back(prefix + std::to_string(k * 7 + 3));
  return IdMap::from_raws(raws);
}

/// Recomputes the length field and the checksum of a file whose bytes a test changed,
/// so the change reaches the section parser.
std::string reseal(std::string bytes) {
  namespace ck = invlearn::detail::ckpt;
  const std::size_t body = bytes.size() - ck::kTrailer;
  ck::set_u64(bytes, 12, bytes.size());
  const std::uint64_t sum = ck::fnv1a64(reinterpret_cast<const unsigned char*>(bytes.data()), body);
  ck::set_u64(bytes, body, sum);
  return bytes;
}

/// Offset of the payload of section `tag` (the file must be well formed).
std::size_t section_offset(const std::string& bytes, const std::string& tag) {
  namespace ck = invlearn::detail::ckpt;
  std::size_t pos = ck::kPreamble;
  while (pos + ck::kSectionHeader <= bytes.size() - ck::kTrailer) {
    const std::uint64_t len = ck::get_u64(reinterpret_cast<const unsigned char*>(bytes.data()) + pos + 4);
    if (bytes.compare(pos, 4, tag) == 0) return pos + ck::kSectionHeader;
    pos += ck::kSectionHeader + static_cast<std::size_t>(len);
  }
  FAIL("no section " << tag);
  return 0;
}

/// `bytes` without section `tag` (the file must be well formed; the result is resealed).
std::string drop_section(const std::string& bytes, const std::string& tag) {
  namespace ck = invlearn::detail::ckpt;
  const std::size_t payload = section_offset(bytes, tag);
  const std::size_t len = static_cast<std::size_t>(
      ck::get_u64(reinterpret_cast<const unsigned char*>(bytes.data()) + payload - 8));
  std::string out = bytes;
  out.erase(payload - ck::kSectionHeader, ck::kSectionHeader + len);
  return reseal(out);
}

/// `bytes` with its format version field set to `version` (resealed).
std::string with_version(std::string bytes, std::uint32_t version) {
  std::string v;
  invlearn::detail::ckpt::put_u32(v, version);
  bytes.replace(8, 4, v);
  return reseal(bytes);
}

/// `bytes` (a file this library wrote) in the layout of format `version` (1 or 2), as
/// the library of that version wrote it: the header with its fixed model fields
/// (dim, mlp_layers, init_std; 0 where a model has none) and its composition string,
/// no model options section, and no trace section in version 1. `library_version`
/// replaces the writer's version string when given.
std::string as_format(const std::string& bytes, std::uint32_t version, const std::string& library_version = "") {
  namespace ck = invlearn::detail::ckpt;
  const invlearn::CheckpointInfo info = invlearn::decode_checkpoint_info(bytes);
  Index dim = 0, mlp_layers = 0;
  double init_std = 0.0;
  if (info.kind == "neumf") {
    const auto o = info.model_options<NeuMFOptions>();
    dim = o.dim;
    mlp_layers = o.mlp_layers;
    init_std = o.init_std;
  } else if (info.has_model_options()) {
    const auto o = info.model_options<GMFOptions>();
    dim = o.dim;
    init_std = o.init_std;
  }
  // "labeled=bce ... policy=ig/test-pass/sgd optimizer=adam sampler=uniform"
  std::string composition;
  for (const auto& rn : info.composition) {
    if (rn.first == "schedule" || rn.first == "step_rule") {
      composition += "/" + rn.second;
      continue;
    }
    composition += (composition.empty() ? "" : " ") + rn.first + "=" + rn.second;
  }
  std::string head;
  {
    ck::OutputArchive ar(head);
    std::string content = info.content, kind = info.kind, scalar = info.scalar, method = info.method;
    std::string lib = library_version.empty() ? info.library_version : library_version;
    std::int64_t epochs = info.epochs_done, step = info.global_step;
    Index nu = info.num_users, ni = info.num_items;
    ar(content, kind, scalar, nu, ni, dim, mlp_layers, init_std, method, composition, epochs, step, lib);
  }
  std::string out = bytes.substr(0, ck::kPreamble);
  ck::set_u64(out, 12, 0);
  out += "HEAD";
  ck::put_u64(out, head.size());
  out += head;
  std::size_t pos = ck::kPreamble;
  while (pos < bytes.size() - ck::kTrailer) {
    const std::string tag = bytes.substr(pos, 4);
    const auto len = static_cast<std::size_t>(ck::get_u64(reinterpret_cast<const unsigned char*>(bytes.data()) + pos + 4));
    if (tag != "HEAD" && tag != "MOPT" && tag != "STOP" && !(tag == "TRCE" && version < 2))
      out += bytes.substr(pos, ck::kSectionHeader + len);
    pos += ck::kSectionHeader + len;
  }
  ck::put_u64(out, 0);  // the checksum, set by reseal
  return with_version(out, version);
}

/// Equal, with NaN equal to NaN (unset losses and weights are NaN).
bool same_value(double a, double b) { return a == b || (std::isnan(a) && std::isnan(b)); }

/// Epoch reports equal in everything but the wall-clock seconds.
bool same_reports(const std::vector<invlearn::EpochReport>& a, const std::vector<invlearn::EpochReport>& b) {
  if (a.size() != b.size()) return false;
  for (std::size_t k = 0; k < a.size(); ++k) {
    const auto &x = a[k], &y = b[k];
    if (x.epoch != y.epoch || x.steps != y.steps || !same_value(x.train_loss, y.train_loss) ||
        !same_value(x.valid_loss, y.valid_loss) || x.improved != y.improved || x.annotated != y.annotated ||
        x.annotated_correct != y.annotated_correct || !same_value(x.mean_positive_weight, y.mean_positive_weight) ||
        x.weight_histogram != y.weight_histogram)
      return false;
    for (int c = 0; c < 3; ++c)
      if (x.choices[c] != y.choices[c]) return false;
  }
  return true;
}

bool same_steps(const std::vector<invlearn::TraceRow>& a, const std::vector<invlearn::TraceRow>& b) {
  if (a.size() != b.size()) return false;
  for (std::size_t k = 0; k < a.size(); ++k) {
    const auto &x = a[k], &y = b[k];
    const auto &r = x.record, &q = y.record;
    if (x.epoch != y.epoch || x.step != y.step || x.phase != y.phase || !same_value(r.labeled_loss, q.labeled_loss) ||
        !same_value(r.unlabeled_loss, q.unlabeled_loss) || r.choice != q.choice ||
        !same_value(r.mean_positive_weight, q.mean_positive_weight) || r.annotated != q.annotated ||
        r.annotated_correct != q.annotated_correct)
      return false;
    for (int c = 0; c < 3; ++c)
      if (!same_value(r.candidate_loss[c], q.candidate_loss[c])) return false;
  }
  return true;
}

/// Small synthetic data: enough batches per epoch to make the order matter.
struct Data {
  invlearn::SyntheticData synthetic;
  invlearn::Dataset d;
  Data() : synthetic(options()), d(synthetic.dataset()) {}
  static invlearn::SyntheticOptions options() {
    invlearn::SyntheticOptions o;
    o.users = 40;
    o.items = 30;
    o.factors = 4;
    o.labeled_per_user = 6;
    o.seed = 3;
    return o;
  }
  invlearn::TruthFn truth() const {
    const auto* s = &synthetic;
    return [s](Index u, Index i) { return s->truth(u, i); };
  }
};

TrainerOptions resume_options(int epochs) {
  TrainerOptions o;
  o.epochs = epochs;
  o.patience = 0;  // every epoch evaluated, as the format-2 fixtures were written
  o.batch_size = 32;
  o.lr = 0.01;
  o.alpha = 0.05;
  o.seed = 11;
  o.restore_best = false;
  o.record_steps = false;
  return o;
}

/// Run A: `epochs` epochs straight. Run B: stops after `stop_after` epochs, saving a
/// checkpoint from on_epoch; a fresh model (other init seed) and trainer load it and
/// fit to the end, which must give A's parameters bit for bit. `components` are the
/// trainer's constructor arguments after the options.
template <class TrainerT, class... Components>
void check_resume(int epochs, int stop_after, const Components&... components) {
  const Data data;
  TempDir dir;
  const std::string path = dir.file("resume.ckpt");
  const Index nu = data.synthetic.num_users(), ni = data.synthetic.num_items();
  GMFOptions mo;
  mo.dim = 4;

  GMF<float> model_a(nu, ni, mo, 7);
  TrainerT a(model_a, resume_options(epochs), components...);
  a.fit(data.d.train, data.d.valid, data.truth());

  GMF<float> model_b(nu, ni, mo, 7);
  TrainerT b(model_b, resume_options(epochs), components...);
  b.on_epoch([&](const invlearn::EpochReport& r) {
    if (r.epoch < stop_after) return true;
    invlearn::save_checkpoint(path, b, data.d.users, data.d.items, "resume-test");
    return false;
  });
  b.fit(data.d.train, data.d.valid, data.truth());
  REQUIRE(b.state().epochs_done == stop_after);
  REQUIRE_FALSE(same(model_a.parameters(), model_b.parameters()));

  GMF<float> model_c(nu, ni, mo, 99);
  TrainerT c(model_c, resume_options(epochs), components...);
  IdMap users, items;
  std::string method;
  invlearn::load_checkpoint(path, c, &users, &items, &method);
  CHECK(method == "resume-test");
  CHECK(users.raws() == data.d.users.raws());
  CHECK(items.raws() == data.d.items.raws());
  CHECK(same(model_c.parameters(), model_b.parameters()));
  CHECK(c.state().epochs_done == stop_after);
  c.fit(data.d.train, data.d.valid, data.truth());

  CHECK(c.state().epochs_done == epochs);
  CHECK(c.state().global_step == a.state().global_step);
  CHECK(c.state().best_epoch == a.state().best_epoch);
  CHECK(c.state().best_valid_loss == a.state().best_valid_loss);
  CHECK(same(c.state().best, a.state().best));
  CHECK(same(c.optimizer().moments().m, a.optimizer().moments().m));
  CHECK(same(c.optimizer().moments().v, a.optimizer().moments().v));
  REQUIRE(same(model_c.parameters(), model_a.parameters()));
}

}  // namespace

TEST_CASE("checkpoint: GMF and NeuMF round trip in float and double, with id maps", "[checkpoint]") {
  TempDir dir;
  const IdMap users = ids("user-", 5), items = ids("item-", 4);

  SECTION("GMF float") {
    GMFOptions o;
    o.dim = 3;
    o.init_std = 0.5;
    GMF<float> m(5, 4, o, 3);
    invlearn::save_model(dir.file("gmf.bin"), m, users, items);
    IdMap u, i;
    auto back = invlearn::load_model<GMF<float>>(dir.file("gmf.bin"), &u, &i);
    CHECK(same(back.parameters(), m.parameters()));
    CHECK(back.dim() == 3);
    CHECK(back.options().init_std == 0.5);
    CHECK(u.raws() == users.raws());
    CHECK(i.raws() == items.raws());
    CHECK(u.find("user-10") == 1);
    const auto info = invlearn::read_checkpoint_info(dir.file("gmf.bin"));
    CHECK(info.content == "model");
    CHECK(info.kind == "gmf");
    CHECK(info.scalar == "float");
    CHECK(info.num_users == 5);
    CHECK(info.num_items == 4);
    CHECK(info.model_options<GMFOptions>().dim == 3);
    CHECK(info.model_options<GMFOptions>().init_std == 0.5);
    CHECK(info.format_version == invlearn::kCheckpointVersion);
    CHECK(info.file_size == fs::file_size(dir.file("gmf.bin")));
  }
  SECTION("GMF double, in memory, without id maps") {
    GMF<double> m(5, 4, GMFOptions{}, 4);
    const std::string bytes = invlearn::encode_model(m);
    auto back = invlearn::decode_model<GMF<double>>(bytes);
    CHECK(same(back.parameters(), m.parameters()));
    CHECK(invlearn::decode_checkpoint_info(bytes).scalar == "double");
  }
  SECTION("NeuMF float and double") {
    NeuMFOptions o;
    o.dim = 2;
    o.mlp_layers = 2;
    NeuMF<float> mf(5, 4, o, 5);
    NeuMF<double> md(5, 4, o, 6);
    invlearn::save_model(dir.file("f.bin"), mf, users, items);
    invlearn::save_model(dir.file("d.bin"), md, users, items);
    IdMap u;
    auto bf = invlearn::load_model<NeuMF<float>>(dir.file("f.bin"), &u);
    auto bd = invlearn::load_model<NeuMF<double>>(dir.file("d.bin"));
    CHECK(same(bf.parameters(), mf.parameters()));
    CHECK(same(bd.parameters(), md.parameters()));
    CHECK(bf.options().mlp_layers == 2);
    CHECK(bf.mlp_widths() == mf.mlp_widths());
    CHECK(u.raws() == users.raws());
    CHECK(invlearn::read_checkpoint_info(dir.file("d.bin")).model_options<NeuMFOptions>().mlp_layers == 2);
  }
  SECTION("saving again replaces the file and leaves no temporary") {
    GMF<float> a(5, 4, GMFOptions{}, 1), b(5, 4, GMFOptions{}, 2);
    invlearn::save_model(dir.file("m.bin"), a);
    invlearn::save_model(dir.file("m.bin"), b);
    CHECK(same(invlearn::load_model<GMF<float>>(dir.file("m.bin")).parameters(), b.parameters()));
    CHECK_FALSE(fs::exists(dir.file("m.bin.tmp")));
  }
}

TEST_CASE("checkpoint: resuming NS from an epoch checkpoint is bit-identical", "[checkpoint]") {
  using T = methods::NS<GMF<float>>;
  check_resume<T>(3, 1);
}

TEST_CASE("checkpoint: resuming IG from an epoch checkpoint is bit-identical", "[checkpoint]") {
  using T = methods::IGPaper<GMF<float>>;
  check_resume<T>(3, 1);
}

TEST_CASE("checkpoint: resuming IG with NormalizedStep keeps the step rule's moments", "[checkpoint]") {
  using T = methods::IGPaper<GMF<float>, invlearn::Adam, invlearn::TestPass, invlearn::NormalizedStep>;
  check_resume<T>(3, 2);
}

TEST_CASE("checkpoint: resuming T-CE keeps the drop-rate schedule", "[checkpoint]") {
  using T = methods::TCE<GMF<float>>;
  // A short ramp, so the drop rate still moves when the run resumes.
  check_resume<T>(3, 1, invlearn::Truncated(0.3, 12), invlearn::Truncated(0.3, 12));
}

TEST_CASE("checkpoint: resuming DNS (model-scored sampling) is bit-identical", "[checkpoint]") {
  using T = methods::DNS<GMF<float>>;
  check_resume<T>(3, 1);
}

TEST_CASE("checkpoint: a run stopped by epochs = 1 resumes exactly, and the state matters", "[checkpoint]") {
  using T = methods::TCE<GMF<float>>;
  const Data data;
  TempDir dir;
  const Index nu = data.synthetic.num_users(), ni = data.synthetic.num_items();
  GMFOptions mo;
  mo.dim = 4;
  auto make = [](GMF<float>& m, int epochs) {
    return T(m, resume_options(epochs), invlearn::Truncated(0.3, 12), invlearn::Truncated(0.3, 12));
  };

  GMF<float> ma(nu, ni, mo, 7);
  T a = make(ma, 3);
  a.fit(data.d.train, data.d.valid);

  GMF<float> mb(nu, ni, mo, 7);
  T b = make(mb, 1);
  b.fit(data.d.train, data.d.valid);
  invlearn::save_checkpoint(dir.file("e1.ckpt"), b, data.d.users, data.d.items, "tce");
  const auto info = invlearn::read_checkpoint_info(dir.file("e1.ckpt"));
  CHECK(info.content == "checkpoint");
  CHECK(info.method == "tce");
  CHECK(info.epochs_done == 1);
  CHECK(info.global_step == b.state().global_step);
  CHECK(invlearn::composition_text(info.composition) ==
        "labeled=tce unlabeled=tce policy=joint optimizer=adam sampler=uniform");
  CHECK(info.composition == invlearn::composition(b));
  CHECK(info.component("policy") == "joint");
  CHECK(info.component("schedule").empty());

  GMF<float> mc(nu, ni, mo, 1);
  T c = make(mc, 3);
  invlearn::load_checkpoint(dir.file("e1.ckpt"), c);
  CHECK(c.labeled_loss().iteration() == b.labeled_loss().iteration());
  c.fit(data.d.train, data.d.valid);
  CHECK(same(mc.parameters(), ma.parameters()));

  // Negative controls: without the T-CE counter, or without Adam's moments, the
  // resumed run is not the same run (so the test above can see a missing state).
  GMF<float> md(nu, ni, mo, 1);
  T d = make(md, 3);
  invlearn::load_checkpoint(dir.file("e1.ckpt"), d);
  d.labeled_loss().set_iteration(0);
  d.fit(data.d.train, data.d.valid);
  CHECK_FALSE(same(md.parameters(), ma.parameters()));

  GMF<float> me(nu, ni, mo, 1);
  T e = make(me, 3);
  invlearn::load_checkpoint(dir.file("e1.ckpt"), e);
  e.optimizer().set_moments(invlearn::Moments<float>());
  e.fit(data.d.train, data.d.valid);
  CHECK_FALSE(same(me.parameters(), ma.parameters()));
}

TEST_CASE("checkpoint: SRNS memories are saved and restored", "[checkpoint]") {
  using T = methods::SRNS<GMF<float>>;
  const Data data;
  TempDir dir;
  const Index nu = data.synthetic.num_users(), ni = data.synthetic.num_items();
  invlearn::SRNSOptions so;
  so.memory = 3;
  so.fresh = 2;
  so.history = 2;
  GMF<float> mb(nu, ni, GMFOptions{}, 7);
  T b(mb, resume_options(1), {}, {}, {}, invlearn::Adam(), invlearn::SRNSSampler(so));
  b.fit(data.d.train, data.d.valid);
  invlearn::save_checkpoint(dir.file("srns.ckpt"), b);

  GMF<float> mc(nu, ni, GMFOptions{}, 8);
  T c(mc, resume_options(3), {}, {}, {}, invlearn::Adam(), invlearn::SRNSSampler(so));
  invlearn::load_checkpoint(dir.file("srns.ckpt"), c);
  // memory() answers only once prepare() has seen the data; compare the saved bytes.
  std::string sb, sc;
  {
    invlearn::detail::ckpt::OutputArchive ab(sb), ac(sc);
    ab(b.sampler());
    ac(c.sampler());
  }
  CHECK(sb.size() > 100);
  CHECK(sb == sc);

  // And the resumed run is the run that never stopped.
  GMF<float> ma(nu, ni, GMFOptions{}, 7);
  T a(ma, resume_options(3), {}, {}, {}, invlearn::Adam(), invlearn::SRNSSampler(so));
  a.fit(data.d.train, data.d.valid);
  c.fit(data.d.train, data.d.valid);
  CHECK(same(mc.parameters(), ma.parameters()));

  // Another memory size does not load.
  invlearn::SRNSOptions other = so;
  other.memory = 4;
  GMF<float> md(nu, ni, GMFOptions{}, 8);
  T d(md, resume_options(3), {}, {}, {}, invlearn::Adam(), invlearn::SRNSSampler(other));
  REQUIRE_THROWS_WITH(invlearn::load_checkpoint(dir.file("srns.ckpt"), d),
                      Catch::Contains("SRNS memory sizes disagree"));
  CHECK(same(md.parameters(), GMF<float>(nu, ni, GMFOptions{}, 8).parameters()));
}

TEST_CASE("checkpoint: a file truncated at any byte is a CheckpointError", "[checkpoint]") {
  TempDir dir;
  GMFOptions o;
  o.dim = 2;
  GMF<float> m(3, 2, o, 1);
  const std::string bytes = invlearn::encode_model(m, ids("u", 3), ids("i", 2));
  REQUIRE(bytes.size() < 1000);
  for (std::size_t n = 0; n < bytes.size(); ++n) {
    INFO("truncated to " << n << " of " << bytes.size() << " bytes");
    REQUIRE_THROWS_AS(invlearn::decode_model<GMF<float>>(bytes.substr(0, n)), CheckpointError);
    REQUIRE_THROWS_AS(invlearn::decode_checkpoint_info(bytes.substr(0, n)), CheckpointError);
  }
  // The messages say where the file stops.
  const std::size_t params = section_offset(bytes, "PARM");
  REQUIRE_THROWS_WITH(invlearn::decode_model<GMF<float>>(bytes.substr(0, params + 10), nullptr, nullptr, "x.bin"),
                      Catch::Contains("checkpoint 'x.bin': truncated at byte " + std::to_string(params + 10) +
                                      " (section parameters"));
  REQUIRE_THROWS_WITH(invlearn::decode_model<GMF<float>>(bytes.substr(0, bytes.size() - 3)),
                      Catch::Contains("(checksum"));
  REQUIRE_THROWS_WITH(invlearn::decode_model<GMF<float>>(std::string()), Catch::Contains("is empty"));

  // Through files too, and a full training checkpoint at every length.
  write_bytes(dir.file("cut.bin"), bytes.substr(0, bytes.size() / 2));
  REQUIRE_THROWS_WITH(invlearn::load_model<GMF<float>>(dir.file("cut.bin")),
                      Catch::Contains(dir.file("cut.bin")) && Catch::Contains("truncated at byte"));

  using T = methods::IGPaper<GMF<float>>;
  const Data data;
  GMF<float> mt(data.synthetic.num_users(), data.synthetic.num_items(), o, 2);
  T t(mt, resume_options(1));
  t.fit(data.d.train, data.d.valid);
  const std::string ck = invlearn::encode_checkpoint(t, data.d.users, data.d.items, "ig");
  GMF<float> mu(data.synthetic.num_users(), data.synthetic.num_items(), o, 3);
  T u(mu, resume_options(3));
  const Parameters<float> before = mu.parameters();
  const std::size_t step = quick() ? 7 : 1;
  for (std::size_t n = 0; n < ck.size(); n += step) {
    INFO("truncated to " << n << " of " << ck.size() << " bytes");
    REQUIRE_THROWS_AS(invlearn::decode_checkpoint(ck.substr(0, n), u), CheckpointError);
  }
  CHECK(same(mu.parameters(), before));
  CHECK(u.state().epochs_done == 0);
  invlearn::decode_checkpoint(ck, u);
  CHECK(same(mu.parameters(), mt.parameters()));
}

TEST_CASE("checkpoint: random bit flips are a CheckpointError", "[checkpoint]") {
  GMFOptions o;
  o.dim = 2;
  GMF<float> m(3, 2, o, 1);
  const std::string bytes = invlearn::encode_model(m, ids("u", 3), ids("i", 2));
  NeuMFOptions no;
  no.dim = 2;
  no.mlp_layers = 1;
  const std::string nbytes = invlearn::encode_model(NeuMF<float>(3, 2, no, 1));
  invlearn::Rng rng(2024);
  const int flips = quick() ? 100 : 400;
  for (int k = 0; k < flips; ++k) {
    const std::string& src = k % 2 ? bytes : nbytes;
    std::string bad = src;
    const std::size_t at = static_cast<std::size_t>(rng.below(bad.size()));
    const int bit = static_cast<int>(rng.below(8));
    bad[at] = static_cast<char>(static_cast<unsigned char>(bad[at]) ^ (1u << bit));
    INFO("flip of bit " << bit << " at byte " << at << " of " << bad.size());
    REQUIRE_THROWS_AS(invlearn::decode_model<GMF<float>>(bad), CheckpointError);
    REQUIRE_THROWS_AS(invlearn::decode_model<NeuMF<float>>(bad), CheckpointError);
  }
  // A flip in the body is reported as such.
  std::string bad = bytes;
  bad[section_offset(bytes, "PARM") + 20] ^= 0x10;
  REQUIRE_THROWS_WITH(invlearn::decode_model<GMF<float>>(bad), Catch::Contains("checksum mismatch"));
}

TEST_CASE("checkpoint: wrong magic, version, kind, scalar or sizes name the problem", "[checkpoint]") {
  TempDir dir;
  GMFOptions o;
  o.dim = 2;
  const std::string gmf = invlearn::encode_model(GMF<float>(3, 2, o, 1));

  std::string v5 = gmf;
  v5[8] = 5;
  REQUIRE_THROWS_WITH(invlearn::decode_model<GMF<float>>(v5),
                      Catch::Contains("format version 5 is newer than this library's 4"));
  std::string v0 = gmf;
  v0[8] = 0;
  REQUIRE_THROWS_WITH(invlearn::decode_model<GMF<float>>(v0), Catch::Contains("format version 0 is older"));
  std::string magic = gmf;
  magic[3] = 'X';
  REQUIRE_THROWS_WITH(invlearn::decode_model<GMF<float>>(magic), Catch::Contains("bad magic"));
  REQUIRE_THROWS_WITH(invlearn::decode_model<GMF<float>>("hello"), Catch::Contains("bad magic"));
  std::string longer = gmf + "xyz";
  REQUIRE_THROWS_WITH(invlearn::decode_model<GMF<float>>(longer), Catch::Contains("3 bytes after its declared end"));

  NeuMFOptions no;
  no.dim = 2;
  no.mlp_layers = 1;
  invlearn::save_model(dir.file("neumf.bin"), NeuMF<float>(3, 2, no, 1));
  REQUIRE_THROWS_WITH(invlearn::load_model<GMF<float>>(dir.file("neumf.bin")),
                      Catch::Contains("checkpoint '" + dir.file("neumf.bin") + "': model kind is neumf, expected gmf"));
  invlearn::save_model(dir.file("double.bin"), GMF<double>(3, 2, o, 1));
  REQUIRE_THROWS_WITH(invlearn::load_model<GMF<float>>(dir.file("double.bin")),
                      Catch::Contains("scalar type is double, expected float"));
  REQUIRE_THROWS_WITH(invlearn::load_model<GMF<float>>(dir.file("missing.bin")),
                      Catch::Contains("missing.bin': cannot open"));
  REQUIRE_THROWS_AS(invlearn::load_model<GMF<float>>(dir.path.string()), CheckpointError);

  // A header whose sizes disagree with the stored parameters (checksum made valid again).
  std::string lie = gmf;
  const std::size_t head = section_offset(lie, "HEAD");
  // HEAD: content, kind, scalar strings (8-byte length + bytes), then num_users.
  std::size_t at = head;
  for (int s = 0; s < 3; ++s)
    at += 8 + static_cast<std::size_t>(invlearn::detail::ckpt::get_u64(
                  reinterpret_cast<const unsigned char*>(lie.data()) + at));
  invlearn::detail::ckpt::set_u64(lie, at, 1000000000000ULL);
  REQUIRE_THROWS_WITH(invlearn::decode_model<GMF<float>>(reseal(lie)),
                      Catch::Contains("do not match the model's"));
}

TEST_CASE("checkpoint: load_checkpoint checks the trainer it loads into", "[checkpoint]") {
  const Data data;
  TempDir dir;
  const Index nu = data.synthetic.num_users(), ni = data.synthetic.num_items();
  GMFOptions o;
  o.dim = 3;
  using NS = methods::NS<GMF<float>>;
  using IG = methods::IGPaper<GMF<float>>;
  GMF<float> m(nu, ni, o, 1);
  NS ns(m, resume_options(1));
  ns.fit(data.d.train, data.d.valid);
  const std::string path = dir.file("ns.ckpt");
  invlearn::save_checkpoint(path, ns, data.d.users, data.d.items, "ns");

  GMF<float> other_size(nu + 1, ni, o, 1);
  NS a(other_size, resume_options(3));
  REQUIRE_THROWS_WITH(invlearn::load_checkpoint(path, a), Catch::Contains("num_users is 40, expected 41"));

  GMFOptions o4;
  o4.dim = 4;
  GMF<float> other_dim(nu, ni, o4, 1);
  NS b(other_dim, resume_options(3));
  REQUIRE_THROWS_WITH(invlearn::load_checkpoint(path, b), Catch::Contains("dim is 3, expected 4"));

  GMF<float> m2(nu, ni, o, 1);
  IG c(m2, resume_options(3));
  REQUIRE_THROWS_WITH(invlearn::load_checkpoint(path, c),
                      Catch::Contains("policy=joint") && Catch::Contains("policy=ig") &&
                          Catch::Contains("update policy is joint in the file, ig in this trainer"));

  TrainerOptions bs = resume_options(3);
  bs.batch_size = 16;
  NS d(m2, bs);
  REQUIRE_THROWS_WITH(invlearn::load_checkpoint(path, d), Catch::Contains("batch_size was 32, this trainer has 16"));

  TrainerOptions named = resume_options(3);
  named.method = "ns-other";
  NS e(m2, named);
  REQUIRE_THROWS_WITH(invlearn::load_checkpoint(path, e), Catch::Contains("method is ns, expected ns-other"));

  invlearn::save_model(dir.file("model.bin"), m);
  NS f(m2, resume_options(3));
  REQUIRE_THROWS_WITH(invlearn::load_checkpoint(dir.file("model.bin"), f),
                      Catch::Contains("is a model file, not a training checkpoint"));
  // A checkpoint holds a model: load_model reads it.
  CHECK(same(invlearn::load_model<GMF<float>>(path).parameters(), m.parameters()));

  // A corrupted trainer state behind a valid checksum: nothing is changed.
  std::string bytes = read_bytes(path);
  invlearn::detail::ckpt::set_u64(bytes, section_offset(bytes, "TRNR"), ~0ULL);  // epochs_done = -1
  const Parameters<float> before = m2.parameters();
  REQUIRE_THROWS_WITH(invlearn::decode_checkpoint(reseal(bytes), f), Catch::Contains("inconsistent counters"));
  CHECK(same(m2.parameters(), before));
  CHECK(f.state().epochs_done == 0);
  CHECK_FALSE(f.optimizer().moments().initialized());
}

TEST_CASE("checkpoint: a failed write leaves the old file intact", "[checkpoint]") {
  TempDir dir;
  const std::string path = dir.file("model.ckpt");
  GMFOptions o;
  o.dim = 2;
  GMF<float> a(3, 2, o, 1), b(3, 2, o, 2);
  invlearn::save_model(path, a);
  const std::string old = read_bytes(path);

  // The temporary file cannot be created: a directory has its name.
  fs::create_directory(path + ".tmp");
  REQUIRE_THROWS_WITH(invlearn::save_model(path, b),
                      Catch::Contains("cannot write checkpoint '" + path + "'") &&
                          Catch::Contains("the previous file, if any, is unchanged"));
  REQUIRE_THROWS_AS(invlearn::save_model(path, b), CheckpointError);
  CHECK(read_bytes(path) == old);
  CHECK(fs::is_directory(path + ".tmp"));
  CHECK(same(invlearn::load_model<GMF<float>>(path).parameters(), a.parameters()));

  fs::remove(path + ".tmp");
  invlearn::save_model(path, b);
  CHECK(same(invlearn::load_model<GMF<float>>(path).parameters(), b.parameters()));
  CHECK_FALSE(fs::exists(path + ".tmp"));

  // A target in a directory that does not exist.
  REQUIRE_THROWS_AS(invlearn::save_model(dir.file("no/such/dir/m.ckpt"), b), CheckpointError);
}

#ifdef INVLEARN_TEST_SOURCE_DIR
TEST_CASE("checkpoint: the fuzz seed files of format version 1 still load", "[checkpoint]") {
  // Files written by an older library must stay readable: these were written once
  // (see fuzz/checkpoint.cpp) and are kept as they are.
  const std::string dir = std::string(INVLEARN_TEST_SOURCE_DIR) + "/../fuzz/corpus/checkpoint/";
  IdMap users, items;
  const auto gmf = invlearn::load_model<GMF<float>>(dir + "gmf_3x2_d2.ckpt", &users, &items);
  GMFOptions o;
  o.dim = 2;
  const GMF<float> expect(3, 2, o, 1);
  CHECK(users.raws() == std::vector<std::string>{"u0", "u1", "u2"});
  CHECK(items.raws() == std::vector<std::string>{"i0", "i1"});
  // The values come from the portable RNG through the platform's log/sin/cos: allow an ulp.
  CHECK(gmf.parameters().dense.isApprox(expect.parameters().dense, 1e-6f));
  for (std::size_t t = 0; t < 2; ++t) CHECK(gmf.parameters().tables[t].isApprox(expect.parameters().tables[t], 1e-6f));

  NeuMFOptions no;
  no.dim = 1;
  no.mlp_layers = 1;
  const auto neumf = invlearn::load_model<NeuMF<float>>(dir + "neumf_3x2_d1.ckpt");
  const NeuMF<float> nexpect(3, 2, no, 1);
  REQUIRE(neumf.parameters().tables.size() == 4);
  CHECK(neumf.parameters().dense.isApprox(nexpect.parameters().dense, 1e-6f));
  const auto info = invlearn::read_checkpoint_info(dir + "neumf_3x2_d1.ckpt");
  CHECK(info.format_version == 1);
  CHECK(info.kind == "neumf");
}
#endif

TEST_CASE("checkpoint: a resumed run's trace is the uninterrupted run's trace", "[checkpoint]") {
  using T = methods::IGPaper<GMF<float>>;
  const Data data;
  const Index nu = data.synthetic.num_users(), ni = data.synthetic.num_items();
  GMFOptions mo;
  mo.dim = 4;
  TrainerOptions opts = resume_options(3);
  opts.record_steps = true;

  GMF<float> ma(nu, ni, mo, 7);
  T a(ma, opts);
  const invlearn::FitResult fa = a.fit(data.d.train, data.d.valid, data.truth());
  REQUIRE(a.trace().epochs.size() == 3);
  REQUIRE_FALSE(a.trace().steps.empty());
  REQUIRE(fa.choices[0] + fa.choices[1] + fa.choices[2] > 0);

  for (int stop_after : {1, 2}) {
    INFO("stopped after epoch " << stop_after);
    GMF<float> mb(nu, ni, mo, 7);
    T b(mb, opts);
    std::string ck;
    b.on_epoch([&](const invlearn::EpochReport& r) {
      if (r.epoch < stop_after) return true;
      ck = invlearn::encode_checkpoint(b, data.d.users, data.d.items, "ig");
      return false;
    });
    b.fit(data.d.train, data.d.valid, data.truth());
    REQUIRE(b.trace().epochs.size() == static_cast<std::size_t>(stop_after));
    CHECK(invlearn::decode_checkpoint_info(ck).sections.back() == "trace");

    GMF<float> mc(nu, ni, mo, 99);
    T c(mc, opts);
    invlearn::decode_checkpoint(ck, c);
    CHECK(same_reports(c.trace().epochs, b.trace().epochs));
    CHECK(same_steps(c.trace().steps, b.trace().steps));
    const invlearn::FitResult fc = c.fit(data.d.train, data.d.valid, data.truth());

    CHECK(same(mc.parameters(), ma.parameters()));
    CHECK(same_reports(c.trace().epochs, a.trace().epochs));
    CHECK(same_steps(c.trace().steps, a.trace().steps));
    // The earlier epochs' seconds are the interrupted run's, read from the file.
    for (int e = 0; e < stop_after; ++e) CHECK(c.trace().epochs[e].seconds == b.trace().epochs[e].seconds);
    for (int k = 0; k < 3; ++k) CHECK(fc.choices[k] == fa.choices[k]);
    CHECK(fc.annotated == fa.annotated);
    CHECK(fc.annotated_correct == fa.annotated_correct);
  }

  // The same trace gives the same bytes: the section holds nothing but the trace.
  std::string t1, t2;
  {
    invlearn::detail::ckpt::OutputArchive x(t1), y(t2);
    invlearn::Trace copy = a.trace();
    x(copy);
    y(copy);
  }
  CHECK(t1 == t2);
  invlearn::Trace back;
  invlearn::detail::ckpt::InputArchive in(reinterpret_cast<const unsigned char*>(t1.data()), 0, t1.size(),
                                          "<memory>", "trace");
  in(back);
  in.finish();
  CHECK(same_reports(back.epochs, a.trace().epochs));
  CHECK(same_steps(back.steps, a.trace().steps));
}

TEST_CASE("checkpoint: a version 1 file (no trace section) resumes with an empty earlier trace", "[checkpoint]") {
  using T = methods::IGPaper<GMF<float>>;
  const Data data;
  const Index nu = data.synthetic.num_users(), ni = data.synthetic.num_items();
  GMFOptions mo;
  mo.dim = 4;
  TrainerOptions opts = resume_options(3);
  opts.record_steps = true;

  GMF<float> ma(nu, ni, mo, 7);
  T a(ma, opts);
  a.fit(data.d.train, data.d.valid, data.truth());

  GMF<float> mb(nu, ni, mo, 7);
  TrainerOptions one = opts;
  one.epochs = 1;
  T b(mb, one);
  b.fit(data.d.train, data.d.valid, data.truth());
  const std::string v3 = invlearn::encode_checkpoint(b, data.d.users, data.d.items, "ig");
  const std::string v2 = as_format(v3, 2);
  const std::string v1 = with_version(drop_section(v2, "TRCE"), 1);
  CHECK(invlearn::decode_checkpoint_info(v1).format_version == 1);
  CHECK(v1 == as_format(v3, 1));

  GMF<float> mc(nu, ni, mo, 99);
  T c(mc, opts);
  invlearn::decode_checkpoint(v1, c);
  CHECK(c.state().epochs_done == 1);
  CHECK(c.trace().epochs.empty());
  CHECK(c.trace().steps.empty());
  c.fit(data.d.train, data.d.valid, data.truth());
  CHECK(same(mc.parameters(), ma.parameters()));
  // Only the epochs run after the resume, and those as the uninterrupted run had them.
  const std::vector<invlearn::EpochReport> later(a.trace().epochs.begin() + 1, a.trace().epochs.end());
  CHECK(same_reports(c.trace().epochs, later));
  std::vector<invlearn::TraceRow> later_steps;
  for (const auto& r : a.trace().steps)
    if (r.epoch > 1) later_steps.push_back(r);
  CHECK(same_steps(c.trace().steps, later_steps));

  // A version 2 or 3 file must have the section, and a version 1 file cannot.
  GMF<float> md(nu, ni, mo, 99);
  T d(md, opts);
  REQUIRE_THROWS_WITH(invlearn::decode_checkpoint(drop_section(v2, "TRCE"), d),
                      Catch::Contains("section trace is missing"));
  REQUIRE_THROWS_WITH(invlearn::decode_checkpoint(drop_section(v3, "TRCE"), d),
                      Catch::Contains("section trace is missing"));
  REQUIRE_THROWS_WITH(invlearn::decode_checkpoint(with_version(v2, 1), d),
                      Catch::Contains("unknown section trace"));
  CHECK(d.state().epochs_done == 0);
}

TEST_CASE("checkpoint: a corrupted trace section is a CheckpointError and changes nothing", "[checkpoint]") {
  using T = methods::IGPaper<GMF<float>>;
  const Data data;
  const Index nu = data.synthetic.num_users(), ni = data.synthetic.num_items();
  GMFOptions mo;
  mo.dim = 2;
  TrainerOptions opts = resume_options(1);
  opts.record_steps = true;
  GMF<float> mb(nu, ni, mo, 7);
  T b(mb, opts);
  b.fit(data.d.train, data.d.valid, data.truth());
  const std::string ck = invlearn::encode_checkpoint(b, data.d.users, data.d.items, "ig");
  const std::size_t trace = section_offset(ck, "TRCE");

  GMF<float> mc(nu, ni, mo, 99);
  T c(mc, resume_options(3));
  const Parameters<float> before = mc.parameters();
  auto rejects = [&](const std::string& bad, const std::string& what) {
    INFO(what);
    REQUIRE_THROWS_AS(invlearn::decode_checkpoint(bad, c), CheckpointError);
    CHECK(same(mc.parameters(), before));
    CHECK(c.state().epochs_done == 0);
    CHECK(c.trace().epochs.empty());
  };
  // Behind a valid checksum: a huge epoch count, epoch 0, a bad boolean, a cut payload.
  std::string bad = ck;
  invlearn::detail::ckpt::set_u64(bad, trace, ~0ULL >> 1);
  rejects(reseal(bad), "epoch count");
  REQUIRE_THROWS_WITH(invlearn::decode_checkpoint(reseal(bad), c),
                      Catch::Contains("section trace") && Catch::Contains("corrupted length"));
  bad = ck;
  invlearn::detail::ckpt::set_u64(bad, trace + 8, 0);  // the first report's epoch
  rejects(reseal(bad), "epoch number");
  bad = ck;
  bad[trace + 8 + 8 + 8 + 8 + 8] = 7;  // the first report's `improved`
  rejects(reseal(bad), "boolean");
  const std::size_t len = static_cast<std::size_t>(
      invlearn::detail::ckpt::get_u64(reinterpret_cast<const unsigned char*>(ck.data()) + trace - 8));
  for (std::size_t cut : {std::size_t(1), std::size_t(9), len / 2, len - 1}) {
    bad = ck;
    bad.erase(trace + len - cut, cut);
    invlearn::detail::ckpt::set_u64(bad, trace - 8, len - cut);
    rejects(reseal(bad), "payload cut by " + std::to_string(cut) + " bytes");
  }
  invlearn::decode_checkpoint(ck, c);
  CHECK(c.trace().epochs.size() == 1);
  CHECK(same_steps(c.trace().steps, b.trace().steps));
}

#ifdef INVLEARN_TEST_SOURCE_DIR
namespace {

/// Equal within a relative `tol`. On the platform that wrote the files in tests/data/
/// the runs below match them bit for bit; elsewhere another libm may move the last bits.
template <class S>
bool close(const Parameters<S>& a, const Parameters<S>& b, double tol) {
  if (a.tables.size() != b.tables.size() || a.dense.size() != b.dense.size()) return false;
  for (std::size_t k = 0; k < a.tables.size(); ++k) {
    if (a.tables[k].rows() != b.tables[k].rows() || a.tables[k].cols() != b.tables[k].cols()) return false;
    if (!a.tables[k].isApprox(b.tables[k], static_cast<S>(tol))) return false;
  }
  return a.dense.isApprox(b.dense, static_cast<S>(tol));
}

bool close_value(double a, double b, double tol) {
  return same_value(a, b) || std::abs(a - b) <= tol * std::max(1.0, std::max(std::abs(a), std::abs(b)));
}

/// Epoch reports equal in their counts and close in their losses (seconds aside).
bool close_reports(const std::vector<invlearn::EpochReport>& a, const std::vector<invlearn::EpochReport>& b,
                   double tol) {
  if (a.size() != b.size()) return false;
  for (std::size_t k = 0; k < a.size(); ++k) {
    const auto &x = a[k], &y = b[k];
    if (x.epoch != y.epoch || x.steps != y.steps || !close_value(x.train_loss, y.train_loss, tol) ||
        !close_value(x.valid_loss, y.valid_loss, tol) || x.improved != y.improved || x.annotated != y.annotated ||
        x.annotated_correct != y.annotated_correct ||
        !close_value(x.mean_positive_weight, y.mean_positive_weight, tol) || x.weight_histogram != y.weight_histogram)
      return false;
    for (int c = 0; c < 3; ++c)
      if (x.choices[c] != y.choices[c]) return false;
  }
  return true;
}

/// A file of tests/data/.
std::string fixture(const std::string& name) {
  return read_bytes(std::string(INVLEARN_TEST_SOURCE_DIR) + "/data/" + name);
}

template <class T>
struct TypeTag {
  using type = T;
};

}  // namespace

// The files in tests/data/ were written by the library at format version 2 (commit
// 794e421) and are kept as they are:
//   gmf_3x2_d2.v2.ckpt            save_model(GMF<float>(3, 2, {dim 2}, seed 1)), users u0..u2, items i0..i1
//   neumf_3x2_d1_l2.v2.ckpt       save_model(NeuMF<double>(3, 2, {dim 1, mlp_layers 2, init_std 0.05}, seed 1)),
//                                 same ids
//   ig_gmf_e1.v2.ckpt             save_checkpoint after epoch 1 of methods::IGPaper<GMF<float>> on the Data of
//                                 this file, GMF {dim 4} seed 7, resume_options(3) with record_steps,
//                                 truth given, method "ig"
//   ig_normalized_gmf_e1.v2.ckpt  the same with IG<GMF<float>, Adam, TestPass, NormalizedStep>
TEST_CASE("checkpoint: model files of format version 2 load with the values they hold", "[checkpoint]") {
  const std::string gmf_bytes = fixture("gmf_3x2_d2.v2.ckpt");
  REQUIRE(gmf_bytes.size() == 372);
  const auto info = invlearn::decode_checkpoint_info(gmf_bytes);
  CHECK(info.format_version == 2);
  CHECK(info.content == "model");
  CHECK(info.kind == "gmf");
  CHECK(info.scalar == "float");
  CHECK(info.num_users == 3);
  CHECK(info.num_items == 2);
  CHECK(info.composition.empty());
  REQUIRE(info.has_model_options());
  CHECK(info.model_options<GMFOptions>().dim == 2);
  CHECK(info.model_options<GMFOptions>().init_std == 0.01);
  CHECK(info.sections == std::vector<std::string>{"header", "user ids", "item ids", "parameters"});

  IdMap users, items;
  const auto gmf = invlearn::decode_model<GMF<float>>(gmf_bytes, &users, &items);
  CHECK(gmf.dim() == 2);
  CHECK(gmf.options().init_std == 0.01);
  CHECK(users.raws() == std::vector<std::string>{"u0", "u1", "u2"});
  CHECK(items.raws() == std::vector<std::string>{"i0", "i1"});
  GMFOptions o;
  o.dim = 2;
  CHECK(close(gmf.parameters(), GMF<float>(3, 2, o, 1).parameters(), 1e-6));
  // Everything loaded is what the file holds: written again in its format, the bytes are the file's.
  CHECK(as_format(invlearn::encode_model(gmf, users, items), 2, info.library_version) == gmf_bytes);

  const std::string neumf_bytes = fixture("neumf_3x2_d1_l2.v2.ckpt");
  const auto ninfo = invlearn::decode_checkpoint_info(neumf_bytes);
  CHECK(ninfo.format_version == 2);
  CHECK(ninfo.scalar == "double");
  const auto neumf = invlearn::decode_model<NeuMF<double>>(neumf_bytes, &users, &items);
  CHECK(neumf.dim() == 1);
  CHECK(neumf.options().mlp_layers == 2);
  CHECK(neumf.options().init_std == 0.05);
  NeuMFOptions no;
  no.dim = 1;
  no.mlp_layers = 2;
  no.init_std = 0.05;
  CHECK(neumf.mlp_widths() == NeuMF<double>(3, 2, no, 1).mlp_widths());
  CHECK(close(neumf.parameters(), NeuMF<double>(3, 2, no, 1).parameters(), 1e-12));
  CHECK(as_format(invlearn::encode_model(neumf, users, items), 2, ninfo.library_version) == neumf_bytes);
  REQUIRE_THROWS_WITH(invlearn::decode_model<GMF<double>>(neumf_bytes), Catch::Contains("model kind is neumf"));
  REQUIRE_THROWS_WITH(invlearn::decode_model<NeuMF<float>>(neumf_bytes), Catch::Contains("scalar type is double"));
}

TEST_CASE("checkpoint: training checkpoints of format version 2 resume with their state and trace", "[checkpoint]") {
  const Data data;
  const Index nu = data.synthetic.num_users(), ni = data.synthetic.num_items();
  GMFOptions mo;
  mo.dim = 4;
  TrainerOptions opts = resume_options(3);
  opts.record_steps = true;

  auto check = [&](auto trainer_type, const std::string& file, const std::string& step_rule) {
    using T = typename decltype(trainer_type)::type;
    INFO(file);
    const std::string bytes = fixture(file);
    REQUIRE(!bytes.empty());
    const auto info = invlearn::decode_checkpoint_info(bytes);
    CHECK(info.format_version == 2);
    CHECK(info.content == "checkpoint");
    CHECK(info.method == "ig");
    CHECK(info.epochs_done == 1);
    CHECK(info.component("labeled") == "bce");
    CHECK(info.component("unlabeled") == "idl");
    CHECK(info.component("policy") == "ig");
    CHECK(info.component("schedule") == "test-pass");
    CHECK(info.component("step_rule") == step_rule);
    CHECK(info.component("optimizer") == "adam");
    CHECK(info.component("sampler") == "uniform");
    CHECK(info.model_options<GMFOptions>().dim == 4);

    // The run that wrote the file, again: one epoch, with the lazy Adam of format 2's time.
    invlearn::AdamOptions lazy;
    lazy.rows = invlearn::AdamRows::lazy;
    const invlearn::Adam adam(lazy);
    GMF<float> mb(nu, ni, mo, 7);
    TrainerOptions one = opts;
    one.epochs = 1;
    T b(mb, one, {}, {}, {}, adam);
    b.fit(data.d.train, data.d.valid, data.truth());
    CHECK(info.composition == invlearn::composition(b));
    CHECK(info.global_step == b.state().global_step);

    GMF<float> mc(nu, ni, mo, 99);
    T c(mc, opts, {}, {}, {}, adam);
    IdMap users, items;
    std::string method;
    invlearn::decode_checkpoint(bytes, c, &users, &items, &method);
    CHECK(method == "ig");
    CHECK(users.raws() == data.d.users.raws());
    CHECK(items.raws() == data.d.items.raws());
    CHECK(close(mc.parameters(), mb.parameters(), 1e-5));
    CHECK(c.state().epochs_done == 1);
    CHECK(c.state().global_step == b.state().global_step);
    CHECK(c.state().best_epoch == b.state().best_epoch);
    CHECK(close_value(c.state().best_valid_loss, b.state().best_valid_loss, 1e-6));
    CHECK(close(c.state().best, b.state().best, 1e-5));
    for (int k = 0; k < 4; ++k) {
      CHECK(c.state().shuffle_rng.state().s[k] == b.state().shuffle_rng.state().s[k]);
      CHECK(c.state().sampler_rng.state().s[k] == b.state().sampler_rng.state().s[k]);
    }
    CHECK(c.optimizer().moments().t == b.optimizer().moments().t);
    CHECK(close(c.optimizer().moments().m, b.optimizer().moments().m, 1e-4));
    CHECK(close_reports(c.trace().epochs, b.trace().epochs, 1e-5));
    REQUIRE(c.trace().steps.size() == b.trace().steps.size());
    for (std::size_t k = 0; k < c.trace().steps.size(); ++k) {
      const auto &x = c.trace().steps[k], &y = b.trace().steps[k];
      CHECK((x.epoch == y.epoch && x.step == y.step && x.phase == y.phase && x.record.choice == y.record.choice));
      CHECK(close_value(x.record.labeled_loss, y.record.labeled_loss, 1e-5));
    }
    // Everything loaded is what the file holds.
    CHECK(as_format(invlearn::encode_checkpoint(c, users, items, "ig"), 2, info.library_version) == bytes);

    // And it resumes into the run that never stopped.
    GMF<float> ma(nu, ni, mo, 7);
    T a(ma, opts, {}, {}, {}, adam);
    a.fit(data.d.train, data.d.valid, data.truth());
    c.fit(data.d.train, data.d.valid, data.truth());
    CHECK(c.state().epochs_done == 3);
    CHECK(c.state().global_step == a.state().global_step);
    CHECK(close(mc.parameters(), ma.parameters(), 1e-4));
    CHECK(close_reports(c.trace().epochs, a.trace().epochs, 1e-4));
  };
  check(TypeTag<methods::IGPaper<GMF<float>>>{}, "ig_gmf_e1.v2.ckpt", "sgd");
  check(TypeTag<methods::IGPaper<GMF<float>, invlearn::Adam, invlearn::TestPass, invlearn::NormalizedStep>>{},
        "ig_normalized_gmf_e1.v2.ckpt", "normalized");

  // A format 2 checkpoint resumes only into its composition, and the message names the role.
  using Normalized = methods::IGPaper<GMF<float>, invlearn::Adam, invlearn::TestPass, invlearn::NormalizedStep>;
  GMF<float> md(nu, ni, mo, 99);
  Normalized d(md, opts);
  REQUIRE_THROWS_WITH(invlearn::decode_checkpoint(fixture("ig_gmf_e1.v2.ckpt"), d),
                      Catch::Contains("update policy's step_rule is sgd in the file, normalized in this trainer"));
  CHECK(d.state().epochs_done == 0);
}
#endif

TEST_CASE("checkpoint: format version 3 and later hold the model options and the composition as pairs", "[checkpoint]") {
  using T = methods::IGPaper<GMF<float>, invlearn::Adam, invlearn::TestPass, invlearn::NormalizedStep>;
  const Data data;
  const Index nu = data.synthetic.num_users(), ni = data.synthetic.num_items();
  GMFOptions mo;
  mo.dim = 3;
  mo.init_std = 0.25;
  GMF<float> mb(nu, ni, mo, 7);
  T b(mb, resume_options(1));
  b.fit(data.d.train, data.d.valid);
  const std::string v3 = invlearn::encode_checkpoint(b, data.d.users, data.d.items, "ig-normalized");

  const auto info = invlearn::decode_checkpoint_info(v3);
  CHECK(info.format_version == invlearn::kCheckpointVersion);
  const invlearn::Composition expect = {{"labeled", "bce"},   {"unlabeled", "idl"},       {"policy", "ig"},
                                        {"schedule", "test-pass"}, {"step_rule", "normalized"}, {"optimizer", "adam"},
                                        {"sampler", "uniform"}};
  CHECK(info.composition == expect);
  CHECK(invlearn::composition(b) == expect);
  CHECK(info.component("step_rule") == "normalized");
  CHECK(info.component("no such role").empty());
  REQUIRE(info.sections.size() > 2);
  CHECK(info.sections[0] == "header");
  CHECK(info.sections[1] == "model options");
  CHECK(info.sections.back() == "trace");
  CHECK(info.model_options<GMFOptions>().dim == 3);
  CHECK(info.model_options<GMFOptions>().init_std == 0.25);
  // The same pairs come back from the format 2 string.
  CHECK(invlearn::decode_checkpoint_info(as_format(v3, 2)).composition == expect);
  CHECK(invlearn::decode_checkpoint_info(as_format(v3, 2)).model_options<GMFOptions>().init_std == 0.25);

  // Loaded and written again: the same bytes.
  GMF<float> mc(nu, ni, mo, 99);
  T c(mc, resume_options(1));
  IdMap users, items;
  invlearn::decode_checkpoint(v3, c, &users, &items);
  CHECK(invlearn::encode_checkpoint(c, users, items, "ig-normalized") == v3);
  const auto rebuilt = invlearn::decode_model<GMF<float>>(v3);
  CHECK(rebuilt.options().init_std == 0.25);
  CHECK(same(rebuilt.parameters(), mb.parameters()));

  // Another step rule, and another schedule: the message names the role.
  using Sgd = methods::IGPaper<GMF<float>>;
  GMF<float> md(nu, ni, mo, 99);
  Sgd d(md, resume_options(1));
  REQUIRE_THROWS_WITH(invlearn::decode_checkpoint(v3, d),
                      Catch::Contains("update policy's step_rule is normalized in the file, sgd in this trainer") &&
                          Catch::Contains("file: labeled=bce unlabeled=idl policy=ig schedule=test-pass"));
  using PerBatch = methods::IGPaper<GMF<float>, invlearn::Adam, invlearn::PerTrainBatch, invlearn::NormalizedStep>;
  PerBatch e(md, resume_options(1));
  REQUIRE_THROWS_WITH(invlearn::decode_checkpoint(v3, e),
                      Catch::Contains("schedule is test-pass in the file, per-train-batch in this trainer"));
  methods::NS<GMF<float>> f(md, resume_options(1));
  REQUIRE_THROWS_WITH(invlearn::decode_checkpoint(v3, f),
                      Catch::Contains("unlabeled loss is idl in the file, bce in this trainer") &&
                          Catch::Contains("update policy's step_rule is normalized in the file, (none) in this trainer"));
}

TEST_CASE("checkpoint: format 1-2 composition strings read as (role, name) pairs", "[checkpoint]") {
  namespace ck = invlearn::detail::ckpt;
  const invlearn::Composition ig = {{"labeled", "bce"},        {"unlabeled", "idl"},  {"policy", "ig"},
                                    {"schedule", "test-pass"}, {"step_rule", "sgd"},  {"optimizer", "adam"},
                                    {"sampler", "uniform"}};
  CHECK(ck::parse_composition_string("labeled=bce unlabeled=idl policy=ig/test-pass/sgd optimizer=adam "
                                     "sampler=uniform") == ig);
  const invlearn::Composition direct = {{"labeled", "bce"}, {"policy", "direct"}, {"step_rule", "normalized"}};
  CHECK(ck::parse_composition_string("labeled=bce policy=direct/normalized") == direct);
  const invlearn::Composition joint = {{"policy", "joint"}, {"sampler", "dns"}};
  CHECK(ck::parse_composition_string("policy=joint  sampler=dns") == joint);
  CHECK(ck::parse_composition_string("").empty());
  // What the trainers of methods.hpp are made of.
  GMF<float> m(3, 2, GMFOptions{}, 1);
  CHECK(invlearn::composition_text(invlearn::composition(methods::DNS<GMF<float>>(m))) ==
        "labeled=bce unlabeled=bce policy=joint optimizer=adam sampler=dns");
  CHECK(invlearn::composition_text(invlearn::composition(methods::TCE<GMF<float>, invlearn::SGD>(m))) ==
        "labeled=tce unlabeled=tce policy=joint optimizer=sgd sampler=uniform");
  CHECK(invlearn::describe_role("step_rule") == "update policy's step_rule");
}

TEST_CASE("checkpoint: a model's options are checked when they are read", "[checkpoint]") {
  namespace ck = invlearn::detail::ckpt;
  GMFOptions o;
  o.dim = 2;
  const std::string gmf = invlearn::encode_model(GMF<float>(3, 2, o, 1), ids("u", 3), ids("i", 2));
  const std::size_t at = section_offset(gmf, "MOPT");  // dim, then init_std
  auto with_dim = [&](std::uint64_t dim) {
    std::string bad = gmf;
    ck::set_u64(bad, at, dim);
    return reseal(bad);
  };
  REQUIRE_THROWS_WITH(invlearn::decode_model<GMF<float>>(with_dim(0), nullptr, nullptr, "x.bin"),
                      Catch::Contains("checkpoint 'x.bin': section model options: GMFOptions::dim 0 is outside [1, 2^40]"));
  REQUIRE_THROWS_WITH(invlearn::decode_model<GMF<float>>(with_dim(1ULL << 50)), Catch::Contains("GMFOptions::dim"));
  REQUIRE_THROWS_WITH(invlearn::decode_model<GMF<float>>(with_dim(~0ULL)), Catch::Contains("GMFOptions::dim -1"));
  // A dim the stored parameters do not have: the shape is checked before anything is built.
  REQUIRE_THROWS_WITH(invlearn::decode_model<GMF<float>>(with_dim(1000000)), Catch::Contains("do not match the model's"));
  REQUIRE_THROWS_WITH(invlearn::decode_model<GMF<float>>(drop_section(gmf, "MOPT")),
                      Catch::Contains("section model options is missing"));
  REQUIRE_THROWS_WITH(invlearn::decode_checkpoint_info(with_dim(0)).model_options<GMFOptions>(),
                      Catch::Contains("GMFOptions::dim 0"));

  NeuMFOptions no;
  no.dim = 2;
  no.mlp_layers = 1;
  const std::string neumf = invlearn::encode_model(NeuMF<float>(3, 2, no, 1));
  std::string bad = neumf;
  ck::set_u64(bad, section_offset(neumf, "MOPT") + 8, 11);  // mlp_layers
  REQUIRE_THROWS_WITH(invlearn::decode_model<NeuMF<float>>(reseal(bad)),
                      Catch::Contains("section model options: NeuMFOptions::mlp_layers 11 is outside [1, 10]"));
  ck::set_u64(bad, section_offset(neumf, "MOPT") + 8, 1ULL << 40);
  REQUIRE_THROWS_WITH(invlearn::decode_model<NeuMF<float>>(reseal(bad)), Catch::Contains("out of range"));

  // The same checks guard the fields of a format 2 header.
  std::string v2 = as_format(gmf, 2);
  const std::size_t head = section_offset(v2, "HEAD");
  std::size_t dim_at = head;
  for (int s = 0; s < 3; ++s)
    dim_at += 8 + static_cast<std::size_t>(ck::get_u64(reinterpret_cast<const unsigned char*>(v2.data()) + dim_at));
  dim_at += 16;  // num_users, num_items
  REQUIRE(ck::get_u64(reinterpret_cast<const unsigned char*>(v2.data()) + dim_at) == 2);
  ck::set_u64(v2, dim_at, 1ULL << 41);
  REQUIRE_THROWS_WITH(invlearn::decode_model<GMF<float>>(reseal(v2)),
                      Catch::Contains("section header: GMFOptions::dim 2199023255552 is outside [1, 2^40]"));
}

TEST_CASE("checkpoint: Options::shape() is the shape of the model the options build", "[checkpoint]") {
  for (Index d : {1, 2, 5, 32}) {
    GMFOptions g;
    g.dim = d;
    CHECK(g.shape(7, 5) == invlearn::ParamShape::of(GMF<float>(7, 5, g).parameters()));
    for (int layers : {1, 2, 3}) {
      NeuMFOptions n;
      n.dim = d;
      n.mlp_layers = layers;
      INFO("dim " << d << ", mlp_layers " << layers);
      CHECK(n.shape(7, 5) == invlearn::ParamShape::of(NeuMF<double>(7, 5, n).parameters()));
    }
  }
  // Options that fail their checks imply no shape; huge ones imply a dense block no file holds.
  GMFOptions g;
  g.dim = 0;
  CHECK(g.shape(7, 5) == invlearn::ParamShape::none());
  CHECK_FALSE(invlearn::ParamShape::none().matches(Parameters<float>()));
  NeuMFOptions n;
  n.mlp_layers = 11;
  CHECK(n.shape(7, 5) == invlearn::ParamShape::none());
  n.mlp_layers = 10;
  n.dim = NeuMFOptions::kMaxDim;
  CHECK(n.shape(7, 5).dense == -1);
  CHECK(invlearn::ParamShape::of(GMF<float>(7, 5, GMFOptions{}).parameters()).describe() == "{7x32, 5x32; dense 33}");
}

namespace {

/// A backbone that says nothing about how it was built: saved and loaded into an
/// existing model, never rebuilt from its file.
struct PlainGMF : GMF<float> {
  using GMF<float>::GMF;
  using Options = void;
  static constexpr const char* kind = "plain-gmf";
};

}  // namespace

TEST_CASE("checkpoint: a backbone without options saves and loads into an existing model", "[checkpoint]") {
  const Data data;
  const Index nu = data.synthetic.num_users(), ni = data.synthetic.num_items();
  GMFOptions mo;
  mo.dim = 4;
  PlainGMF mb(nu, ni, mo, 7);
  const auto model_info = invlearn::decode_checkpoint_info(invlearn::encode_model(mb));
  CHECK(model_info.kind == "plain-gmf");
  CHECK_FALSE(model_info.has_model_options());
  CHECK(model_info.sections == std::vector<std::string>{"header", "user ids", "item ids", "parameters"});
  REQUIRE_THROWS_WITH(model_info.model_options<GMFOptions>(), Catch::Contains("section model options is missing"));

  using T = methods::NS<PlainGMF>;
  T b(mb, resume_options(1));
  b.fit(data.d.train, data.d.valid);
  const std::string ck = invlearn::encode_checkpoint(b, data.d.users, data.d.items, "ns");
  PlainGMF mc(nu, ni, mo, 99);
  T c(mc, resume_options(2));
  invlearn::decode_checkpoint(ck, c);
  CHECK(same(mc.parameters(), mb.parameters()));
  CHECK(c.state().epochs_done == 1);
  // Its sizes are still checked: through the parameters' shape.
  GMFOptions m5;
  m5.dim = 5;
  PlainGMF other(nu, ni, m5, 1);
  T d(other, resume_options(2));
  REQUIRE_THROWS_WITH(invlearn::decode_checkpoint(ck, d), Catch::Contains("do not match the model's"));
  // And a format 2 file of such a model (dim 0: no model fields) reads without options.
  const std::string v2 = as_format(ck, 2);
  CHECK_FALSE(invlearn::decode_checkpoint_info(v2).has_model_options());
  PlainGMF me(nu, ni, mo, 99);
  T e(me, resume_options(2));
  invlearn::decode_checkpoint(v2, e);
  CHECK(same(me.parameters(), mb.parameters()));
}

TEST_CASE("checkpoint: a resumed run goes on counting its early-stopping evaluations", "[checkpoint][stopping]") {
  const Data data;
  TempDir dir;
  const std::string path = dir.file("stop.ckpt");
  const Index nu = data.synthetic.num_users(), ni = data.synthetic.num_items();
  TrainerOptions o = resume_options(400);
  o.patience = 3;
  o.eval_every = 12;  // an epoch is 5 steps here: evaluations every third epoch
  o.lr = 0.01;
  GMFOptions mo;
  mo.dim = 4;
  using T = methods::None<GMF<float>>;
  GMF<float> ma(nu, ni, mo, 7);
  T a(ma, o);
  const auto fa = a.fit(data.d.train, data.d.valid);
  REQUIRE(fa.stopped_early);
  INFO("stopped after " << a.state().epochs_done << " epochs");
  REQUIRE(a.state().epochs_done > 9);

  GMF<float> mb(nu, ni, mo, 7);
  T b(mb, o);
  b.on_epoch([&](const invlearn::EpochReport& r) {
    if (r.epoch < 7) return true;  // between two evaluations
    invlearn::save_checkpoint(path, b);
    return false;
  });
  b.fit(data.d.train, data.d.valid);
  GMF<float> mc(nu, ni, mo, 99);
  T c(mc, o);
  invlearn::load_checkpoint(path, c);
  CHECK(c.stopping().evaluations == b.stopping().evaluations);
  CHECK(c.stopping().last_evaluation_step == b.stopping().last_evaluation_step);
  const auto fc = c.fit(data.d.train, data.d.valid);
  CHECK(fc.stopped_early);
  CHECK(fc.evaluations == fa.evaluations);
  CHECK(c.state().epochs_done == a.state().epochs_done);
  CHECK(c.state().best_epoch == a.state().best_epoch);
  CHECK(same(mc.parameters(), ma.parameters()));
}
