#pragma once
// JSON output of the programs, with nlohmann/json. Objects keep the order their
// fields were set in (ordered_json), so a report reads in the documented order.

#include <string>

#include <nlohmann/json.hpp>

namespace cli {

using Json = nlohmann::ordered_json;

/// `value` as JSON text: two-space indents and a final newline. NaN and infinities
/// become null (nlohmann's rule for numbers JSON cannot hold). Bytes that are not
/// valid UTF-8 (a file name can hold anything) become U+FFFD, so the text is always
/// valid JSON.
inline std::string json_text(const Json& value) {
  return value.dump(2, ' ', false, Json::error_handler_t::replace) + "\n";
}

/// `text` or, when it is empty, null.
inline Json string_or_null(const std::string& text) { return text.empty() ? Json() : Json(text); }

}  // namespace cli
