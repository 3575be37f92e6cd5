#pragma once
// What invlearn-export writes for each kind of model. GMF scores x = (e_u ⊙ w)·e_i + b,
// an inner product: user vectors e_u ⊙ w, item vectors e_i, and the bias. NeuMF's score
// is not one: its four embedding tables and its dense weights, enough to score any pair.
// Every matrix goes out as .tsv (raw id, then the values) and .npy (rows in the order of
// user_ids.txt / item_ids.txt); scoring.json says how to put them together.

#include <string>
#include <type_traits>
#include <vector>

#include <invlearn/data/id_map.hpp>
#include <invlearn/model/gmf.hpp>
#include <invlearn/model/mlp.hpp>
#include <invlearn/model/neumf.hpp>

#include "common/atomic_file.hpp"
#include "common/json.hpp"
#include "npy.hpp"

namespace exporter {

/// Writes the files of one export into a directory.
class Files {
 public:
  explicit Files(std::string dir) : dir_(std::move(dir)) {}

  /// `name`.tsv (raw id, then the row's values) and `name`.npy of a rows × cols matrix.
  template <class S>
  void matrix(const std::string& name, const S* data, invlearn::Index rows, invlearn::Index cols,
              const invlearn::IdMap& ids) {
    std::string tsv;
    tsv.reserve(static_cast<std::size_t>(rows * (cols * 14 + 12)));
    char buf[40];
    for (invlearn::Index r = 0; r < rows; ++r) {
      tsv += ids.raw(r);
      for (invlearn::Index c = 0; c < cols; ++c) {
        std::snprintf(buf, sizeof buf, "\t%.*g", std::is_same<S, float>::value ? 9 : 17,
                      static_cast<double>(data[r * cols + c]));
        tsv += buf;
      }
      tsv += '\n';
    }
    write(name + ".tsv", tsv);
    array(name, data, rows, cols);
  }

  /// `name`.npy alone.
  template <class S>
  void array(const std::string& name, const S* data, invlearn::Index rows, invlearn::Index cols) {
    write(name + ".npy", npy_bytes(data, rows, cols));
  }

  /// The raw ids in row order, one per line.
  void ids(const std::string& name, const invlearn::IdMap& map) {
    std::string text;
    for (const std::string& raw : map.raws()) text += raw + '\n';
    write(name, text);
  }

  void write(const std::string& name, const std::string& content) {
    cli::write_file_atomic(dir_ + "/" + name, content);
    written_.push_back(name);
  }
  const std::vector<std::string>& written() const { return written_; }

 private:
  std::string dir_;
  std::vector<std::string> written_;
};

template <class S>
const char* dtype() {
  return std::is_same<S, float>::value ? "float32" : "float64";
}

/// GMF: score(u, i) = user_vectors[u] · item_vectors[i] + bias.
template <class S>
void export_model(const invlearn::GMF<S>& model, const invlearn::IdMap& users, const invlearn::IdMap& items,
                  Files& files) {
  const invlearn::Index d = model.dim();
  const auto& p = model.parameters();
  const invlearn::RowMatrix<S> queries = p.tables[0] * p.dense.head(d).asDiagonal();  // e_u ⊙ w
  files.ids("user_ids.txt", users);
  files.ids("item_ids.txt", items);
  files.matrix("user_vectors", queries.data(), model.num_users(), d, users);
  files.matrix("item_vectors", p.tables[1].data(), model.num_items(), d, items);
  cli::Json j;
  j["kind"] = "inner_product";
  j["bias"] = static_cast<double>(p.dense[d]);
  j["dim"] = d;
  j["dtype"] = dtype<S>();
  j["users"] = model.num_users();
  j["items"] = model.num_items();
  j["user_vectors"] = "user_vectors.npy";
  j["item_vectors"] = "item_vectors.npy";
  j["score"] = "user_vectors[u] . item_vectors[i] + bias";
  files.write("scoring.json", cli::json_text(j));
}

/// NeuMF: score(u, i) = user_gmf[u]·item_gmf[i] + MLP([user_mlp[u], item_mlp[i]])·head_mlp + bias,
/// MLP layer l being relu(x · weight_l + bias_l) with weight_l of shape (in, out).
template <class S>
void export_model(const invlearn::NeuMF<S>& model, const invlearn::IdMap& users, const invlearn::IdMap& items,
                  Files& files) {
  const invlearn::Index d = model.dim();
  const auto& p = model.parameters();
  const std::vector<invlearn::Index>& widths = model.mlp_widths();
  const invlearn::MLPLayout layout(widths, 0);  // the dense block's layout (NeuMF's doc)
  const invlearn::Index top = layout.output_width(), head = layout.end();
  const invlearn::RowMatrix<S> user_gmf = p.tables[0] * p.dense.segment(head, d).asDiagonal();  // e_u ⊙ h_G
  files.ids("user_ids.txt", users);
  files.ids("item_ids.txt", items);
  files.matrix("user_gmf", user_gmf.data(), model.num_users(), d, users);
  files.matrix("item_gmf", p.tables[1].data(), model.num_items(), d, items);
  files.matrix("user_mlp", p.tables[2].data(), model.num_users(), p.tables[2].cols(), users);
  files.matrix("item_mlp", p.tables[3].data(), model.num_items(), p.tables[3].cols(), items);
  cli::Json layers = cli::Json::array();
  for (int l = 0; l < layout.layers(); ++l) {
    const invlearn::Index in = widths[static_cast<std::size_t>(l)], out = widths[static_cast<std::size_t>(l) + 1];
    // Stored column-major (in × out): row-major for .npy is its transpose's layout.
    const Eigen::Map<const invlearn::ColMatrix<S>> w(p.dense.data() + layout.weight_offset(l), in, out);
    const invlearn::RowMatrix<S> row_major = w;
    const std::string name = "mlp_" + std::to_string(l);
    files.array(name + "_weight", row_major.data(), in, out);
    files.array(name + "_bias", p.dense.data() + layout.bias_offset(l), 1, out);
    layers.push_back({{"weight", name + "_weight.npy"}, {"bias", name + "_bias.npy"}, {"in", in}, {"out", out}});
  }
  files.array("head_mlp", p.dense.data() + head + d, 1, top);
  cli::Json j;
  j["kind"] = "neumf";
  j["bias"] = static_cast<double>(p.dense[head + d + top]);
  j["dim"] = d;
  j["dtype"] = dtype<S>();
  j["users"] = model.num_users();
  j["items"] = model.num_items();
  j["mlp_widths"] = widths;
  j["user_gmf"] = "user_gmf.npy";
  j["item_gmf"] = "item_gmf.npy";
  j["user_mlp"] = "user_mlp.npy";
  j["item_mlp"] = "item_mlp.npy";
  j["layers"] = layers;
  j["head_mlp"] = "head_mlp.npy";
  j["score"] =
      "user_gmf[u] . item_gmf[i] + a_L . head_mlp + bias, a_0 = [user_mlp[u], item_mlp[i]], "
      "a_l = relu(a_(l-1) @ weight_l + bias_l)";
  files.write("scoring.json", cli::json_text(j));
}

}  // namespace exporter
