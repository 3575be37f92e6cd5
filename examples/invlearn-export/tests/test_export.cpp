// invlearn-export's parts as functions: the .npy bytes, and what each model's export
// holds (GMF's user vectors are e_u ⊙ w, so that u·v + b is the model's logit).

#include <catch2/catch.hpp>

#include <cstring>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include <sys/stat.h>

#include <invlearn/model/gmf.hpp>
#include <invlearn/rank/score.hpp>

#include "common/json.hpp"
#include "export.hpp"
#include "npy.hpp"

namespace {

std::string read(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

}  // namespace

TEST_CASE("export: .npy bytes", "[cli]") {
  const float values[] = {1.0f, -2.5f, 3.0f, 0.125f, 5.0f, 6.0f};
  const std::string b = exporter::npy_bytes(values, 2, 3);
  REQUIRE(b.size() > 10);
  CHECK(b.compare(0, 8, std::string("\x93NUMPY\x01\x00", 8)) == 0);
  const std::size_t header = static_cast<unsigned char>(b[8]) | (static_cast<std::size_t>(static_cast<unsigned char>(b[9])) << 8);
  CHECK((10 + header) % 64 == 0);
  const std::string dict = b.substr(10, header);
  CHECK(dict.find("'descr': '<f4'") != std::string::npos);
  CHECK(dict.find("'fortran_order': False") != std::string::npos);
  CHECK(dict.find("'shape': (2, 3)") != std::string::npos);
  CHECK(dict.back() == '\n');
  REQUIRE(b.size() == 10 + header + sizeof values);
  float back[6];
  std::memcpy(back, b.data() + 10 + header, sizeof back);
  for (int k = 0; k < 6; ++k) CHECK(back[k] == values[k]);
  const double d[] = {1.0};
  CHECK(exporter::npy_bytes(d, 1, 1).find("'<f8'") != std::string::npos);
}

TEST_CASE("export: a GMF's vectors give its logits as u.v + bias", "[cli]") {
  invlearn::GMF<float> model(3, 4, invlearn::GMFOptions{2, 0.5}, 9);
  model.parameters().dense[2] = 0.75f;
  const std::string dir = std::string(INVLEARN_TEST_BINARY_DIR) + "/export_gmf";
  ::mkdir(dir.c_str(), 0777);
  exporter::Files files(dir);
  exporter::export_model(model, invlearn::IdMap::from_raws({"a", "b", "c"}),
                         invlearn::IdMap::from_raws({"w", "x", "y", "z"}), files);
  const cli::Json spec = cli::Json::parse(read(dir + "/scoring.json"));
  CHECK(spec["kind"] == "inner_product");
  CHECK(spec["bias"] == 0.75);
  CHECK(read(dir + "/item_ids.txt") == "w\nx\ny\nz\n");
  // Read the tsv vectors back and score with them.
  std::vector<std::vector<double>> u, v;
  for (auto* m : {&u, &v}) {
    std::istringstream in(read(dir + (m == &u ? "/user_vectors.tsv" : "/item_vectors.tsv")));
    std::string id;
    double a, b;
    while (in >> id >> a >> b) m->push_back({a, b});
  }
  REQUIRE(u.size() == 3);
  REQUIRE(v.size() == 4);
  for (invlearn::Index user = 0; user < 3; ++user) {
    std::vector<float> logits;
    invlearn::score(model, user, {0, 1, 2, 3}, logits);
    for (std::size_t i = 0; i < 4; ++i)
      CHECK(u[static_cast<std::size_t>(user)][0] * v[i][0] + u[static_cast<std::size_t>(user)][1] * v[i][1] + 0.75 ==
            Approx(logits[i]).epsilon(1e-6));
  }
}
